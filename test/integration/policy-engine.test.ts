import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DeviceDetail, Platform, Diagnostic, EnrollResult } from '../../src/shared/domain'
import type { ChangeOutcome, PolicyDraft } from '../../src/shared/policy'
import {
  acknowledgeAll,
  openWorkspace,
  seedSmallOrganisation,
  type SmallPolicy,
  type TestWorkspace,
} from '../helpers/workspace'
import { ticking } from '../helpers/macrotasks'

let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>

beforeEach(() => {
  ws = openWorkspace({ ackDeadlineMs: 60_000 })
  org = seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const HEADER = 'id,userPrincipalName,displayName,department,jobTitle,usageLocation,groups'
const row = (id: string, dept: string, groups = 'All Staff') =>
  `${id},${id}@example.test,User ${id},${dept},Clerk,US,${groups}`
const sync = (rows: string[]) =>
  ws.call('directories/import', {
    directoryId: org.directoryId,
    format: 'csv',
    content: `${HEADER}\n${rows.join('\n')}\n`,
    mode: 'update',
  })
const enroll = (upn: string, serial: string, platform: Platform = 'ios') =>
  ws.call('devices/enroll', { serial, platform, userPrincipalName: upn }) as Promise<EnrollResult>
const device = (deviceId: string) => ws.call('devices/get', { deviceId }) as Promise<DeviceDetail>
const userId = (upn: string) => ws.app.services.store.users.idByPrincipalName(upn) as string
const typesAfter = (d: DeviceDetail, seq: number) =>
  d.commands
    .filter(c => c.seq > seq)
    .map(c => `${c.type} ${String(c.payload['name'] ?? '')}`.trim())
    .sort()
const policy = (name: SmallPolicy) => ws.app.services.store.policies.get(org.policies[name])
const flagCrm = async () => {
  const app = policy('Sales CRM Deployment')?.items.find(i => i.kind === 'app')
  await ws.call('policies/setRemoveOnUnassign', { itemId: app?.id as string, value: true })
}

/** Every row of every table, read through a second connection: proof that nothing was written. */
function snapshot(): string {
  const db = new Database(ws.app.dbPath, { readonly: true })
  try {
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]
    ).map(t => t.name)
    return JSON.stringify(tables.map(t => [t, db.prepare(`SELECT * FROM "${t}"`).all()]))
  } finally {
    db.close()
  }
}

