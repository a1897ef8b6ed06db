import { createHash, generateKeyPairSync } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SyncProgress } from '../../../src/shared/domain'
import { DirectoryData } from '../../fakes/directory-data'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, type GraphFake } from '../../fakes/graph/server'
import { recordingSleep } from '../../fakes/router'
import { createApp } from '../../../src/main/app'
import { connectEntra, type EntraApp, graphRoutes, startEntraGraph } from '../../helpers/directory'
import { runCli } from '../../../src/main/headless/commands'
import { fakeClock, tempDir } from '../../helpers/workspace'

/** GUIDs as Entra issues them, and a secret in the shape of a real one. */
const REGISTRATION: EntraApp = {
  tenantId: '11111111-2222-3333-4444-555555555555',
  clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  clientSecret: 'graph-client-secret-value-Zq8~',
}

let graph: GraphFake
let dir: ReturnType<typeof tempDir>
let app: ReturnType<typeof createApp>
let sleep: ReturnType<typeof recordingSleep>
let progress: SyncProgress[]

const connect = () => connectEntra(app, REGISTRATION)

beforeEach(async () => {
  graph = await startEntraGraph({
    data: new DirectoryData({ users: 120, groups: 10, seed: 7 }),
    registration: REGISTRATION,
    pageSize: 25,
    membersPerEntry: 8,
  })
  dir = tempDir()
  sleep = recordingSleep()
  app = createApp({
    dataDir: dir.path,
    clock: fakeClock(),
    http: graphRoutes(graph),
    sleep,
  })
  progress = []
  app.on('directories/syncProgress', p => progress.push(p))
})

afterEach(async () => {
  app.close()
  await graph.close()
  dir.remove()
})

