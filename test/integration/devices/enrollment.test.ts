import { X509Certificate } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildPlist } from '../../../src/main/devices/plist'
import type { DeviceDetail } from '../../../src/shared/domain'
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
  it('signs in, installs its signed profile, gets its identity over SCEP, checks in and acknowledges its policies', async () => {
    const device = w.apple('C02APPLE1')
    const enrolled = await device.enroll('alex@example.test')
    expect(enrolled.status).toBe(200)
    const installed = device.installed as NonNullable<typeof device.installed>
    // Signed with the ingress certificate.
    expect(installed.signer.equals(new X509Certificate(w.pki.server.certPem).raw)).toBe(true)
    expect(installed.mdm).toMatchObject({
      ServerURL: `${w.ingress.url}/mdm/server`,
      CheckInURL: `${w.ingress.url}/mdm/checkin`,
      Topic: w.pki.push.topic,
      AccessRights: 8191,
      ServerCapabilities: ['com.apple.mdm.per-user-connections'],
      CheckOutWhenRemoved: true,
      SignMessage: true,
    })
    expect(installed.scep.PayloadContent).toMatchObject({
      URL: `${w.ingress.url}/scep`,
      'Key Type': 'RSA',
      Keysize: 2048,
    })
    // The identity is the CA's, for the device's own key.
    const identity = new X509Certificate((device.identity as { certPem: string }).certPem)
    expect(identity.checkPrivateKey(device.key.key)).toBe(true)
    expect(identity.keyUsage).toContain('1.3.6.1.5.5.7.3.2')

    const deviceId = w.deviceId('C02APPLE1')
    const d0 = await detail(deviceId)
    expect(d0.device).toMatchObject({ userPrincipalName: 'alex@example.test', platform: 'ios' })
    expect([...new Set(d0.assignments.map(a => a.policyName))]).toEqual(['Sales CRM Deployment'])
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

  it('a Mac proving its identity only with Mdm-Signature enrolls and polls', async () => {
    const mac = w.apple('C02MACSIG', undefined, { platform: 'macos', proof: 'mdm-signature' })
    expect((await mac.enroll('alex@example.test')).status).toBe(200)
    expect((await detail(w.deviceId('C02MACSIG'))).device.platform).toBe('macos')
    await mac.authenticateAndRegister()
    // Its two policies and the four questions asked after enrollment.
    expect((await mac.poll()).length).toBe(6)
  })

  it('serves the enrollment page, and makes no profile for a person in no directory', async () => {
    const page = await request(`${w.ingress.url}/enroll`, { ca: w.pki.caPem })
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).toContain('href="/enroll/start?platform=ios"')
    const stranger = await w.apple('C02NOBODY').signIn('nobody@example.test')
    expect(stranger.status).toBe(403)
    expect(JSON.parse(stranger.body).error.message).toContain('nobody@example.test')
  })

  it('a challenge is good once: the same profile gets no second identity', async () => {
    const device = w.apple('C02ONCE')
    const profile = await device.signIn('alex@example.test')
    device.install(profile)
    expect((await device.scep()).status).toBe('0')
    expect(await device.scep()).toEqual({ status: '2', failInfo: '2' })
  })

  it('installing the profile again replaces the identity; the old one is refused', async () => {
    const device = w.apple('C02AGAIN')
    expect((await device.enroll('alex@example.test')).status).toBe(200)
    const old = device.identity as { certPem: string; keyPem: string }
    expect((await device.enroll('alex@example.test')).status).toBe(200)
    expect((await device.report({ Status: 'Idle' })).status).toBe(200)
    device.presentIdentity(old)
    const r = await device.report({ Status: 'Idle' })
    expect(r.status).toBe(400)
    expect(JSON.parse(r.body).error.message).toContain('not the one device')
  })

  it("another person's identity on an enrolled device is held for an admin at Authenticate: nothing is recorded or asked", async () => {
    const phone = w.apple('C02HELD', 'UDID-C02HELD')
    expect((await phone.enroll('alex@example.test')).status).toBe(200)
    const deviceId = w.deviceId('C02HELD')
    const { store } = w.ws.app.services
    const commandsBefore = store.devices.commands(deviceId).length
    const taken = w.apple('C02HELD', 'UDID-C02HELD')
    taken.about.DeviceName = 'Kim’s iPhone'
    // Authenticate succeeds (a refusal would fail the profile's installation) but binds nothing.
    expect((await taken.enroll('kim@example.test')).status).toBe(200)
    expect(store.devices.get(deviceId)).toMatchObject({ userPrincipalName: 'alex@example.test' })
    expect(store.devices.rebinds(deviceId)).toMatchObject([{ status: 'held' }])
    expect((await detail(deviceId)).facts?.deviceName).toBe('Alex’s iPhone')
    expect(store.devices.commands(deviceId)).toHaveLength(commandsBefore)
    // Its check-ins wait for the decision; the bound identity still checks in.
    expect((await taken.report({ Status: 'Idle' })).status).toBe(400)
    expect((await phone.report({ Status: 'Idle' })).status).toBe(200)
  })

  it('refuses check-ins that cannot prove they are the enrolled device with 400 (never 401), and stores nothing', async () => {
    const device = w.apple('C02APPLE2')
    expect((await device.enroll('alex@example.test')).status).toBe(200)
    const deviceId = w.deviceId('C02APPLE2')
    const tokenUpdate = {
      MessageType: 'TokenUpdate',
      Topic: w.pki.push.topic,
      Token: new Uint8Array([1, 2]),
      PushMagic: 'x',
    }
    const refusals: [string, { status: number; body: string }][] = []

    // A certificate from another CA (trust on first use would take it).
    const foreign = w.apple('C02APPLE2', 'UDID-C02APPLE2')
    foreign.installed = device.installed
    foreign.presentIdentity(w.pki.device('UDID-C02APPLE2'))
    refusals.push(['not issued by this workspace', await foreign.checkIn(tokenUpdate)])
    refusals.push([
      'not issued by this workspace',
      await foreign.checkIn({ MessageType: 'Authenticate', Topic: w.pki.push.topic }),
    ])

    // Our CA's identity, but another device's.
    const other = w.apple('C02OTHER')
    expect((await other.enroll('kim@example.test')).status).toBe(200)
    const thief = w.apple('C02APPLE2', 'UDID-C02APPLE2')
    thief.installed = device.installed
    thief.presentIdentity(other.identity as { certPem: string; keyPem: string })
    refusals.push(['not the one device', await thief.checkIn(tokenUpdate)])

    // No identity at all.
    refusals.push([
      'proves no device identity',
      await request(`${w.ingress.url}/mdm/checkin`, {
        method: 'PUT',
        ca: w.pki.caPem,
        body: buildPlist({ UDID: 'UDID-C02APPLE2', ...tokenUpdate }),
      }),
    ])

    // An Mdm-Signature over other bytes.
    const body = buildPlist({ UDID: 'UDID-C02APPLE2', ...tokenUpdate })
    refusals.push([
      'does not verify',
      await request(`${w.ingress.url}/mdm/checkin`, {
        method: 'PUT',
        ca: w.pki.caPem,
        body,
        headers: { 'mdm-signature': device.signature(body.replace('<string>x</string>', '<string>y</string>')) },
      }),
    ])

    for (const [message, r] of refusals) {
      expect(r.status).toBe(400)
      expect(JSON.parse(r.body).error.message).toContain(message)
    }
    expect(w.ws.app.services.store.outbox.pushTarget(deviceId)?.pushToken).toBeNull()
    expect(w.logged.filter(l => l.fields?.['status'] === 401)).toEqual([])
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
