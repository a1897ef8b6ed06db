// Every profile the product can generate passes Apple's schema: whatever passes a policy's
// validation on a platform renders to a profile that checkProfile accepts on that platform.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  itemProfile,
  profileProblems,
  profileXml,
  RESTRICTIONS,
  restrictionProfile,
  signProfile,
  validatePolicy,
} from '../../../src/main/policies'
import { appleRestrictionPlatforms } from '../../../src/main/policies/apple'
import { checkPayload, type ApplePlatform } from '../../../src/main/policies/apple/schema'
import type { Platform } from '../../../src/shared/domain'
import type { PayloadDraft, RestrictionDefinition } from '../../../src/shared/policy'
import { testPki } from '../../fakes/pki'

const APPLE: ApplePlatform[] = ['ios', 'macos']
const ctx = {
  appInInventory: () => true,
  anyPlatformHasApp: () => true,
  groupExists: () => true,
  nameTaken: () => false,
}
const pki = testPki()
const caBase64 = pki.caPem
/** Any base64 passes as a PKCS #12 for the schema (its content is data). */
const p12 = Buffer.from('not really a pkcs12').toString('base64')

const PROFILES: Record<string, Record<string, unknown>> = {
  'open Wi-Fi': { type: 'wifi', ssid: 'Guest', security: 'none', hidden: true },
  'WPA2 Wi-Fi': { type: 'wifi', ssid: 'Office', security: 'WPA2', password: 'long enough', autoJoin: true },
  'WPA3 Wi-Fi': { type: 'wifi', ssid: 'Office', security: 'WPA3', password: 'long enough' },
  'WPA2-Enterprise PEAP with a server root': {
    type: 'wifi',
    ssid: 'Corp',
    security: 'WPA2-Enterprise',
    username: '{{user.userPrincipalName}}',
    password: 'pw',
    eapType: 'PEAP',
    caCertificate: caBase64,
  },
  'WPA3-Enterprise TTLS': {
    type: 'wifi',
    ssid: 'Corp',
    security: 'WPA3-Enterprise',
    username: 'u',
    eapType: 'TTLS',
  },
  'WPA2-Enterprise EAP-TLS with an identity': {
    type: 'wifi',
    ssid: 'Corp',
    security: 'WPA2-Enterprise',
    username: 'u',
    eapType: 'TLS',
    identityPkcs12: p12,
    identityPassword: 'pw',
    caCertificate: caBase64,
  },
  'IKEv2 with a shared secret, on demand': {
    type: 'vpn',
    vpnType: 'IKEv2',
    server: 'vpn.example.com',
    sharedSecret: 's',
    onDemand: true,
  },
  'IKEv2 with a certificate': {
    type: 'vpn',
    vpnType: 'IKEv2',
    server: 'vpn.example.com',
    authentication: 'certificate',
    identityPkcs12: p12,
    identityPassword: 'pw',
    remoteIdentifier: 'vpn.example.com',
    localIdentifier: 'device',
  },
  'IKEv2 with a user name and password (EAP)': {
    type: 'vpn',
    vpnType: 'IKEv2',
    server: 'vpn.example.com',
    authentication: 'password',
    account: '{{user.userPrincipalName}}',
    password: 'pw',
  },
  'per-app IKEv2': {
    type: 'vpn',
    vpnType: 'IKEv2',
    server: 'vpn.example.com',
    sharedSecret: 's',
    perApp: true,
    apps: ['com.example.crm'],
    onDemand: true,
  },
  // macOS maps the apps with com.apple.vpn.managed.appmapping, from each app's code signature.
  'per-app IKEv2 with the apps signatures for macOS': {
    type: 'vpn',
    vpnType: 'IKEv2',
    server: 'vpn.example.com',
    sharedSecret: 's',
    perApp: true,
    apps: ['com.example.crm', 'com.example.mail'],
    macosApps: [
      {
        identifier: 'com.example.crm',
        designatedRequirement: 'identifier "com.example.crm"',
        signingIdentifier: 'com.example.crm',
      },
      {
        identifier: 'com.example.mail',
        designatedRequirement: 'identifier "com.example.mail" and anchor apple generic',
        signingIdentifier: 'com.example.mail',
      },
    ],
  },
  'Cisco IPSec with XAuth': {
    type: 'vpn',
    vpnType: 'IPSec',
    server: 'vpn.example.com',
    sharedSecret: 's',
    localIdentifier: 'sales',
    account: 'u',
    password: 'pw',
  },
  'Cisco IPSec with a certificate': {
    type: 'vpn',
    vpnType: 'IPSec',
    server: 'vpn.example.com',
    authentication: 'certificate',
    identityPkcs12: p12,
  },
  'Exchange mail': {
    type: 'email',
    accountType: 'exchange',
    emailAddress: '{{user.mail}}',
    username: '{{user.userPrincipalName}}',
    password: 'pw',
    host: 'outlook.office365.com',
  },
  'IMAP mail': {
    type: 'email',
    accountType: 'imap',
    emailAddress: 'a@example.com',
    host: 'imap.example.com',
    outgoingHost: 'smtp.example.com',
    password: 'pw',
    useSSL: false,
  },
  'cellular data rule for all managed apps': { type: 'cellular', allowRoamingCellularData: false },
  'cellular data rule for some apps': {
    type: 'cellular',
    apps: ['com.example.crm', 'com.example.*'],
    allowCellularData: false,
    allowRoamingCellularData: false,
  },
  'custom restrictions payload': {
    type: 'custom',
    payloadType: 'com.apple.applicationaccess',
    allowCamera: false,
  },
  'custom supervised-only payload': {
    type: 'custom',
    payloadType: 'com.apple.applicationaccess',
    allowAppInstallation: false,
    supervised: true,
  },
}

