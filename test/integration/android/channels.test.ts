// The android/* channels through the app's front door: the service account's key never comes
// back, the binding needs the ingress, and a QR enrollment token needs a bound enterprise.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import { AMAPI_ORIGIN, GOOGLE_OAUTH_ORIGIN, startAmapiFake, type AmapiFake } from '../../fakes/amapi/server'
import { memorySecrets } from '../../fakes/memory-secrets'
import { loopbackRouter } from '../../fakes/router'
import { fakeClock, SMALL_DIRECTORY_CSV, tempDir } from '../../helpers/workspace'

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
})
const SA = JSON.stringify({
  project_id: 'emm-1',
  client_email: 'sa@emm-1.iam.gserviceaccount.com',
  private_key: keys.privateKey,
})

let amapi: AmapiFake
let app: App
let dir: ReturnType<typeof tempDir>
beforeEach(async () => {
  const clock = fakeClock()
  amapi = await startAmapiFake({
    projectId: 'emm-1',
    serviceAccountEmail: 'sa@emm-1.iam.gserviceaccount.com',
    publicKey: keys.publicKey,
    now: () => clock.now(),
  })
  dir = tempDir()
  app = createApp({
    dataDir: dir.path,
    clock,
    secrets: memorySecrets(),
    http: loopbackRouter({ [AMAPI_ORIGIN]: amapi.url, [GOOGLE_OAUTH_ORIGIN]: amapi.url }),
    // Never within a test: only the write-triggered sync runs.
    androidPollMs: 3_600_000,
  })
})
afterEach(async () => {
  app.close()
  dir.remove()
  await amapi.close()
})

describe('android channels', () => {
  it('stores the service account and shows only its project and email', async () => {
    const status = await app.call('android/setServiceAccount', { serviceAccount: SA })
    expect(status.serviceAccount).toEqual({ clientEmail: 'sa@emm-1.iam.gserviceaccount.com', projectId: 'emm-1' })
    expect(JSON.stringify(await app.call('android/status', {}))).not.toContain('PRIVATE KEY')
  })

  it('refuses a service account key without its fields, naming them', async () => {
    const r = await app.invoke('android/setServiceAccount', { serviceAccount: '{"project_id":"x"}' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/lacks client_email, private_key/)
  })

  it('needs the ingress running to bind, and a bound enterprise to make enrollment tokens', async () => {
    const none = await app.invoke('android/startSignup', {})
    expect(!none.ok && none.error.code).toBe('ANDROID_ENTERPRISE')
    await app.call('android/setServiceAccount', { serviceAccount: SA })
    const stopped = await app.invoke('android/startSignup', {})
    expect(!stopped.ok && stopped.error.code).toBe('INGRESS_NOT_CONFIGURED')
    const token = await app.invoke('android/enrollmentToken', { userPrincipalName: 'alex@example.test' })
    expect(!token.ok && token.error.code).toBe('ANDROID_ENTERPRISE')
    expect(amapi.server.requests.filter(r => r.url.startsWith('/v1/'))).toEqual([])
  })

  it("writes a device's changed policy a moment after a change reaches its user, without waiting for the poll", async () => {
    const enterprise = 'enterprises/LCquick'
    amapi.enterprises.set(enterprise, { name: enterprise, enterpriseDisplayName: null, signinDetails: [] })
    app.services.store.android.putEnterprise({
      projectId: 'emm-1',
      name: enterprise,
      displayName: null,
      signupName: null,
      signupState: null,
      signinUrl: null,
      signinToken: null,
      boundAt: null,
      devicePageToken: null,
      polledAt: null,
    })
    await app.call('android/setServiceAccount', { serviceAccount: SA })
    const directoryId = app.services.directories.createFileDirectory('HR')
    app.services.directories.importUsers(directoryId, 'csv', SMALL_DIRECTORY_CSV)
    const token = await app.call('android/enrollmentToken', { userPrincipalName: 'alex@example.test' })
    const policyName = app.services.store.android.device(token.deviceId)?.policyName as string
    expect(amapi.policies.get(policyName)?.version).toBe('1')
    await app.call('policies/apply', {
      change: {
        kind: 'policy',
        draft: {
          name: 'Everyone on Android',
          description: '',
          priority: 0,
          platforms: ['android'],
          items: [
            {
              kind: 'restriction',
              identifier: 'allowCamera',
              name: 'Camera',
              platform: null,
              settings: { value: false },
              removeOnUnassign: false,
            },
          ],
          targets: [],
        },
      },
    })
    const policy = app.services.store.policies.list().find(p => p.name === 'Everyone on Android')
    const group = app.services.store.groups.list().find(g => g.name === 'All Staff')
    await app.call('policies/apply', {
      change: { kind: 'target', policyId: policy?.id as string, groupId: group?.id as string, mode: 'include' },
    })
    await vi.waitFor(
      () => expect(amapi.policies.get(policyName)?.body['cameraAccess']).toBe('CAMERA_ACCESS_DISABLED'),
      {
        timeout: 10_000,
        interval: 100,
      },
    )
    expect(amapi.policies.get(policyName)?.version).toBe('2')
  })
})
