// The android/* channels through the app's front door: the service account's key never comes
// back, the binding needs the ingress, and a QR enrollment token needs a bound enterprise.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import { AMAPI_ORIGIN, GOOGLE_OAUTH_ORIGIN, startAmapiFake, type AmapiFake } from '../../fakes/amapi/server'
import { memorySecrets } from '../../fakes/memory-secrets'
import { loopbackRouter } from '../../fakes/router'
import { fakeClock, tempDir } from '../../helpers/workspace'

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
})
const SA = JSON.stringify({ project_id: 'emm-1', client_email: 'sa@emm-1.iam.gserviceaccount.com', private_key: keys.privateKey })

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
})
