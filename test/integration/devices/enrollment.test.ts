import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildPlist } from '../../../src/main/devices/plist'
import type { DeviceDetail } from '../../../src/shared/domain'
import { AppleDevice } from '../../fakes/apple-device'
import { request } from '../../fakes/https-client'
import { openDevicesWorld, type DevicesWorld } from '../../helpers/devices-world'

let w: DevicesWorld
beforeEach(async () => {
  w = await openDevicesWorld()
}, 60_000)
afterEach(async () => {
  await w.close()
})

const detail = (deviceId: string) => w.ws.call('devices/get', { deviceId }) as Promise<DeviceDetail>

describe('a whole Apple enrollment over loopback', () => {
  it('signs in, checks in, gets its MDM push and acknowledges its policies', async () => {
    const device = w.apple('C02APPLE1')
    const enrolled = await device.enroll('alex@example.test')
    expect(enrolled.status).toBe(200)
    const { deviceId, policies } = JSON.parse(enrolled.body) as { deviceId: string; policies: string[] }
    expect(policies).toEqual(['Sales CRM Deployment'])
    const pushed = device.waitForPush(w.apns)
    await device.authenticateAndRegister()
    const push = await pushed
    expect(JSON.parse(push.body)).toEqual({ mdm: device.pushMagic })
    expect(push.headers['apns-push-type']).toBe('mdm')
    expect(push.headers['apns-topic']).toBe(w.pki.push.topic)

    const ran = await device.poll()
    // Its policies first, then the questions asked once after enrollment.
    expect(ran.map(c => c.requestType)).toEqual([
      'InstallApplication',
      'InstallProfile',
      'DeviceInformation',
      'SecurityInfo',
      'InstalledApplicationList',
      'ProfileList',
    ])
    expect(ran.find(c => c.requestType === 'InstallApplication')?.command).toMatchObject({
      Identifier: 'com.salesforce.chatter',
    })
    const d = await detail(deviceId)
    expect(d.commands.map(c => c.state)).toEqual(Array(6).fill('acknowledged'))
    expect(d.device.pendingCommands).toBe(0)
    expect(d.facts).toMatchObject({
      osVersion: '18.1',
      productName: 'iPhone16,1',
      capacityGb: 128,
      supervised: false,
      encrypted: true,
      apps: [{ identifier: 'com.salesforce.chatter', name: 'chatter', version: '1.0' }],
    })
  })

  it('refuses check-ins that cannot prove they are the enrolled device, and stores nothing', async () => {
    const device = w.apple('C02APPLE2')
    const { deviceId } = JSON.parse((await device.enroll('alex@example.test')).body) as { deviceId: string }
    const tokenUpdate = buildPlist({
      MessageType: 'TokenUpdate',
      UDID: 'UDID-C02APPLE2',
      Topic: w.pki.push.topic,
      Token: new Uint8Array([1, 2]),
      PushMagic: 'x',
    })

    const wrongCert = new AppleDevice({ ...device.o, identity: w.pki.device('UDID-other') })
    const r = await wrongCert.checkIn({
      MessageType: 'TokenUpdate',
      Topic: w.pki.push.topic,
      Token: new Uint8Array([1, 2]),
      PushMagic: 'x',
    })
    wrongCert.close()
    expect(r.status).toBe(401)
    expect(JSON.parse(r.body).error.message).toContain('not the enrollment identity')

    const noCert = await request(`${w.ingress.url}/mdm/checkin`, { method: 'PUT', ca: w.pki.caPem, body: tokenUpdate })
    expect(noCert.status).toBe(401)
    expect(JSON.parse(noCert.body).error.message).toContain('mutual TLS')

    expect((await w.apple('C02NEW', 'UDID-never-enrolled').checkIn({ MessageType: 'Authenticate' })).status).toBe(401)
    expect(w.ws.app.services.store.outbox.pushTarget(deviceId)?.pushToken).toBeNull()
    expect(w.logged.filter(l => l.level === 'warn' && l.fields?.['status'] === 401)).toHaveLength(3)
  })
})

describe('a whole Android enrollment over loopback', () => {
  it('signs in, enrolls with its FCM token, is woken and acknowledges its policies', async () => {
    const agent = w.android('ANDROID-1')
    const woken = agent.waitForWake(w.fcm)
    const r = await agent.enroll('kim@example.test')
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body)).toMatchObject({
      policies: ['Sales CRM Deployment'],
      credential: expect.stringMatching(/\./),
    })
    const wake = await woken
    expect(wake).toEqual({ token: agent.fcmToken, data: { cmd: 'sync' }, android: { priority: 'high', ttl: '3600s' } })
    const ran = await agent.poll()
    expect(ran.map(c => c.type).sort()).toEqual(['apply_restrictions', 'install_app'])
    expect((await detail(agent.deviceId as string)).commands.every(c => c.state === 'acknowledged')).toBe(true)
    expect(await agent.poll()).toEqual([])
  })

  it('refuses the agent protocol without the credential issued at enrollment', async () => {
    const agent = w.android('ANDROID-2')
    await agent.enroll('kim@example.test')
    agent.credential = `${agent.deviceId}.forged`
    const r = await agent.fetch()
    expect(r.status).toBe(401)
  })
})