const item = (settings: Record<string, unknown>, platform: Platform): PayloadDraft => ({
  kind: 'profile',
  identifier: 'com.example.item',
  name: 'Item',
  platform,
  settings,
  removeOnUnassign: false,
})
const passes = (settings: Record<string, unknown>, platform: Platform): boolean =>
  validatePolicy(
    { name: 'P', description: '', priority: 0, platforms: [platform], items: [item(settings, platform)], targets: [] },
    ctx,
  ).length === 0

describe('every profile the product can generate', () => {
  it.each(Object.entries(PROFILES))('%s passes validation on a platform and Apple’s schema there', (_, settings) => {
    const on = APPLE.filter(p => passes(settings, p))
    expect(on.length).toBeGreaterThan(0)
    for (const platform of on) {
      const { profile, problems } = itemProfile(
        { identifier: 'com.example.item', name: 'Item', settings },
        { platform, escrowCertificate: new Uint8Array([1]) },
        settings['supervised'] === true,
      )
      expect(problems).toEqual([])
      expect(profile && profileProblems(profile, settings['supervised'] === true), platform).toEqual([])
    }
  })

  it('refuses at authoring what a platform cannot take, and never renders it', () => {
    expect(passes(PROFILES['cellular data rule for all managed apps'] as Record<string, unknown>, 'macos')).toBe(false)
    expect(passes(PROFILES['per-app IKEv2'] as Record<string, unknown>, 'macos')).toBe(false)
    expect(passes(PROFILES['per-app IKEv2'] as Record<string, unknown>, 'ios')).toBe(true)
    const signed = PROFILES['per-app IKEv2 with the apps signatures for macOS'] as Record<string, unknown>
    expect(passes(signed, 'macos')).toBe(true)
    expect(passes(signed, 'ios')).toBe(false)
    expect(passes({ type: 'vpn', vpnType: 'WireGuard', server: 'vpn.example.com', sharedSecret: 's' }, 'ios')).toBe(
      false,
    )
  })

  const samples = (def: RestrictionDefinition): unknown[] =>
    def.type === 'boolean' ? [true, false] : def.type === 'integer' ? [def.min, def.max] : (def.options ?? [])
  const restrictionCases = RESTRICTIONS.flatMap(def =>
    def.platforms.filter((p): p is ApplePlatform => p === 'ios' || p === 'macos').map(p => [def.key, p, def] as const),
  )
  it.each(restrictionCases)('restriction %s on %s renders to valid Apple payloads', (_, platform, def) => {
    for (const value of samples(def)) {
      const supervised = def.supervised?.includes(platform) === true
      const { profile, problems } = restrictionProfile({ [def.key]: value }, { platform }, supervised)
      expect(problems).toEqual([])
      if (profile) expect(profileProblems(profile, supervised)).toEqual([])
      if (supervised) expect(restrictionProfile({ [def.key]: value }, { platform }, false).problems).not.toEqual([])
    }
  })

  it('offers a restriction on iOS and macOS exactly where it has an Apple form', () => {
    for (const def of RESTRICTIONS)
      expect(
        def.platforms.filter(p => p !== 'android'),
        def.key,
      ).toEqual(appleRestrictionPlatforms(def.key).sort((a, b) => def.platforms.indexOf(a) - def.platforms.indexOf(b)))
  })

  it('renders the whole restriction set at once, FileVault escrowed to the certificate', () => {
    const all = Object.fromEntries(RESTRICTIONS.map(d => [d.key, samples(d).at(-1)]))
    for (const platform of APPLE) {
      const { profile } = restrictionProfile(all, { platform, escrowCertificate: new Uint8Array([1, 2, 3]) })
      expect(profile && profileProblems(profile, true)).toEqual([])
    }
  })

  it('sends nothing for a restriction that only allows what Apple allows anyway', () => {
    expect(restrictionProfile({ allowTerminal: true, requireFileVault: false }, { platform: 'macos' }).profile).toBe(
      null,
    )
  })
})

