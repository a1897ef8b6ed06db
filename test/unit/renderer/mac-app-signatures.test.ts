import { describe, expect, it } from 'vitest'
import { signatureFields, withSignature } from '../../../src/renderer/components/mac-app-signatures'
import type { Platform } from '../../../src/shared/domain'

const vpn = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'vpn',
  perApp: true,
  apps: ['com.a', 'com.b'],
  ...over,
})
const DR = 'identifier "com.b"'

describe("the editor's macOS app signatures", () => {
  const shown: [string, Record<string, unknown>, Platform[], string[]][] = [
    ['a per-app VPN reaching macOS', vpn(), ['ios', 'macos'], ['com.a', 'com.a', 'com.b', 'com.b']],
    ['a per-app VPN for iOS only', vpn(), ['ios'], []],
    ['a device-wide VPN on macOS', vpn({ perApp: false }), ['macos'], []],
    ['a per-app VPN without apps', vpn({ apps: undefined }), ['macos'], []],
    ['another profile type', vpn({ type: 'wifi' }), ['macos'], []],
  ]
  it.each(shown)('are asked for %s', (_, settings, reach, apps) => {
    expect(signatureFields(settings, reach).map(f => f.app)).toEqual(apps)
  })

  it("name the app's entry, or the app itself while it has none, as a refused save does", () => {
    const settings = vpn({ macosApps: [{ identifier: 'com.b', designatedRequirement: DR }] })
    expect(signatureFields(settings, ['macos'])).toEqual([
      { app: 'com.a', key: 'designatedRequirement', value: '', path: 'settings.apps.0' },
      { app: 'com.a', key: 'signingIdentifier', value: '', path: 'settings.apps.0' },
      { app: 'com.b', key: 'designatedRequirement', value: DR, path: 'settings.macosApps.0.designatedRequirement' },
      { app: 'com.b', key: 'signingIdentifier', value: '', path: 'settings.macosApps.0.signingIdentifier' },
    ])
  })

  const edits: [
    string,
    Record<string, unknown>,
    string,
    'designatedRequirement' | 'signingIdentifier',
    string,
    unknown,
  ][] = [
    [
      'the first value',
      vpn(),
      'com.b',
      'signingIdentifier',
      'com.b',
      [{ identifier: 'com.b', signingIdentifier: 'com.b' }],
    ],
    [
      'a second field of the same app',
      vpn({ macosApps: [{ identifier: 'com.b', signingIdentifier: 'com.b' }] }),
      'com.b',
      'designatedRequirement',
      DR,
      [{ identifier: 'com.b', signingIdentifier: 'com.b', designatedRequirement: DR }],
    ],
    [
      "the apps' order",
      vpn({ macosApps: [{ identifier: 'com.b', signingIdentifier: 'com.b' }] }),
      'com.a',
      'signingIdentifier',
      'com.a',
      [
        { identifier: 'com.a', signingIdentifier: 'com.a' },
        { identifier: 'com.b', signingIdentifier: 'com.b' },
      ],
    ],
    [
      'nothing once the last value is cleared',
      vpn({ macosApps: [{ identifier: 'com.b', signingIdentifier: 'com.b' }] }),
      'com.b',
      'signingIdentifier',
      '',
      undefined,
    ],
    [
      'no signature of an app taken off the list',
      vpn({ apps: ['com.b'], macosApps: [{ identifier: 'com.a', signingIdentifier: 'com.a' }] }),
      'com.b',
      'signingIdentifier',
      'com.b',
      [{ identifier: 'com.b', signingIdentifier: 'com.b' }],
    ],
  ]
  it.each(edits)('keep %s', (_, settings, app, key, value, expected) => {
    expect(withSignature(settings, app, key, value)).toEqual(expected)
  })
})
