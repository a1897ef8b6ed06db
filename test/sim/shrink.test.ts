// The shrinker, over a plain predicate instead of the app: it must find the short sequence that
// still fails the same way, and must not trade the failure for another kind.
import { describe, expect, it } from 'vitest'
import { SimViolation } from './check'
import type { Op } from './ops'
import { shrinkWith } from './shrink'

const sync: Op = { k: 'sync', mode: 'incremental' }
const enroll = (user: string): Op => ({ k: 'enroll', serial: 'SIM-1', user })
const noise = (i: number): Op => ({ k: 'push', up: i % 2 === 0 })

/** Fails (kind 'converges') once the sequence has enrolled e1 and then synced; 'command-lost' when it has a kill. */
const replay = async (ops: Op[]): Promise<SimViolation | null> => {
  if (ops.some(o => o.k === 'crash')) return new SimViolation('command-lost', 'a kill').at(0, null)
  const e = ops.findIndex(o => o.k === 'enroll' && o.user === 'e1')
  const s = ops.findIndex((o, i) => i > e && o.k === 'sync')
  return e >= 0 && s >= 0 ? new SimViolation('converges', 'enrolled then synced').at(s, ops[s] ?? null) : null
}

describe('shrinking a failing sequence', () => {
  it('drops every op the failure does not need', async () => {
    const ops = [
      ...Array.from({ length: 20 }, (_, i) => noise(i)),
      enroll('e1'),
      noise(1),
      enroll('e2'),
      sync,
      noise(3),
    ]
    const first = (await replay(ops)) as SimViolation
    const r = await shrinkWith(ops, first, replay)
    expect(r.ops).toEqual([enroll('e1'), sync])
    expect(r.violation.kind).toBe('converges')
  })

  it('unwraps a kill the failure does not need, without switching to the failure the kill causes', async () => {
    const ops: Op[] = [enroll('e1'), { k: 'crash', point: 'ack:after-commit', inner: sync }]
    const r = await shrinkWith(ops, new SimViolation('converges', 'x').at(1, ops[1] ?? null), replay)
    expect(r.ops).toEqual([enroll('e1'), sync])
  })
})
