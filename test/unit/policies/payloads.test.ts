import { describe, expect, it } from 'vitest'
import { tripsBreaker, validatePolicy, variablesIn } from '../../../src/main/policies'
import { isMatured } from '../../../src/main/groups'
import { DEFAULT_POLICY_SETTINGS, type PayloadDraft, type PolicyDraft } from '../../../src/shared/policy'

const ctx = {
  appInInventory: (platform: string, id: string) => platform === 'ios' && id === 'com.example.crm',
  anyPlatformHasApp: (id: string) => id === 'com.example.crm',
  groupExists: (id: string) => id === 'g1',
  nameTaken: (name: string) => name === 'Taken',
}
const draft = (items: PayloadDraft[], over: Partial<PolicyDraft> = {}): PolicyDraft => ({
  name: 'P',
  description: '',
  priority: 1,
  platforms: ['ios', 'macos'],
  items,
  targets: [{ groupId: 'g1', mode: 'include' }],
  ...over,
})
const profile = (settings: Record<string, unknown>): PayloadDraft => ({
  kind: 'profile',
  identifier: 'p',
  name: 'P',
  platform: null,
  settings,
  removeOnUnassign: false,
})
/** A designated requirement as `codesign -d -r-` prints it for an App Store app. */
const DR = 'identifier "com.example.crm" and anchor apple generic'
const SIGNED = [{ identifier: 'com.example.crm', designatedRequirement: DR, signingIdentifier: 'com.example.crm' }]
const macVpn = (macosApps?: unknown[]): Record<string, unknown> => ({
  type: 'vpn',
  vpnType: 'IKEv2',
  server: 'vpn.example.com',
  sharedSecret: 's',
  perApp: true,
  apps: ['com.example.crm'],
  ...(macosApps === undefined ? {} : { macosApps }),
})
const problems = (d: PolicyDraft) => validatePolicy(d, ctx).map(p => `${p.path}: ${p.message}`)