describe('the Sales → Marketing move (the brief scenario)', () => {
  it('queues Marketing at once, removes the flagged CRM only after the grace period, with no admin action', async () => {
    await flagCrm()
    const r = await enroll('alex@example.test', 'SER-1')
    expect(typesAfter(await device(r.device.id), 0)).toEqual(['apply_restrictions', 'install_app Salesforce'])
    await acknowledgeAll(ws, r.device.id)

    await sync([`u1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff`])
    let d = await device(r.device.id)
    expect(typesAfter(d, 2)).toEqual(['install_app Adobe Express', 'install_profile Marketing Wi-Fi'])
    const why = await ws.call('policies/why', { deviceId: r.device.id, policyId: org.policies['Sales CRM Deployment'] })
    expect(why.status).toBe('pending-withdrawal')
    expect(why.steps.map(s => s.step)).toContain('grace')

    ws.clock.advance(60_000)
    await sync([`u1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff`])
    d = await device(r.device.id)
    expect(typesAfter(d, 4)).toEqual(['apply_restrictions', 'remove_app Salesforce'])
    expect(await ws.call('policies/held', {})).toEqual([])
    const history = await ws.call('policies/history', { deviceId: r.device.id })
    expect(history.map(e => `${e.action} ${e.policyName}`)).toEqual([
      'withdrawn Sales CRM Deployment',
      'granted Marketing Suite',
      'granted Sales CRM Deployment',
    ])
  })

  it('cancels the install an offline device never fetched, and sends it no removal', async () => {
    await flagCrm()
    const r = await enroll('alex@example.test', 'SER-1')
    const install = (await device(r.device.id)).commands.find(c => c.type === 'install_app')!
    const moved = [`u1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff`]
    await sync(moved)
    ws.clock.advance(60_000)
    await sync(moved)
    const d = await device(r.device.id)
    expect(d.commands.find(c => c.id === install.id)).toMatchObject({
      state: 'cancelled',
      error: expect.stringContaining('before the device fetched it'),
    })
    expect(d.commands.filter(c => c.type === 'remove_app')).toEqual([])
    expect(
      // The first restriction set was still waiting when the second replaced it.
      d.commands
        .filter(c => c.state !== 'cancelled')
        .map(c => String(c.payload['name'] ?? c.type))
        .sort(),
    ).toEqual(['Adobe Express', 'Marketing Wi-Fi', 'apply_restrictions'].sort())
  })

  it("gives a mover's new device only the current policies, while the old one keeps its grace period", async () => {
    await flagCrm()
    const phone = await enroll('alex@example.test', 'SER-1')
    await acknowledgeAll(ws, phone.device.id)
    const moved = [`u1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff`]
    await sync(moved)

    const tablet = await enroll('alex@example.test', 'SER-2', 'ios')
    expect(tablet.policies).toEqual(['Marketing Suite'])
    const names = (await device(tablet.device.id)).commands.map(c => String(c.payload['name'] ?? c.type)).sort()
    expect(names).not.toContain('Salesforce')
    const crm = org.policies['Sales CRM Deployment']
    const onTablet = await ws.call('policies/why', { deviceId: tablet.device.id, policyId: crm })
    expect(onTablet.status).toBe('not-assigned')
    expect(onTablet.summary).toContain('stays only on devices that already had it')
    const onPhone = await ws.call('policies/why', { deviceId: phone.device.id, policyId: crm })
    expect(onPhone.status).toBe('pending-withdrawal')

    ws.clock.advance(60_000)
    await sync(moved)
    expect((await device(phone.device.id)).commands.some(c => c.type === 'remove_app')).toBe(true)
    expect((await device(tablet.device.id)).commands.some(c => c.type === 'remove_app')).toBe(false)
  })

  it('cancels the unflagged app an offline device never fetched, without a removal', async () => {
    const r = await enroll('alex@example.test', 'SER-1')
    const install = (await device(r.device.id)).commands.find(c => c.type === 'install_app')!
    const moved = [`u1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff`]
    await sync(moved)
    ws.clock.advance(60_000)
    await sync(moved)
    const d = await device(r.device.id)
    expect(d.commands.find(c => c.id === install.id)?.state).toBe('cancelled')
    expect(d.commands.some(c => c.type === 'remove_app')).toBe(false)
  })

  it('leaves the unflagged CRM app installed when the policy is withdrawn', async () => {
    const r = await enroll('alex@example.test', 'SER-1')
    await sync([`u1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff`])
    ws.clock.advance(60_000)
    await sync([`u1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff`])
    const d = await device(r.device.id)
    expect(d.commands.some(c => c.type === 'remove_app')).toBe(false)
    expect(d.assignments.every(a => a.policyName === 'Marketing Suite')).toBe(true)
  })
})

