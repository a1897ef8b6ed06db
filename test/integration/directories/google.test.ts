import { generateKeyPairSync } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import type { DirectoryDetail, SyncRun } from '../../../src/shared/domain'
import { DirectoryData } from '../../fakes/directory-data'
import {
  CLOUD_IDENTITY_ORIGIN,
  GOOGLE_ADMIN_ORIGIN,
  GOOGLE_OAUTH_ORIGIN,
  startGoogleFake,
  type GoogleFake,
} from '../../fakes/google/server'
import { loopbackRouter, recordingSleep } from '../../fakes/router'
import { fakeClock, tempDir } from '../../helpers/workspace'
import { DEFAULT_MAPPINGS } from '../../../src/main/directories'

const SA = 'jit-mapper@contoso-project.iam.gserviceaccount.com'
const ADMIN = 'admin@contoso.example'
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
})

let google: GoogleFake
let sleep: ReturnType<typeof recordingSleep>
const cleanups: (() => void | Promise<void>)[] = []

function open(): App {
  const dir = tempDir()
  const app = createApp({
    dataDir: dir.path,
    clock: fakeClock(),
    http: loopbackRouter({
      [GOOGLE_OAUTH_ORIGIN]: google.url,
      [GOOGLE_ADMIN_ORIGIN]: google.url,
      [CLOUD_IDENTITY_ORIGIN]: google.url,
    }),
    sleep,
  })
  cleanups.push(() => {
    app.close()
    dir.remove()
  })
  return app
}

async function connect(app: App, subject = ADMIN): Promise<string> {
  const r = await app.invoke('directories/connect', {
    kind: 'google',
    name: 'Contoso Workspace',
    settings: { serviceAccountEmail: SA, subject },
    secrets: { privateKey: keys.privateKey },
  })
  if (!r.ok) throw new Error(r.error.message)
  return (r.value as DirectoryDetail).directory.id
}

beforeEach(async () => {
  sleep = recordingSleep()
  google = await startGoogleFake({
    data: new DirectoryData({ users: 700, groups: 5, seed: 5 }),
    serviceAccountEmail: SA,
    publicKey: keys.publicKey,
    admins: [ADMIN],
  })
})

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await google.close()
})

describe('the Google Workspace connector against the Directory API fake', () => {
  it('acts as the admin through domain-wide delegation and pulls users (projection=full), groups and members', async () => {
    const app = open()
    const id = await connect(app)
    // Custom schema fields are mapped like any other property.
    const mapped = await app.invoke('directories/setMapping', {
      directoryId: id,
      mapping: [
        ...DEFAULT_MAPPINGS.google,
        { property: 'customSchemas.Employment.employeeType', attribute: 'employeeType' },
      ],
    })
    expect(mapped.ok).toBe(true)
    const r = await app.invoke('directories/sync', { directoryId: id })
    expect(r.ok && (r.value as SyncRun)).toMatchObject({ mode: 'full', status: 'succeeded', added: 700 })
    expect(google.assertions[0]).toMatchObject({ iss: SA, sub: ADMIN, aud: 'https://oauth2.googleapis.com/token' })
    expect(String(google.assertions[0]?.['scope'])).toContain('admin.directory.user.readonly')
    const pages = google.requests.filter(x => x.url.startsWith('/admin/directory/v1/users?'))
    expect(pages).toHaveLength(2)
    expect(pages[0]?.url).toContain('projection=full')
    expect(pages[1]?.url).toContain('pageToken=')
    const { store } = app.services
    const u = google.data.someUsers(1)[0]!
    expect(store.users.attributes(store.users.idByPrincipalName(u.userPrincipalName)!)).toMatchObject({
      title: u.jobTitle,
      employeeType: u.employeeType,
      givenName: u.givenName,
      orgUnitPath: u.department ? `/${u.department}` : '/',
    })
    const team = google.data.staticGroups()[0]!
    expect(store.groups.list().find(g => g.name === team.name)).toMatchObject({
      kind: 'synced',
      memberCount: team.members.size,
    })
    const detail = (await app.invoke('directories/get', { directoryId: id })) as { ok: true; value: DirectoryDetail }
    const coverage = detail.value.mapping.find(m => m.attribute === 'employeeType')
    expect(coverage).toMatchObject({ users: 700, total: 700, share: 1 })
    const costCenter = detail.value.mapping.find(m => m.attribute === 'costCenter')!
    expect(costCenter.share).toBeGreaterThan(0.5)
    expect(costCenter.share).toBeLessThan(1)
  })

  it("reads dynamic groups' CEL queries from Cloud Identity, and syncs without them when that scope is refused", async () => {
    const app = open()
    const id = await connect(app)
    expect((await app.invoke('directories/sync', { directoryId: id })).ok).toBe(true)
    const dynamic = app.services.store.groups.list().find(g => g.name.startsWith('Dynamic Sales'))
    expect(dynamic).toMatchObject({
      kind: 'rule',
      dialect: 'google',
      rule: "user.organizations.exists(org, org.department == 'Sales')",
    })
    expect(
      google.requests.some(r =>
        decodeURIComponent(r.url).startsWith('/v1/groups?parent=customers/C0fake123&view=FULL'),
      ),
    ).toBe(true)

    await google.close()
    google = await startGoogleFake({
      data: new DirectoryData({ users: 30, groups: 5, seed: 5 }),
      serviceAccountEmail: SA,
      publicKey: keys.publicKey,
      admins: [ADMIN],
      cloudIdentity: false,
    })
    const other = open()
    const r = await other.invoke('directories/sync', { directoryId: await connect(other) })
    expect(r.ok).toBe(true)
    expect(other.services.store.groups.list().find(g => g.name.startsWith('Dynamic Sales'))).toMatchObject({
      kind: 'synced',
    })
  })

  it("backs off on 403 userRateLimitExceeded (Google's quota error) and completes", async () => {
    const app = open()
    const id = await connect(app)
    google.inject(
      {
        kind: 'status',
        status: 403,
        body: {
          error: {
            code: 403,
            message: 'Quota exceeded',
            errors: [{ reason: 'userRateLimitExceeded', domain: 'usageLimits', message: 'Quota exceeded' }],
          },
        },
      },
      { path: '/admin/directory/v1/users?', skip: 1, times: 2 },
    )
    const r = await app.invoke('directories/sync', { directoryId: id })
    expect(r.ok).toBe(true)
    expect(sleep.waits).toHaveLength(2)
  })

  it('stops with a clear message when delegation to the subject is not allowed', async () => {
    const app = open()
    const r = await app.invoke('directories/sync', { directoryId: await connect(app, 'someone@contoso.example') })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('DIRECTORY_AUTH')
    expect(r.error.message).toMatch(/unauthorized_client|domain-wide delegation/)
    expect(google.requests.filter(x => x.url.startsWith('/admin/'))).toHaveLength(0)
  })
})