describe('per-app VPN', () => {
  const settings = PROFILES['per-app IKEv2 with the apps signatures for macOS'] as Record<string, unknown>
  const payloads = (platform: ApplePlatform) =>
    itemProfile({ identifier: 'com.example.vpn', name: 'VPN', settings }, { platform }).profile?.plist[
      'PayloadContent'
    ] as Record<string, unknown>[]
  const cases: [ApplePlatform, string[]][] = [
    ['ios', ['com.apple.vpn.managed.applayer']],
    ['macos', ['com.apple.vpn.managed.applayer', 'com.apple.vpn.managed.appmapping']],
  ]
  it.each(cases)('on %s is the payloads %j', (platform, types) => {
    expect(payloads(platform).map(p => p['PayloadType'])).toEqual(types)
  })

  it("maps every app on macOS to the applayer payload's VPNUUID with its code signature", () => {
    const [vpn, mapping] = payloads('macos') as [Record<string, unknown>, Record<string, unknown>]
    expect(mapping['AppLayerVPNMapping']).toEqual([
      {
        Identifier: 'com.example.crm',
        VPNUUID: vpn['VPNUUID'],
        DesignatedRequirement: 'identifier "com.example.crm"',
        SigningIdentifier: 'com.example.crm',
      },
      {
        Identifier: 'com.example.mail',
        VPNUUID: vpn['VPNUUID'],
        DesignatedRequirement: 'identifier "com.example.mail" and anchor apple generic',
        SigningIdentifier: 'com.example.mail',
      },
    ])
  })

  it("reports a missing code signature on the admin's field, through Apple's schema", () => {
    const [crmOnly] = settings['macosApps'] as unknown[]
    const { problems } = itemProfile(
      { identifier: 'com.example.vpn', name: 'VPN', settings: { ...settings, macosApps: [crmOnly] } },
      { platform: 'macos' },
    )
    expect(problems).toEqual([
      { field: 'apps.1', message: 'DesignatedRequirement is required' },
      { field: 'apps.1', message: 'SigningIdentifier is required' },
    ])
    const { problems: blank } = itemProfile(
      {
        identifier: 'com.example.vpn',
        name: 'VPN',
        settings: { ...settings, macosApps: [{ ...(crmOnly as object), signingIdentifier: '' }] },
      },
      { platform: 'macos' },
    )
    expect(blank).toContainEqual({ field: 'macosApps.0.signingIdentifier', message: 'SigningIdentifier is required' })
  })
})

describe('profile identity', () => {
  const wifi = PROFILES['WPA2 Wi-Fi'] as Record<string, unknown>
  const render = (settings: Record<string, unknown>) =>
    itemProfile({ identifier: 'com.example.wifi', name: 'Wi-Fi', settings }, { platform: 'ios' }).profile?.plist

  it('has RFC 4122 version-5 UUIDs and stable identifiers under our prefix', () => {
    const a = render(wifi)
    expect(a?.['PayloadIdentifier']).toBe('com.jitmapper.profile.com.example.wifi')
    expect(a?.['PayloadUUID']).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/)
    expect(render(wifi)).toEqual(a)
  })

  it('gets a new profile UUID when its content changes, keeping its identifiers', () => {
    const a = render(wifi)
    const b = render({ ...wifi, ssid: 'Office 2' })
    expect(b?.['PayloadUUID']).not.toBe(a?.['PayloadUUID'])
    expect(b?.['PayloadIdentifier']).toBe(a?.['PayloadIdentifier'])
  })
})

describe('signProfile', () => {
  it('makes CMS SignedData with the profile attached, which openssl verifies', () => {
    const { profile } = itemProfile(
      { identifier: 'com.example.wifi', name: 'Wi-Fi', settings: PROFILES['WPA2 Wi-Fi'] as Record<string, unknown> },
      { platform: 'ios' },
    )
    if (!profile) throw new Error('no profile')
    const xml = profileXml(profile)
    const dir = mkdtempSync(join(tmpdir(), 'sign-'))
    try {
      writeFileSync(join(dir, 'p.der'), signProfile(xml, pki.server.certPem, pki.server.keyPem))
      writeFileSync(join(dir, 'ca.pem'), pki.caPem)
      const out = execFileSync('openssl', [
        'smime',
        '-verify',
        '-inform',
        'DER',
        '-in',
        join(dir, 'p.der'),
        '-CAfile',
        join(dir, 'ca.pem'),
        '-purpose',
        'any',
      ])
      expect(out.toString('utf8')).toBe(xml)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('InstallProfile payload checks', () => {
  it('the checker finds a key Apple does not define (the old invented payload would fail)', () => {
    expect(
      checkPayload(
        'com.apple.wifi.managed',
        {
          PayloadType: 'com.apple.wifi.managed',
          PayloadVersion: 1,
          PayloadIdentifier: 'x',
          PayloadUUID: 'y',
          ssid: 'x',
        },
        { platform: 'ios', supervised: false },
      ),
    ).toHaveLength(1)
  })
})
