import { generateKeyPairSync } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import type { DirectoryDetail, SyncProgress, SyncRun } from '../../../src/shared/domain'
import { DirectoryData } from '../../fakes/directory-data'
import { OKTA_ORIGIN, startOktaFake, type OktaFake } from '../../fakes/okta/server'
import { loopbackRouter } from '../../fakes/router'
import { storeSnapshot } from '../../helpers/directory'
import { fakeClock, tempDir, type FakeClock } from '../../helpers/workspace'

const TOKEN = '00okta-api-token-value'
let okta: OktaFake
let oktaNow: number
const waits: number[] = []
/** Warnings the app logged, and the progress it emitted, across every app a test opens. */
const warnings: string[] = []
const progress: SyncProgress[] = []
const cleanups: (() => void | Promise<void>)[] = []
/** The clock of the app `open` made last. */
let clock: FakeClock

function open(opts: { syncBulkFrom?: number; syncBulkBatch?: number } = {}): App {
  const dir = tempDir()
  clock = fakeClock()
  const app = createApp({
    dataDir: dir.path,
    clock,
    syncBulkFrom: opts.syncBulkFrom,
    syncBulkBatch: opts.syncBulkBatch,
    http: loopbackRouter({ [OKTA_ORIGIN]: okta.url }),
    log: { info() {}, warn: message => warnings.push(message), error() {} },
    // Waiting moves the fake's clock, so its rate-limit bucket refills as it would in real time.
    sleep: ms => {
      waits.push(ms)
      oktaNow += ms
      return Promise.resolve()
    },
  })
  app.on('directories/syncProgress', p => progress.push(p))
  cleanups.push(() => {
    app.close()
    dir.remove()
  })
  return app
}

async function connect(app: App, apiToken = TOKEN): Promise<string> {
  const r = await app.invoke('directories/connect', {
    kind: 'okta',
    name: 'Contoso Okta',
    settings: { orgUrl: OKTA_ORIGIN },
    secrets: { apiToken },
  })
  if (!r.ok) throw new Error(r.error.message)
  return (r.value as DirectoryDetail).directory.id
}

async function sync(app: App, directoryId: string): Promise<SyncRun> {
  const r = await app.invoke('directories/sync', { directoryId })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as SyncRun
}

beforeEach(async () => {
  oktaNow = Date.parse('2026-11-02T09:00:00.000Z')
  waits.length = 0
  warnings.length = 0
  progress.length = 0
  okta = await startOktaFake({
    data: new DirectoryData({ users: 450, groups: 6, seed: 11 }),
    apiToken: TOKEN,
    now: () => oktaNow,
  })
})

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await okta.close()
})