describe('safe withdrawal', () => {
  it('uninstalls nothing when a membership flaps out and back between syncs', async () => {
    await flagCrm()
    const r = await enroll('alex@example.test', 'SER-1')
    await sync([`u1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff`])
    ws.clock.advance(60_000)
    await sync([`u1,alex@example.test,Alex Morgan,Sales,Account Executive,US,All Staff`])
    ws.clock.advance(60_000)
    await sync([`u1,alex@example.test,Alex Morgan,Sales,Account Executive,US,All Staff`])
    const d = await device(r.device.id)
    expect(d.commands.filter(c => c.type === 'remove_app' && c.payload['name'] === 'Salesforce')).toEqual([])
    expect(d.assignments.map(a => a.policyName)).toContain('Sales CRM Deployment')
  })

  it('keeps policies through several syncs while the membership is unknown', async () => {
    await flagCrm()
    const r = await enroll('alex@example.test', 'SER-1')
    for (let i = 0; i < 3; i++) {
      ws.clock.advance(60_000)
      await sync([`u1,alex@example.test,Alex Morgan,,Account Executive,US,All Staff`])
    }
    const d = await device(r.device.id)
    expect(d.commands).toHaveLength(2)
    expect(d.assignments.map(a => a.policyName)).toContain('Sales CRM Deployment')
    const why = await ws.call('policies/why', { deviceId: r.device.id, policyId: org.policies['Sales CRM Deployment'] })
    expect(why.status).toBe('assigned')
    expect(why.steps.find(s => s.step === 'membership')?.text).toContain('SYNC_ATTR_MISSING')
  })

  it('waits for the configured grace time as well as the confirming sync', async () => {
    await ws.call('policies/setSettings', { graceMinutes: 30 })
    await flagCrm()
    const r = await enroll('alex@example.test', 'SER-1')
    await acknowledgeAll(ws, r.device.id)
    const moved = [`u1,alex@example.test,Alex Morgan,Marketing,Account Executive,US,All Staff`]
    await sync(moved)
    ws.clock.advance(60_000)
    await sync(moved)
    expect((await device(r.device.id)).commands.some(c => c.type === 'remove_app')).toBe(false)
    ws.clock.advance(30 * 60_000)
    await sync(moved)
    expect((await device(r.device.id)).commands.some(c => c.type === 'remove_app')).toBe(true)
  })
})

describe('the circuit breaker', () => {
  const salesRows = (n: number) => Array.from({ length: n }, (_, i) => row(`s${i}`, 'Sales'))

  async function fiftySalesDevices(): Promise<string[]> {
    await sync(salesRows(50))
    const ids: string[] = []
    for (let i = 0; i < 50; i++) ids.push((await enroll(`s${i}@example.test`, `SER-S${i}`)).device.id)
    return ids
  }

  it('holds a rule edit that would strip 50 devices, sends nothing, and applies it on approval', async () => {
    const ids = await fiftySalesDevices()
    const before = await Promise.all(ids.map(async id => (await device(id)).commands.length))
    const outcome = (await ws.call('policies/apply', {
      change: {
        kind: 'rule',
        groupId: org.groups['Sales'],
        rule: 'user.department -eq "Field Sales"',
        dialect: 'entra',
      },
    })) as ChangeOutcome
    expect(outcome.status).toBe('held')
    if (outcome.status !== 'held') return
    expect(outcome.heldChange).toMatchObject({ cause: 'rule-edit', devicesAffected: 50, status: 'held' })
    expect(outcome.heldChange.diff).toHaveLength(50)
    expect(outcome.heldChange.diff[0]).toMatchObject({ groupsLost: ['Sales'], restrictions: true })
    expect(ws.app.services.store.groups.get(org.groups['Sales'] as string)?.rule).toBe('user.department -eq "Sales"')
    expect(await Promise.all(ids.map(async id => (await device(id)).commands.length))).toEqual(before)

    const approved = await ws.call('policies/approve', { heldChangeId: outcome.heldChange.id })
    expect(approved.status).toBe('approved')
    expect(ws.app.services.store.groups.get(org.groups['Sales'] as string)?.rule).toBe(
      'user.department -eq "Field Sales"',
    )
    for (const id of ids) expect(typesAfter(await device(id), 2)).toEqual(['apply_restrictions'])
    const again = await ws.callError('policies/approve', { heldChangeId: outcome.heldChange.id })
    expect(again.code).toBe('CONFLICT')
  })

  it('discards a rejected target edit: nothing changes', async () => {
    const ids = await fiftySalesDevices()
    const snapshotBefore = await Promise.all(ids.map(id => device(id)))
    const outcome = await ws.call('policies/apply', {
      change: {
        kind: 'target',
        policyId: org.policies['Sales CRM Deployment'],
        groupId: org.groups['Sales'],
        mode: null,
      },
    })
    expect(outcome.status).toBe('held')
    const [held] = await ws.call('policies/held', {})
    expect(held).toMatchObject({ cause: 'target-edit', status: 'held', devicesAffected: 50 })
    const rejected = await ws.call('policies/reject', { heldChangeId: held?.id as string })
    expect(rejected.status).toBe('rejected')
    expect(policy('Sales CRM Deployment')?.targets.map(t => t.groupName)).toEqual(['Sales'])
    expect(await Promise.all(ids.map(id => device(id)))).toEqual(snapshotBefore)
  })

  it('holds a sync whose confirmed withdrawals reach too many devices, and approval sends them', async () => {
    const ids = await fiftySalesDevices()
    const moved = Array.from({ length: 50 }, (_, i) => row(`s${i}`, 'Support'))
    await sync(moved)
    ws.clock.advance(60_000)
    await sync(moved)
    const [held] = await ws.call('policies/held', {})
    expect(held).toMatchObject({ cause: 'sync', status: 'held', devicesAffected: 50, change: null })
    for (const id of ids.slice(0, 3)) expect(typesAfter(await device(id), 2)).toEqual([])
    const why = await ws.call('policies/why', {
      deviceId: ids[0] as string,
      policyId: org.policies['Sales CRM Deployment'],
    })
    expect(why.status).toBe('held')
    await ws.call('policies/approve', { heldChangeId: held?.id as string })
    for (const id of ids.slice(0, 3)) expect(typesAfter(await device(id), 2)).toEqual(['apply_restrictions'])
  })

  it('sends nothing after a rejected sync hold, and holds it again at the next sync while the directory still says so', async () => {
    const ids = await fiftySalesDevices()
    const moved = Array.from({ length: 50 }, (_, i) => row(`s${i}`, 'Support'))
    await sync(moved)
    ws.clock.advance(60_000)
    await sync(moved)
    const [first] = await ws.call('policies/held', {})
    await ws.call('policies/reject', { heldChangeId: first?.id as string })
    ws.clock.advance(60_000)
    await sync(moved)
    const held = (await ws.call('policies/held', {})).filter(h => h.status === 'held')
    expect(held).toHaveLength(1)
    expect(held[0]?.id).not.toBe(first?.id)
    for (const id of ids.slice(0, 3)) expect(typesAfter(await device(id), 2)).toEqual([])
    const history = await ws.call('policies/history', { deviceId: ids[0] as string })
    expect(history.map(e => e.action)).toEqual(['held', 'released', 'held', 'granted'])
  })
})

