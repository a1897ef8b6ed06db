import { describe, expect, it } from 'vitest'
import { signatureApps, signaturePaths, withSignature } from '../../../src/renderer/components/mac-app-signatures'
import type { Platform } from '../../../src/shared/domain'

const vpn = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'vpn',
  perApp: true,
  apps: ['com.a', 'com.b'],
  ...over,
})

describe("the editor's macOS app signatures", () => {
  const shown: [string, Record<string, unknown>, Platform[], string[]][] = [
    ['a per-app VPN reaching macOS', vpn(), ['ios', 'macos'], ['com.a', 'com.b']],
    ['a per-app VPN for iOS only', vpn(), ['ios'], []],
    ['a device-wide VPN on macOS', vpn({ perApp: false }), ['macos'], []],
    ['a per-app VPN without apps', vpn({ apps: undefined }), ['macos'], []],
    ['another profile type', vpn({ type: 'wifi' }), ['macos'], []],
  ]
  it.each(shown)('are asked for %s', (_, settings, reach, apps) => {
    expect(signatureApps(settings, reach)).toEqual(apps)
  })

  it('mark the fields they show, so a refused save is not listed twice', () => {
    expect(signaturePaths(vpn({ apps: ['com.a'] }))).toEqual([
      'settings.macosApps.com.a.designatedRequirement',
      'settings.macosApps.com.a.signingIdentifier',
    ])
    expect(signaturePaths(vpn({ perApp: false }))).toEqual([])
  })

  const edits: [
    string,
    Record<string, unknown>,
    string,
    'designatedRequirement' | 'signingIdentifier',
    string,
    unknown,
  ][] = [
    ['the first value', vpn(), 'com.a', 'signingIdentifier', 'com.a', { 'com.a': { signingIdentifier: 'com.a' } }],
    [
      'a second field of the same app',
      vpn({ macosApps: { 'com.a': { signingIdentifier: 'com.a' } } }),
      'com.a',
      'designatedRequirement',
      'identifier "com.a"',
      { 'com.a': { signingIdentifier: 'com.a', designatedRequirement: 'identifier "com.a"' } },
    ],
    [
      'clearing the last value',
      vpn({ macosApps: { 'com.a': { signingIdentifier: 'com.a' } } }),
      'com.a',
      'signingIdentifier',
      '',
      undefined,
    ],
    [
      'an app taken off the list loses its signature',
      vpn({ apps: ['com.b'], macosApps: { 'com.a': { signingIdentifier: 'com.a' } } }),
      'com.b',
      'signingIdentifier',
      'com.b',
      { 'com.b': { signingIdentifier: 'com.b' } },
    ],
  ]
  it.each(edits)('keep %s', (_, settings, app, key, value, expected) => {
    expect(withSignature(settings, app, key, value)).toEqual(expected)
  })
})
