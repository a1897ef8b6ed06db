import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPlist } from '../../../src/main/devices/plist'
import type { Diagnostic } from '../../../src/shared/domain'
import { request } from '../../fakes/https-client'
import { openDevicesWorld, type DevicesWorld } from '../../helpers/devices-world'

let w: DevicesWorld
/** An enrolled device's identity, so malformed check-ins reach the parser (authentication comes first). */
let identity: { cert: string; key: string }
beforeAll(async () => {
  w = await openDevicesWorld({ ackDeadlineMs: 60_000 })
  const device = w.apple('C02MALFORMED')
  await device.enroll('kim@example.test')
  identity = { cert: device.identity?.certPem ?? '', key: device.identity?.keyPem ?? '' }
}, 60_000)
afterAll(async () => {
  await w.close()
})

const snapshot = () => {
  const { store } = w.ws.app.services
  return JSON.stringify(
    store.devices.list().map(d => ({ d, c: store.devices.commands(d.id), p: store.outbox.pushTarget(d.id) })),
  )
}

describe('the enrollment sign-in refuses ID tokens it cannot trust', () => {
  it.each([
    ['an expired ID token', 'expired', /The ID token has expired/],
    ['an ID token for another client', 'wrong-audience', /is for another app \(aud someone-else\)/],
    ['an ID token with another nonce', 'wrong-nonce', /nonce/],
    ['an ID token signed by a key not in the JWKS', 'unknown-key', /no applicable key found|matching key/i],
  ] as const)('refuses %s with 401 and enrolls nothing', async (_, fault, message) => {
    const before = snapshot()
    w.idp.fault = fault
    try {
      const r = await w.android(`FAULT-${fault}`).enroll('kim@example.test')
      expect(r.status).toBe(401)
      expect(JSON.parse(r.body).error.message).toMatch(message)
    } finally {
      w.idp.fault = null
    }
    expect(snapshot()).toBe(before)
  })

  it('refuses a replayed callback (the state is used up) and an unknown user', async () => {
    const agent = w.android('REPLAY-1')
    const q = new URLSearchParams({ platform: 'android', serial: 'REPLAY-1', pushToken: 'tok-replay' })
    const start = await request(`${w.ingress.url}/enroll/start?${q}`, { ca: w.pki.caPem })
    const authorize = await request(String(start.headers.location), {
      ca: w.pki.caPem,
      headers: { 'x-test-user': 'nobody@example.test' },
    })
    const callback = String(authorize.headers.location).replace(/^https:\/\/127\.0\.0\.1:\d+/, w.ingress.url)
    const first = await request(callback, { ca: w.pki.caPem })
    expect(first.status).toBe(403)
    expect(JSON.parse(first.body).error.message).toContain('nobody@example.test')
    const again = await request(callback, { ca: w.pki.caPem })
    expect(again.status).toBe(401)
    expect(JSON.parse(again.body).error.message).toContain('unknown or has expired')
    agent.close()
  })
})

describe('enrollment conflicts', () => {
  it('refuses a UDID already enrolled under another serial, and keeps the first binding', async () => {
    const first = w.apple('C02DUP1')
    expect((await first.enroll('alex@example.test')).status).toBe(200)
    const before = snapshot()
    const r = await w.apple('C02DUP2', 'UDID-C02DUP1').enroll('alex@example.test')
    expect(r.status).toBe(409)
    expect(JSON.parse(r.body).error.message).toContain('already enrolled under another serial')
    expect(snapshot()).toBe(before)
  })
})