describe('what-if', () => {
  it('previews a rule edit exactly as applying it then produces, without writing anything', async () => {
    const alex = await enroll('alex@example.test', 'SER-1')
    const kim = await enroll('kim@example.test', 'SER-2', 'android')
    const change = {
      kind: 'rule' as const,
      groupId: org.groups['Marketing'] as string,
      rule: 'user.department -eq "Marketing" -or user.jobTitle -eq "Sales Manager"',
      dialect: 'entra' as const,
    }
    const before = snapshot()
    const preview = await ws.call('policies/whatIf', { change })
    expect(snapshot()).toBe(before)
    expect(preview.users).toEqual([
      {
        userId: userId('kim@example.test'),
        userPrincipalName: 'kim@example.test',
        groupsGained: ['Marketing'],
        groupsLost: [],
      },
    ])
    expect(preview.devices.map(d => d.deviceId)).toEqual([kim.device.id])

    const applied = (await ws.call('policies/apply', { change })) as ChangeOutcome
    expect(applied.status).toBe('applied')
    const d = await device(kim.device.id)
    const queued = d.commands.filter(c => c.seq > 2)
    const delta = preview.devices[0]
    expect(
      queued
        .filter(c => c.type.startsWith('install'))
        .map(c => String(c.payload['name']))
        .sort(),
    ).toEqual(delta?.install.map(i => i.name).sort())
    expect(queued.filter(c => c.type.startsWith('remove')).length).toBe(delta?.remove.length)
    expect(typesAfter(await device(alex.device.id), 2)).toEqual([])
  })

  it('previews a rule edit that changes the dialect, and applies it in that dialect', async () => {
    const kim = await enroll('kim@example.test', 'SER-2', 'android')
    const change = {
      kind: 'rule' as const,
      groupId: org.groups['Marketing'] as string,
      dialect: 'okta' as const,
      rule: 'user.department == "Marketing" || user.jobTitle == "Sales Manager"',
    }
    const before = snapshot()
    const preview = await ws.call('policies/whatIf', { change })
    expect(snapshot()).toBe(before)
    expect(preview.users.map(u => u.userPrincipalName)).toEqual(['kim@example.test'])
    expect(preview.devices.map(d => d.deviceId)).toEqual([kim.device.id])
    const applied = (await ws.call('policies/apply', { change })) as ChangeOutcome
    expect(applied.status).toBe('applied')
    expect(ws.app.services.store.groups.get(org.groups['Marketing'] as string)).toMatchObject({
      dialect: 'okta',
      rule: change.rule,
    })
  })

  it('previews a rule reading synced groups and system.now the way applying it evaluates it', async () => {
    const sam = await enroll('sam@example.test', 'SER-SAM')
    const rule = `user.memberof -any (group.objectId -in ['${org.groups['Executives']}']) -or user.employeeHireDate -le system.now`
    const change = { kind: 'rule' as const, groupId: org.groups['Sales'] as string, rule, dialect: 'entra' as const }
    const preview = await ws.call('policies/whatIf', { change })
    // sam gains Sales through the synced Executives group; alex and kim lack a hire date, so their
    // Sales membership turns unknown and keeps its policies.
    expect(preview.users).toEqual([
      {
        userId: userId('sam@example.test'),
        userPrincipalName: 'sam@example.test',
        groupsGained: ['Sales'],
        groupsLost: [],
      },
    ])
    expect(preview.devices.map(d => [d.deviceId, d.install.map(i => i.name)])).toEqual([
      [sam.device.id, ['Salesforce']],
    ])
    const applied = (await ws.call('policies/apply', { change })) as ChangeOutcome
    expect(applied.status).toBe('applied')
    const members = ws.app.services.store.bulkReads.membersOfGroup(org.groups['Sales'] as string)
    expect(members.get(userId('sam@example.test'))).toMatchObject({ state: 'in', effective: true })
    expect(members.get(userId('alex@example.test'))).toMatchObject({ state: 'unknown', effective: true })
    expect(typesAfter(await device(sam.device.id), 0)).toEqual(['apply_restrictions', 'install_app Salesforce'])
  })

  it('previews a target edit and a policy deletion per device', async () => {
    await flagCrm()
    const alex = await enroll('alex@example.test', 'SER-1')
    await acknowledgeAll(ws, alex.device.id)
    const target = await ws.call('policies/whatIf', {
      change: {
        kind: 'target',
        policyId: org.policies['Sales CRM Deployment'],
        groupId: org.groups['Sales'],
        mode: null,
      },
    })
    expect(target.devices).toEqual([
      expect.objectContaining({
        deviceId: alex.device.id,
        remove: [expect.objectContaining({ name: 'Salesforce' })],
        restrictions: true,
      }),
    ])
    const deletion = await ws.call('policies/whatIf', {
      change: { kind: 'deletePolicy', policyId: org.policies['Sales CRM Deployment'] },
    })
    expect(deletion.devices[0]?.remove.map(r => r.name)).toEqual(['Salesforce'])
    const applied = await ws.call('policies/apply', {
      change: { kind: 'deletePolicy', policyId: org.policies['Sales CRM Deployment'] },
    })
    expect(applied.status).toBe('applied')
    expect(typesAfter(await device(alex.device.id), 2)).toEqual(['apply_restrictions', 'remove_app Salesforce'])
  })

  it('previews a never-delivered install as cancelled, not removed, as applying it does', async () => {
    await flagCrm()
    const alex = await enroll('alex@example.test', 'SER-1')
    const change = {
      kind: 'target' as const,
      policyId: org.policies['Sales CRM Deployment'] as string,
      groupId: org.groups['Sales'] as string,
      mode: null,
    }
    const preview = await ws.call('policies/whatIf', { change })
    expect(preview.devices).toEqual([
      expect.objectContaining({
        deviceId: alex.device.id,
        remove: [],
        unmanage: [],
        cancel: [expect.objectContaining({ name: 'Salesforce', kind: 'app' })],
      }),
    ])
    expect(preview.totals.removals).toBe(0)
    expect((await ws.call('policies/apply', { change })).status).toBe('applied')
    const after = await device(alex.device.id)
    expect(after.commands.some(c => c.type === 'remove_app')).toBe(false)
    expect(after.commands.find(c => c.type === 'install_app')?.state).toBe('cancelled')
  })

  it('previews an attribute mapping change and a hypothetical user', async () => {
    await enroll('alex@example.test', 'SER-1')
    const unmapped = await ws.call('policies/whatIf', {
      change: { kind: 'attributeMapping', attribute: 'department', source: null },
    })
    // Unmapping makes department missing: memberships become unknown and keep their policies.
    expect(unmapped.totals.devicesWithdrawn).toBe(0)
    const remapped = await ws.call('policies/whatIf', {
      change: { kind: 'attributeMapping', attribute: 'department', source: 'usageLocation' },
    })
    expect(remapped.users.find(u => u.userPrincipalName === 'alex@example.test')?.groupsLost).toEqual(['Sales'])

    const user = await ws.call('policies/whatIf', {
      change: {
        kind: 'user',
        attributes: { department: 'Sales', jobTitle: 'Manager', country: 'DE' },
        platform: 'ios',
      },
    })
    expect(user.users[0]?.groupsGained).toEqual(['Sales'])
    expect(user.devices[0]?.install.map(i => i.name)).toEqual(['Salesforce'])
  })

  it('refuses a rule that does not parse, saying where', async () => {
    const e = await ws.callError('policies/whatIf', {
      change: { kind: 'rule', groupId: org.groups['Sales'], rule: 'user.department -eq', dialect: 'entra' },
    })
    expect(e.code).toBe('RULE_PARSE')
    expect(e.message).toMatch(/line 1, column \d+/)
  })
})

