// A device's lifecycle from the admin's side: renamed, moved to another user only when the admin
// says so (audited), and unbound (every policy withdrawn, then no user).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>

beforeEach(() => {
  ws = openWorkspace({ ackDeadlineMs: 60_000 })
  org = seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const enrollAlex = async (serial = 'D1') =>
  (await ws.call('devices/enroll', { serial, platform: 'ios', userPrincipalName: 'alex@example.test' })).device.id
const audit = (action: string) => ws.app.services.store.audit.list({ action })

describe('renaming a device', () => {
  it('keeps the new name and audits before and after', async () => {
    const deviceId = await enrollAlex()
    const before = (await ws.call('devices/get', { deviceId })).device.name
    const renamed = await ws.call('devices/rename', { deviceId, name: "  Alex's iPhone " })
    expect(renamed.device.name).toBe("Alex's iPhone")
    expect(audit('devices/rename')[0]?.details).toEqual({ before, after: "Alex's iPhone" })
  })
})

describe('enrolling a serial another user holds', () => {
  it('is refused without an explicit move, and nothing changes', async () => {
    const deviceId = await enrollAlex()
    const e = await ws.callError('devices/enroll', {
      serial: 'D1',
      platform: 'ios',
      userPrincipalName: 'sam@example.test',
    })
    expect(e.code).toBe('CONFLICT')
    expect(e.message).toMatch(/Serial D1 belongs to alex@example.test\. Move it to sam@example.test explicitly/)
    expect((await ws.call('devices/get', { deviceId })).device.userPrincipalName).toBe('alex@example.test')
  })

  it('moves with move: true, and the same user re-enrolling needs nothing', async () => {
    await enrollAlex()
    await ws.call('devices/enroll', { serial: 'D1', platform: 'ios', userPrincipalName: 'alex@example.test' })
    const moved = await ws.call('devices/enroll', {
      serial: 'D1',
      platform: 'ios',
      userPrincipalName: 'sam@example.test',
      move: true,
    })
    expect(moved.device.userPrincipalName).toBe('sam@example.test')
  })
})

describe('moving a device to another user', () => {
  it('rebinds it, cancels the previous user’s open installs, queues the new user’s and audits who from and to', async () => {
    const deviceId = await enrollAlex()
    const moved = await ws.call('devices/rebind', { deviceId, userPrincipalName: 'sam@example.test' })
    expect(moved.device.userPrincipalName).toBe('sam@example.test')
    const crm = moved.commands.filter(c => c.payload['identifier'] === 'com.salesforce.chatter')
    expect(crm.map(c => c.state)).toEqual(['cancelled'])
    expect(
      moved.commands.some(c => c.payload['identifier'] === 'com.adobe.spark.post' && c.state !== 'cancelled'),
    ).toBe(false) // Sam is in Executives, which Marketing Suite excludes
    expect(audit('devices/rebind')[0]?.details).toMatchObject({
      before: { userPrincipalName: 'alex@example.test' },
      after: { userPrincipalName: 'sam@example.test' },
    })
  })

  it('refuses an unknown user and the user it already belongs to', async () => {
    const deviceId = await enrollAlex()
    expect((await ws.callError('devices/rebind', { deviceId, userPrincipalName: 'nobody@example.test' })).code).toBe(
      'NOT_FOUND',
    )
    expect((await ws.callError('devices/rebind', { deviceId, userPrincipalName: 'alex@example.test' })).code).toBe(
      'CONFLICT',
    )
  })
})

describe('unbinding a device', () => {
  it('withdraws every policy, leaves it with no user, and audits its former user', async () => {
    const deviceId = await enrollAlex()
    const policyId = org.policies['Sales CRM Deployment']
    await ws.call('policies/setRemoveOnUnassign', {
      itemId: ws.app.services.store.policies.get(policyId)?.items[0]?.id as string,
      value: true,
    })
    const device = await ws.call('devices/get', { deviceId })
    for (const c of device.commands)
      await ws.call('devices/acknowledge', { deviceId, commandId: c.id, status: 'acknowledged' })
    const unbound = await ws.call('devices/unbind', { deviceId })
    expect(unbound.device.userId).toBeNull()
    expect(unbound.assignments).toEqual([])
    expect(unbound.commands.filter(c => c.state === 'queued').map(c => c.type)).toContain('remove_app')
    expect(audit('devices/unbind')[0]?.details).toMatchObject({
      before: { userPrincipalName: 'alex@example.test' },
      after: null,
    })
    expect((await ws.callError('devices/unbind', { deviceId })).code).toBe('CONFLICT')
  })
})