describe('validatePolicy', () => {
  const cases: { name: string; draft: PolicyDraft; expected: RegExp[] }[] = [
    {
      name: 'a valid Wi-Fi profile',
      draft: draft([profile({ type: 'wifi', ssid: 'Office', security: 'WPA3', password: 'long enough' })]),
      expected: [],
    },
    {
      name: 'a WPA2 network without password',
      draft: draft([profile({ type: 'wifi', ssid: 'Office', security: 'WPA2' })]),
      expected: [/^items\.0\.settings\.password: is required/],
    },
    {
      name: 'an SSID longer than 32',
      draft: draft([profile({ type: 'wifi', ssid: 'x'.repeat(33), security: 'none' })]),
      expected: [/ssid: must be at most 32/],
    },
    {
      name: 'an unknown Wi-Fi setting',
      draft: draft([profile({ type: 'wifi', ssid: 'O', security: 'none', colour: 'red' })]),
      expected: [/colour: is not a wifi setting/],
    },
    {
      name: 'a per-app VPN without apps',
      draft: draft(
        [profile({ type: 'vpn', vpnType: 'IKEv2', server: 'vpn.example.com', perApp: true, sharedSecret: 's' })],
        { platforms: ['ios'] },
      ),
      expected: [/apps: a per-app VPN needs at least one app/],
    },
    {
      name: 'a per-app VPN naming an app not in the inventory',
      draft: draft(
        [
          profile({
            type: 'vpn',
            vpnType: 'IKEv2',
            server: 'vpn.example.com',
            sharedSecret: 's',
            perApp: true,
            apps: ['com.other'],
          }),
        ],
        { platforms: ['ios'] },
      ),
      expected: [/apps\.0: com\.other is not in the app inventory/],
    },
    {
      name: 'a VPN type Apple devices do not have built in',
      draft: draft([profile({ type: 'vpn', vpnType: 'WireGuard', server: 'vpn.example.com', sharedSecret: 's' })]),
      expected: [
        /^items\.0\.settings\.vpnType: WireGuard is not a VPN type Apple devices have built in .*\(on iOS and macOS\)$/,
      ],
    },
    {
      name: "a per-app VPN on macOS without the apps' code signatures",
      draft: draft([profile(macVpn())]),
      expected: [
        /^items\.0\.settings\.apps\.0: a Mac maps com\.example\.crm to the per-app VPN by its code signature: give its designated requirement and signing identifier$/,
      ],
    },
    {
      name: 'a per-app VPN on macOS missing one signature field',
      draft: draft([profile(macVpn([{ identifier: 'com.example.crm', designatedRequirement: DR }]))]),
      expected: [
        /^items\.0\.settings\.macosApps\.0\.signingIdentifier: is required: a Mac maps com\.example\.crm .*codesign -dv/,
      ],
    },
    {
      name: 'a per-app VPN on macOS with a blank or non-text signature field',
      draft: draft([
        profile(macVpn([{ identifier: 'com.example.crm', designatedRequirement: '  ', signingIdentifier: 7 }])),
      ]),
      expected: [
        /^items\.0\.settings\.macosApps\.0\.designatedRequirement: is required: a Mac maps com\.example\.crm .*codesign -d -r-/,
        /^items\.0\.settings\.macosApps\.0\.signingIdentifier: must be text/,
      ],
    },
    {
      name: 'a valid per-app VPN on iOS and macOS',
      draft: draft([profile(macVpn(SIGNED))]),
      expected: [],
    },
    {
      name: 'signatures of an app the VPN does not use, twice for one app, and an unknown signature key',
      draft: draft([
        profile(
          macVpn([
            { ...SIGNED[0], teamId: 'X' },
            { identifier: 'com.example.old', designatedRequirement: DR, signingIdentifier: 'com.example.old' },
            SIGNED[0],
          ]),
        ),
      ]),
      expected: [
        /^items\.0\.settings\.macosApps\.0\.teamId: is not a code-signature setting/,
        /^items\.0\.settings\.macosApps\.1\.identifier: com\.example\.old is not one of the apps using this per-app VPN/,
        /^items\.0\.settings\.macosApps\.2\.identifier: com\.example\.crm has a signature already/,
      ],
    },
    {
      name: 'signatures on a VPN that does not reach macOS',
      draft: draft([profile(macVpn(SIGNED))], { platforms: ['ios'] }),
      expected: [/^items\.0\.settings\.macosApps: is for macOS only/],
    },
    {
      name: 'signatures that are not a list',
      draft: draft([profile(macVpn({ 'com.example.crm': SIGNED[0] } as unknown as unknown[]))]),
      expected: [/^items\.0\.settings\.macosApps: must be a list/, /^items\.0\.settings\.apps\.0: a Mac maps/],
    },
    {
      name: 'a valid per-app VPN',
      draft: draft(
        [
          profile({
            type: 'vpn',
            vpnType: 'IKEv2',
            server: 'vpn.example.com',
            sharedSecret: 's',
            perApp: true,
            apps: ['com.example.crm'],
          }),
        ],
        { platforms: ['ios'] },
      ),
      expected: [],
    },
    {
      name: 'an email address that is no address',
      draft: draft([
        profile({
          type: 'email',
          accountType: 'imap',
          emailAddress: 'alex',
          host: 'mail.example.com',
          outgoingHost: 'smtp.example.com',
        }),
      ]),
      expected: [/emailAddress: "alex" is not an email address/],
    },
    {
      name: 'an IMAP account without outgoing server',
      draft: draft([
        profile({ type: 'email', accountType: 'imap', emailAddress: 'a@example.com', host: 'imap.example.com' }),
      ]),
      expected: [/^items\.0\.settings\.outgoingHost: is required/],
    },
    {
      name: 'a cellular data rule on an Android and a macOS policy',
      draft: draft([profile({ type: 'cellular', allowRoamingCellularData: false })], {
        platforms: ['ios', 'macos', 'android'],
      }),
      expected: [
        /^items\.0\.settings\.type: Cellular data rules are an iOS payload .*Android devices can't take it/,
        /^items\.0\.settings: com\.apple\.networkusagerules is not available on macOS \(on macOS\)$/,
      ],
    },
    {
      name: 'a valid cellular data rule for iOS',
      draft: draft([profile({ type: 'cellular', apps: ['com.example.*'], allowRoamingCellularData: false })], {
        platforms: ['ios'],
      }),
      expected: [],
    },
    {
      name: "a custom profile checked against Apple's schema",
      draft: draft([
        profile({ type: 'custom', payloadType: 'com.apple.applicationaccess', allowCamera: 'no', allowChat: false }),
      ]),
      expected: [
        /^items\.0\.settings\.allowCamera: allowCamera must be a boolean \(on iOS and macOS\)$/,
        /^items\.0\.settings\.allowChat: allowChat works only on supervised iOS devices \(on iOS\)$/,
        /^items\.0\.settings\.allowChat: allowChat is not available on macOS \(on macOS\)$/,
      ],
    },
    {
      name: 'a supervised-only key confirmed for supervised devices',
      draft: draft(
        [profile({ type: 'custom', payloadType: 'com.apple.applicationaccess', allowChat: false, supervised: true })],
        { platforms: ['ios'] },
      ),
      expected: [],
    },
    {
      name: 'a supervised-only restriction not confirmed',
      draft: draft(
        [
          {
            kind: 'restriction',
            identifier: 'allowAppCellularDataModification',
            name: 'C',
            platform: null,
            settings: { value: false },
            removeOnUnassign: false,
          },
        ],
        { platforms: ['ios'] },
      ),
      expected: [
        /^items\.0\.settings\.supervised: Allow changing apps' cellular data use works only on supervised iOS devices/,
        /^items\.0\.settings\.value: allowAppCellularDataModification works only on supervised iOS devices \(on iOS\)$/,
      ],
    },
    {
      name: 'a cellular data cap in megabytes for iOS',
      draft: draft(
        [
          {
            kind: 'restriction',
            identifier: 'cellularDataLimitMB',
            name: 'C',
            platform: null,
            settings: { value: 100 },
            removeOnUnassign: false,
          },
        ],
        { platforms: ['ios', 'android'] },
      ),
      expected: [
        /^items\.0\.platform: Cellular data limit \(MB\) is not available on ios; set the item's platform to android/,
      ],
    },
    {
      name: 'an unknown variable',
      draft: draft([
        profile({ type: 'email', accountType: 'exchange', emailAddress: '{{mail}}', host: 'mail.example.com' }),
      ]),
      expected: [/emailAddress: "\{\{mail\}\}" is not a variable we know/],
    },
    {
      name: 'a profile without type',
      draft: draft([profile({ ssid: 'x' })]),
      expected: [/settings\.type: must be one of wifi, vpn, email, cellular, custom/],
    },
    {
      name: 'an unknown restriction',
      draft: draft([
        {
          kind: 'restriction',
          identifier: 'allowTeleport',
          name: 'T',
          platform: null,
          settings: { value: true },
          removeOnUnassign: false,
        },
      ]),
      expected: [/identifier: "allowTeleport" is not a known restriction/],
    },
    {
      name: 'a restriction of the wrong type',
      draft: draft([
        {
          kind: 'restriction',
          identifier: 'allowCamera',
          name: 'C',
          platform: null,
          settings: { value: 'no' },
          removeOnUnassign: false,
        },
      ]),
      expected: [/value: Allow camera must be true or false/],
    },
    {
      name: 'a restriction out of range',
      draft: draft([
        {
          kind: 'restriction',
          identifier: 'minPasscodeLength',
          name: 'L',
          platform: null,
          settings: { value: 2 },
          removeOnUnassign: false,
        },
      ]),
      expected: [/between 4 and 16/],
    },
    {
      name: 'a restriction on a platform that lacks it',
      draft: draft([
        {
          kind: 'restriction',
          identifier: 'allowTerminal',
          name: 'T',
          platform: null,
          settings: { value: false },
          removeOnUnassign: false,
        },
      ]),
      expected: [/platform: Allow Terminal is not available on ios/],
    },
    {
      name: 'an app without platform',
      draft: draft([
        {
          kind: 'app',
          identifier: 'com.example.crm',
          name: 'CRM',
          platform: null,
          settings: { intent: 'required' },
          removeOnUnassign: true,
        },
      ]),
      expected: [/platform: an app is for one platform/],
    },
    {
      name: 'an app not in the inventory',
      draft: draft([
        {
          kind: 'app',
          identifier: 'com.example.crm',
          name: 'CRM',
          platform: 'macos',
          settings: { intent: 'required' },
          removeOnUnassign: true,
        },
      ]),
      expected: [/not in the app inventory for macos/],
    },
    {
      name: 'the removal flag on a profile',
      draft: draft([
        {
          ...profile({ type: 'custom', payloadType: 'com.apple.applicationaccess', allowCamera: false }),
          removeOnUnassign: true,
        },
      ]),
      expected: [/removeOnUnassign: "Remove app when policy is removed" applies to apps only/],
    },
    {
      name: 'a variable in a restriction',
      draft: draft([
        {
          kind: 'restriction',
          identifier: 'passcodeComplexity',
          name: 'C',
          platform: null,
          settings: { value: '{{user.level}}' },
          removeOnUnassign: false,
        },
      ]),
      expected: [/must be one of/, /variables can be used in profile settings only/],
    },
    {
      name: 'a taken name, no platform and an unknown group',
      draft: draft([], { name: 'Taken', platforms: [], targets: [{ groupId: 'nope', mode: 'exclude' }] }),
      expected: [/^name: another policy/, /^platforms: choose at least one/, /^targets\.0\.groupId: no group/],
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const found = problems(c.draft)
      expect(found).toHaveLength(c.expected.length)
      c.expected.forEach((re, i) => expect(found[i]).toMatch(re))
    })
  }
})