describe('policy editing', () => {
  const draft = (over: Partial<PolicyDraft> = {}): PolicyDraft => ({
    name: 'Sales Mail',
    description: '',
    priority: 50,
    platforms: ['ios'],
    items: [
      {
        kind: 'profile',
        identifier: 'com.example.mail',
        name: 'Exchange mail',
        platform: null,
        settings: {
          type: 'email',
          accountType: 'exchange',
          emailAddress: '{{user.mail}}',
          host: 'outlook.office365.com',
        },
        removeOnUnassign: false,
      },
      {
        kind: 'restriction',
        identifier: 'allowCamera',
        name: 'Camera',
        platform: null,
        settings: { value: false },
        removeOnUnassign: false,
      },
    ],
    targets: [{ groupId: org.groups['Sales'] as string, mode: 'include' }],
    ...over,
  })

  it('names every bad field of a payload', async () => {
    const e = await ws.callError('policies/apply', {
      change: {
        kind: 'policy',
        draft: draft({
          name: '',
          items: [
            {
              kind: 'app',
              identifier: 'com.unknown.app',
              name: 'Unknown',
              platform: 'ios',
              settings: { intent: 'sometimes' },
              removeOnUnassign: true,
            },
            {
              kind: 'profile',
              identifier: 'wifi',
              name: 'Wi-Fi',
              platform: null,
              settings: { type: 'wifi', ssid: 'Office', security: 'WPA2' },
              removeOnUnassign: false,
            },
            {
              kind: 'profile',
              identifier: 'vpn',
              name: 'VPN',
              platform: null,
              settings: { type: 'vpn', vpnType: 'IKEv2', server: 'not a host', perApp: true },
              removeOnUnassign: false,
            },
            {
              kind: 'restriction',
              identifier: 'minPasscodeLength',
              name: 'PIN',
              platform: null,
              settings: { value: 40 },
              removeOnUnassign: false,
            },
            {
              kind: 'profile',
              identifier: 'mail',
              name: 'Mail',
              platform: null,
              settings: { type: 'email', accountType: 'exchange', emailAddress: '{{mail}}', host: 'mail.example.com' },
              removeOnUnassign: false,
            },
          ],
        }),
      },
    })
    expect(e.code).toBe('BAD_INPUT')
    const fields = (e.details!['fields'] as { path: string; message: string }[]).map(f => f.path)
    expect(fields).toEqual(
      expect.arrayContaining([
        'name',
        'items.0.identifier',
        'items.0.settings.intent',
        'items.1.settings.password',
        'items.2.settings.server',
        'items.2.settings.apps',
        'items.3.settings.value',
        'items.4.settings.emailAddress',
      ]),
    )
    expect(ws.app.services.store.policies.count()).toBe(2)
  })

  it('saves a policy, fills {{user.mail}} per device, and reports a user without mail as SYNC_ATTR_MISSING', async () => {
    const alexId = userId('alex@example.test')
    await ws.call('users/setAttributes', { userId: alexId, attributes: { mail: 'alex@corp.example' } })
    const saved = await ws.call('policies/apply', { change: { kind: 'policy', draft: draft() } })
    expect(saved.status).toBe('applied')
    const alex = await enroll('alex@example.test', 'SER-1')
    const mail = alex.commands.find(c => c.type === 'install_profile')
    expect(mail?.payload['settings']).toMatchObject({ emailAddress: 'alex@corp.example' })
    const restrictions = alex.commands.find(c => c.type === 'apply_restrictions')
    expect(restrictions?.payload['settings']).toMatchObject({ allowCamera: false })

    const kim = await enroll('kim@example.test', 'SER-2')
    expect(kim.commands.some(c => c.type === 'install_profile')).toBe(false)
    const diags = (await ws.call('diagnostics/list', {})) as Diagnostic[]
    expect(diags).toContainEqual(
      expect.objectContaining({ code: 'SYNC_ATTR_MISSING', attribute: 'mail', deviceId: kim.device.id }),
    )
    const why = await ws.call('policies/why', {
      deviceId: kim.device.id,
      policyId: saved.status === 'applied' ? (saved.policy?.id ?? '') : '',
    })
    expect(why.items.find(i => i.name === 'Exchange mail')?.outcome).toBe('unresolved')
  })

  it('shows at authoring time which setting conflicts, who wins and why', async () => {
    const conflicts = await ws.call('policies/conflicts', {
      draft: draft({
        items: [
          {
            kind: 'restriction',
            identifier: 'cellularDataLimitMB',
            name: 'Cap',
            platform: null,
            settings: { value: 2048 },
            removeOnUnassign: false,
          },
        ],
      }),
    })
    expect(conflicts).toEqual([
      expect.objectContaining({
        identifier: 'cellularDataLimitMB',
        rule: 'most-restrictive',
        winner: expect.objectContaining({ policyName: 'Sales Mail', value: 2048 }),
        reach: 2,
      }),
    ])
    expect(conflicts[0]?.reason).toContain('the lower value is stricter')
  })

  it('answers why a device does not have a policy', async () => {
    const sam = await enroll('sam@example.test', 'SER-SAM')
    const why = await ws.call('policies/why', { deviceId: sam.device.id, policyId: org.policies['Marketing Suite'] })
    expect(why.status).toBe('not-assigned')
    expect(why.summary).toContain('Executives')
    expect(why.steps.at(-1)).toMatchObject({ step: 'target', outcome: 'fail' })
  })
})

