import { generateKeyPairSync } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import type { DirectoryDetail, SyncRun } from '../../../src/shared/domain'
import { DirectoryData } from '../../fakes/directory-data'
import { OKTA_ORIGIN, startOktaFake, type OktaFake } from '../../fakes/okta/server'
import { loopbackRouter } from '../../fakes/router'
import { storeSnapshot } from '../../helpers/directory'
import { fakeClock, tempDir } from '../../helpers/workspace'

const TOKEN = '00okta-api-token-value'
let okta: OktaFake
let oktaNow: number
const waits: number[] = []
const cleanups: (() => void | Promise<void>)[] = []

function open(): App {
  const dir = tempDir()
  const app = createApp({
    dataDir: dir.path,
    clock: fakeClock(),
    http: loopbackRouter({ [OKTA_ORIGIN]: okta.url }),
    // Waiting moves the fake's clock, so its rate-limit bucket refills as it would in real time.
    sleep: (ms) => {
      waits.push(ms)
      oktaNow += ms
      return Promise.resolve()
    },
  })
  cleanups.push(() => {
    app.close()
    dir.remove()
  })
  return app
}

async function connect(app: App, apiToken = TOKEN): Promise<string> {
  const r = await app.invoke('directories/connect', { kind: 'okta', name: 'Contoso Okta', settings: { orgUrl: OKTA_ORIGIN }, secrets: { apiToken } })
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
  okta = await startOktaFake({ data: new DirectoryData({ users: 450, groups: 6, seed: 11 }), apiToken: TOKEN, now: () => oktaNow })
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
    const userPages = okta.requests.filter((r) => r.url.startsWith('/api/v1/users?'))
    expect(userPages).toHaveLength(3)
    expect(userPages[1]?.url).toContain('after=')
    expect(okta.requests.every((r) => r.headers.authorization === `SSWS ${TOKEN}`)).toBe(true)
    const { store } = app.services
    const u = okta.data.someUsers(1)[0]!
    expect(store.users.attributes(store.users.idByPrincipalName(u.userPrincipalName)!)).toMatchObject({ department: u.department, title: u.jobTitle, countryCode: u.country, status: 'ACTIVE' })
    const team = okta.data.staticGroups()[0]!
    expect(store.groups.list().find((g) => g.name === team.name)).toMatchObject({ kind: 'synced', memberCount: team.members.size })
    expect(store.groups.list().find((g) => g.name.startsWith('Dynamic Sales'))).toMatchObject({ kind: 'rule', dialect: 'okta', rule: 'user.department == "Sales"' })
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
    const urls = okta.requests.slice(before).map((r) => decodeURIComponent(r.url))
    expect(urls.find((x) => x.startsWith('/api/v1/users?'))).toMatch(/filter=lastUpdated gt "2026-11-01T00:00:\d\d.000Z"/)
    expect(urls.filter((x) => /\/api\/v1\/groups\/[^/]+\/users/.test(x))).toHaveLength(1)

    const fresh = open()
    await sync(fresh, await connect(fresh))
    expect(storeSnapshot(app)).toBe(storeSnapshot(fresh))
  })

  it('paces itself on X-Rate-Limit-Remaining instead of running into 429s', async () => {
    await okta.close()
    okta = await startOktaFake({ data: new DirectoryData({ users: 450, groups: 6, seed: 11 }), apiToken: TOKEN, now: () => oktaNow, rateLimit: 5 })
    const app = open()
    expect(await sync(app, await connect(app))).toMatchObject({ status: 'succeeded', added: 450 })
    expect(waits.length).toBeGreaterThan(0)
    // Until the reset (60 s windows), measured on the response's Date header, plus a second.
    for (const w of waits) expect(w).toBeGreaterThan(1000)
    expect(waits.every((w) => w <= 61_000)).toBe(true)
  })

  it('authenticates as an OAuth service app with a private-key JWT instead of an API token', async () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
    await okta.close()
    okta = await startOktaFake({ data: new DirectoryData({ users: 20, groups: 3, seed: 11 }), apiToken: TOKEN, now: () => oktaNow, serviceApp: { clientId: '0oa-service-app', publicKey: keys.publicKey } })
    const app = open()
    const r = await app.invoke('directories/connect', { kind: 'okta', name: 'Okta service app', settings: { orgUrl: OKTA_ORIGIN, clientId: '0oa-service-app' }, secrets: { privateKey: keys.privateKey } })
    if (!r.ok) throw new Error(r.error.message)
    expect(await sync(app, (r.value as DirectoryDetail).directory.id)).toMatchObject({ status: 'succeeded', added: 20 })
    expect(okta.requests.filter((x) => x.url === '/oauth2/v1/token')).toHaveLength(1)
    expect(okta.requests.filter((x) => x.url.startsWith('/api/')).every((x) => x.headers.authorization?.startsWith('Bearer okta-at-'))).toBe(true)
  })

  it('stops on a refused API token with Okta\'s error code and no retries', async () => {
    const app = open()
    const r = await app.invoke('directories/sync', { directoryId: await connect(app, 'wrong') })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('DIRECTORY_AUTH')
    expect(r.error.message).toContain('E0000011 Invalid token provided')
    expect(okta.requests).toHaveLength(1)
  })
})
