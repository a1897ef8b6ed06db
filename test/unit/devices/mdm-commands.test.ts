import { describe, expect, it } from 'vitest'
import { installApplication, mdmCommand, RESTRICTIONS_PROFILE } from '../../../src/main/devices/mdm-commands'
import { checkCommand } from '../../../src/main/policies/apple/schema'
import { payloadUuid, profileIdentifier } from '../../../src/main/policies'
import { parsePlist } from '../../../src/main/devices/plist'
import type { Command, CommandType } from '../../../src/shared/domain'

const command = (type: CommandType, payload: Record<string, unknown>): Command => ({
  id: 'C-1',
  deviceId: 'D',
  seq: 1,
  type,
  payload,
  state: 'queued',
  reason: { policyId: 'p', policyName: 'P', groupId: null, groupName: null, summary: '' },
  createdAt: '',
  pushedAt: null,
  acknowledgedAt: null,
  deadlineAt: '',
  error: null,
  sentAt: null,
  finishedAt: null,
  attempts: 0,
  nextAttemptAt: null,
  channel: null,
})

const profileOf = (data: unknown) =>
  parsePlist(Buffer.from(data as Uint8Array).toString('utf8')) as Record<string, unknown>

describe('MDM command payloads', () => {
  it.each([
    [
      'install_app',
      { identifier: 'com.salesforce.chatter', name: 'Salesforce' },
      { RequestType: 'InstallApplication', Identifier: 'com.salesforce.chatter', ChangeManagementState: 'Managed' },
    ],
    [
      'remove_app',
      { identifier: 'com.salesforce.chatter', name: 'Salesforce' },
      { RequestType: 'RemoveApplication', Identifier: 'com.salesforce.chatter' },
    ],
    [
      'remove_profile',
      { identifier: 'com.example.wifi', name: 'Wi-Fi' },
      { RequestType: 'RemoveProfile', Identifier: 'com.jitmapper.profile.com.example.wifi' },
    ],
    [
      'apply_restrictions',
      { settings: {}, platform: 'ios' },
      { RequestType: 'RemoveProfile', Identifier: RESTRICTIONS_PROFILE },
    ],
    [
      'device_information',
      { name: 'Scan Device' },
      {
        RequestType: 'DeviceInformation',
        Queries: [
          'DeviceName',
          'OSVersion',
          'BuildVersion',
          'ProductName',
          'Model',
          'ModelName',
          'SerialNumber',
          'UDID',
          'DeviceCapacity',
          'AvailableDeviceCapacity',
          'IsSupervised',
        ],
      },
    ],
    ['security_info', {}, { RequestType: 'SecurityInfo' }],
    ['installed_application_list', {}, { RequestType: 'InstalledApplicationList', ManagedAppsOnly: true }],
    ['profile_list', {}, { RequestType: 'ProfileList', ManagedOnly: true }],
  ] as const)('%s becomes %o', (type, payload, request) => {
    expect(mdmCommand(command(type, payload))).toEqual({ CommandUUID: 'C-1', Command: request })
  })

  const installs: [string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'an iOS app by its App Store id, with an Apps and Books licence, removed with the MDM profile',
      { identifier: 'com.salesforce.chatter', platform: 'ios', storeId: 404249815, removeWithMdm: true },
      {
        iTunesStoreID: 404249815,
        Options: { PurchaseMethod: 1 },
        ChangeManagementState: 'Managed',
        ManagementFlags: 1,
      },
    ],
    [
      'a macOS app installed as managed',
      { identifier: 'com.microsoft.VSCode', platform: 'macos' },
      { Identifier: 'com.microsoft.VSCode', ChangeManagementState: 'Managed', InstallAsManaged: true },
    ],
    [
      'an iOS app bound to a per-app VPN',
      { identifier: 'com.salesforce.chatter', platform: 'ios', perAppVpn: 'com.northwind.vpn' },
      {
        Identifier: 'com.salesforce.chatter',
        ChangeManagementState: 'Managed',
        Attributes: { VPNUUID: payloadUuid(profileIdentifier('com.northwind.vpn'), 'vpn') },
      },
    ],
  ]
  it.each(installs)("installs %s with Apple's InstallApplication keys", (_, payload, keys) => {
    const { RequestType, ...request } = installApplication(payload)
    expect(RequestType).toBe('InstallApplication')
    expect(request).toEqual(keys)
    const platform = payload['platform'] as 'ios' | 'macos'
    expect(checkCommand('InstallApplication', request, { platform, supervised: false })).toEqual([])
  })

  it('installs a profile as an Apple configuration profile under our identifier', () => {
    const c = mdmCommand(
      command('install_profile', {
        identifier: 'com.example.wifi',
        name: 'Marketing Wi-Fi',
        platform: 'ios',
        settings: { type: 'wifi', ssid: 'MKT', security: 'WPA2', password: 'long enough', hidden: false },
      }),
    )
    expect(c['Command']).toMatchObject({ RequestType: 'InstallProfile' })
    const profile = profileOf((c['Command'] as Record<string, unknown>)['Payload'])
    expect(profile).toMatchObject({
      PayloadType: 'Configuration',
      PayloadIdentifier: 'com.jitmapper.profile.com.example.wifi',
      PayloadDisplayName: 'Marketing Wi-Fi',
    })
    expect(profile['PayloadUUID']).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/)
    expect((profile['PayloadContent'] as Record<string, unknown>[])[0]).toMatchObject({
      PayloadType: 'com.apple.wifi.managed',
      SSID_STR: 'MKT',
      EncryptionType: 'WPA2',
      Password: 'long enough',
      HIDDEN_NETWORK: false,
    })
  })

  it('sends restrictions as Apple payloads for the platform', () => {
    const c = mdmCommand(
      command('apply_restrictions', { platform: 'macos', settings: { allowCamera: false, requireFileVault: true } }),
    )
    const profile = profileOf((c['Command'] as Record<string, unknown>)['Payload'])
    expect(profile['PayloadIdentifier']).toBe(RESTRICTIONS_PROFILE)
    const types = (profile['PayloadContent'] as Record<string, unknown>[]).map(p => p['PayloadType'])
    expect(types).toEqual(['com.apple.applicationaccess', 'com.apple.MCX.FileVault2', 'com.apple.MCX'])
  })

  it('escrows the FileVault recovery key to the certificate it is given', () => {
    const escrowCertificate = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])
    const c = mdmCommand(command('apply_restrictions', { platform: 'macos', settings: { requireFileVault: true } }), {
      escrowCertificate,
    })
    const content = profileOf((c['Command'] as Record<string, unknown>)['Payload'])['PayloadContent'] as Record<
      string,
      unknown
    >[]
    const cert = content.find(p => p['PayloadType'] === 'com.apple.security.pkcs1')
    const escrow = content.find(p => p['PayloadType'] === 'com.apple.security.FDERecoveryKeyEscrow')
    expect(cert?.['PayloadContent']).toEqual(escrowCertificate)
    expect(escrow?.['EncryptCertPayloadUUID']).toBe(cert?.['PayloadUUID'])
  })
})
