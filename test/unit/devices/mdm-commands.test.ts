import { describe, expect, it } from 'vitest'
import { mdmCommand, RESTRICTIONS_PROFILE } from '../../../src/main/devices/mdm-commands'
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
      { RequestType: 'InstallApplication', Identifier: 'com.salesforce.chatter', ManagementFlags: 1 },
    ],
    [
      'remove_app',
      { identifier: 'com.salesforce.chatter', name: 'Salesforce' },
      { RequestType: 'RemoveApplication', Identifier: 'com.salesforce.chatter' },
    ],
    [
      'remove_profile',
      { identifier: 'com.example.wifi', name: 'Wi-Fi' },
      { RequestType: 'RemoveProfile', Identifier: 'com.example.wifi' },
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

  it('installs a profile as a configuration profile carrying the settings', () => {
    const c = mdmCommand(
      command('install_profile', {
        identifier: 'com.example.wifi',
        name: 'Marketing Wi-Fi',
        settings: { ssid: 'MKT', hidden: false },
      }),
    )
    expect(c['Command']).toMatchObject({ RequestType: 'InstallProfile' })
    const profile = profileOf((c['Command'] as Record<string, unknown>)['Payload'])
    expect(profile).toMatchObject({
      PayloadType: 'Configuration',
      PayloadIdentifier: 'com.example.wifi',
      PayloadDisplayName: 'Marketing Wi-Fi',
      PayloadUUID: 'C-1',
    })
    expect((profile['PayloadContent'] as Record<string, unknown>[])[0]).toMatchObject({ ssid: 'MKT', hidden: false })
  })

  it('sends restrictions as a com.apple.applicationaccess profile', () => {
    const c = mdmCommand(command('apply_restrictions', { settings: { allowCamera: false } }))
    const profile = profileOf((c['Command'] as Record<string, unknown>)['Payload'])
    expect(profile['PayloadIdentifier']).toBe(RESTRICTIONS_PROFILE)
    expect((profile['PayloadContent'] as Record<string, unknown>[])[0]).toMatchObject({
      PayloadType: 'com.apple.applicationaccess',
      allowCamera: false,
    })
  })
})
