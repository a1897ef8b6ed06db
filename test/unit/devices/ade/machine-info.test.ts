import { X509Certificate } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { derOfPem } from '../../../../src/main/devices/apple/ca'
import { parseDer } from '../../../../src/main/devices/apple/der'
import { APPLE_ANCHORS, verifyMachineInfo } from '../../../../src/main/devices/apple/ade/machine-info'
import { deviceInfoHeader, testAppleChain } from '../../../fakes/dep/device-info'

const chain = testAppleChain()
const info = {
  UDID: '00008110-000A1B2C3D4E5F60',
  SERIAL: 'F2LXQ1ABCD',
  PRODUCT: 'iPhone16,1',
  VERSION: '22B83',
  OS_VERSION: '18.1',
  IMEI: '35 123456 789012 3',
  LANGUAGE: 'en',
}

/** The same message re-encoded with BER indefinite lengths on its outer SEQUENCE, as devices send. */
function indefinite(b64: string): string {
  const der = Buffer.from(b64, 'base64')
  const root = parseDer(der)
  return Buffer.concat([Buffer.from([0x30, 0x80]), root.body, Buffer.from([0, 0])]).toString('base64')
}

describe('the signed device information of Setup Assistant', () => {
  it('reads the MachineInfo of a header signed by a device whose CA chains to the anchor (expired CA, SHA-1)', () => {
    const header = deviceInfoHeader(info, chain.device(info.UDID), [chain.deviceCaPem])
    expect(verifyMachineInfo(header, [chain.rootPem])).toMatchObject(info)
    expect(verifyMachineInfo(indefinite(header), [chain.rootPem])).toMatchObject({ SERIAL: info.SERIAL })
  })

  it.each([
    ['not base64', () => 'not base64!', /not base64/],
    ['garbage', () => Buffer.from('hello').toString('base64'), /signature/],
    [
      'a device certificate from another CA',
      () => {
        const s = chain.stranger(info.UDID)
        return deviceInfoHeader(info, s, [s.caPem])
      },
      /does not chain to a trusted Apple CA/,
    ],
    ['a chain without its device CA', () => deviceInfoHeader(info, chain.device(info.UDID), []), /does not chain/],
    [
      'a plist without a serial',
      () => deviceInfoHeader({ ...info, SERIAL: '' }, chain.device(info.UDID), [chain.deviceCaPem]),
      /lacks SERIAL/,
    ],
  ])('refuses %s', (_what, header, message) => {
    expect(() => verifyMachineInfo(header(), [chain.rootPem])).toThrow(message)
  })

  it('refuses a header whose content was altered after signing', () => {
    const der = Buffer.from(deviceInfoHeader(info, chain.device(info.UDID), [chain.deviceCaPem]), 'base64')
    const at = der.indexOf(Buffer.from(info.SERIAL))
    der[at] = 'X'.charCodeAt(0)
    expect(() => verifyMachineInfo(der.toString('base64'), [chain.rootPem])).toThrow(/signature/)
  })

  it('refuses a genuine test-chain header when only the Apple Root CA is trusted (the default)', () => {
    const header = deviceInfoHeader(info, chain.device(info.UDID), [chain.deviceCaPem])
    expect(() => verifyMachineInfo(header, APPLE_ANCHORS)).toThrow(/does not chain/)
  })

  it('ships Apple’s device CA chain: the device CA is signed by the iPhone CA, which the root signed', () => {
    const [root, iphone, device] = APPLE_ANCHORS.map(p => new X509Certificate(derOfPem(p)[0] as Buffer)) as [
      X509Certificate,
      X509Certificate,
      X509Certificate,
    ]
    expect(device.subject).toContain('CN=Apple iPhone Device CA')
    expect(device.checkIssued(iphone) && device.verify(iphone.publicKey)).toBe(true)
    expect(iphone.checkIssued(root) && iphone.verify(root.publicKey)).toBe(true)
  })

  it('ships the Apple Root CA that Apple publishes (SHA-256 fingerprint)', () => {
    const [pem] = APPLE_ANCHORS
    const root = new X509Certificate(derOfPem(pem as string)[0] as Buffer)
    expect(root.subject).toContain('CN=Apple Root CA')
    // https://www.apple.com/certificateauthority/ lists this fingerprint for Apple Inc. Root.
    expect(root.fingerprint256).toBe(
      'B0:B1:73:0E:CB:C7:FF:45:05:14:2C:49:F1:29:5E:6E:DA:6B:CA:ED:7E:2C:68:C5:BE:91:B5:A1:10:01:F0:24',
    )
  })
})
