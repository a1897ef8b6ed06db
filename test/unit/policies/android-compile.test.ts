import { describe, expect, it } from 'vitest'
import { androidProblems, compileAndroidPolicy, type AndroidItem, validatePolicy } from '../../../src/main/policies'
import type { PolicyDraft } from '../../../src/shared/policy'

const app = (identifier: string, intent: 'required' | 'available' = 'required'): AndroidItem => ({
  kind: 'app',
  identifier,
  name: identifier,
  value: { intent },
})
const restriction = (identifier: string, value: unknown): AndroidItem => ({
  kind: 'restriction',
  identifier,
  name: identifier,
  value,
})
const profile = (identifier: string, value: Record<string, unknown>): AndroidItem => ({
  kind: 'profile',
  identifier,
  name: `${identifier} name`,
  value,
})

describe('compiling a device desired state to an AMAPI policy', () => {
  const cases: { name: string; items: AndroidItem[]; keep?: string[]; expect: Record<string, unknown> }[] = [
    {
      name: 'required apps are force-installed, available ones offered, in package order',
      items: [app('com.z.crm'), app('com.a.notes', 'available')],
      expect: {
        playStoreMode: 'WHITELIST',
        applications: [
          { packageName: 'com.a.notes', installType: 'AVAILABLE' },
          { packageName: 'com.z.crm', installType: 'FORCE_INSTALLED' },
        ],
      },
    },
    {
      name: 'an app withdrawn without the remove flag stays, as available; one with the flag is left out (uninstalled)',
      items: [app('com.adobe.spark.post')],
      keep: ['com.salesforce.chatter'],
      expect: {
        playStoreMode: 'WHITELIST',
        applications: [
          { packageName: 'com.adobe.spark.post', installType: 'FORCE_INSTALLED' },
          { packageName: 'com.salesforce.chatter', installType: 'AVAILABLE' },
        ],
      },
    },
    {
      name: 'a kept app that is assigned again is forced again, not listed twice',
      items: [app('com.salesforce.chatter')],
      keep: ['com.salesforce.chatter'],
      expect: {
        playStoreMode: 'WHITELIST',
        applications: [{ packageName: 'com.salesforce.chatter', installType: 'FORCE_INSTALLED' }],
      },
    },
    {
      name: 'WPA2 and open Wi-Fi become ONC networks keyed by the item identifier',
      items: [
        profile('com.example.wifi.office', { type: 'wifi', ssid: 'Office', security: 'WPA2', password: 'secret-pass' }),
        profile('com.example.wifi.guest', {
          type: 'wifi',
          ssid: 'Guest',
          security: 'none',
          hidden: true,
          autoJoin: false,
        }),
      ],
      expect: {
        playStoreMode: 'WHITELIST',
        applications: [],
        openNetworkConfiguration: {
          NetworkConfigurations: [
            {
              GUID: 'com.example.wifi.guest',
              Name: 'com.example.wifi.guest name',
              Type: 'WiFi',
              WiFi: { SSID: 'Guest', Security: 'None', AutoConnect: false, HiddenSSID: true },
            },
            {
              GUID: 'com.example.wifi.office',
              Name: 'com.example.wifi.office name',
              Type: 'WiFi',
              WiFi: {
                SSID: 'Office',
                Security: 'WPA-PSK',
                Passphrase: 'secret-pass',
                AutoConnect: true,
                HiddenSSID: false,
              },
            },
          ],
        },
      },
    },
    {
      name: 'a VPN is its always-on app, installed with it',
      items: [profile('com.example.vpn', { type: 'vpn', androidApp: 'com.example.vpnclient', lockdown: true })],
      expect: {
        playStoreMode: 'WHITELIST',
        applications: [{ packageName: 'com.example.vpnclient', installType: 'FORCE_INSTALLED' }],
        alwaysOnVpnPackage: { packageName: 'com.example.vpnclient', lockdownEnabled: true },
      },
    },
    {
      name: 'passcode restrictions make one device password policy; auto-lock is milliseconds as a string',
      items: [
        restriction('minPasscodeLength', 8),
        restriction('passcodeComplexity', 'alphanumeric'),
        restriction('maxFailedAttempts', 6),
        restriction('maxInactivityMinutes', 5),
      ],
      expect: {
        playStoreMode: 'WHITELIST',
        applications: [],
        passwordPolicies: [
          {
            passwordScope: 'SCOPE_DEVICE',
            passwordQuality: 'ALPHANUMERIC',
            passwordMinimumLength: 8,
            maximumFailedPasswordsForWipe: 6,
          },
        ],
        maximumTimeToLock: '300000',
      },
    },
    {
      name: 'a minimum length alone asks for the least quality that enforces it (NUMERIC)',
      items: [restriction('minPasscodeLength', 6)],
      expect: {
        playStoreMode: 'WHITELIST',
        applications: [],
        passwordPolicies: [{ passwordScope: 'SCOPE_DEVICE', passwordQuality: 'NUMERIC', passwordMinimumLength: 6 }],
      },
    },
    {
      name: 'device restrictions map to their AMAPI fields',
      items: [
        restriction('allowCamera', false),
        restriction('allowScreenCapture', false),
        restriction('allowAppInstallation', false),
        restriction('allowUsbFileTransfer', true),
        restriction('requireStorageEncryption', true),
      ],
      expect: {
        playStoreMode: 'WHITELIST',
        applications: [],
        cameraAccess: 'CAMERA_ACCESS_DISABLED',
        screenCaptureDisabled: true,
        installAppsDisabled: true,
        deviceConnectivityManagement: { usbDataAccess: 'ALLOW_USB_DATA_TRANSFER' },
        encryptionPolicy: 'ENABLED_WITHOUT_PASSWORD',
      },
    },
  ]
  it.each(cases)('$name', c => {
    const { policy, refused } = compileAndroidPolicy({ items: c.items, keep: c.keep ?? [] })
    expect(refused).toEqual([])
    expect(policy).toEqual(c.expect)
  })

  it('compiles the same state to the same JSON whatever order the items come in', () => {
    const items = [
      app('b.b'),
      restriction('allowCamera', true),
      app('a.a', 'available'),
      profile('w', { type: 'wifi', ssid: 'S', security: 'none' }),
    ]
    const one = JSON.stringify(compileAndroidPolicy({ items, keep: ['k.k'] }).policy)
    const two = JSON.stringify(compileAndroidPolicy({ items: [...items].reverse(), keep: ['k.k'] }).policy)
    expect(two).toBe(one)
  })

  const refusals: { name: string; item: AndroidItem; reason: RegExp }[] = [
    { name: 'a data cap', item: restriction('cellularDataLimitMB', 5120), reason: /no mobile data cap/ },
    {
      name: 'a mail account',
      item: profile('m', { type: 'email', accountType: 'exchange' }),
      reason: /no mail account/,
    },
    {
      name: 'a VPN without its app',
      item: profile('v', { type: 'vpn', vpnType: 'IKEv2', server: 'vpn.example.com' }),
      reason: /always-on VPN app/,
    },
    {
      name: 'WPA3-Personal Wi-Fi',
      item: profile('w', { type: 'wifi', ssid: 'S', security: 'WPA3', password: 'x' }),
      reason: /WPA3-Personal/,
    },
    {
      name: 'enterprise Wi-Fi',
      item: profile('w', { type: 'wifi', ssid: 'S', security: 'WPA2-Enterprise' }),
      reason: /CA certificate/,
    },
    { name: 'an Apple-only restriction', item: restriction('allowTerminal', true), reason: /not an Android setting/ },
    {
      name: 'a custom Apple payload',
      item: profile('c', { type: 'custom', payloadType: 'com.apple.dock' }),
      reason: /Apple payload/,
    },
  ]
  it.each(refusals)('refuses $name with the reason, and compiles the rest', r => {
    const { policy, refused } = compileAndroidPolicy({ items: [app('com.ok.app'), r.item], keep: [] })
    expect(refused).toHaveLength(1)
    expect(refused[0]?.key).toBe(`${r.item.kind}:${r.item.identifier}`)
    expect(refused[0]?.reason).toMatch(r.reason)
    expect(policy.applications).toEqual([{ packageName: 'com.ok.app', installType: 'FORCE_INSTALLED' }])
  })

  it('keeps one always-on VPN and refuses a second', () => {
    const { policy, refused } = compileAndroidPolicy({
      items: [
        profile('a.vpn', { type: 'vpn', androidApp: 'com.one.vpn' }),
        profile('b.vpn', { type: 'vpn', androidApp: 'com.two.vpn' }),
      ],
      keep: [],
    })
    expect(policy.alwaysOnVpnPackage).toEqual({ packageName: 'com.one.vpn', lockdownEnabled: false })
    expect(refused.map(r => r.key)).toEqual(['profile:b.vpn'])
  })
})

