// Android Enterprise end to end on loopback: the real AMAPI client and ingress against the AMAPI
// fake and the IdP fake. Bind an enterprise, enroll a device by the user's IdP sign-in, see the
// policy applied and acknowledged, move the user Sales → Marketing and see the policy patched, the
// app kept without the remove flag and uninstalled with it; lagging devices are PAYLOAD_LATENCY.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createAndroidEnterprise,
  createIdpHttp,
  ENROLL_INVALID,
  ENROLL_SUCCESS,
  startIngress,
  type AndroidEnterprise,
  type Ingress,
} from '../../../src/main/devices'
import type { Diagnostic } from '../../../src/shared/domain'
import { AMAPI_ORIGIN, GOOGLE_OAUTH_ORIGIN, startAmapiFake, type AmapiFake } from '../../fakes/amapi/server'
import { request } from '../../fakes/https-client'
import { startFakeIdp, type FakeIdp } from '../../fakes/idp'
import { memorySecrets } from '../../fakes/memory-secrets'
import { testPki, type TestPki } from '../../fakes/pki'
import { loopbackRouter } from '../../fakes/router'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

const SA_EMAIL = 'jit-mapper@contoso-emm.iam.gserviceaccount.com'
const PROJECT = 'contoso-emm'
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
})
const SERVICE_ACCOUNT = JSON.stringify({
  type: 'service_account',
  project_id: PROJECT,
  client_email: SA_EMAIL,
  private_key: keys.privateKey,
})
const HEADER = 'id,userPrincipalName,displayName,department,jobTitle,usageLocation,groups'
const alexIn = (department: string) =>
  `${HEADER}\nu1,alex@example.test,Alex Morgan,${department},Account Executive,US,All Staff\n`

let pki: TestPki
let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>
let amapi: AmapiFake
let idp: FakeIdp
let ingress: Ingress
let android: AndroidEnterprise

beforeEach(async () => {
  pki = testPki()
  ws = openWorkspace()
  org = seedSmallOrganisation(ws)
  amapi = await startAmapiFake({
    projectId: PROJECT,
    serviceAccountEmail: SA_EMAIL,
    publicKey: keys.publicKey,
    now: () => ws.clock.now(),
  })
  idp = await startFakeIdp(pki, () => ws.clock.now())
  const { store, devices } = ws.app.services
  android = createAndroidEnterprise({
    store,
    devices,
    clock: ws.clock,
    log: ws.app.log,
    secrets: memorySecrets(),
    http: loopbackRouter({ [AMAPI_ORIGIN]: amapi.url, [GOOGLE_OAUTH_ORIGIN]: amapi.url }),
    ingressUrl: async () => ingress.url,
  })
  ingress = await startIngress({
    devices,
    store,
    clock: ws.clock,
    log: ws.app.log,
    tls: pki.server,
    host: '127.0.0.1',
    oidc: idp.provider,
    http: createIdpHttp({ ca: [pki.caPem] }),
    secrets: memorySecrets(),
    pushTopic: async () => pki.push.topic,
    enrollStartsPerMinute: 100_000,
    android,
  })
}, 60_000)

afterEach(async () => {
  await ingress.close()
  await Promise.all([amapi.close(), idp.close()])
  ws.close()
})

const get = (url: string, headers: Record<string, string> = {}) => request(url, { ca: pki.caPem, headers })

async function bind(): Promise<string> {
  await android.setServiceAccount(SERVICE_ACCOUNT)
  const { url } = await android.startSignup()
  // The admin creates the enterprise on Google's page; Google sends the browser back to us.
  const back = await get(amapi.completeSignup(url))
  expect(back.status).toBe(200)
  expect(back.body).toContain('Android Enterprise bound')
  const status = await android.status()
  return status.enterprise?.name as string
}

/** Android Device Policy opens the sign-in URL; the user signs in with the IdP; we answer with the enroll URL. */
async function signIn(enterprise: string, user: string, serial: string): Promise<string> {
  const start = await get(amapi.openSignin(enterprise, { serial }))
  expect(start.status).toBe(302)
  const authorize = await get(String(start.headers.location), { 'x-test-user': user })
  expect(authorize.status).toBe(302)
  const done = await get(String(authorize.headers.location))
  expect(done.status).toBe(302)
  return String(done.headers.location)
}

