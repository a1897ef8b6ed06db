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
  {
    name: 'a new device gets nothing from a group whose membership is unknown (nothing-new-from-unknown)',
    seed: 3,
    ops: [
      { k: 'idpAttr', user: 'e5', department: null, jobTitle: 'Engineer' },
      { k: 'enroll', serial: 'SIM-3', user: 'e5' },
    ],
  },
  {
    name: 'a device re-enrolled by a user who just left a group gets nothing from it (new-device-got-left-items)',
    seed: 2,
    ops: [
      { k: 'idpAddUser', user: 'e10', department: 'Sales', jobTitle: 'Engineer' },
      { k: 'enroll', serial: 'SIM-6', user: 'e10' },
      { k: 'idpAttr', user: 'e1', department: 'Finance', jobTitle: 'Sales Manager' },
      { k: 'enroll', serial: 'SIM-6', user: 'e1' },
    ],
  },
  {
    name: 'leaving an excluded group grants the policy at once and says so (grace-delays-grant)',
    seed: 7,
    ops: [
      { k: 'enroll', serial: 'SIM-1', user: 'e3' },
      { k: 'idpMember', group: 'team2', user: 'e3', member: true },
      { k: 'rule', group: 'sales', variant: 1 },
      { k: 'sync', mode: 'incremental' },
      { k: 'idpMember', group: 'team2', user: 'e3', member: false },
      { k: 'target', policy: 'salesKit', group: 'team2', mode: 'exclude' },
      { k: 'sync', mode: 'incremental' },
    ],
  },
  {
    name: "an enrollment's JIT read moves the user's other devices too (jit-other-devices)",
    seed: 1,
    ops: [
      { k: 'enroll', serial: 'SIM-3', user: 'e7' },
      { k: 'idpAttr', user: 'e7', department: 'Marketing', jobTitle: 'Software Developer' },
      { k: 'enroll', serial: 'SIM-4', user: 'e7' },
    ],
  },
  {
    name: 'an unknown membership that becomes known grants what it held back (converges)',
    seed: 2,
    ops: [
      { k: 'enroll', serial: 'SIM-5', user: 'e3' },
      { k: 'idpAttr', user: 'e3', department: null, jobTitle: 'Software Developer' },
      { k: 'sync', mode: 'incremental' },
      { k: 'idpAttr', user: 'e3', department: 'Marketing', jobTitle: 'Sales Manager' },
      { k: 'rule', group: 'developers', variant: 1 },
      { k: 'target', policy: 'teamChat', group: 'marketing', mode: 'include' },
      { k: 'sync', mode: 'incremental' },
    ],
  },
  {
    name: 'a user deleted in the IdP loses everything on their devices at the sync that sees it (deleted-user, flagged-app-kept)',
    seed: 4,
    ops: [
      { k: 'enroll', serial: 'SIM-0', user: 'e6' },
      { k: 'idpDeleteUser', user: 'e6' },
      { k: 'sync', mode: 'incremental' },
    ],
  },
  {
    name: 'a delivered profile of a deleted user is removed, not kept (deleted-user)',
    seed: 1,
    ops: [
      { k: 'enroll', serial: 'SIM-0', user: 'e1' },
      { k: 'checkin', serial: 'SIM-0', max: 1, fail: false },
      { k: 'idpDeleteUser', user: 'e1' },
      { k: 'sync', mode: 'incremental' },
    ],
  },
  {
    name: 'a user a replacing import leaves out loses everything on their devices (import-replace-keeps-users)',
    seed: 1,
    ops: [
      { k: 'enrollFile', serial: 'SIM-3', user: 'f0' },
      { k: 'fileRemoveUser', user: 'f0' },
      { k: 'import', mode: 'replace', users: ['f1', 'f2', 'f3'] },
    ],
  },
]

describe('sequences that found defects', () => {
  it.each(CASES)('$name', async ({ seed, ops }) => {
    const r = await runOps(seed, ops)
    expect(r.violation?.message ?? null).toBeNull()
  })
})
