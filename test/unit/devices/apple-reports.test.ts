import { describe, expect, it } from 'vitest'
import { factsFromAuthenticate, factsFromResult } from '../../../src/main/devices/apple/reports'

const AT = '2026-12-06T10:00:00.000Z'

describe('facts read out of query results (keys from apple/device-management mdm/commands)', () => {
  it.each([
    [
      'DeviceInformation',
      'device_information',
      {
        QueryResponses: {
          OSVersion: '15.1',
          BuildVersion: '24B83',
          ModelName: 'MacBook Air',
          Model: 'Mac15,12',
          ProductName: 'Mac15,12',
          DeviceCapacity: 494.38,
          AvailableDeviceCapacity: 201.5,
          IsSupervised: true,
          HostName: 'ignored',
        },
      },
      {
        osVersion: '15.1',
        buildVersion: '24B83',
        modelName: 'MacBook Air',
        model: 'Mac15,12',
        productName: 'Mac15,12',
        capacityGb: 494.38,
        availableGb: 201.5,
        supervised: true,
        informationAt: AT,
      },
    ],
    [
      'macOS SecurityInfo (FileVault)',
      'security_info',
      { SecurityInfo: { FDE_Enabled: false, SystemIntegrityProtectionEnabled: true } },
      { encrypted: false, securityAt: AT },
    ],
    [
      'iOS SecurityInfo (data protection needs caps 3 and a passcode)',
      'security_info',
      { SecurityInfo: { HardwareEncryptionCaps: 3, PasscodePresent: false } },
      { encrypted: false, passcodePresent: false, securityAt: AT },
    ],
    [
      'iOS SecurityInfo with a passcode',
      'security_info',
      { SecurityInfo: { HardwareEncryptionCaps: 3, PasscodePresent: true } },
      { encrypted: true, passcodePresent: true, securityAt: AT },
    ],
    [
      'InstalledApplicationList',
      'installed_application_list',
      {
        InstalledApplicationList: [
          { Identifier: 'com.slack.Slack', Name: 'Slack', ShortVersion: '4.41', Version: '441' },
          { Identifier: 'com.apple.Pages', Name: 'Pages', Version: '14.2' },
          { Name: 'no identifier' },
        ],
      },
      {
        apps: [
          { identifier: 'com.apple.Pages', name: 'Pages', version: '14.2' },
          { identifier: 'com.slack.Slack', name: 'Slack', version: '4.41' },
        ],
        appsAt: AT,
      },
    ],
    [
      'ProfileList',
      'profile_list',
      { ProfileList: [{ PayloadIdentifier: 'com.example.wifi', PayloadDisplayName: 'Wi-Fi', PayloadUUID: 'U1' }] },
      { profiles: [{ identifier: 'com.example.wifi', name: 'Wi-Fi', uuid: 'U1' }], profilesAt: AT },
    ],
  ] as const)('%s', (_name, type, result, facts) => {
    expect(factsFromResult(type, result as never, AT)).toEqual(facts)
  })

  it.each([
    ['an install', 'install_app', { Status: 'Acknowledged' }],
    ['a DeviceInformation result without QueryResponses', 'device_information', {}],
    ['a ProfileList that is not a list', 'profile_list', { ProfileList: 'x' }],
  ] as const)('reads nothing from %s', (_name, type, result) => {
    expect(factsFromResult(type, result as never, AT)).toBeNull()
  })

  it('reads only the keys an Authenticate carries', () => {
    expect(factsFromAuthenticate({ MessageType: 'Authenticate', OSVersion: '9.3.5', ProductName: 'iPad2,5' })).toEqual({
      osVersion: '9.3.5',
      productName: 'iPad2,5',
    })
  })
})
