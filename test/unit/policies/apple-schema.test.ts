import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkPayload, payloadSchema } from '../../../src/main/policies/apple/schema'
import type { PlistValue } from '../../../src/main/plist'

const ROOT = join(__dirname, '..', '..', '..')
const base = (type: string): Record<string, PlistValue> => ({
  PayloadType: type,
  PayloadVersion: 1,
  PayloadIdentifier: 'com.example.p',
  PayloadUUID: '6F1D3A4E-8B2C-4D5E-9A7B-1C2D3E4F5A6B',
})

describe("Apple's schema data", () => {
  it('is what the generator makes of the snapshot in test/fixtures/apple-schema', () => {
    expect(() =>
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'apple-schema.mjs'), '--check'], { stdio: 'pipe' }),
    ).not.toThrow()
  })

  it('carries facts, not descriptions', () => {
    const wifi = payloadSchema('com.apple.wifi.managed')
    const encryption = wifi.keys.find(k => k.key === 'EncryptionType')
    expect(encryption).toEqual({ key: 'EncryptionType', type: 'string', values: expect.arrayContaining(['WPA3']) })
    expect(JSON.stringify(wifi)).not.toMatch(/"content"/)
  })
})

describe('checkPayload', () => {
  const cases: {
    name: string
    schema: string
    value: Record<string, PlistValue>
    platform?: 'ios' | 'macos'
    supervised?: boolean
    expected: { path: string; message: RegExp }[]
  }[] = [
    {
      name: 'a valid Wi-Fi payload',
      schema: 'com.apple.wifi.managed',
      value: { ...base('com.apple.wifi.managed'), SSID_STR: 'Office', EncryptionType: 'WPA2', Password: 'secret12' },
      expected: [],
    },
    {
      name: 'a value of the wrong type',
      schema: 'com.apple.wifi.managed',
      value: { ...base('com.apple.wifi.managed'), AutoJoin: 'yes' },
      expected: [{ path: 'AutoJoin', message: /must be a boolean/ }],
    },
    {
      name: 'a value outside the allowed list',
      schema: 'com.apple.wifi.managed',
      value: { ...base('com.apple.wifi.managed'), EncryptionType: 'WPA4' },
      expected: [{ path: 'EncryptionType', message: /must be one of WEP, WPA, WPA2, WPA3, Any, None/ }],
    },
    {
      name: 'a key the payload does not have',
      schema: 'com.apple.wifi.managed',
      value: { ...base('com.apple.wifi.managed'), ssid: 'Office' },
      expected: [{ path: 'ssid', message: /is not a key of this payload/ }],
    },
    {
      name: 'a missing required key, nested',
      schema: 'com.apple.vpn.managed',
      value: {
        ...base('com.apple.vpn.managed'),
        UserDefinedName: 'VPN',
        VPNType: 'IKEv2',
        IKEv2: { RemoteAddress: 'vpn.example.com', AuthenticationMethod: 'SharedSecret', LocalIdentifier: 'me' },
      },
      expected: [{ path: 'IKEv2.RemoteIdentifier', message: /RemoteIdentifier is required/ }],
    },
    {
      name: 'a payload the platform does not have',
      schema: 'com.apple.MCX.FileVault2',
      value: { ...base('com.apple.MCX.FileVault2'), Enable: 'On' },
      platform: 'ios',
      expected: [{ path: '', message: /com\.apple\.MCX\.FileVault2 is not available on iOS/ }],
    },
    {
      name: 'a key the platform does not have',
      schema: 'com.apple.applicationaccess',
      value: { ...base('com.apple.applicationaccess'), allowCloudBackup: false },
      platform: 'macos',
      expected: [{ path: 'allowCloudBackup', message: /not available on macOS/ }],
    },
    {
      name: 'a supervised-only key on an unsupervised device',
      schema: 'com.apple.applicationaccess',
      value: { ...base('com.apple.applicationaccess'), allowAppInstallation: false },
      expected: [{ path: 'allowAppInstallation', message: /works only on supervised iOS devices/ }],
    },
    {
      name: 'a supervised-only key on a supervised device',
      schema: 'com.apple.applicationaccess',
      value: { ...base('com.apple.applicationaccess'), allowAppInstallation: false },
      supervised: true,
      expected: [],
    },
    {
      name: 'a per-app VPN with the VPN payload keys it inherits',
      schema: 'com.apple.vpn.managed.applayer',
      value: {
        ...base('com.apple.vpn.managed.applayer'),
        VPNUUID: 'A',
        UserDefinedName: 'VPN',
        VPNType: 'IPSec',
        IPSec: { RemoteAddress: 'vpn.example.com' },
      },
      expected: [],
    },
    {
      name: 'data where Apple wants data',
      schema: 'com.apple.security.root',
      value: { ...base('com.apple.security.root'), PayloadContent: 'not bytes' },
      expected: [{ path: 'PayloadContent', message: /must be a data/ }],
    },
    {
      name: 'the wrong payload type',
      schema: 'com.apple.security.root',
      value: { ...base('com.apple.security.pkcs1'), PayloadContent: new Uint8Array([1]) },
      expected: [{ path: 'PayloadType', message: /PayloadType must be com\.apple\.security\.root/ }],
    },
  ]
  it.each(cases)('$name', c => {
    const found = checkPayload(c.schema, c.value, { platform: c.platform ?? 'ios', supervised: c.supervised ?? false })
    expect(found).toHaveLength(c.expected.length)
    c.expected.forEach((e, i) => {
      expect(found[i]?.path).toBe(e.path)
      expect(found[i]?.message).toMatch(e.message)
    })
  })
})
