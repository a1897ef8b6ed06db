// The grace rule as documented: a user who leaves a group through a directory sync keeps the
// group's policies on the devices that have them until the next succeeded sync of that directory,
// which withdraws them itself (it counts as the confirming sync). The status says "withdrawn" only
// once something was sent. A user without a device has nothing to withdraw; the confirming sync
// still settles the pending withdrawal.
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/main/app'
import type { PolicyDraft } from '../../src/shared/policy'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, type GraphFake } from '../fakes/graph/server'
import { loopbackRouter, recordingSleep } from '../fakes/router'
import { connectEntra, startSmallGraphFake } from '../helpers/directory'
import { fakeClock, tempDir, type FakeClock } from '../helpers/workspace'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function world(): Promise<{ app: App; graph: GraphFake; clock: FakeClock; directoryId: string }> {
  const graph = await startSmallGraphFake(cleanups)
  const dir = tempDir()
  const clock = fakeClock()
  const app = createApp({
    dataDir: dir.path,
    clock,
    sleep: recordingSleep(),
    http: loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url }),
  })
  cleanups.push(
    () => dir.remove(),
    () => app.close(),
  )
  const directoryId = await connectEntra(app)
  await app.call('directories/sync', { directoryId })
  return { app, graph, clock, directoryId }
}

/** A synced user a sync put in the Lab members rule group. */
async function labMember() {
  const w = await world()
  const user = w.graph.data.someUsers(1)[0]!
  const group = await w.app.call('groups/create', {
    name: 'Lab members',
    dialect: 'entra',
    rule: 'user.jobTitle -eq "Lab Technician"',
    directoryId: w.directoryId,
  })
  w.graph.data.updateUser(user.id, { jobTitle: 'Lab Technician' })
  w.clock.advance(60_000)
  await w.app.call('directories/sync', { directoryId: w.directoryId })
  return { ...w, user, group }
}

const wifi = (groupId: string): PolicyDraft => ({
  name: 'Lab Wi-Fi',
  description: '',
  priority: 10,
  platforms: ['ios'],
  items: [
    {
      kind: 'profile',
      identifier: 'com.example.lab-wifi',
      name: 'Lab',
      platform: null,
      settings: { type: 'wifi', ssid: 'Lab', security: 'WPA2', password: 'lab-password-1' },
      removeOnUnassign: false,
    },
  ],
  targets: [{ groupId, mode: 'include' }],
})

describe('the grace rule over Entra syncs', () => {
  it('withdraws at the first sync after the one that found the user out, and says so only then', async () => {
    const { app, graph, clock, directoryId, user, group } = await labMember()
    const applied = await app.call('policies/apply', { change: { kind: 'policy', draft: wifi(group.group.id) } })
    expect(applied.status).toBe('applied')
    const policyId = (await app.call('policies/list', {})).find(p => p.name === 'Lab Wi-Fi')!.id
    const enrolled = await app.call('devices/enroll', {
      serial: 'GRACE-1',
      platform: 'ios',
      userPrincipalName: user.userPrincipalName,
    })
    const deviceId = enrolled.device.id
    for (const c of (await app.call('devices/get', { deviceId })).commands)
      await app.call('devices/acknowledge', { deviceId, commandId: c.id, status: 'acknowledged' })
    const removals = async () =>
      (await app.call('devices/get', { deviceId })).commands.filter(c => c.type === 'remove_profile')

    graph.data.updateUser(user.id, { jobTitle: 'Accountant' })
    clock.advance(60_000)
    await app.call('directories/sync', { directoryId })
    expect(await removals()).toEqual([])
    const pending = await app.call('policies/why', { deviceId, policyId })
    expect(pending.status).toBe('pending-withdrawal')
    expect(pending.summary).toContain('waits for the next sync')

    clock.advance(60_000)
    const confirming = await app.call('directories/sync', { directoryId })
    expect(confirming.status).toBe('succeeded')
    expect((await removals()).map(c => c.payload['identifier'])).toEqual(['com.example.lab-wifi'])
    const after = await app.call('policies/why', { deviceId, policyId })
    expect(after.status).toBe('not-assigned')
  })
  it('settles the pending withdrawal of a user without a device at the confirming sync', async () => {
    const { app, graph, clock, directoryId, user, group } = await labMember()
    const { store } = app.services
    const userId = store.users.list(user.userPrincipalName, 1, 0).rows[0]!.id

    graph.data.updateUser(user.id, { jobTitle: 'Accountant' })
    clock.advance(60_000)
    await app.call('directories/sync', { directoryId })
    expect(store.withdrawals.of(userId).map(w => w.groupId)).toEqual([group.group.id])

    clock.advance(60_000)
    await app.call('directories/sync', { directoryId })
    expect(store.withdrawals.of(userId)).toEqual([])
  })
})
