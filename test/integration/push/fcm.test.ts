import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFcmTransport, type FcmTransport } from '../../../src/main/push/fcm'
import { startFakeFcm, type FakeFcm } from '../../fakes/fcm'
import { testPki } from '../../fakes/pki'

let fcm: FakeFcm
let transport: FcmTransport
let restore: () => void
const target = (token: string) => ({ deviceId: `d-${token}`, platform: 'android' as const, pushToken: token })

beforeAll(async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  fcm = await startFakeFcm(testPki(), {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  })
  restore = fcm.redirectHttp2()
  transport = createFcmTransport({ serviceAccount: async () => fcm.serviceAccount, httpAgent: fcm.agent })
}, 60_000)
afterAll(async () => {
  restore()
  await transport.close()
  await fcm.close()
})

describe('FCM wake-ups through firebase-admin', () => {
  it('sends a data-only, high-priority message with an OAuth token for the service account', async () => {
    const [outcome] = await transport.send([target('tok-1')])
    expect(outcome).toEqual({ ok: true, transport: 'fcm' })
    const m = fcm.messages.find(x => x.token === 'tok-1')
    expect(m).toEqual({ token: 'tok-1', data: { cmd: 'sync' }, android: { priority: 'high', ttl: '3600s' } })
    expect(fcm.tokensIssued).toBeGreaterThanOrEqual(1)
  })

  it('sends more than 500 wake-ups in batches of at most 500', async () => {
    const targets = Array.from({ length: 1203 }, (_, i) => target(`bulk-${i}`))
    const outcomes = await transport.send(targets)
    expect(outcomes.filter(o => o.ok)).toHaveLength(1203)
    expect(new Set(fcm.messages.filter(m => m.token.startsWith('bulk-')).map(m => m.token)).size).toBe(1203)
  })

  const cases: [string, { httpStatus: number; status: string; errorCode?: string }, string, object?][] = [
    ['404 UNREGISTERED', { httpStatus: 404, status: 'NOT_FOUND', errorCode: 'UNREGISTERED' }, 'stale-token'],
    [
      '400 INVALID_ARGUMENT',
      { httpStatus: 400, status: 'INVALID_ARGUMENT', errorCode: 'INVALID_ARGUMENT' },
      'rejected',
    ],
    [
      '403 SENDER_ID_MISMATCH',
      { httpStatus: 403, status: 'PERMISSION_DENIED', errorCode: 'SENDER_ID_MISMATCH' },
      'credentials',
    ],
    [
      '429 QUOTA_EXCEEDED',
      { httpStatus: 429, status: 'RESOURCE_EXHAUSTED', errorCode: 'QUOTA_EXCEEDED' },
      'retry',
      { minBackoffMs: 60_000 },
    ],
    ['500 INTERNAL', { httpStatus: 500, status: 'INTERNAL', errorCode: 'INTERNAL' }, 'retry'],
    [
      '401 THIRD_PARTY_AUTH_ERROR',
      { httpStatus: 401, status: 'UNAUTHENTICATED', errorCode: 'THIRD_PARTY_AUTH_ERROR' },
      'credentials',
    ],
  ]
  it.each(cases)('classifies %s', async (_, error, disposition, extra) => {
    const token = `err-${error.httpStatus}`
    fcm.script(token, error)
    const [outcome] = await transport.send([target(token)])
    expect(outcome).toMatchObject({ ok: false, disposition, ...(extra ?? {}) })
  })

  it('reports a service account whose token request Google refuses as a credentials problem', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string
    const forged = JSON.stringify({ ...(JSON.parse(fcm.serviceAccount) as object), private_key: stranger })
    const t = createFcmTransport({ serviceAccount: async () => forged, httpAgent: fcm.agent })
    const [outcome] = await t.send([target('forged-1')])
    await t.close()
    expect(outcome).toMatchObject({ ok: false, disposition: 'credentials' })
    expect(outcome?.ok === false && outcome.reason).toContain('invalid_grant')
    expect(fcm.messages.some(m => m.token === 'forged-1')).toBe(false)
  })

  it('reports a missing service account as a credentials problem', async () => {
    const none = createFcmTransport({ serviceAccount: async () => null })
    expect(await none.send([target('x')])).toEqual([expect.objectContaining({ ok: false, disposition: 'credentials' })])
  })
})