describe('what of a policy draft Android Enterprise cannot take', () => {
  const draft = (
    items: PolicyDraft['items'],
    platforms: PolicyDraft['platforms'] = ['ios', 'android'],
  ): PolicyDraft => ({
    name: 'P',
    description: '',
    priority: 0,
    platforms,
    items,
    targets: [],
  })
  const item = (p: Partial<PolicyDraft['items'][number]>): PolicyDraft['items'][number] => ({
    kind: 'restriction',
    identifier: 'cellularDataLimitMB',
    name: 'Cap',
    platform: null,
    settings: { value: 10 },
    removeOnUnassign: false,
    ...p,
  })
  it.each([
    { name: 'an item for every platform of an Android policy', d: draft([item({})]), paths: ['items.0.settings'] },
    { name: 'an item set to Android', d: draft([item({ platform: 'android' })]), paths: ['items.0.settings'] },
    {
      name: 'an item set to iOS',
      d: draft([item({ platform: 'ios', identifier: 'allowCamera', settings: { value: false } })]),
      paths: [],
    },
    { name: 'a policy without Android', d: draft([item({})], ['ios']), paths: [] },
    {
      name: 'apps (any package)',
      d: draft([item({ kind: 'app', identifier: 'com.x.y', settings: { intent: 'required' } })]),
      paths: [],
    },
    {
      name: 'an email profile',
      d: draft([item({ kind: 'profile', identifier: 'mail', settings: { type: 'email' } })]),
      paths: ['items.0.settings'],
    },
  ])('$name', ({ d, paths }) => {
    const problems = androidProblems(d)
    expect(problems.map(p => p.path)).toEqual(paths)
    for (const p of problems) expect(p.message).toMatch(/^Android: /)
  })
})

