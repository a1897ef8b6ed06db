// The lists page, sort and search on the server: devices (devices/page) and a group's members
// (groups/members), each with the total.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DeviceListArgs } from '../../src/shared/domain'
import { acknowledgeAll, openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../helpers/workspace'

let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>

const DEVICES = [
  ['C02XK1', 'ios', 'alex@example.test', 'Alex iPhone'],
  ['C02XK2', 'macos', 'alex@example.test', 'Alex MacBook'],
  ['R58N01', 'android', 'sam@example.test', 'Sam Pixel'],
  ['F17Q22', 'ios', 'dee@example.test', 'Dee iPhone'],
  ['F17Q23', 'android', 'kim@example.test', 'Kim Galaxy'],
] as const

beforeEach(async () => {
  ws = openWorkspace({ ackDeadlineMs: 60_000 })
  org = seedSmallOrganisation(ws)
  for (const [serial, platform, userPrincipalName, name] of DEVICES)
    await ws.call('devices/enroll', { serial, platform, userPrincipalName, name, pushToken: `t-${serial}` })
  // Dee's device has acknowledged everything; Sam's has nothing to do (Executives are excluded).
  const dee = (await ws.call('devices/page', { query: 'F17Q22' })).rows[0]?.id as string
  await acknowledgeAll(ws, dee)
})
afterEach(() => ws.close())

const names = async (args: DeviceListArgs) => {
  const r = await ws.call('devices/page', args)
  return { names: r.rows.map(d => d.name), total: r.total }
}

describe('devices/page', () => {
  const cases: [string, DeviceListArgs, string[], number][] = [
    ['everything by name', {}, ['Alex iPhone', 'Alex MacBook', 'Dee iPhone', 'Kim Galaxy', 'Sam Pixel'], 5],
    ['a serial fragment', { query: 'f17q' }, ['Dee iPhone', 'Kim Galaxy'], 2],
    ["the user's principal name", { query: 'alex@' }, ['Alex iPhone', 'Alex MacBook'], 2],
    ['the platform (the OS)', { query: 'android' }, ['Kim Galaxy', 'Sam Pixel'], 2],
    ['a platform filter', { platform: 'ios' }, ['Alex iPhone', 'Dee iPhone'], 2],
    [
      'serial descending',
      { sort: 'serial', dir: 'desc' },
      ['Sam Pixel', 'Kim Galaxy', 'Dee iPhone', 'Alex MacBook', 'Alex iPhone'],
      5,
    ],
    ['the second page of two', { limit: 2, offset: 2 }, ['Dee iPhone', 'Kim Galaxy'], 5],
    ['policies all delivered', { status: 'delivered' }, ['Dee iPhone', 'Sam Pixel'], 2],
    ['wildcards taken literally', { query: '%' }, [], 0],
  ]
  it.each(cases)('finds devices by %s', async (_, args, expected, total) => {
    expect(await names(args)).toEqual({ names: expected, total })
  })

  it("finds devices by their user's rule group and synced group", async () => {
    expect(await names({ groupId: org.groups.Sales })).toEqual({
      names: ['Alex iPhone', 'Alex MacBook', 'Kim Galaxy'],
      total: 3,
    })
    expect(await names({ groupId: org.groups.Executives })).toEqual({ names: ['Sam Pixel'], total: 1 })
  })

  it('finds devices late on their policies once a deadline passes', async () => {
    expect((await names({ status: 'late' })).total).toBe(0)
    ws.clock.advance(61_000)
    expect(await names({ status: 'late' })).toEqual({
      names: ['Alex iPhone', 'Alex MacBook', 'Kim Galaxy'],
      total: 3,
    })
  })
})

describe('devices/page: what a device reported about itself', () => {
  const report = async (serial: string, facts: { model: string; modelName: string; osVersion: string }) => {
    const id = (await ws.call('devices/page', { query: serial })).rows[0]?.id as string
    ws.app.services.store.apple.putFacts(id, facts)
  }
  beforeEach(async () => {
    await report('C02XK1', { model: 'iPhone15,2', modelName: 'iPhone 14 Pro', osVersion: '17.2' })
    await report('C02XK2', { model: 'Mac14,2', modelName: 'MacBook Air', osVersion: '14.1' })
    await report('F17Q22', { model: 'iPhone12,8', modelName: 'iPhone SE', osVersion: '16.7' })
  })
  const cases: [string, string, string[]][] = [
    ['its model identifier', 'iphone15', ['Alex iPhone']],
    ['its model name', 'macbook air', ['Alex MacBook']],
    ['its OS and version', 'ios 17', ['Alex iPhone']],
    ['its OS version alone', '16.7', ['Dee iPhone']],
    ['a model name many share', 'iPhone', ['Alex iPhone', 'Dee iPhone']],
  ]
  it.each(cases)('finds a device by %s', async (_, query, expected) => {
    expect(await names({ query })).toEqual({ names: expected, total: expected.length })
  })
})

describe('devices/commands and directories/history', () => {
  it("pages a device's commands newest first, and only the open ones when asked", async () => {
    const alex = (await ws.call('devices/page', { query: 'C02XK1' })).rows[0]?.id as string
    const all = (await ws.call('devices/get', { deviceId: alex })).commands
    expect(all.length).toBeGreaterThanOrEqual(2)
    const first = await ws.call('devices/commands', { deviceId: alex, limit: 1 })
    expect(first.total).toBe(all.length)
    expect(first.rows.map(c => c.seq)).toEqual(
      all
        .map(c => c.seq)
        .sort((a, b) => b - a)
        .slice(0, 1),
    )
    const second = await ws.call('devices/commands', { deviceId: alex, offset: 1, limit: 1 })
    expect(second.rows.map(c => c.seq)).toEqual(
      all
        .map(c => c.seq)
        .sort((a, b) => b - a)
        .slice(1, 2),
    )
    await ws.call('devices/acknowledge', {
      deviceId: alex,
      commandId: first.rows[0]?.id as string,
      status: 'acknowledged',
    })
    const open = await ws.call('devices/commands', { deviceId: alex, open: true, limit: 500 })
    expect(open.total).toBe(all.length - 1)
    expect(open.rows.every(c => ['queued', 'pushed', 'sent'].includes(c.state))).toBe(true)
    expect(await ws.app.invoke('devices/commands', { deviceId: 'no-such-device' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
  })

  it("pages a directory's sync runs newest first, with how many there are", async () => {
    const { directories } = ws.app.services
    const directoryId = directories.createFileDirectory('History file')
    for (const department of ['Sales', 'Marketing', 'Legal'])
      await ws.call('directories/import', {
        directoryId,
        format: 'csv',
        content: `userPrincipalName,displayName,department\nhist@example.test,Hist,${department}`,
        mode: 'update',
      })
    const detail = await ws.call('directories/get', { directoryId })
    const page = await ws.call('directories/history', { directoryId, offset: 1, limit: 1 })
    expect(page.total).toBe(3)
    expect(page.rows.map(r => r.id)).toEqual([detail.history[1]?.id])
    expect(await ws.app.invoke('directories/history', { directoryId: 'no-such-directory' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
  })
})

describe('groups/members', () => {
  it('pages and searches a rule group with its unknown members first', async () => {
    const { store } = ws.app.services
    const ids = (upn: string) => store.users.idByPrincipalName(upn) as string
    // Dee has no department: unknown in Sales.
    const all = await ws.call('groups/members', { groupId: org.groups.Sales })
    expect(all.rows.map(m => [m.userPrincipalName, m.state])).toEqual([
      ['dee@example.test', 'unknown'],
      ['alex@example.test', 'in'],
      ['kim@example.test', 'in'],
    ])
    expect(all.total).toBe(3)
    const second = await ws.call('groups/members', { groupId: org.groups.Sales, offset: 1, limit: 1 })
    expect(second).toEqual({
      rows: [
        {
          userId: ids('alex@example.test'),
          userPrincipalName: 'alex@example.test',
          displayName: 'Alex Morgan',
          state: 'in',
          missing: [],
        },
      ],
      total: 3,
    })
    expect(
      (await ws.call('groups/members', { groupId: org.groups.Sales, query: 'KIM' })).rows.map(m => m.displayName),
    ).toEqual(['Kim Lee'])
    expect((await ws.call('groups/members', { groupId: org.groups.Sales, state: 'in' })).total).toBe(2)
  })

  it('pages and searches a synced group', async () => {
    expect(await ws.call('groups/members', { groupId: org.groups.Executives, query: 'sam' })).toMatchObject({
      rows: [{ userPrincipalName: 'sam@example.test', state: 'in' }],
      total: 1,
    })
    expect((await ws.call('groups/members', { groupId: org.groups.Executives, query: 'alex' })).total).toBe(0)
  })
})

describe('groups/names', () => {
  it('names every group, sorted, as groups/list does', async () => {
    const names = await ws.call('groups/names', {})
    const listed = await ws.call('groups/list', {})
    expect(names).toEqual(listed.map(g => ({ id: g.id, name: g.name })).sort((a, b) => a.name.localeCompare(b.name)))
    expect(names.length).toBeGreaterThan(1)
  })
})
