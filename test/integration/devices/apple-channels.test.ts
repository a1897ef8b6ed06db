// A simulated Mac over loopback HTTPS: its device channel and a logged-in user's channel, each with
// its own push token and queue, the queries after enrollment and on Scan Device, and the check-in
// messages the server declines.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parsePlist } from '../../../src/main/devices/plist'
import type { DeviceDetail } from '../../../src/shared/domain'
import { openDevicesWorld, type DevicesWorld } from '../../helpers/devices-world'

let w: DevicesWorld
beforeEach(async () => {
  w = await openDevicesWorld()
}, 60_000)
afterEach(async () => {
  await w.close()
})

const detail = (deviceId: string) => w.ws.call('devices/get', { deviceId }) as Promise<DeviceDetail>
const USER_ID = '5F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0'

async function enrolledMac(serial: string) {
  const mac = w.apple(serial, `UDID-${serial}`, { platform: 'macos' })
  mac.about.OSVersion = '15.1'
  mac.about.ProductName = 'Mac15,12'
  mac.about.IsSupervised = true
  expect((await mac.enroll('alex@example.test')).status).toBe(200)
  const deviceId = w.deviceId(serial)
  const pushed = mac.waitForPush(w.apns)
  await mac.authenticateAndRegister()
  await pushed
  return { mac, deviceId }
}

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', 'fixtures', 'apple', name), 'utf8')

describe('captured check-ins replayed over HTTPS', () => {
  it("takes an iPad's captured Authenticate and TokenUpdate byte for byte", async () => {
    // The UDID and serial of the iPad in micromdm/nanomdm's testdata (test/fixtures/apple/README.md).
    const ipad = w.apple('F5JM992LF193', '663b07bb783e9ade1dae4fbb92ea12afc0ce5b69')
    // Its person signs in and it gets its identity over SCEP; the captured Authenticate, signed
    // with that identity, is what binds it.
    expect(await ipad.obtainIdentity('alex@example.test')).toBeNull()
    expect((await ipad.sendRaw('/mdm/checkin', fixture('nanomdm-Authenticate.1.plist'))).status).toBe(200)
    const deviceId = w.deviceId('F5JM992LF193')
    expect(w.ws.app.services.store.devices.get(deviceId)).toMatchObject({ userPrincipalName: 'alex@example.test' })
    const tokenUpdate = fixture('nanomdm-TokenUpdate.1.plist')
    expect((await ipad.sendRaw('/mdm/checkin', tokenUpdate)).status).toBe(200)
    const token = (parsePlist(tokenUpdate) as { Token: Uint8Array }).Token
    expect(w.ws.app.services.store.outbox.pushTarget(deviceId)).toMatchObject({
      pushToken: Buffer.from(token).toString('hex'),
      pushMagic: 'CEFDF0BD-E342-4A27-8742-E930EA116B0A',
    })
    expect((await detail(deviceId)).facts).toMatchObject({ osVersion: '9.3.5', productName: 'iPad2,5' })
  })
})

describe('a Mac with a user channel', () => {
  it('keeps the two channels apart: tokens, pushes and queues', async () => {
    const { mac, deviceId } = await enrolledMac('C02MACUSER')
    const user = mac.user(USER_ID, 'alex', 'Alex Morgan')
    expect((await user.tokenUpdate()).status).toBe(200)
    const { store } = w.ws.app.services
    expect(store.outbox.pushTarget(deviceId)).toMatchObject({ pushToken: mac.tokenHex, pushMagic: mac.pushMagic })

    // The device's policies and questions wait on the device channel: the user's Idle gets none.
    expect(await user.poll()).toEqual([])
    const ranOnDevice = await mac.poll()
    expect(ranOnDevice.map(c => c.requestType)).toContain('InstallApplication')

    // Scan Device asks the user channel for its profiles, woken by the user's own push.
    user.profiles.set('com.example.user.mail', {
      PayloadIdentifier: 'com.example.user.mail',
      PayloadDisplayName: 'Mail',
      PayloadUUID: 'M-1',
    })
    const userPush = w.apns.nextPush(user.tokenHex)
    const devicePush = mac.waitForPush(w.apns)
    await w.ws.call('devices/scan', { deviceId })
    expect(JSON.parse((await userPush).body)).toEqual({ mdm: user.pushMagic })
    await devicePush
    expect((await user.poll()).map(c => c.requestType)).toEqual(['ProfileList'])
    expect((await mac.poll()).map(c => c.requestType)).toEqual([
      'DeviceInformation',
      'SecurityInfo',
      'InstalledApplicationList',
      'ProfileList',
    ])

    const d = await detail(deviceId)
    expect(d.userChannels).toEqual([
      expect.objectContaining({
        channel: USER_ID,
        shortName: 'alex',
        longName: 'Alex Morgan',
        profiles: [{ identifier: 'com.example.user.mail', name: 'Mail', uuid: 'M-1' }],
      }),
    ])
    expect(d.commands.filter(c => c.channel === USER_ID).map(c => [c.type, c.state])).toEqual([
      ['profile_list', 'acknowledged'],
    ])
    expect(d.facts).toMatchObject({
      osVersion: '15.1',
      productName: 'Mac15,12',
      supervised: true,
      encrypted: true,
      apps: [expect.objectContaining({ identifier: 'com.salesforce.chatter' })],
      profiles: expect.arrayContaining([expect.objectContaining({ name: 'Restrictions' })]),
    })
  })

  it('declines UserAuthenticate with 410, and Declarative Management and GetToken cleanly', async () => {
    const { mac } = await enrolledMac('C02MACDECLINE')
    const user = mac.user(USER_ID, 'net', 'Network User')
    expect((await user.checkIn({ MessageType: 'UserAuthenticate' })).status).toBe(410)
    const ddm = await mac.checkIn({ MessageType: 'DeclarativeManagement', Endpoint: 'declaration-items' })
    expect(ddm.status).toBe(404)
    expect(JSON.parse(ddm.body)).toMatchObject({ error: { code: 'DECLARATIVE_MANAGEMENT_UNSUPPORTED' } })
    const token = await mac.checkIn({ MessageType: 'GetToken', TokenServiceType: 'com.apple.maid' })
    expect(token.status).toBe(400)
    // The server keeps serving the device after all of them.
    expect((await mac.checkIn({ MessageType: 'Authenticate', Topic: w.pki.push.topic })).status).toBe(200)
  })
})
