// The overview's health board, the audit log with its filters, and the CSV exports, over the
// real services on a small organisation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>

beforeEach(() => {
  ws = openWorkspace({ ackDeadlineMs: 60_000 })
  org = seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const DAY = 86_400_000
const enroll = async (serial: string, upn: string) =>
  (await ws.call('devices/enroll', { serial, platform: 'ios', userPrincipalName: upn })).device.id

describe('the health board', () => {
  it('says push is not configured for the Apple devices there are, linked to where it is fixed', async () => {
    await enroll('A1', 'alex@example.test')
    const board = await ws.call('overview/health', {})
    expect(board.items.find(i => i.key === 'apns')).toMatchObject({
      tone: 'bad',
      title: 'APNs is not configured',
      href: '#/settings',
    })
    expect(board.items.find(i => i.key === 'apns')?.detail).toMatch(/^1 Apple device cannot be woken/)
  })

  it('counts overdue commands, devices not seen, held changes and pending withdrawals', async () => {
    await enroll('A1', 'alex@example.test')
    ws.clock.advance(8 * DAY)
    const { store } = ws.app.services
    store.withdrawals.put(
      store.users.idByPrincipalName('alex@example.test') as string,
      org.groups['Marketing'],
      ws.clock.now().toISOString(),
    )
    const board = await ws.call('overview/health', {})
    const byKey = new Map(board.items.map(i => [i.key, i]))
    expect(byKey.get('overdue')).toMatchObject({ tone: 'bad', href: '#/diagnostics' })
    expect(byKey.get('stale-devices')).toMatchObject({ title: '1 device not seen for 7 days', href: '#/devices' })
    expect(byKey.get('withdrawals')?.count).toBe(1)
    expect(board.diagnostics).toEqual(expect.arrayContaining([{ code: 'PAYLOAD_LATENCY', count: expect.any(Number) }]))
  })

  it('names a directory whose last sync failed, with the failures since its last success', async () => {
    const { store } = ws.app.services
    const run = (id: string, status: 'succeeded' | 'failed', at: string) =>
      store.directories.recordSyncRun({
        id,
        directoryId: org.directoryId,
        mode: 'full',
        status,
        startedAt: at,
        finishedAt: at,
        added: 0,
        changed: 0,
        removed: 0,
        error: status === 'failed' ? 'Could not reach the file' : null,
      })
    run('r1', 'failed', '2026-11-02T09:10:00.000Z')
    run('r2', 'failed', '2026-11-02T09:20:00.000Z')
    const board = await ws.call('overview/health', {})
    const failed = board.items.find(i => i.key === `sync-failed:${org.directoryId}`)
    expect(failed).toMatchObject({ tone: 'bad', title: 'Test directory: the last sync failed', count: 2 })
    expect(failed?.detail).toMatch(
      /^Could not reach the file 2 failed runs since the last success \(2026-11-02 09:00 UTC\)/,
    )
  })

  it('charts enrollments and deliveries per day over the last two weeks', async () => {
    const deviceId = await enroll('A1', 'alex@example.test')
    const device = await ws.call('devices/get', { deviceId })
    await ws.call('devices/acknowledge', {
      deviceId,
      commandId: device.commands[0]?.id as string,
      status: 'acknowledged',
    })
    const { activity } = await ws.call('overview/health', {})
    expect(activity).toHaveLength(14)
    expect(activity.at(-1)).toEqual({ day: '2026-11-02', enrollments: 1, deliveries: 1 })
    expect(activity[0]).toEqual({ day: '2026-10-20', enrollments: 0, deliveries: 0 })
  })
})

describe('the audit log', () => {
  it('filters by time, actor, action prefix and text, newest first', async () => {
    const deviceId = await enroll('A1', 'alex@example.test')
    ws.clock.advance(60_000)
    const since = ws.clock.now().toISOString()
    await ws.call('devices/rename', { deviceId, name: 'Front desk iPad' })
    await ws.call('policies/apply', {
      change: { kind: 'renamePolicy', policyId: org.policies['Marketing Suite'], name: 'Marketing' },
    })
    const all = await ws.call('audit/list', {})
    expect(all.map(e => e.action).slice(0, 3)).toEqual(['policies/rename', 'devices/rename', 'devices/enroll'])
    expect((await ws.call('audit/list', { since })).map(e => e.action)).toEqual(['policies/rename', 'devices/rename'])
    expect((await ws.call('audit/list', { actor: 'enrollment' })).map(e => e.action)).toEqual(['devices/enroll'])
    expect((await ws.call('audit/list', { action: 'devices/' })).map(e => e.action)).toEqual([
      'devices/rename',
      'devices/enroll',
    ])
    expect((await ws.call('audit/list', { text: 'Front desk' })).map(e => e.action)).toEqual(['devices/rename'])
    // LIKE's wildcards are the admin's characters, not patterns.
    expect(await ws.call('audit/list', { text: '%' })).toEqual([])
  })
})

describe('exports', () => {
  it('writes devices, users with their groups and every policy’s status per device as CSV', async () => {
    await enroll('A1', 'alex@example.test')
    const devices = await ws.call('exports/csv', { kind: 'devices' })
    expect(devices).toMatchObject({ fileName: 'jit-mapper-devices-2026-11-02.csv', mimeType: 'text/csv', rows: 1 })
    expect(devices.content.split('\r\n')[0]).toBe(
      'id,name,serial,platform,userPrincipalName,enrolledAt,lastSeenAt,pendingCommands',
    )
    expect(devices.content).toContain(',A1,ios,alex@example.test,')

    const users = await ws.call('exports/csv', { kind: 'users' })
    expect(users.rows).toBe(4)
    expect(users.content).toMatch(
      /alex@example\.test,Alex Morgan,Test directory,Sales,Account Executive,,All Staff;Sales\r\n/,
    )
    expect(users.content).toMatch(
      /sam@example\.test,Sam Rivera,Test directory,Marketing,Brand Manager,,All Staff;Executives;Marketing\r\n/,
    )

    const status = await ws.call('exports/csv', { kind: 'policy-status' })
    const lines = status.content.trim().split('\r\n')
    expect(lines[0]).toBe('device,serial,platform,userPrincipalName,policy,status,why')
    expect(lines.find(l => l.includes('Sales CRM Deployment'))).toMatch(
      /,assigned,"Assigned: the user is in Sales, which Sales CRM Deployment includes\."$/,
    )
    expect(lines.find(l => l.includes('Marketing Suite'))).toMatch(
      /,not-assigned,Not assigned: the user is not in Marketing \(department is Sales\)\./,
    )

    const audit = await ws.call('exports/csv', { kind: 'audit' })
    expect(audit.content).toContain(',enrollment,devices/enroll,')
  })
})

describe('the device page’s policies', () => {
  it('lists every policy, applied or not, each with its why', async () => {
    const deviceId = await enroll('S1', 'sam@example.test')
    const applied = await ws.call('policies/effective', { deviceId })
    expect(applied.map(p => p.policyName)).toEqual([])
    const every = await ws.call('policies/effective', { deviceId, all: true })
    expect(every.map(p => [p.policyName, p.status])).toEqual([
      ['Marketing Suite', 'not-assigned'],
      ['Sales CRM Deployment', 'not-assigned'],
    ])
    expect(every[0]?.steps.at(-1)?.text).toBe('Marketing Suite excludes Executives; exclusion wins over any include.')
    expect(every[1]?.summary).toBe('Not assigned: the user is not in Sales (department is Marketing).')
  })
})