describe('the Okta connector against the Okta fake', () => {
  it('pulls users with Link paging, groups with their members, and group rules with their expressions', async () => {
    const app = open()
    const id = await connect(app)
    expect(await sync(app, id)).toMatchObject({ mode: 'full', status: 'succeeded', added: 450 })
    const userPages = okta.requests.filter(r => r.url.startsWith('/api/v1/users?'))
    expect(userPages).toHaveLength(3)
    expect(userPages[1]?.url).toContain('after=')
    expect(okta.requests.every(r => r.headers.authorization === `SSWS ${TOKEN}`)).toBe(true)
    const { store } = app.services
    const u = okta.data.someUsers(1)[0]!
    expect(store.users.attributes(store.users.idByPrincipalName(u.userPrincipalName)!)).toMatchObject({
      department: u.department,
      title: u.jobTitle,
      countryCode: u.country,
      status: 'ACTIVE',
    })
    const team = okta.data.staticGroups()[0]!
    expect(store.groups.list().find(g => g.name === team.name)).toMatchObject({
      kind: 'synced',
      memberCount: team.members.size,
    })
    expect(store.groups.list().find(g => g.name.startsWith('Dynamic Sales'))).toMatchObject({
      kind: 'rule',
      dialect: 'okta',
      rule: 'user.department == "Sales"',
    })
  })

  it("keeps a rule group's members assigned by hand, and never adds the users its rule excludes", async () => {
    const dynamic = [...okta.data.groups.values()].find(g => g.rule)!
    const department = /"(.*)"/.exec(dynamic.rule!.okta)![1]
    const users = [...okta.data.users.values()]
    const byHand = users.find(u => u.department !== department && u.department !== null)!
    const [excluded, matching] = users.filter(u => u.department === department)
    // In Okta the group lists the rule's members but the excluded one, and the one assigned by hand.
    dynamic.excludedUsers = [excluded!.id]
    okta.data.setMember(dynamic.id, excluded!.id, false)
    okta.data.setMember(dynamic.id, byHand.id, true)
    const app = open()
    const id = await connect(app)
    await sync(app, id)
    const { store } = app.services
    const group = store.groups.list().find(g => g.name === dynamic.name)!
    expect(group).toMatchObject({ kind: 'rule', dialect: 'okta' })
    const inGroup = (upn: string) =>
      store.groups.membershipsOf(store.users.idByPrincipalName(upn)!).some(m => m.groupId === group.id && m.effective)
    expect(inGroup(byHand.userPrincipalName)).toBe(true)
    expect(inGroup(excluded!.userPrincipalName)).toBe(false)
    expect(inGroup(matching!.userPrincipalName)).toBe(true)

    // Taken out by hand in Okta (and so no longer listed), the user leaves at the next sync.
    okta.data.setMember(dynamic.id, byHand.id, false)
    await sync(app, id)
    expect(inGroup(byHand.userPrincipalName)).toBe(false)
    expect(inGroup(matching!.userPrincipalName)).toBe(true)
  })

  it('writes a large first sync as it pulls users (listed before groups), ending as a sync that writes afterwards', async () => {
    const streamed = open({ syncBulkFrom: 100, syncBulkBatch: 100 })
    const id = await connect(streamed)
    const storedWhilePulling: number[] = []
    streamed.on('directories/syncProgress', p => {
      if (p.phase === 'pulling') storedWhilePulling.push(streamed.services.store.sync.userCount(id))
    })
    expect(await sync(streamed, id)).toMatchObject({ mode: 'full', status: 'succeeded', added: 450 })
    expect(Math.max(...storedWhilePulling)).toBeGreaterThan(0)
    const afterwards = open()
    await sync(afterwards, await connect(afterwards))
    expect(storeSnapshot(streamed)).toBe(storeSnapshot(afterwards))
  })

  it('writes a large first sync as it pulls, where rules read the synced groups the users are in', async () => {
    const team = okta.data.staticGroups()[0]!
    const dynamic = [...okta.data.groups.values()].find(g => g.rule)!
    dynamic.rule = { ...dynamic.rule!, okta: `isMemberOfGroupName("${team.name}")` }
    const streamed = open({ syncBulkFrom: 100, syncBulkBatch: 100 })
    await sync(streamed, await connect(streamed))
    const afterwards = open()
    await sync(afterwards, await connect(afterwards))
    const group = streamed.services.store.groups.list().find(g => g.rule?.includes('isMemberOfGroupName'))
    expect(group?.memberCount).toBe(team.members.size)
    expect(storeSnapshot(streamed)).toBe(storeSnapshot(afterwards))
  })

  it('syncs incrementally with filter=lastUpdated gt, seeing deprovisioned users leave', async () => {
    const app = open()
    const id = await connect(app)
    await sync(app, id)
    const [a, b, c] = okta.data.someUsers(3)
    okta.data.updateUser(a!.id, { department: 'Legal' })
    okta.data.removeUser(b!.id)
    const team = okta.data.staticGroups()[1]!
    okta.data.setMember(team.id, c!.id, !team.members.has(c!.id))
    const before = okta.requests.length
    expect(await sync(app, id)).toMatchObject({ mode: 'incremental', added: 0, changed: 1, removed: 1 })
    const urls = okta.requests.slice(before).map(r => decodeURIComponent(r.url))
    expect(urls.find(x => x.startsWith('/api/v1/users?'))).toMatch(/filter=lastUpdated gt "2026-11-01T00:00:\d\d.000Z"/)
    expect(urls.filter(x => /\/api\/v1\/groups\/[^/]+\/users/.test(x))).toHaveLength(1)

    const fresh = open()
    await sync(fresh, await connect(fresh))
    expect(storeSnapshot(app)).toBe(storeSnapshot(fresh))
  })

  it('paces itself on X-Rate-Limit-Remaining instead of running into 429s', async () => {
    await okta.close()
    okta = await startOktaFake({
      data: new DirectoryData({ users: 450, groups: 6, seed: 11 }),
      apiToken: TOKEN,
      now: () => oktaNow,
      rateLimit: 5,
    })
    const app = open()
    expect(await sync(app, await connect(app))).toMatchObject({ status: 'succeeded', added: 450 })
    expect(waits.length).toBeGreaterThan(0)
    // Until the reset (60 s windows), measured on the response's Date header, plus a second.
    for (const w of waits) expect(w).toBeGreaterThan(1000)
    expect(waits.every(w => w <= 61_000)).toBe(true)
  })

  it('authenticates as an OAuth service app with a private-key JWT instead of an API token', async () => {
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    })
    await okta.close()
    okta = await startOktaFake({
      data: new DirectoryData({ users: 20, groups: 3, seed: 11 }),
      apiToken: TOKEN,
      now: () => oktaNow,
      serviceApp: { clientId: '0oa-service-app', publicKey: keys.publicKey },
    })
    const app = open()
    const r = await app.invoke('directories/connect', {
      kind: 'okta',
      name: 'Okta service app',
      settings: { orgUrl: OKTA_ORIGIN, clientId: '0oa-service-app' },
      secrets: { privateKey: keys.privateKey },
    })
    if (!r.ok) throw new Error(r.error.message)
    expect(await sync(app, (r.value as DirectoryDetail).directory.id)).toMatchObject({ status: 'succeeded', added: 20 })
    // One token for users and groups, one for the System Log (a scope the app may lack).
    expect(
      okta.requests.filter(x => x.url === '/oauth2/v1/token').map(x => new URLSearchParams(x.body).get('scope')),
    ).toEqual(['okta.users.read okta.groups.read', 'okta.logs.read'])
    expect(
      okta.requests
        .filter(x => x.url.startsWith('/api/'))
        .every(x => x.headers.authorization?.startsWith('Bearer okta-at-')),
    ).toBe(true)
  })

  it("stops on a refused API token with Okta's error code and no retries", async () => {
    const app = open()
    const r = await app.invoke('directories/sync', { directoryId: await connect(app, 'wrong') })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('DIRECTORY_AUTH')
    expect(r.error.message).toContain('E0000011 Invalid token provided')
    expect(okta.requests).toHaveLength(1)
  })
})