describe('variablesIn', () => {
  it('finds {{user.x}} variables and rejects others', () => {
    expect(variablesIn('{{user.mail}} and {{ user.givenName }}')).toEqual({
      names: ['mail', 'givenName'],
      problems: [],
    })
    expect(variablesIn('{{department}}').problems).toHaveLength(1)
    expect(variablesIn('{{user.mail').problems).toEqual(['has an unclosed {{ … }} variable'])
  })
})

describe('isMatured', () => {
  const grace = { syncs: 1, minutes: 10 }
  const cases = [
    {
      name: 'not before a later sync confirmed it',
      w: { leftAt: '2026-01-01T00:00:00Z', confirmations: 0 },
      now: '2026-01-02T00:00:00Z',
      expected: false,
    },
    {
      name: 'not before the grace time passed',
      w: { leftAt: '2026-01-01T00:00:00Z', confirmations: 3 },
      now: '2026-01-01T00:05:00Z',
      expected: false,
    },
    {
      name: 'once both hold',
      w: { leftAt: '2026-01-01T00:00:00Z', confirmations: 1 },
      now: '2026-01-01T00:10:00Z',
      expected: true,
    },
  ]
  for (const c of cases) it(c.name, () => expect(isMatured(c.w, grace, new Date(c.now))).toBe(c.expected))
})

describe('tripsBreaker', () => {
  const s = { ...DEFAULT_POLICY_SETTINGS, graceSyncs: 1, graceMinutes: 0, breakerDevices: 20, breakerShare: 0.1 }
  const cases = [
    { name: 'never for one device, even the whole fleet', withdrawn: 1, total: 1, expected: false },
    { name: 'not at the share limit', withdrawn: 10, total: 100, expected: false },
    { name: 'above the share', withdrawn: 11, total: 100, expected: true },
    { name: 'not at the device limit in a large fleet', withdrawn: 20, total: 10_000, expected: false },
    { name: 'above the device limit in a large fleet', withdrawn: 21, total: 10_000, expected: true },
  ]
  for (const c of cases) it(c.name, () => expect(tripsBreaker(c.withdrawn, c.total, s)).toBe(c.expected))
})