describe('recomputing many devices at once', () => {
  it('plans in bulk exactly as device by device, and an unchanged fleet gets no commands', async () => {
    const { store, devices, policies, clock } = ws.app.services
    await sync(Array.from({ length: 240 }, (_, i) => row(`b${i}`, i % 2 === 0 ? 'Sales' : 'Marketing')))
    store.transaction(() => {
      for (let i = 0; i < 240; i++) {
        store.devices.enroll(
          {
            id: `dev-${i}`,
            serial: `BULK-${i}`,
            name: `Bulk ${i}`,
            platform: i % 3 === 0 ? 'android' : 'ios',
            userId: userId(`b${i}@example.test`),
            pushToken: null,
          },
          clock.now().toISOString(),
        )
      }
    })
    expect(await devices.redeployAll({ approved: true })).toBe(240)
    expect(await devices.redeployAll({ approved: true })).toBe(0)

    // A rule edit moves every Marketing user into Sales too: compare bulk and single plans before applying.
    store.groups.setRule(
      org.groups['Sales'] as string,
      'entra',
      'user.department -eq "Sales" -or user.department -eq "Marketing"',
    )
    ws.app.services.groups.evaluateGroup(org.groups['Sales'] as string, { grace: false })
    const ids = store.devices.boundIds()
    const bulk = policies.planDevices(ids)
    const single = ids.map(id => policies.planDevices([id])[0])
    const commands = (rs: typeof bulk) =>
      new Map(
        rs.map(r => [r?.device.id, r?.plan.commands.map(c => `${c.type} ${String(c.payload['name'] ?? '')}`).sort()]),
      )
    expect(commands(bulk)).toEqual(commands(single as typeof bulk))
    expect(bulk.filter(r => r.plan.commands.length > 0)).toHaveLength(120)
    expect(await devices.redeployAll({ approved: true })).toBe(120)
    expect(await devices.redeployAll({ approved: true })).toBe(0)
  })

  it('lets the event loop run between the parts of a large redeploy, and the circuit breaker still judges it whole', async () => {
    const { store, devices, clock } = ws.app.services
    await sync(Array.from({ length: 240 }, (_, i) => row(`b${i}`, 'Sales')))
    store.transaction(() => {
      for (let i = 0; i < 240; i++)
        store.devices.enroll(
          {
            id: `dev-${i}`,
            serial: `BULK-${i}`,
            name: `Bulk ${i}`,
            platform: 'ios',
            userId: userId(`b${i}@example.test`),
            pushToken: null,
          },
          clock.now().toISOString(),
        )
    })
    const first = await ticking(() => devices.redeployAll({ approved: true }))
    expect(first.value).toBe(240)
    expect(first.ticks).toBeGreaterThanOrEqual(2)

    // Every user leaves Sales: 240 devices would lose its policies, far past the breaker's 20.
    const before = store.devices.boundIds().map(id => store.devices.commands(id).length)
    store.groups.setRule(org.groups['Sales'] as string, 'entra', 'user.department -eq "Nobody"')
    const users = ws.app.services.groups.evaluateGroup(org.groups['Sales'] as string, { grace: false })
    const held = await ticking(() => devices.redeployUsers(users))
    expect(held.value).toBe(0)
    expect(held.ticks).toBeGreaterThanOrEqual(2)
    expect(store.devices.boundIds().map(id => store.devices.commands(id).length)).toEqual(before)
    expect(store.heldChanges.list().filter(h => h.status === 'held')).toEqual([
      expect.objectContaining({ cause: 'sync', devicesAffected: 240, devicesTotal: 240 }),
    ])
  })
})

