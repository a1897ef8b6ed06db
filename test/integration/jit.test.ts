import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DeviceDetail, Platform, Diagnostic, EnrollResult } from '../../src/shared/domain'
import { acknowledgeAll, openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../helpers/workspace'

let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>

beforeEach(() => {
  ws = openWorkspace({ ackDeadlineMs: 60_000 })
  org = seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const enroll = (upn: string, serial: string, platform: Platform = 'ios') =>
  ws.call('devices/enroll', {
    serial,
    platform,
    userPrincipalName: upn,
    pushToken: `token-${serial}`,
  }) as Promise<EnrollResult>
const device = (deviceId: string) => ws.call('devices/get', { deviceId }) as Promise<DeviceDetail>
const userId = (upn: string) => ws.app.services.store.users.idByPrincipalName(upn) as string
const commandsOf = (d: DeviceDetail) => d.commands.map(c => `${c.type} ${String(c.payload['name'])}`).sort()

describe('the JIT path', () => {
  it("binds a Sales user's device, queues Sales CRM and wakes the device", async () => {
    const r = await enroll('Alex@Example.test', 'SER-1')
    expect(r.device.userPrincipalName).toBe('alex@example.test')
    expect(r.groups).toEqual(['All Staff', 'Sales'])
    expect(r.policies).toEqual(['Sales CRM Deployment'])
    expect(r.commands.map(c => c.type).sort()).toEqual(['apply_restrictions', 'install_app'])
    const install = r.commands.find(c => c.type === 'install_app')
    expect(install?.payload).toEqual({
      identifier: 'com.salesforce.chatter',
      name: 'Salesforce',
      intent: 'required',
      platform: 'ios',
    })
    expect(install?.reason).toMatchObject({ policyName: 'Sales CRM Deployment', groupName: 'Sales' })
    expect(r.commands.find(c => c.type === 'apply_restrictions')?.payload).toEqual({
      settings: { cellularDataLimitMB: 5120 },
      platform: 'ios',
    })
    expect(ws.push.wakeups).toEqual([
      { deviceId: r.device.id, platform: 'ios', pushToken: 'token-SER-1', pushTopic: null, pushMagic: null },
    ])
    expect((await device(r.device.id)).commands.every(c => c.state === 'pushed')).toBe(true)
  })

  it('refuses an enrollment for a user no directory knows, and stores nothing', async () => {
    const e = await ws.callError('devices/enroll', {
      serial: 'X',
      platform: 'ios',
      userPrincipalName: 'nobody@example.test',
    })
    expect(e.code).toBe('NOT_FOUND')
    expect(e.message).toContain('nobody@example.test')
    expect(await ws.call('devices/list', {})).toEqual([])
  })

  it('rejects malformed enrollment input naming the field', async () => {
    const e = await ws.callError('devices/enroll', {
      serial: 'X',
      platform: 'windows',
      userPrincipalName: 'alex@example.test',
    })
    expect(e.code).toBe('BAD_INPUT')
    expect(e.details?.['fields']).toEqual([expect.objectContaining({ path: 'platform' })])
  })

  it('queues nothing when a re-enrolled device already has its policies', async () => {
    const first = await enroll('alex@example.test', 'SER-1')
    const again = await enroll('alex@example.test', 'SER-1')
    expect(again.device.id).toBe(first.device.id)
    expect(again.commands).toEqual([])
    expect((await device(first.device.id)).commands).toHaveLength(2)
  })

  it('applies only policies for the device platform and item platform', async () => {
    const { store } = ws.app.services
    const p = store.policies.get(org.policies['Sales CRM Deployment'] as string)
    expect(p).toBeDefined()
    const r = await enroll('kim@example.test', 'SER-MAC', 'macos')
    expect(r.policies).toEqual(['Sales CRM Deployment'])
    expect(r.commands.map(c => c.type).sort()).toEqual(['apply_restrictions', 'install_app'])
  })

  it('honours exclusion over inclusion', async () => {
    const r = await enroll('sam@example.test', 'SER-SAM')
    expect(r.groups).toContain('Marketing')
    expect(r.groups).toContain('Executives')
    expect(r.policies).toEqual([])
    expect(r.commands).toEqual([])
  })
})

describe('membership changes', () => {
  const HEADER = 'id,userPrincipalName,displayName,department,jobTitle,usageLocation,groups'
  const ALEX_IN_MARKETING = `${HEADER}\nu1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff\n`
  const sync = (content: string) =>
    ws.call('directories/import', { directoryId: org.directoryId, format: 'csv', content, mode: 'update' })

  it('moving Sales → Marketing queues Marketing at once and withdraws Sales CRM only at the next sync, keeping its unflagged app', async () => {
    const r = await enroll('alex@example.test', 'SER-1')
    await sync(ALEX_IN_MARKETING)
    let d = await device(r.device.id)
    expect(
      d.commands
        .filter(c => c.seq > 2)
        .map(c => `${c.type} ${String(c.payload['name'] ?? '')}`)
        .sort(),
    ).toEqual(['install_app Adobe Express', 'install_profile Marketing Wi-Fi'])
    expect(d.assignments.map(a => a.policyName).sort()).toEqual([
      'Marketing Suite',
      'Marketing Suite',
      'Sales CRM Deployment',
      'Sales CRM Deployment',
    ])

    ws.clock.advance(60_000)
    await sync(ALEX_IN_MARKETING)
    d = await device(r.device.id)
    const latest = d.commands.filter(c => c.seq > 4)
    expect(latest.map(c => `${c.type} ${String(c.payload['name'] ?? '')}`)).toEqual(['apply_restrictions '])
    expect(latest[0]?.payload).toEqual({ settings: {}, platform: 'ios' })
    expect(d.assignments.map(a => a.policyName)).toEqual(['Marketing Suite', 'Marketing Suite'])
  })

  it('uninstalls the app when "remove app when policy is removed" is set, after the grace period', async () => {
    const r = await enroll('alex@example.test', 'SER-1')
    await acknowledgeAll(ws, r.device.id)
    const policy = ws.app.services.store.policies.get(org.policies['Sales CRM Deployment'] as string)
    const app = policy?.items.find(i => i.kind === 'app')
    await ws.call('policies/setRemoveOnUnassign', { itemId: app?.id as string, value: true })
    await ws.call('users/setAttributes', {
      userId: userId('alex@example.test'),
      attributes: { department: 'Marketing' },
    })
    expect((await device(r.device.id)).commands.find(c => c.type === 'remove_app')).toBeUndefined()
    ws.clock.advance(60_000)
    await sync(ALEX_IN_MARKETING)
    const removal = (await device(r.device.id)).commands.find(c => c.type === 'remove_app')
    expect(removal?.payload).toEqual({ identifier: 'com.salesforce.chatter', name: 'Salesforce', platform: 'ios' })
    expect(removal?.reason.summary).toContain('Sales CRM Deployment no longer applies')
  })

  it('refuses the flag on a payload that is not an app', async () => {
    const policy = ws.app.services.store.policies.get(org.policies['Sales CRM Deployment'] as string)
    const restriction = policy?.items.find(i => i.kind === 'restriction')
    const e = await ws.callError('policies/setRemoveOnUnassign', { itemId: restriction?.id, value: true })
    expect(e.code).toBe('BAD_INPUT')
  })

  it('keeps policies when the department attribute goes missing, and reports SYNC_ATTR_MISSING', async () => {
    const r = await enroll('alex@example.test', 'SER-1')
    await ws.call('users/setAttributes', { userId: userId('alex@example.test'), attributes: { department: null } })
    const d = await device(r.device.id)
    expect(d.commands).toHaveLength(2)
    expect(d.assignments.map(a => a.policyName)).toContain('Sales CRM Deployment')
    const detail = await ws.call('users/get', { userId: userId('alex@example.test') })
    expect(detail.memberships.find(m => m.groupName === 'Sales')).toMatchObject({
      state: 'unknown',
      effective: true,
      missing: ['department'],
    })
    const diags = (await ws.call('diagnostics/list', {})) as Diagnostic[]
    expect(diags).toContainEqual(
      expect.objectContaining({
        code: 'SYNC_ATTR_MISSING',
        attribute: 'department',
        userId: userId('alex@example.test'),
        groupId: org.groups['Sales'],
      }),
    )
  })

  it('withdraws and re-deploys when a target is removed and added back', async () => {
    const r = await enroll('alex@example.test', 'SER-1')
    const policyId = org.policies['Sales CRM Deployment'] as string
    const salesId = org.groups['Sales'] as string
    const after = await ws.call('policies/apply', {
      change: { kind: 'target', policyId, groupId: salesId, mode: null },
    })
    expect(after).toMatchObject({ status: 'applied', policy: { targets: [] } })
    expect((await device(r.device.id)).assignments).toEqual([])
    await ws.call('policies/apply', { change: { kind: 'target', policyId, groupId: salesId, mode: 'include' } })
    const d = await device(r.device.id)
    expect(d.assignments.map(a => a.name).sort()).toEqual(['Cellular data limit', 'Salesforce'])
    expect(d.commands.filter(c => c.type === 'install_app')).toHaveLength(2)
  })

  it('says which target does not exist', async () => {
    const e = await ws.callError('policies/apply', {
      change: {
        kind: 'target',
        policyId: org.policies['Sales CRM Deployment'],
        groupId: org.groups['Developers'],
        mode: null,
      },
    })
    expect(e.code).toBe('NOT_FOUND')
    expect(e.message).toContain('Sales CRM Deployment has no target')
  })
})

describe('PAYLOAD_LATENCY', () => {
  it('is raised when a command outlives its deadline and cleared by the acknowledgement', async () => {
    const r = await enroll('alex@example.test', 'SER-1')
    expect(((await ws.call('diagnostics/list', {})) as Diagnostic[]).filter(d => d.code === 'PAYLOAD_LATENCY')).toEqual(
      [],
    )
    ws.clock.advance(61_000)
    const late = ((await ws.call('diagnostics/list', {})) as Diagnostic[]).filter(d => d.code === 'PAYLOAD_LATENCY')
    expect(late).toHaveLength(2)
    expect(late[0]?.deviceId).toBe(r.device.id)
    for (const c of r.commands)
      await ws.call('devices/acknowledge', { deviceId: r.device.id, commandId: c.id, status: 'acknowledged' })
    expect(((await ws.call('diagnostics/list', {})) as Diagnostic[]).filter(d => d.code === 'PAYLOAD_LATENCY')).toEqual(
      [],
    )
  })

  it('treats a repeated acknowledgement as the same answer', async () => {
    const r = await enroll('alex@example.test', 'SER-1')
    const c = r.commands[0]
    await ws.call('devices/acknowledge', {
      deviceId: r.device.id,
      commandId: c?.id as string,
      status: 'error',
      error: 'disk full',
    })
    const again = await ws.call('devices/acknowledge', {
      deviceId: r.device.id,
      commandId: c?.id as string,
      status: 'acknowledged',
    })
    expect(again.commands.find(x => x.id === c?.id)).toMatchObject({ state: 'failed', error: 'disk full' })
  })
})

describe('file import', () => {
  it('refuses a malformed file whole, says where, and keeps what was stored', async () => {
    const before = await ws.call('users/list', {})
    const e = await ws.callError('directories/import', {
      directoryId: org.directoryId,
      format: 'csv',
      content: 'userPrincipalName,department\nnew@example.test,Sales\nbroken,Sales\n',
      mode: 'update',
    })
    expect(e.code).toBe('IMPORT_INVALID')
    expect(e.details?.['errors']).toEqual([expect.objectContaining({ row: 3 })])
    expect(await ws.call('users/list', {})).toEqual(before)
    const [dir] = await ws.call('directories/list', {})
    expect(dir?.lastSync).toMatchObject({ status: 'failed' })
  })

  it('re-deploys devices of users whose department changed in a re-import', async () => {
    const r = await enroll('alex@example.test', 'SER-1')
    const moved =
      'id,userPrincipalName,displayName,department,jobTitle,usageLocation,groups\nu1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff\n'
    const out = await ws.call('directories/import', {
      directoryId: org.directoryId,
      format: 'csv',
      content: moved,
      mode: 'update',
    })
    expect(out.run).toMatchObject({ status: 'succeeded', added: 0, changed: 1 })
    expect(commandsOf(await device(r.device.id))).toContain('install_app Adobe Express')
  })
})

describe('GROUP_RULE_FAIL', () => {
  it('explains why a user is not in a rule group with the values compared', async () => {
    const x = await ws.call('groups/explain', { userId: userId('alex@example.test'), groupId: org.groups['Marketing'] })
    expect(x.state).toBe('out')
    expect(x.root).toMatchObject({ result: false, attribute: 'department', actual: 'Sales', expected: 'Marketing' })
  })
})

describe('rules over identity fields', () => {
  it('evaluates user.userPrincipalName without calling it missing', async () => {
    const { store } = ws.app.services
    store.groups.create({
      id: 'g-upn',
      directoryId: null,
      name: 'Alex only',
      kind: 'rule',
      dialect: 'entra',
      rule: 'user.userPrincipalName -startsWith "alex@"',
      description: '',
    })
    const r = await enroll('alex@example.test', 'SER-UPN')
    expect(r.groups).toContain('Alex only')
    const kim = await ws.call('groups/explain', { userId: userId('kim@example.test'), groupId: 'g-upn' })
    expect(kim).toMatchObject({ state: 'out', missing: [] })
  })
})
