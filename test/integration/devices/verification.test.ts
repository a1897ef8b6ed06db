// A simulated Mac over loopback HTTPS: what it is sent carries the ingress certificate for FileVault
// escrow, and what it acknowledges is checked against what it later reports.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { derOfPem } from '../../../src/main/devices/apple/ca'
import { parsePlist } from '../../../src/main/devices/plist'
import type { ArgsOf } from '../../../src/shared/contract'
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
type Draft = Extract<ArgsOf<'policies/apply'>['change'], { kind: 'policy' }>['draft']
const payloadOf = (command: Dict): Dict =>
  parsePlist(Buffer.from(command['Payload'] as Uint8Array).toString('utf8')) as Dict

/** A macOS policy for Sales (Alex's group) that requires FileVault, with these items too. */
const fileVaultPolicy = (more: Draft['items'] = []): Draft => ({
  name: 'Disk encryption',
  description: '',
  priority: 20,
  platforms: ['macos'],
  items: [
    {
      kind: 'restriction',
      identifier: 'requireFileVault',
      name: 'FileVault',
      platform: 'macos',
      settings: { value: true },
      removeOnUnassign: false,
    },
    ...more,
  ],
  targets: [{ groupId: w.org.groups.Sales, mode: 'include' }],
})

describe('FileVault on a Mac', () => {
  it('escrows the recovery key to the ingress certificate', async () => {
    // Alex is in Sales: a policy for Sales requires FileVault.
    const draft = fileVaultPolicy()
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

describe('what a device acknowledges is confirmed by its own lists', () => {
  const notVerified = async (deviceId: string) =>
    (await w.ws.call('diagnostics/list', {})).filter(d => d.deviceId === deviceId && d.cause === 'not-verified')

  it('raises nothing when the device lists what it acknowledged; a later batch is asked about once', async () => {
    const { mac, deviceId } = await enrolledMac('C02VERIFIED')
    expect((await mac.poll()).map(c => c.requestType)).toContain('InstallApplication')
    expect(await notVerified(deviceId)).toEqual([])

    // A new policy for Sales: an app and a profile reach the Mac in one batch.
    await w.ws.call('apps/save', { platform: 'macos', identifier: 'com.example.notes', name: 'Notes' })
    const pushed = mac.waitForPush(w.apns)
    const applied = await w.ws.call('policies/apply', {
      change: {
        kind: 'policy',
        draft: fileVaultPolicy([
          {
            kind: 'app',
            identifier: 'com.example.notes',
            name: 'Notes',
            platform: 'macos',
            settings: { intent: 'required' },
            removeOnUnassign: false,
          },
        ]),
      },
    })
    expect(applied).toMatchObject({ status: 'applied' })
    await pushed
    const ran = (await mac.poll()).map(c => c.requestType)
    expect(ran).toEqual(['InstallApplication', 'InstallProfile', 'InstalledApplicationList', 'ProfileList'])
    expect(mac.apps.has('com.example.notes')).toBe(true)
    expect(await notVerified(deviceId)).toEqual([])
    expect(await mac.poll()).toEqual([])
  })

  it('raises PAYLOAD_LATENCY not-verified when an acknowledged app is missing, and Re-push sends it again', async () => {
    const { mac, deviceId } = await enrolledMac('C02MISSING')
    mac.failsToInstall.add('com.salesforce.chatter')
    const ran = (await mac.poll()).map(c => c.requestType)
    expect(ran.slice(-2)).toEqual(['InstalledApplicationList', 'ProfileList'])
    const [d, ...rest] = await notVerified(deviceId)
    expect(rest).toEqual([])
    expect(d).toMatchObject({
      code: 'PAYLOAD_LATENCY',
      title: expect.stringContaining('Salesforce'),
      explanation: expect.stringContaining('com.salesforce.chatter'),
      remediation: expect.stringMatching(/^Scan Device to ask again; if it stays missing, Re-push/),
      remediations: ['devices/scan', 'devices/repush'],
    })
    const facts = (await w.ws.call('devices/get', { deviceId })).facts
    expect(d?.explanation).toContain(facts?.appsAt as string)
    const causes = (await w.ws.call('diagnostics/summary', {})).causes
    expect(causes.find(c => c.key === 'PAYLOAD_LATENCY/not-verified')).toMatchObject({ devices: 1, count: 1 })

    // The download works the second time: Re-push sends the install again and the lists confirm it.
    mac.failsToInstall.clear()
    const pushed = mac.waitForPush(w.apns)
    await w.ws.call('devices/repush', { deviceId })
    await pushed
    expect((await mac.poll()).map(c => c.requestType)).toEqual(['InstallApplication', 'InstalledApplicationList'])
    expect(await notVerified(deviceId)).toEqual([])
  })
})
