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
  afterAll(() => disabled.clear())

  for (const seed of config.seeds) {
    it(`seed ${seed}: ${config.steps} steps`, async () => {
      const r = await simulate({ seed, steps: config.steps, mix: config.mix, shrink: { budgetMs: 40_000 } })
      expect(r.failure ? report(seed, r.failure) : null).toBeNull()
      // A run that skipped most of its ops checked little: the generator must fit the world.
      expect(r.skipped).toBeLessThan(config.steps / 2)
    }, 120_000)
  }
})