describe('the VPN settings Android takes, in the shared validation', () => {
  const ctx = {
    appInInventory: () => true,
    anyPlatformHasApp: () => true,
    groupExists: () => true,
    nameTaken: () => false,
  }
  const vpn = (settings: Record<string, unknown>): PolicyDraft => ({
    name: 'VPN',
    description: '',
    priority: 0,
    platforms: ['ios', 'android'],
    items: [
      {
        kind: 'profile',
        identifier: 'com.example.vpn',
        name: 'Office VPN',
        platform: null,
        settings: { type: 'vpn', vpnType: 'IKEv2', server: 'vpn.example.com', sharedSecret: 's3cret', ...settings },
        removeOnUnassign: false,
      },
    ],
    targets: [],
  })
  it('accepts the always-on app and lockdown beside the iOS settings', () => {
    expect(validatePolicy(vpn({ androidApp: 'com.example.vpnclient', lockdown: true }), ctx)).toEqual([])
    expect(androidProblems(vpn({ androidApp: 'com.example.vpnclient' }))).toEqual([])
  })
  it('names a bad package or lockdown value', () => {
    expect(validatePolicy(vpn({ androidApp: 'not a package', lockdown: 'yes' }), ctx).map(p => p.path)).toEqual([
      'items.0.settings.lockdown',
      'items.0.settings.androidApp',
    ])
  })
})
