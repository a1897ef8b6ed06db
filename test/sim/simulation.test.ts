// The JIT loop under random sequences (issue #13): each seed generates a sequence of IdP changes,
// syncs, imports, enrollments, check-ins, admin edits, push outages and kills at the named crash
// points; after every step the app must agree with the reference model. A failing seed prints the
// shortest sequence found that still fails. Seeds, steps, op mix and the invariants set aside come
// from the environment (config.ts); `npm run simulate` runs longer.
import { afterAll, describe, expect, it } from 'vitest'
import { disabled } from './check'
import { configFrom } from './config'
import { report, simulate } from './shrink'

const config = configFrom(process.env)

describe('the JIT loop keeps every invariant under random sequences', () => {
  for (const k of config.ignore) disabled.add(k)
  let kills = 0
  let keptByGrace = 0
  let keptWhileUnknown = 0
  afterAll(() => {
    disabled.clear()
    // Across the seeds, the crash points must fire and the grace and unknown rules must come into
    // play: a rule that never applies is a rule the run did not check.
    if (config.seeds.length * config.steps < 1000) return
    if (config.mix.crash !== 0) expect(kills).toBeGreaterThan(0)
    expect(keptByGrace).toBeGreaterThan(0)
    expect(keptWhileUnknown).toBeGreaterThan(0)
  })

  for (const seed of config.seeds) {
    it(`seed ${seed}: ${config.steps} steps`, async () => {
      const r = await simulate({ seed, steps: config.steps, mix: config.mix, shrink: { budgetMs: 20_000 } })
      expect(r.failure ? report(seed, r.failure) : null).toBeNull()
      // A run that skipped most of its ops, or never got commands answered, checked little.
      expect(r.skipped).toBeLessThan(config.steps / 2)
      if (!r.failure && config.steps >= 100) {
        expect(r.stats.enrollments).toBeGreaterThan(0)
        expect(r.stats.answered).toBeGreaterThan(0)
        expect(r.stats.syncs).toBeGreaterThan(0)
      }
      kills += r.stats.kills
      keptByGrace += r.stats.keptByGrace ?? 0
      keptWhileUnknown += r.stats.keptWhileUnknown ?? 0
    }, 120_000)
  }
})