describe('users deleted in Okta between two syncs (the System Log)', () => {
  const logRequests = (from = 0) =>
    okta.requests
      .slice(from)
      .filter(r => r.url.startsWith('/api/v1/logs'))
      .map(r => new URL(r.url, OKTA_ORIGIN).searchParams)
  const cursorOf = (app: App, id: string) =>
    JSON.parse(app.services.store.sync.cursor(id) ?? 'null') as { users: string; groups: string; logs?: string | null }

  it('removes a user deactivated and deleted between two incremental syncs', async () => {
    const app = open()
    const id = await connect(app)
    await sync(app, id)
    await sync(app, id)
    const [gone, kept] = okta.data.someUsers(2)
    okta.data.deleteUser(gone!.id)
    okta.data.updateUser(kept!.id, { jobTitle: 'Chief Tester' })
    // The gap this closes: a deleted user is in no user listing, not even as DEPROVISIONED.
    const before = okta.requests.length
    expect(await sync(app, id)).toMatchObject({ mode: 'incremental', changed: 1, removed: 1 })
    expect(app.services.store.users.idByPrincipalName(gone!.userPrincipalName)).toBeUndefined()
    const polled = logRequests(before)
    expect(polled.length).toBeGreaterThan(0)
    expect(polled[0]?.get('after')).toBeTruthy()
    expect(polled[0]?.get('filter')).toBe(
      'eventType eq "user.lifecycle.delete.initiated" or eventType eq "user.lifecycle.delete.completed"',
    )
    // A polling request: no `until`, ascending.
    expect(polled.every(q => !q.has('until') && q.get('sortOrder') === 'ASCENDING')).toBe(true)

    const fresh = open()
    await sync(fresh, await connect(fresh))
    expect(storeSnapshot(app)).toBe(storeSnapshot(fresh))
    // Nothing new in the log: the next sync removes nothing more and keeps polling from the end.
    expect(await sync(app, id)).toMatchObject({ mode: 'incremental', added: 0, changed: 0, removed: 0 })
  })

  it('replaces a user deleted and re-created with the same login (a new id in Okta)', async () => {
    const app = open()
    const id = await connect(app)
    await sync(app, id)
    const old = okta.data.someUsers(1)[0]!
    okta.data.deleteUser(old.id)
    const again = okta.data.addUser({ userPrincipalName: old.userPrincipalName })
    expect(await sync(app, id)).toMatchObject({ mode: 'incremental', added: 1, removed: 1 })
    const { store } = app.services
    expect(store.sync.user(id, again.id)?.userPrincipalName).toBe(old.userPrincipalName)
    expect(store.sync.user(id, old.id)).toBeUndefined()
  })

  it('follows the System Log across several pages', async () => {
    await okta.close()
    okta = await startOktaFake({
      data: new DirectoryData({ users: 60, groups: 3, seed: 11 }),
      apiToken: TOKEN,
      now: () => oktaNow,
      logPageSize: 3,
    })
    const app = open()
    const id = await connect(app)
    await sync(app, id)
    const doomed = okta.data.someUsers(5)
    for (const u of doomed) okta.data.deleteUser(u.id)
    const before = okta.requests.length
    expect(await sync(app, id)).toMatchObject({ mode: 'incremental', removed: 5 })
    // Ten delete events (initiated and completed per user) three to a page, then an empty page.
    const polled = logRequests(before)
    expect(polled).toHaveLength(5)
    expect(new Set(polled.map(q => q.get('after'))).size).toBe(5)
    for (const u of doomed) expect(app.services.store.users.idByPrincipalName(u.userPrincipalName)).toBeUndefined()
    expect(app.services.store.sync.userCount(id)).toBe(55)
  })

  it('falls back to a full sync, and says which permission is missing, when the System Log is refused', async () => {
    const app = open()
    const id = await connect(app)
    await sync(app, id)
    okta.denyLogs = true
    const [gone, changed] = okta.data.someUsers(2)
    okta.data.deleteUser(gone!.id)
    okta.data.updateUser(changed!.id, { jobTitle: 'Chief Tester' })
    expect(await sync(app, id)).toMatchObject({ status: 'succeeded', mode: 'full', changed: 1, removed: 1 })
    expect(app.services.store.users.idByPrincipalName(gone!.userPrincipalName)).toBeUndefined()
    const said = progress.map(p => p.message ?? '').find(m => m.includes('System Log'))
    expect(said).toContain('E0000006')
    expect(said).toContain('an admin who can view the System Log (a read-only admin can)')
    expect(said).toContain('Running a full sync instead.')
    expect(warnings.some(w => w.includes('Every Okta sync is a full sync until then'))).toBe(true)
    expect(cursorOf(app, id).logs).toBeNull()

    // Still refused: still full, still said.
    progress.length = 0
    expect(await sync(app, id)).toMatchObject({ mode: 'full' })
    expect(progress.some(p => p.message?.includes('could not be read at the last sync'))).toBe(true)

    // Granted again: one more full sync takes a log position, then syncs are incremental.
    okta.denyLogs = false
    expect(await sync(app, id)).toMatchObject({ mode: 'full' })
    expect(await sync(app, id)).toMatchObject({ mode: 'incremental' })
  })

  it('asks a service app for okta.logs.read and syncs fully, with a warning, when it is not granted', async () => {
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    })
    await okta.close()
    okta = await startOktaFake({
      data: new DirectoryData({ users: 20, groups: 3, seed: 11 }),
      apiToken: TOKEN,
      now: () => oktaNow,
      serviceApp: {
        clientId: '0oa-service-app',
        publicKey: keys.publicKey,
        scopes: ['okta.users.read', 'okta.groups.read'],
      },
    })
    const app = open()
    const r = await app.invoke('directories/connect', {
      kind: 'okta',
      name: 'Okta service app',
      settings: { orgUrl: OKTA_ORIGIN, clientId: '0oa-service-app' },
      secrets: { privateKey: keys.privateKey },
    })
    if (!r.ok) throw new Error(r.error.message)
    const id = (r.value as DirectoryDetail).directory.id
    expect(await sync(app, id)).toMatchObject({ status: 'succeeded', mode: 'full', added: 20 })
    expect(warnings.find(w => w.includes('System Log'))).toContain('Grant the service app the okta.logs.read scope')
    okta.data.deleteUser(okta.data.someUsers(1)[0]!.id)
    const second = await sync(app, id)
    expect(second).toMatchObject({ status: 'succeeded', mode: 'full', removed: 1 })
    expect(progress.some(p => p.message?.includes('okta.logs.read'))).toBe(true)
    expect(second.notes).toEqual([expect.stringContaining('okta.logs.read')])
  })

  it('still works from a cursor stored before deletions were read from the System Log', async () => {
    const app = open()
    const id = await connect(app)
    await sync(app, id)
    const { store } = app.services
    // What earlier versions stored: lastUpdated marks only. A user deleted back then is still here.
    const { users, groups } = cursorOf(app, id)
    store.sync.setCursor(id, JSON.stringify({ users, groups }), new Date().toISOString())
    const ghost = okta.data.someUsers(1)[0]!
    okta.data.deleteUser(ghost.id)
    expect(await sync(app, id)).toMatchObject({ status: 'succeeded', mode: 'full', removed: 1 })
    expect(store.users.idByPrincipalName(ghost.userPrincipalName)).toBeUndefined()
    expect(cursorOf(app, id).logs).toContain('/api/v1/logs?')
    okta.data.deleteUser(okta.data.someUsers(1)[0]!.id)
    expect(await sync(app, id)).toMatchObject({ mode: 'incremental', removed: 1 })
  })

  it('runs a full sync when the last one is older than the System Log keeps', async () => {
    const app = open()
    const id = await connect(app)
    await sync(app, id)
    clock.advance(85 * 86_400_000)
    expect(await sync(app, id)).toMatchObject({ mode: 'full' })
    expect(progress.some(p => p.message?.includes("Okta's System Log keeps only 90 days"))).toBe(true)
    expect(await sync(app, id)).toMatchObject({ mode: 'incremental' })
  })

  it('says at Test connection whether the System Log can be read', async () => {
    const app = open()
    const id = await connect(app)
    const test = async () => {
      const r = await app.invoke('directories/test', { directoryId: id })
      if (!r.ok) throw new Error(r.error.message)
      return (r.value as { message: string }).message
    }
    expect(await test()).toBe('Connected to contoso.okta.com: the API token can read users and the System Log.')
    okta.denyLogs = true
    expect(await test()).toContain(
      'but not the System Log (E0000006 You do not have permission to perform the requested action), so every sync will be a full sync.',
    )
  })
})