describe('malformed and oversized requests', () => {
  it.each([
    ['an unknown endpoint', 'GET', '/nope', undefined, 404, /No endpoint \/nope/],
    ['a wrong method', 'GET', '/mdm/checkin', undefined, 405, /GET is not allowed/],
    ['an enrollment without platform', 'GET', '/enroll/start?serial=X', undefined, 400, /platform/],
    [
      'an Android enrollment without its FCM token',
      'GET',
      '/enroll/start?platform=android&serial=X',
      undefined,
      400,
      /FCM registration token/,
    ],
    [
      'a check-in that is not a plist',
      'PUT',
      '/mdm/checkin',
      '{"MessageType":"Authenticate"}',
      400,
      /Malformed property list: Expected a tag/,
    ],
    [
      'a check-in plist that is not a dictionary',
      'PUT',
      '/mdm/checkin',
      buildPlist(['x']),
      400,
      /must hold a dictionary/,
    ],
    [
      'a check-in with an unknown MessageType',
      'PUT',
      '/mdm/checkin',
      buildPlist({ MessageType: 'Frobnicate', UDID: 'U' }),
      400,
      /MessageType/,
    ],
    [
      'a TokenUpdate without its token',
      'PUT',
      '/mdm/checkin',
      buildPlist({ MessageType: 'TokenUpdate', UDID: 'U', Topic: 't', PushMagic: 'm' }),
      400,
      /Token/,
    ],
    [
      'an oversized check-in',
      'PUT',
      '/mdm/checkin',
      buildPlist({ MessageType: 'Authenticate', UDID: 'x'.repeat(70_000) }),
      413,
      /limit is 65536|exceeds 65536/,
    ],
    [
      'an agent request without credential',
      'GET',
      '/android/v1/commands',
      undefined,
      401,
      /Bearer <deviceId>.<credential>/,
    ],
  ])('answers %s with a precise 4xx, logs it and stores nothing', async (_, method, path, body, status, message) => {
    const before = snapshot()
    const logged = w.logged.length
    const r = await request(`${w.ingress.url}${path}`, {
      method,
      body,
      ca: w.pki.caPem,
      ...identity,
    })
    expect(r.status).toBe(status)
    expect(JSON.parse(r.body).error.message).toMatch(message)
    expect(w.logged.slice(logged)).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'ingress refused a request',
        fields: expect.objectContaining({ status }),
      }),
    )
    expect(snapshot()).toBe(before)
  })

  it('refuses a malformed agent answer naming the field', async () => {
    const agent = w.android('BADANSWER-1')
    await agent.enroll('kim@example.test')
    const [c] = JSON.parse((await agent.fetch()).body).commands as { id: string }[]
    const before = snapshot()
    const r = await request(`${w.ingress.url}/android/v1/commands/${c?.id}/answer`, {
      method: 'POST',
      ca: w.pki.caPem,
      body: '{"status":"done"}',
      headers: { authorization: `Bearer ${agent.credential}`, 'content-type': 'application/json' },
    })
    expect(r.status).toBe(400)
    expect(JSON.parse(r.body).error.details.fields).toEqual([expect.objectContaining({ path: 'status' })])
    expect(snapshot()).toBe(before)
  })
})