const policyOf = (deviceId: string) =>
  amapi.policies.get(ws.app.services.store.android.device(deviceId)?.policyName ?? '')

const move = async (department: string) => {
  const sync = () =>
    ws.call('directories/import', {
      directoryId: org.directoryId,
      format: 'csv',
      content: alexIn(department),
      mode: 'update',
    })
  await sync()
  // Withdrawals wait for the next sync to confirm the user left (the grace rule).
  ws.clock.advance(60_000)
  await sync()
}

describe('Android Enterprise', () => {
  it('binds an enterprise through the signup flow and points its sign-in URL at the ingress', async () => {
    const enterprise = await bind()
    expect(enterprise).toMatch(/^enterprises\/LC/)
    expect(amapi.enterprises.get(enterprise)?.signinDetails).toEqual([
      expect.objectContaining({
        signinUrl: `${ingress.url}/android/enterprise/signin`,
        allowPersonalUsage: 'PERSONAL_USAGE_ALLOWED',
        defaultStatus: 'SIGNIN_DETAIL_IS_DEFAULT',
      }),
    ])
    const status = await android.status()
    expect(status.serviceAccount).toEqual({ clientEmail: SA_EMAIL, projectId: PROJECT })
    expect(status.signupPending).toBe(false)
    // Every call carried the service account's token.
    expect(
      amapi.server.requests
        .filter(r => r.url.startsWith('/v1/'))
        .every(r => r.headers.authorization?.startsWith('Bearer ya29.amapi-')),
    ).toBe(true)
  })

  it('refuses a signup callback it did not start', async () => {
    await android.setServiceAccount(SERVICE_ACCOUNT)
    await android.startSignup()
    const r = await get(`${ingress.url}/android/enterprise/bound?state=forged&enterpriseToken=x`)
    expect(r.status).toBe(400)
    expect(JSON.parse(r.body).error.code).toBe('UNAUTHORIZED')
    expect((await android.status()).enterprise).toBeNull()
  })

  it('enrolls by sign-in, applies the policy, patches it on a department move, and removes the app only with the flag', async () => {
    const enterprise = await bind()
    const location = await signIn(enterprise, 'alex@example.test', 'PIXEL-1')
    expect(location.startsWith(`${ENROLL_SUCCESS}?et=`)).toBe(true)
    const value = new URL(location).searchParams.get('et') as string

    // Bound before the device exists at Google: the user's device, their policy already written.
    const [record] = ws.app.services.store.android.devices()
    const deviceId = record?.deviceId as string
    const device = ws.app.services.store.devices.get(deviceId)
    expect(device).toMatchObject({ serial: 'PIXEL-1', userPrincipalName: 'alex@example.test', platform: 'android' })
    expect(policyOf(deviceId)?.body).toMatchObject({
      playStoreMode: 'WHITELIST',
      applications: [{ packageName: 'com.salesforce.chatter', installType: 'FORCE_INSTALLED' }],
    })
    // The data cap has no AMAPI field: refused with the reason, not dropped silently.
    expect((await android.status()).devices[0]?.refused).toEqual([
      expect.objectContaining({
        key: 'restriction:cellularDataLimitMB',
        reason: expect.stringMatching(/no mobile data cap/),
      }),
    ])
    const token = amapi.tokens.get(value)
    expect(token).toMatchObject({ policyName: record?.policyName, oneTimeOnly: true })
    expect(JSON.parse(token?.additionalData ?? '{}')).toEqual({ deviceId })

    // The device provisions with the token and applies its policy; the poll acknowledges the commands.
    const sim = amapi.provision(value, { serial: 'PIXEL-1' })
    expect([...sim.installed]).toEqual(['com.salesforce.chatter'])
    expect(await android.poll()).toEqual({ seen: 1, acknowledged: 2 })
    let detail = await ws.call('devices/get', { deviceId })
    expect(detail.commands.map(c => c.state)).toEqual(['acknowledged', 'acknowledged'])
    let status = (await android.status()).devices[0]
    expect(status).toMatchObject({
      amapiName: sim.name,
      compliant: true,
      appliedPolicyVersion: '1',
      policyVersion: '1',
    })

    // Sales → Marketing: the policy is patched; Salesforce (no remove flag) stays, available.
    await move('Marketing')
    expect(await android.syncPolicies()).toBe(1)
    expect(policyOf(deviceId)).toMatchObject({
      version: '2',
      body: {
        applications: [
          { packageName: 'com.adobe.spark.post', installType: 'FORCE_INSTALLED' },
          { packageName: 'com.salesforce.chatter', installType: 'AVAILABLE' },
        ],
      },
    })
    amapi.report(sim.name)
    await android.poll()
    expect([...sim.installed].sort()).toEqual(['com.adobe.spark.post', 'com.salesforce.chatter'])
    detail = await ws.call('devices/get', { deviceId })
    expect(detail.commands.every(c => c.state === 'acknowledged')).toBe(true)
    expect(detail.assignments.map(a => a.policyName)).not.toContain('Sales CRM Deployment')

    // Back to Sales, the flag set, and out again: now the app is uninstalled.
    await move('Sales')
    await android.syncPolicies()
    expect(policyOf(deviceId)?.body['applications']).toContainEqual({
      packageName: 'com.salesforce.chatter',
      installType: 'FORCE_INSTALLED',
    })
    amapi.report(sim.name)
    await android.poll()
    const policy = ws.app.services.store.policies.get(org.policies['Sales CRM Deployment'] as string)
    const app = policy?.items.find(i => i.kind === 'app')
    await ws.call('policies/setRemoveOnUnassign', { itemId: app?.id as string, value: true })
    await move('Marketing')
    await android.syncPolicies()
    expect(policyOf(deviceId)?.body['applications']).toEqual([
      { packageName: 'com.adobe.spark.post', installType: 'FORCE_INSTALLED' },
    ])
    amapi.report(sim.name)
    await android.poll()
    expect([...sim.installed]).toEqual(['com.adobe.spark.post'])
    detail = await ws.call('devices/get', { deviceId })
    expect(detail.commands.filter(c => c.type === 'remove_app').map(c => c.state)).toEqual(['acknowledged'])
    status = (await android.status()).devices[0]
    expect(status?.appliedPolicyVersion).toBe(status?.policyVersion)
  })

  it('leaves a patched policy unacknowledged while the device lags, and says so in Diagnostics', async () => {
    const enterprise = await bind()
    const value = new URL(await signIn(enterprise, 'alex@example.test', 'PIXEL-2')).searchParams.get('et') as string
    const sim = amapi.provision(value, { serial: 'PIXEL-2' })
    await android.poll()
    sim.lagging = true
    await move('Marketing')
    await android.syncPolicies()
    amapi.report(sim.name)
    expect((await android.poll()).acknowledged).toBe(0)
    const deviceId = ws.app.services.store.android.devices()[0]?.deviceId as string
    const open = (await ws.call('devices/get', { deviceId })).commands.filter(c => c.state !== 'acknowledged')
    expect(open.length).toBeGreaterThan(0)
    ws.clock.advance(60 * 60_000)
    const diags = (await ws.call('diagnostics/list', {})) as Diagnostic[]
    expect(diags).toContainEqual(
      expect.objectContaining({ code: 'PAYLOAD_LATENCY', deviceId, title: expect.stringMatching(/policy version 2/) }),
    )
    // Once it catches up, everything is acknowledged and the diagnostic is gone.
    sim.lagging = false
    amapi.report(sim.name)
    await android.poll()
    const after = (await ws.call('diagnostics/list', {})) as Diagnostic[]
    expect(after.filter(d => d.deviceId === deviceId && d.code === 'PAYLOAD_LATENCY')).toEqual([])
  })

  it('reports an app the device failed to install as an error on its command', async () => {
    const enterprise = await bind()
    const value = new URL(await signIn(enterprise, 'alex@example.test', 'PIXEL-3')).searchParams.get('et') as string
    amapi.provision(value, { serial: 'PIXEL-3', failing: ['com.salesforce.chatter'] })
    await android.poll()
    const deviceId = ws.app.services.store.android.devices()[0]?.deviceId as string
    const install = (await ws.call('devices/get', { deviceId })).commands.find(c => c.type === 'install_app')
    expect(install).toMatchObject({ state: 'failed', error: expect.stringContaining('APP_NOT_INSTALLED') })
    expect((await android.status()).devices[0]?.compliant).toBe(false)
  })

  it('sends a failed sign-in to the documented invalid URL', async () => {
    const enterprise = await bind()
    const start = await get(`${ingress.url}/android/enterprise/signin?provisioningInfo=provisioningInfo/unknown`)
    expect(start.headers.location).toBe(ENROLL_INVALID)
    // A user no directory knows.
    const open = await get(amapi.openSignin(enterprise, { serial: 'PIXEL-4' }))
    const authorize = await get(String(open.headers.location), { 'x-test-user': 'stranger@elsewhere.test' })
    const done = await get(String(authorize.headers.location))
    expect(done.headers.location).toBe(ENROLL_INVALID)
    expect(ws.app.services.store.android.devices()).toEqual([])
  })

  it('makes QR enrollment tokens for IT, and sends lock, reboot, password reset, relinquish and wipe', async () => {
    await bind()
    const token = await android.enrollUser({ userPrincipalName: 'kim@example.test', via: 'token' })
    expect(JSON.parse(token.qrCode)).toMatchObject({
      'android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE': {
        'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': token.value,
      },
    })
    const sim = amapi.provision(token.value, { serial: 'PIXEL-5' })
    await android.poll()
    await android.lock(token.deviceId)
    await android.reboot(token.deviceId)
    await android.resetPassword(token.deviceId, '482913')
    await android.relinquishOwnership(token.deviceId)
    expect(sim.commands).toEqual([
      { type: 'LOCK' },
      { type: 'REBOOT' },
      { type: 'RESET_PASSWORD', newPassword: '482913', resetPasswordFlags: ['LOCK_NOW'] },
      { type: 'RELINQUISH_OWNERSHIP' },
    ])
    // Relinquished: Google deletes it after the device acknowledges; the next full pass notices.
    await android.poll()
    expect((await android.status()).devices[0]?.state).toBe('DELETED')
    amapi.devices.set(sim.name, sim)
    await android.wipe(token.deviceId, 'Lost on a train')
    expect(sim.wiped).toEqual({ flags: [], reason: 'Lost on a train' })
    expect(amapi.devices.has(sim.name)).toBe(false)
    expect((await android.status()).devices[0]?.state).toBe('DELETED')
  })

  it('pages through devices.list with its cursor', async () => {
    await bind()
    const tokens = []
    for (const u of ['alex@example.test', 'kim@example.test', 'dee@example.test'])
      tokens.push(await android.enrollUser({ userPrincipalName: u, via: 'token' }))
    tokens.forEach((t, i) => amapi.provision(t.value, { serial: `PIXEL-P${i}` }))
    expect((await android.poll()).seen).toBe(3)
    const pages = amapi.server.requests.filter(r => r.url.includes('/devices?'))
    expect(pages.map(r => new URL(r.url, 'http://x').searchParams.get('pageToken'))).toEqual([null, '2'])

    // A pass that fails on its second page resumes there, and marks nothing gone from half a list.
    amapi.server.inject({ kind: 'status', status: 503 }, { path: '/devices?', skip: 1 })
    await expect(android.poll()).rejects.toMatchObject({ code: 'ANDROID_ENTERPRISE' })
    expect(ws.app.services.store.android.enterprise()?.devicePageToken).toBe('2')
    expect(await android.poll()).toEqual({ seen: 1, acknowledged: 0 })
    expect((await android.status()).devices.map(d => d.state)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE'])
    const tokensAfter = amapi.server.requests.filter(r => r.url.includes('/devices?')).slice(2)
    expect(tokensAfter.map(r => new URL(r.url, 'http://x').searchParams.get('pageToken'))).toEqual([null, '2', '2'])
  })

  it('refuses at authoring what Android Enterprise cannot express, once an enterprise is bound', async () => {
    const draft = {
      name: 'Android caps',
      description: '',
      priority: 0,
      platforms: ['android' as const],
      items: [
        {
          kind: 'restriction' as const,
          identifier: 'cellularDataLimitMB',
          name: 'Cap',
          platform: null,
          settings: { value: 100 },
          removeOnUnassign: false,
        },
      ],
      targets: [],
    }
    const before = await ws.app.invoke('policies/apply', { change: { kind: 'policy', draft } })
    expect(before.ok).toBe(true)
    await bind()
    const after = await ws.app.invoke('policies/apply', {
      change: { kind: 'policy', draft: { ...draft, name: 'Android caps 2' } },
    })
    expect(after.ok).toBe(false)
    if (!after.ok) expect(after.error.message).toMatch(/Android: Android Enterprise has no mobile data cap/)
  })
})
