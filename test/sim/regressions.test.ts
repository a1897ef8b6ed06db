// The shortest sequences the simulation found for defects fixed since: each must now keep every
// invariant, with nothing set aside (replayed with `npm run simulate -- --strict --seed S --ops …`).
import { describe, expect, it } from 'vitest'
import { runOps } from './driver'
import type { Op } from './ops'

const CASES: { name: string; seed: number; ops: Op[] }[] = [
  {
    name: 'a re-enrollment to another user still delivers the installs the first user had queued',
    seed: 1,
    ops: [
      { k: 'enroll', serial: 'SIM-3', user: 'e6' },
      { k: 'enroll', serial: 'SIM-3', user: 'e7' },
    ],
  },
  {
    name: 'a re-enrollment removes the profile the device holds although a newer version was waiting',
    seed: 1,
    ops: [
      { k: 'enroll', serial: 'SIM-3', user: 'e6' },
      { k: 'checkin', serial: 'SIM-3', max: 1, fail: false },
      { k: 'checkin', serial: 'SIM-3', max: 1, fail: false },
      { k: 'value', policy: 'teamChat', item: 'profile:com.sim.wifi.team', value: 'TEAM-2' },
      { k: 'enroll', serial: 'SIM-3', user: 'e3' },
    ],
  },
  {
    name: 'a refused install is not removed after a re-enrollment',
    seed: 2,
    ops: [
      { k: 'target', policy: 'fieldKit', group: 'sales', mode: 'include' },
      { k: 'enroll', serial: 'SIM-0', user: 'e0' },
      { k: 'checkin', serial: 'SIM-0', max: 4, fail: true },
      { k: 'enroll', serial: 'SIM-0', user: 'e5' },
    ],
  },
  {
    name: 'why names the group that grants a policy firmly over one left within its grace period',
    seed: 5,
    ops: [
      { k: 'target', policy: 'devTools', group: 'team1', mode: 'include' },
      { k: 'idpAttr', user: 'e8', department: 'Marketing', jobTitle: 'Analyst' },
      { k: 'enroll', serial: 'SIM-5', user: 'e8' },
    ],
  },
]

describe('sequences that found defects', () => {
  it.each(CASES)('$name', async ({ seed, ops }) => {
    const r = await runOps(seed, ops)
    expect(r.violation?.message ?? null).toBeNull()
  })
})