describe('push faults through whole enrollments', () => {
  it('an APNs 410 marks the token stale (PAYLOAD_LATENCY) and a later TokenUpdate resumes delivery', async () => {
    const device = w.apple('C02STALE')
    expect((await device.enroll('alex@example.test')).status).toBe(200)
    const deviceId = w.deviceId(device.o.serial)
    // APNs learned of the invalid token after the device's TokenUpdate (fake clock: 09:00).
    w.apns.script(
      device.tokenHex,
      { status: 410, reason: 'Unregistered', timestamp: Date.parse('2026-11-02T09:30:00Z') },
      1,
    )
    await device.authenticateAndRegister()
    const late = ((await w.ws.call('diagnostics/list', {})) as Diagnostic[]).find(d => d.deviceId === deviceId)
    expect(late).toMatchObject({ code: 'PAYLOAD_LATENCY', cause: 'stale-token' })
    expect(late?.explanation).toContain('410 Unregistered')

    const pushed = device.waitForPush(w.apns)
    await device.checkIn({
      MessageType: 'TokenUpdate',
      Topic: w.pki.push.topic,
      Token: new Uint8Array(device.token),
      PushMagic: device.pushMagic,
    })
    await pushed
    // Its two policies and the four questions asked after enrollment.
    expect((await device.poll()).length).toBe(6)
    expect(((await w.ws.call('diagnostics/list', {})) as Diagnostic[]).filter(d => d.deviceId === deviceId)).toEqual([])
  })

  it('an APNs 410 older than the latest TokenUpdate does not mark the token stale', async () => {
    const device = w.apple('C02REREG')
    expect((await device.enroll('alex@example.test')).status).toBe(200)
    const deviceId = w.deviceId(device.o.serial)
    w.apns.script(
      device.tokenHex,
      { status: 410, reason: 'Unregistered', timestamp: Date.parse('2026-11-01T00:00:00Z') },
      1,
    )
    await device.authenticateAndRegister()
    expect(w.ws.app.services.store.outbox.pushTarget(deviceId)?.tokenStaleAt).toBeNull()
    expect(w.ws.app.services.store.devices.commands(deviceId)[0]?.nextAttemptAt).toBe('2026-11-02T09:00:30.000Z')
  })

  it('a CheckOut stops pushes to the device and keeps its commands', async () => {
    const device = w.apple('C02CHECKOUT')
    expect((await device.enroll('alex@example.test')).status).toBe(200)
    const deviceId = w.deviceId(device.o.serial)
    const pushed = device.waitForPush(w.apns)
    await device.authenticateAndRegister()
    await pushed
    expect((await device.checkIn({ MessageType: 'CheckOut' })).status).toBe(200)
    const { store } = w.ws.app.services
    expect(store.outbox.pushTarget(deviceId)?.tokenStaleAt).not.toBeNull()
    expect(store.devices.commands(deviceId).map(c => [c.state, c.nextAttemptAt])).toEqual(
      Array(6).fill(['pushed', null]),
    )
    expect((await w.ws.call('devices/get', { deviceId })) as { checkedOutAt: string | null }).toMatchObject({
      checkedOutAt: w.ws.clock.now().toISOString(),
    })
    const late = ((await w.ws.call('diagnostics/list', {})) as Diagnostic[]).find(d => d.deviceId === deviceId)
    expect(late).toMatchObject({ cause: 'stale-token' })
    expect(late?.explanation).toContain('checked out')
  })

  it('an FCM UNREGISTERED marks the token stale until the agent sends a new one', async () => {
    const agent = w.android('ANDROID-STALE')
    w.fcm.script(agent.fcmToken, { httpStatus: 404, status: 'NOT_FOUND', errorCode: 'UNREGISTERED' }, 1)
    await agent.enroll('kim@example.test')
    const deviceId = agent.deviceId as string
    expect(w.ws.app.services.store.outbox.pushTarget(deviceId)?.tokenStaleAt).not.toBeNull()
    expect((await agent.newToken()).status).toBe(200)
    expect(w.ws.app.services.store.outbox.pushTarget(deviceId)).toMatchObject({
      tokenStaleAt: null,
      pushToken: agent.fcmToken,
    })
    expect(w.fcm.messages.some(m => m.token === agent.fcmToken)).toBe(true)
  })

  it('a device that never answers raises PAYLOAD_LATENCY at the deadline; Scan Device reaches it once it polls', async () => {
    const device = w.apple('C02SILENT')
    expect((await device.enroll('alex@example.test')).status).toBe(200)
    const deviceId = w.deviceId(device.o.serial)
    const pushed = device.waitForPush(w.apns)
    await device.authenticateAndRegister()
    await pushed
    w.ws.clock.advance(61_000)
    const late = ((await w.ws.call('diagnostics/list', {})) as Diagnostic[]).filter(d => d.deviceId === deviceId)
    expect(late.map(d => d.cause)).toEqual(Array(6).fill('deadline'))
    const scanPush = device.waitForPush(w.apns)
    await w.ws.call('devices/scan', { deviceId })
    await scanPush
    const ran = await device.poll()
    // The enrollment's questions still wait, so Scan Device does not ask them twice.
    expect(ran.map(c => c.requestType)).toEqual([
      'InstallApplication',
      'InstallProfile',
      'DeviceInformation',
      'SecurityInfo',
      'InstalledApplicationList',
      'ProfileList',
    ])
    expect(ran[2]?.command).toMatchObject({ Queries: expect.arrayContaining(['SerialNumber', 'UDID']) })
  })

  it('records a device Error with its ErrorChain and keeps order after NotNow', async () => {
    const device = w.apple('C02REFUSE')
    expect((await device.enroll('alex@example.test')).status).toBe(200)
    const deviceId = w.deviceId(device.o.serial)
    const pushed = device.waitForPush(w.apns)
    await device.authenticateAndRegister()
    await pushed
    device.refuse.set('InstallApplication', 'NotNow')
    expect(await device.poll()).toEqual([])
    device.refuse.set('InstallApplication', 'Error')
    expect((await device.poll()).map(c => c.requestType)).toEqual([
      'InstallProfile',
      'DeviceInformation',
      'SecurityInfo',
      'InstalledApplicationList',
      'ProfileList',
    ])
    const commands = w.ws.app.services.store.devices.commands(deviceId)
    expect(commands.find(c => c.type === 'install_app')).toMatchObject({
      state: 'failed',
      error: 'The profile could not be installed.',
    })
  })
})