describe('the Entra ID connector against the Graph fake', () => {
  it("evaluates a memberOf rule against the Entra object ids of the user's synced groups", async () => {
    const team = graph.data.staticGroups()[0]!
    const dynamic = [...graph.data.groups.values()].find(g => g.rule)!
    // The rule names the group as Entra does: by its object id (groups-dynamic-rule-member-of.md).
    dynamic.rule = { ...dynamic.rule!, entra: `user.memberof -any (group.objectId -in ['${team.id}'])` }
    const id = await connect()
    await app.call('directories/sync', { directoryId: id })
    const { store } = app.services
    const group = store.groups.list().find(g => g.name === dynamic.name)!
    expect(group).toMatchObject({ kind: 'rule', memberCount: team.members.size, unknownCount: 0 })
    const member = graph.data.users.get([...team.members][0]!)!
    const outsider = [...graph.data.users.values()].find(u => !team.members.has(u.id))!
    const inGroup = (upn: string) =>
      store.groups.membershipsOf(store.users.idByPrincipalName(upn)!).some(m => m.groupId === group.id && m.effective)
    expect(inGroup(member.userPrincipalName)).toBe(true)
    expect(inGroup(outsider.userPrincipalName)).toBe(false)
  })

  it('gets a token through msal-node and pulls every user and group on the first sync', async () => {
    const id = await connect()
    const run = await app.call('directories/sync', { directoryId: id })
    expect(run).toMatchObject({ mode: 'full', status: 'succeeded', added: 120, changed: 0, removed: 0 })
    expect(graph.issuedTokens).toBe(1)
    const token = graph.requests.find(r => r.url.includes('/oauth2/v2.0/token'))
    expect(new URLSearchParams(token?.body).get('scope')).toBe('https://graph.microsoft.com/.default')
    const first = graph.requests.find(r => r.url.startsWith('/v1.0/users/delta'))
    expect(decodeURIComponent(first?.url ?? '')).toContain('$select=id,userPrincipalName,displayName,givenName')
    const store = app.services.store
    expect(store.sync.userCount(id)).toBe(120)
    const someone = graph.data.someUsers(1)[0]!
    const userId = store.users.idByPrincipalName(someone.userPrincipalName)!
    expect(store.users.attributes(userId)).toMatchObject({
      department: someone.department,
      jobTitle: someone.jobTitle,
      country: someone.country,
    })
    if (someone.costCenter) expect(store.users.attributes(userId)['extensionAttribute1']).toBe(someone.costCenter)
    // Static groups' members merged across repeated entries; dynamic groups keep their rule.
    const team = graph.data.staticGroups()[0]!
    const local = store.groups.list().find(g => g.name === team.name)!
    expect(local.kind).toBe('synced')
    expect(local.memberCount).toBe(team.members.size)
    const dynamic = store.groups.list().find(g => g.name.startsWith('Dynamic Sales'))!
    expect(dynamic).toMatchObject({ kind: 'rule', dialect: 'entra', rule: 'user.department -eq "Sales"' })
    const salesPeople = [...graph.data.users.values()].filter(u => u.department === 'Sales').length
    expect(dynamic.memberCount).toBe(salesPeople)
    expect(progress.at(-1)).toMatchObject({ phase: 'done', percent: 100 })
    expect(progress.some(p => p.phase === 'pulling' && p.pages > 1)).toBe(true)
  })

  it('follows the delta link on the next sync and applies only what changed', async () => {
    const id = await connect()
    await app.call('directories/sync', { directoryId: id })
    const [a, b, c] = graph.data.someUsers(3)
    graph.data.updateUser(a!.id, { department: 'Legal' })
    graph.data.removeUser(b!.id)
    const added = graph.data.addUser()
    const team = graph.data.staticGroups()[0]!
    graph.data.setMember(team.id, c!.id, !team.members.has(c!.id))
    const before = graph.requests.length
    const run = await app.call('directories/sync', { directoryId: id })
    expect(run).toMatchObject({ mode: 'incremental', status: 'succeeded', added: 1, changed: 1, removed: 1 })
    const urls = graph.requests.slice(before).map(r => decodeURIComponent(r.url))
    expect(urls.every(u => !u.includes('$deltatoken') || !u.includes('$select'))).toBe(true)
    expect(urls.some(u => u.includes('/v1.0/users/delta?$deltatoken='))).toBe(true)
    const store = app.services.store
    expect(store.users.attributes(store.users.idByPrincipalName(a!.userPrincipalName)!)['department']).toBe('Legal')
    expect(store.users.idByPrincipalName(b!.userPrincipalName)).toBeUndefined()
    expect(store.users.idByPrincipalName(added.userPrincipalName)).toBeDefined()
    const cId = store.users.idByPrincipalName(c!.userPrincipalName)!
    const local = store.groups.list().find(g => g.name === team.name)!
    expect(store.groups.membershipsOf(cId).some(m => m.groupId === local.id)).toBe(team.members.has(c!.id))
  })

  it('starts a full sync when Graph says the delta token expired (410 syncStateNotFound)', async () => {
    const id = await connect()
    await app.call('directories/sync', { directoryId: id })
    graph.data.updateUser(graph.data.someUsers(1)[0]!.id, { jobTitle: 'Chief Tester' })
    graph.expireDeltaTokens()
    const run = await app.call('directories/sync', { directoryId: id })
    expect(run).toMatchObject({ mode: 'full', status: 'succeeded', added: 0, changed: 1, removed: 0 })
    expect(progress.some(p => p.message?.includes('Running a full sync instead'))).toBe(true)
    // The history keeps why the run was full.
    const note =
      'Microsoft Graph no longer knows the delta token (HTTP 410 syncStateNotFound). A full sync ran instead.'
    expect(run.notes).toEqual([note])
    expect(app.services.store.sync.runs(id, 1)[0]?.notes).toEqual([note])
  })

  it('prints why `jit-mapper sync` ran in full', async () => {
    const id = await connect()
    await app.call('directories/sync', { directoryId: id })
    graph.expireDeltaTokens()
    // The CLI opens the workspace with the system HTTP client: Graph and its sign-in go to the fake.
    const real = globalThis.fetch
    vi.stubGlobal('fetch', (url: string | URL, init?: RequestInit) => {
      const u = new URL(String(url))
      if (u.origin !== GRAPH_ORIGIN && u.origin !== LOGIN_ORIGIN)
        return Promise.reject(new Error(`test: refusing ${u.origin}`))
      return real(`${graph.url}${u.pathname}${u.search}`, init)
    })
    const out: string[] = []
    try {
      const code = await runCli(['sync', '--data-dir', dir.path], {
        out: l => out.push(l),
        err: l => out.push(l),
        env: {},
        untilStopped: () => Promise.resolve(),
      })
      expect(code).toBe(0)
    } finally {
      vi.unstubAllGlobals()
    }
    expect(out).toContain(
      'Contoso: note: Microsoft Graph no longer knows the delta token (HTTP 410 syncStateNotFound). A full sync ran instead.',
    )
  })

  it('refuses a pull that would give two users one userPrincipalName, changing nothing', async () => {
    const id = await connect()
    await app.call('directories/sync', { directoryId: id })
    const [a, b] = graph.data.someUsers(2)
    const before = { upn: b!.userPrincipalName, department: b!.department }
    graph.data.updateUser(b!.id, { userPrincipalName: a!.userPrincipalName.toUpperCase(), department: 'Legal' })
    const r = await app.invoke('directories/sync', { directoryId: id })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('DIRECTORY_RESPONSE')
    expect(r.error.message).toContain(
      `would both have userPrincipalName ${a!.userPrincipalName.toUpperCase()}; nothing was changed`,
    )
    const store = app.services.store
    expect(store.users.attributes(store.users.idByPrincipalName(before.upn)!)['department']).toBe(
      before.department ?? undefined,
    )
  })

  it('replaces a user deleted and re-created with the same userPrincipalName (a new object id) in one delta', async () => {
    const id = await connect()
    await app.call('directories/sync', { directoryId: id })
    const old = graph.data.someUsers(1)[0]!
    graph.data.removeUser(old.id)
    const again = graph.data.addUser({ userPrincipalName: old.userPrincipalName })
    const run = await app.call('directories/sync', { directoryId: id })
    expect(run).toMatchObject({ mode: 'incremental', status: 'succeeded', added: 1, removed: 1 })
    const store = app.services.store
    expect(store.sync.user(id, again.id)?.userPrincipalName).toBe(old.userPrincipalName)
    expect(store.sync.user(id, old.id)).toBeUndefined()
  })

  it('applies two users swapping userPrincipalNames, and a new user taking a name another gives up, in one delta', async () => {
    const id = await connect()
    await app.call('directories/sync', { directoryId: id })
    const [a, b, c] = graph.data.someUsers(3)
    const [upnA, upnB, upnC] = [a!.userPrincipalName, b!.userPrincipalName, c!.userPrincipalName]
    graph.data.updateUser(a!.id, { userPrincipalName: upnB })
    graph.data.updateUser(b!.id, { userPrincipalName: upnA })
    graph.data.updateUser(c!.id, { userPrincipalName: `renamed.${upnC}` })
    const newcomer = graph.data.addUser({ userPrincipalName: upnC })
    const run = await app.call('directories/sync', { directoryId: id })
    expect(run).toMatchObject({ mode: 'incremental', status: 'succeeded', added: 1, changed: 3, removed: 0 })
    const store = app.services.store
    expect([a, b, c, newcomer].map(u => store.sync.user(id, u!.id)?.userPrincipalName)).toEqual([
      upnB,
      upnA,
      `renamed.${upnC}`,
      upnC,
    ])
    const again = await app.call('directories/sync', { directoryId: id })
    expect(again).toMatchObject({ added: 0, changed: 0, removed: 0 })
  })

  it('authenticates with a certificate: msal-node signs a client assertion the token endpoint verifies', async () => {
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    })
    const thumbprintSha256 = createHash('sha256').update('the registered certificate').digest('hex')
    await graph.close()
    graph = await startEntraGraph({
      data: new DirectoryData({ users: 10, groups: 2 }),
      registration: REGISTRATION,
      certificate: { publicKey: keys.publicKey, thumbprintSha256 },
    })
    app.close()
    dir.remove()
    dir = tempDir()
    app = createApp({
      dataDir: dir.path,
      clock: fakeClock(),
      http: graphRoutes(graph),
      sleep,
    })
    const d = await app.call('directories/connect', {
      kind: 'entra',
      name: 'Cert',
      settings: {
        tenantId: REGISTRATION.tenantId,
        clientId: REGISTRATION.clientId,
        certificateThumbprint: thumbprintSha256,
      },
      secrets: { privateKey: keys.privateKey },
    })
    expect(await app.call('directories/sync', { directoryId: d.directory.id })).toMatchObject({
      status: 'succeeded',
      added: 10,
    })
    const form = new URLSearchParams(graph.requests.find(r => r.url.includes('/oauth2/v2.0/token'))?.body)
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    expect(form.get('client_secret')).toBeNull()
  })

  it('stops with a clear message and no retries when the client secret is wrong', async () => {
    const d = await app.call('directories/connect', {
      kind: 'entra',
      name: 'Wrong',
      settings: { tenantId: REGISTRATION.tenantId, clientId: REGISTRATION.clientId },
      secrets: { clientSecret: 'nope' },
    })
    const r = await app.invoke('directories/sync', { directoryId: d.directory.id })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('DIRECTORY_AUTH')
    expect(r.error.message).toContain('invalid_client')
    expect(r.error.message).toContain('Check the tenant, client id and secret')
    expect(graph.requests.filter(x => x.url.includes('/oauth2/v2.0/token'))).toHaveLength(1)
    expect(sleep.waits).toEqual([])
    const detail = await app.call('directories/get', { directoryId: d.directory.id })
    expect(detail.history[0]).toMatchObject({ status: 'failed' })
  })
})
