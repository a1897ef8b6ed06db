// Entra's manager relationship end to end: the connector reads it from /users/delta
// (manager@delta) and from one user's $expand=manager, the sync stores it, and Direct Reports
// rules put the manager's direct reports in their group.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DirectoryDetail, GroupDetail, MembershipExplanation, SyncRun } from '../../../src/shared/domain'
import { MANAGER, MANAGER_ID } from '../../../src/main/rules'
import { DirectoryData } from '../../fakes/directory-data'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, startGraphFake, type GraphFake } from '../../fakes/graph/server'
import { loopbackRouter, recordingSleep } from '../../fakes/router'
import { createApp } from '../../../src/main/app'
import { fakeClock, tempDir } from '../../helpers/workspace'

const TENANT = '11111111-2222-3333-4444-555555555555'
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'
const SECRET = 'graph-client-secret-value-Zq8~'

let graph: GraphFake
let dir: ReturnType<typeof tempDir>
let app: ReturnType<typeof createApp>

async function call<T>(channel: string, args: unknown): Promise<T> {
  const r = await app.invoke(channel, args)
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`)
  return r.value as T
}

async function connect(): Promise<string> {
  const d = await call<DirectoryDetail>('directories/connect', {
    kind: 'entra',
    name: 'Contoso',
    settings: { tenantId: TENANT, clientId: CLIENT },
    secrets: { clientSecret: SECRET },
  })
  return d.directory.id
}

const members = (g: GroupDetail) => g.members.map(m => `${m.userPrincipalName} ${m.state}`).sort()
const upnsIn = (upns: string[]) => upns.map(u => `${u} in`).sort()
const attributesOf = (upn: string) => {
  const store = app.services.store
  return store.users.attributes(store.users.idByPrincipalName(upn) as string)
}

beforeEach(async () => {
  graph = await startGraphFake({
    data: new DirectoryData({ users: 60, groups: 4, seed: 5 }),
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: SECRET,
    pageSize: 25,
  })
  dir = tempDir()
  app = createApp({
    dataDir: dir.path,
    clock: fakeClock(),
    http: loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url }),
    sleep: recordingSleep(),
  })
})

afterEach(async () => {
  app.close()
  await graph.close()
  dir.remove()
})

describe('Direct Reports rules over a synced Entra directory', () => {
  it("puts the manager's direct reports in the group after a full sync, with everyone else out (not unknown)", async () => {
    const id = await connect()
    await call<SyncRun>('directories/sync', { directoryId: id })
    const first = graph.requests.find(r => r.url.startsWith('/v1.0/users/delta'))
    expect(decodeURIComponent(first?.url ?? '')).toMatch(/\$select=[^&]*,manager(,|$)/)
    const [boss] = graph.data.someUsers(1)
    const reports = graph.data.reportsOf(boss!.id)
    expect(reports.length).toBe(8)
    const group = await call<GroupDetail>('groups/create', {
      name: 'Reports of the CEO',
      dialect: 'entra',
      rule: `Direct Reports for "${boss!.id.toUpperCase()}"`,
    })
    expect(members(group)).toEqual(upnsIn(reports.map(r => r.userPrincipalName)))
    expect(group.group.unknownCount).toBe(0)
    // The CEO has no manager: stored as none, not as missing.
    expect(attributesOf(boss!.userPrincipalName)[MANAGER_ID]).toEqual([])
    expect(attributesOf(reports[0]!.userPrincipalName)[MANAGER_ID]).toEqual([boss!.id])
  })

  it('follows manager changes in the next delta: a move, a new report, a removed manager, a new user', async () => {
    const id = await connect()
    await call('directories/sync', { directoryId: id })
    const [boss, other] = graph.data.someUsers(2)
    const group = await call<GroupDetail>('groups/create', {
      name: 'Reports of the CEO',
      dialect: 'entra',
      rule: `Direct Reports for "${boss!.id}"`,
    })
    const [moved, cleared, ...kept] = graph.data.reportsOf(boss!.id)
    const newcomer = graph.data.reportsOf(other!.id)[0]!
    graph.data.updateUser(moved!.id, { managerId: other!.id })
    graph.data.updateUser(cleared!.id, { managerId: null })
    graph.data.updateUser(newcomer.id, { managerId: boss!.id })
    // A change that doesn't touch the manager: Graph sends no manager@delta, and the manager stays.
    graph.data.updateUser(kept[0]!.id, { jobTitle: 'Principal' })
    const hired = graph.data.addUser()
    const run = await call<SyncRun>('directories/sync', { directoryId: id })
    expect(run).toMatchObject({ mode: 'incremental', status: 'succeeded', added: 1 })
    const after = await call<GroupDetail>('groups/get', { groupId: group.group.id })
    expect(members(after)).toEqual(upnsIn([...kept, newcomer].map(u => u.userPrincipalName)))
    expect(after.group.unknownCount).toBe(0)
    expect(attributesOf(cleared!.userPrincipalName)[MANAGER_ID]).toEqual([])
    expect(attributesOf(moved!.userPrincipalName)[MANAGER_ID]).toEqual([other!.id])
    expect(attributesOf(kept[0]!.userPrincipalName)[MANAGER_ID]).toEqual([boss!.id])
    // A user new in an incremental round, announced without manager@delta, has no manager.
    expect(attributesOf(hired.userPrincipalName)[MANAGER_ID]).toEqual([])
  })

  it('runs one full sync when the saved delta links predate manager tracking', async () => {
    const id = await connect()
    await call('directories/sync', { directoryId: id })
    const store = app.services.store
    const saved = JSON.parse(store.sync.cursor(id) as string) as Record<string, unknown>
    const { v: _version, ...old } = saved
    store.sync.setCursor(id, JSON.stringify(old), new Date().toISOString())
    const run = await call<SyncRun>('directories/sync', { directoryId: id })
    expect(run.mode).toBe('full')
    expect((run.notes ?? []).join(' ')).toMatch(/predate reading each user's manager/)
    expect(JSON.parse(store.sync.cursor(id) as string)).toMatchObject({ v: 2 })
  })

  it("reads the manager with $expand on the JIT fetch and names them in the group's explanation", async () => {
    const id = await connect()
    await call('directories/sync', { directoryId: id })
    const [boss] = graph.data.someUsers(1)
    const report = graph.data.reportsOf(boss!.id)[2]!
    const outsider = graph.data.someUsers(20)[19]!
    const group = await call<GroupDetail>('groups/create', {
      name: 'Reports of the CEO',
      dialect: 'entra',
      rule: `Direct Reports for "${boss!.id}"`,
    })
    await app.services.directories.refreshUser(report.userPrincipalName)
    const fetch = graph.requests.filter(r => r.url.startsWith('/v1.0/users/') && !r.url.includes('delta')).at(0)
    expect(decodeURIComponent(fetch?.url ?? '')).toContain('$expand=manager($select=id,userPrincipalName,displayName)')
    expect(attributesOf(report.userPrincipalName)).toMatchObject({
      [MANAGER_ID]: [boss!.id],
      [MANAGER]: `${boss!.displayName} <${boss!.userPrincipalName}>`,
    })
    const store = app.services.store
    const why = await call<MembershipExplanation>('groups/explain', {
      groupId: group.group.id,
      userId: store.users.idByPrincipalName(report.userPrincipalName),
    })
    expect(why.state).toBe('in')
    expect(why.hints.join(' ')).toContain(`reports to ${boss!.displayName} <${boss!.userPrincipalName}>`)
    const whyNot = await call<MembershipExplanation>('groups/explain', {
      groupId: group.group.id,
      userId: store.users.idByPrincipalName(outsider.userPrincipalName),
    })
    expect(whyNot.state).toBe('out')
    expect(whyNot.hints.join(' ')).toContain(`reports to ${outsider.managerId}, not to ${boss!.id}`)
  })
})
