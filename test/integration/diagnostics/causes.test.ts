// The Diagnostics page at scale: one row per cause, pages of diagnostics, counts from a cache that
// any write — this process's or another connection's — invalidates.
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openWorkspace, type TestWorkspace } from '../../helpers/workspace'

let ws: TestWorkspace
let directoryId: string

const USERS = 300

beforeEach(async () => {
  ws = openWorkspace()
  const { store, directories } = ws.app.services
  directoryId = directories.createFileDirectory('Staff file')
  for (const [id, name, rule] of [
    ['g-de', 'Germany', 'user.usageLocation -eq "DE"'],
    ['g-at', 'Austria', 'user.usageLocation -eq "AT"'],
    ['g-sales', 'Sales', 'user.department -eq "Sales"'],
  ] as const)
    store.groups.create({ id, directoryId: null, name, kind: 'rule', dialect: 'entra', rule, description: '' })
  // Every user lacks usageLocation; every third also lacks department.
  const rows = Array.from({ length: USERS }, (_, i) =>
    [`u${i}`, `user${String(i).padStart(3, '0')}@example.test`, `User ${i}`, i % 3 === 0 ? '' : 'Sales'].join(','),
  )
  await ws.call('directories/import', {
    directoryId,
    format: 'csv',
    content: ['id,userPrincipalName,displayName,department', ...rows].join('\n'),
    mode: 'update',
  })
})
afterEach(() => ws.close())

describe('diagnostics grouped by cause', () => {
  it('says "usageLocation missing for 300 users" once, with the groups that read it, and pages its diagnostics', async () => {
    const summary = await ws.call('diagnostics/summary', {})
    expect(summary.total).toBe(USERS * 2 + USERS / 3)
    expect(summary.counts).toEqual({ SYNC_ATTR_MISSING: summary.total, GROUP_RULE_FAIL: 0, PAYLOAD_LATENCY: 0 })
    expect(summary.causes.map(c => [c.title, c.count, c.users, c.groups.map(g => g.name)])).toEqual([
      ['usageLocation missing for 300 users of Staff file: rules read it', 600, 300, ['Austria', 'Germany']],
      ['department missing for 100 users of Staff file: rules read it', 100, 100, ['Sales']],
    ])
    expect(summary.causes[0]?.remediation).toBe(
      "Add a usageLocation column (or fill it for these users) in Staff file's file and import it again.",
    )
    const key = summary.causes[1]?.key as string
    const first = await ws.call('diagnostics/page', { cause: key, limit: 40 })
    expect(first.total).toBe(100)
    expect(first.rows).toHaveLength(40)
    expect(first.rows[0]).toMatchObject({
      code: 'SYNC_ATTR_MISSING',
      title: 'user000@example.test lacks department, which Sales needs',
      attribute: 'department',
      directoryId,
    })
    const last = await ws.call('diagnostics/page', { cause: key, offset: 80, limit: 40 })
    expect(last.rows.map(r => r.title)).toHaveLength(20)
    expect((await ws.call('diagnostics/page', { groupId: 'g-at', limit: 1 })).total).toBe(USERS)
    expect((await ws.call('workspace/summary', {})).openDiagnostics).toBe(summary.total)
  })

  it('detects once per store revision, and again after a write by this process or another connection', async () => {
    const { store } = ws.app.services
    const detect = vi.spyOn(store.groups, 'unknownMemberships')
    await ws.call('workspace/summary', {})
    await ws.call('diagnostics/summary', {})
    await ws.call('diagnostics/page', { code: 'SYNC_ATTR_MISSING' })
    expect(detect).toHaveBeenCalledTimes(1)

    // Another connection (the CLI, a cron sync) clears the first 100 users' unknown memberships.
    const other = new Database(ws.app.dbPath)
    other.pragma('busy_timeout = 5000')
    other
      .prepare(
        "DELETE FROM rule_memberships WHERE user_id IN (SELECT id FROM users WHERE user_principal_name < 'user100')",
      )
      .run()
    other.close()
    const after = await ws.call('diagnostics/summary', {})
    expect(detect).toHaveBeenCalledTimes(2)
    expect(after.causes[0]?.users).toBe(200)

    const userId = store.users.idByPrincipalName('user150@example.test') as string
    await ws.call('users/setAttributes', { userId, attributes: { usageLocation: 'AT' } })
    expect((await ws.call('diagnostics/summary', {})).causes[0]?.users).toBe(199)
    expect(detect).toHaveBeenCalledTimes(3)
  })

  it('keeps the rule side through writes it does not read, and still sees a device turn late', async () => {
    const { store } = ws.app.services
    const detect = vi.spyOn(store.groups, 'unknownMemberships')
    store.policies.create(
      {
        id: 'p-crm',
        name: 'Sales CRM',
        description: '',
        priority: 0,
        platforms: ['ios'],
        items: [
          {
            id: 'p-crm-app',
            kind: 'app',
            identifier: 'com.example.crm',
            name: 'CRM',
            platform: null,
            settings: {},
            removeOnUnassign: false,
          },
        ],
        targets: [{ groupId: 'g-sales', groupName: 'Sales', mode: 'include' }],
      },
      ws.clock.now().toISOString(),
    )
    const before = await ws.call('diagnostics/summary', {})
    // An enrollment writes a device, its commands and an audit row, not what SYNC_ATTR_MISSING reads.
    const enrolled = await ws.call('devices/enroll', {
      serial: 'DIAG-1',
      platform: 'ios',
      userPrincipalName: 'user001@example.test',
    })
    await ws.call('devices/rename', { deviceId: enrolled.device.id, name: 'Renamed' })
    const overdue = vi.spyOn(store.devices, 'overdueCommands')
    ws.clock.advance(24 * 60 * 60_000)
    const after = await ws.call('diagnostics/summary', {})
    expect(detect).toHaveBeenCalledTimes(1)
    expect(overdue).toHaveBeenCalledTimes(1)
    expect(after.counts.SYNC_ATTR_MISSING).toBe(before.counts.SYNC_ATTR_MISSING)
    expect(after.counts.PAYLOAD_LATENCY).toBeGreaterThan(0)
    expect(after.causes.slice(0, before.causes.length)).toEqual(before.causes)
    expect(after.total).toBe(before.total + after.counts.PAYLOAD_LATENCY)
    expect((await ws.call('overview/health', {})).diagnostics).toEqual([
      { code: 'PAYLOAD_LATENCY', count: after.counts.PAYLOAD_LATENCY },
      { code: 'SYNC_ATTR_MISSING', count: after.counts.SYNC_ATTR_MISSING },
    ])
  })

  it('detects nothing again while nothing is written and no command waits for its deadline', async () => {
    const { store } = ws.app.services
    const detect = vi.spyOn(store.groups, 'unknownMemberships')
    const overdue = vi.spyOn(store.devices, 'overdueCommands')
    await ws.call('diagnostics/summary', {})
    ws.clock.advance(60 * 60_000)
    await ws.call('diagnostics/summary', {})
    expect(detect).toHaveBeenCalledTimes(1)
    expect(overdue).toHaveBeenCalledTimes(1)
  })
})
