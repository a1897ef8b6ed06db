// A simulated Mac over loopback HTTPS: what it is sent carries the ingress certificate for FileVault
// escrow, and what it acknowledges is checked against what it later reports.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { derOfPem } from '../../../src/main/devices/apple/ca'
import { parsePlist } from '../../../src/main/devices/plist'
import { openDevicesWorld, type DevicesWorld } from '../../helpers/devices-world'

let w: DevicesWorld
beforeEach(async () => {
  w = await openDevicesWorld()
}, 60_000)
afterEach(async () => {
  await w.close()
})

async function enrolledMac(serial: string) {
  const mac = w.apple(serial, `UDID-${serial}`, { platform: 'macos' })
  expect((await mac.enroll('alex@example.test')).status).toBe(200)
  const deviceId = w.deviceId(serial)
  const pushed = mac.waitForPush(w.apns)
  await mac.authenticateAndRegister()
  await pushed
  return { mac, deviceId }
}

type Dict = Record<string, unknown>
const payloadOf = (command: Dict): Dict =>
  parsePlist(Buffer.from(command['Payload'] as Uint8Array).toString('utf8')) as Dict

describe('FileVault on a Mac', () => {
  it('escrows the recovery key to the ingress certificate', async () => {
    // Alex is in Sales: a policy for Sales requires FileVault.
    const draft = {
      name: 'Disk encryption',
      description: '',
      priority: 20,
      platforms: ['macos' as const],
      items: [
        {
          kind: 'restriction' as const,
          identifier: 'requireFileVault',
          name: 'FileVault',
          platform: 'macos' as const,
          settings: { value: true },
          removeOnUnassign: false,
        },
      ],
      targets: [{ groupId: w.org.groups.Sales, mode: 'include' as const }],
    }
    expect(await w.ws.call('policies/apply', { change: { kind: 'policy', draft } })).toMatchObject({
      status: 'applied',
    })

    const { mac } = await enrolledMac('C02FILEVAULT')
    const ran = await mac.poll()
    const profiles = ran.filter(c => c.requestType === 'InstallProfile').map(c => payloadOf(c.command))
    const content = profiles.flatMap(p => p['PayloadContent'] as Dict[])
    expect(content.find(p => p['PayloadType'] === 'com.apple.MCX.FileVault2')).toMatchObject({ Enable: 'On' })
    const cert = content.find(p => p['PayloadType'] === 'com.apple.security.pkcs1')
    const escrow = content.find(p => p['PayloadType'] === 'com.apple.security.FDERecoveryKeyEscrow')
    expect(Buffer.from(cert?.['PayloadContent'] as Uint8Array)).toEqual(derOfPem(w.pki.server.certPem)[0])
    expect(escrow?.['EncryptCertPayloadUUID']).toBe(cert?.['PayloadUUID'])
  })
})
