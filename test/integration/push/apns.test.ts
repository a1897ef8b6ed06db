import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApnsTransport, type ApnsTransport } from '../../../src/main/push/apns'
import { startFakeApns, type FakeApns } from '../../fakes/apns'
import { testPki } from '../../fakes/pki'
import { fakeClock } from '../../helpers/workspace'

let pki: ReturnType<typeof testPki>
let apns: FakeApns
let transport: ApnsTransport
const clock = fakeClock()
const target = (token: string) => ({
  deviceId: `d-${token}`,
  platform: 'ios' as const,
  pushToken: token,
  pushTopic: pki.push.topic,
  pushMagic: `magic-${token}`,
})

beforeAll(async () => {
  pki = testPki()
  apns = await startFakeApns(pki)
  transport = createApnsTransport({
    credentials: async () => ({ certPem: pki.push.certPem, keyPem: pki.push.keyPem }),
    clock,
    address: 'localhost',
    port: apns.port,
    ca: [pki.caPem],
  })
}, 60_000)
afterAll(async () => {
  await transport.close()
  await apns.close()
})

describe('APNs MDM wake-ups through @parse/node-apn', () => {
  it('sends {"mdm": PushMagic} with push type mdm and the certificate UID as topic', async () => {
    const [outcome] = await transport.send([target('aa01')])
    expect(outcome).toEqual({ ok: true, transport: 'apns' })
    const req = apns.requests.find(r => r.token === 'aa01')
    expect(JSON.parse(req?.body ?? '')).toEqual({ mdm: 'magic-aa01' })
    expect(req?.headers['apns-push-type']).toBe('mdm')
    expect(req?.headers['apns-topic']).toBe(pki.push.topic)
    expect(req?.certTopic).toBe(pki.push.topic)
    expect(req?.headers['apns-priority']).toBe('10')
  })

  const cases: [
    string,
    { status: number; reason: string; retryAfter?: string; timestamp?: number },
    string,
    object?,
  ][] = [
    [
      '410 Unregistered',
      { status: 410, reason: 'Unregistered', timestamp: Date.parse('2026-11-02T08:00:00Z') },
      'stale-token',
      { invalidSince: '2026-11-02T08:00:00.000Z' },
    ],
    ['410 ExpiredToken', { status: 410, reason: 'ExpiredToken', timestamp: 1 }, 'stale-token'],
    ['400 BadDeviceToken', { status: 400, reason: 'BadDeviceToken' }, 'rejected'],
    ['400 DeviceTokenNotForTopic', { status: 400, reason: 'DeviceTokenNotForTopic' }, 'rejected'],
    ['400 TopicDisallowed', { status: 400, reason: 'TopicDisallowed' }, 'credentials'],
    ['403 BadCertificate', { status: 403, reason: 'BadCertificate' }, 'credentials'],
    ['403 BadCertificateEnvironment', { status: 403, reason: 'BadCertificateEnvironment' }, 'credentials'],
    [
      '429 TooManyRequests with Retry-After',
      { status: 429, reason: 'TooManyRequests', retryAfter: '120' },
      'retry',
      { retryAfterMs: 120_000 },
    ],
    ['503 ServiceUnavailable', { status: 503, reason: 'ServiceUnavailable' }, 'retry'],
    ['500 InternalServerError', { status: 500, reason: 'InternalServerError' }, 'retry'],
  ]
  it.each(cases)(
    'classifies %s after one request, without the library retrying',
    async (_, answer, disposition, extra) => {
      const token = `bb${answer.status}${answer.reason.length}`
      apns.script(token, answer)
      const before = apns.requests.length
      const [outcome] = await transport.send([target(token)])
      expect(outcome).toMatchObject({ ok: false, disposition, ...(extra ?? {}) })
      expect(outcome?.ok === false && outcome.reason).toContain(String(answer.status))
      expect(apns.requests.length - before).toBe(1)
    },
  )

  it('treats a GOAWAY as transient and reconnects for the next push', async () => {
    apns.script('ff01', { status: 0, goaway: 'Shutdown' }, 1)
    const [first] = await transport.send([target('ff01')])
    expect(first).toMatchObject({ ok: false, disposition: 'retry' })
    expect(first?.ok === false && first.reason).toMatch(/Could not reach APNs \(connection closed by APNs: Shutdown/)
    const [second] = await transport.send([target('ff01')])
    expect(second).toEqual({ ok: true, transport: 'apns' })
  })

  it('refuses to push a device registered for another topic', async () => {
    const [outcome] = await transport.send([{ ...target('cc01'), pushTopic: 'com.apple.mgmt.External.other' }])
    expect(outcome).toMatchObject({ ok: false, disposition: 'rejected' })
    expect(apns.requests.some(r => r.token === 'cc01')).toBe(false)
  })

  it('reports a missing push certificate as a credentials problem', async () => {
    const none = createApnsTransport({ credentials: async () => null, clock })
    const [outcome] = await none.send([target('dd01')])
    expect(outcome).toMatchObject({ ok: false, disposition: 'credentials' })
  })

  it('reports a push certificate whose key does not match as a credentials problem', async () => {
    const stranger = pki.device('not-a-push-cert', { selfSigned: true })
    const t = createApnsTransport({
      credentials: async () => ({
        certPem: pki.pushExpiring(new Date(Date.now() + 86400_000)).certPem,
        keyPem: stranger.keyPem,
      }),
      clock,
      address: 'localhost',
      port: apns.port,
      ca: [pki.caPem],
    })
    const [outcome] = await t.send([target('ee01')])
    await t.close()
    expect(outcome).toMatchObject({ ok: false, disposition: 'credentials' })
    expect(outcome?.ok === false && outcome.reason).toMatch(/MDM push certificate.*key/)
    expect(apns.requests.some(r => r.token === 'ee01')).toBe(false)
  })
})