describe('settings and the app inventory', () => {
  it('refuses bad settings and bad inventory entries field by field, and keeps what was stored', async () => {
    const e = await ws.callError('policies/setSettings', { graceSyncs: -1, breakerShare: 2 })
    expect((e.details!['fields'] as { path: string }[]).map(f => f.path)).toEqual(['graceSyncs', 'breakerShare'])
    expect(await ws.call('policies/settings', {})).toEqual({
      graceSyncs: 1,
      graceMinutes: 0,
      breakerDevices: 20,
      breakerShare: 0.1,
      syncHoldMembershipShare: 0.2,
      syncHoldUserShare: 0.1,
      syncHoldMinimum: 20,
    })
    const bad = await ws.callError('apps/save', { platform: 'ios', identifier: 'not an id', name: '' })
    expect((bad.details!['fields'] as { path: string }[]).map(f => f.path)).toEqual(['identifier', 'name'])
    const list = await ws.call('apps/save', { platform: 'android', identifier: 'com.example.crm', name: 'CRM' })
    expect(list).toContainEqual({
      id: 'app:android:com.example.crm',
      platform: 'android',
      identifier: 'com.example.crm',
      name: 'CRM',
      storeId: null,
    })
    const storeOnAndroid = await ws.callError('apps/save', {
      platform: 'android',
      identifier: 'com.example.crm',
      name: 'CRM',
      storeId: 42,
    })
    expect((storeOnAndroid.details!['fields'] as { path: string }[]).map(f => f.path)).toEqual(['storeId'])
    const apple = await ws.call('apps/save', {
      platform: 'ios',
      identifier: 'com.salesforce.chatter',
      name: 'Salesforce',
      storeId: 404249815,
    })
    expect(apple).toContainEqual(expect.objectContaining({ identifier: 'com.salesforce.chatter', storeId: 404249815 }))
  })
})
