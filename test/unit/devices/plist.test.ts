import { describe, expect, it } from 'vitest'
import { buildPlist, parsePlist, PlistError, type PlistValue } from '../../../src/main/devices/plist'

describe('property lists', () => {
  it('round-trips every plist type', () => {
    const value: PlistValue = {
      MessageType: 'TokenUpdate',
      Token: new Uint8Array([0, 1, 254, 255]),
      Count: 42,
      Ratio: 0.5,
      Enabled: true,
      Disabled: false,
      When: new Date('2026-11-02T09:00:00Z'),
      Nested: [{ Key: 'a < b & c' }, [], {}],
    }
    expect(parsePlist(buildPlist(value))).toEqual(value)
    const indented = buildPlist(value, { indent: true })
    expect(indented).toContain('\n\t<key>MessageType</key>\n\t<string>TokenUpdate</string>')
    expect(parsePlist(indented)).toEqual(value)
  })

  it('reads an Apple check-in as the device sends it', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>MessageType</key>
  <string>TokenUpdate</string>
  <!-- a comment -->
  <key>PushMagic</key>
  <string>8A2C9E2A-&#x41;</string>
  <key>Token</key>
  <data>
  AAEC
  </data>
  <key>UnlockToken</key>
  <data/>
</dict>
</plist>`
    expect(parsePlist(xml)).toEqual({
      MessageType: 'TokenUpdate',
      PushMagic: '8A2C9E2A-A',
      Token: new Uint8Array([0, 1, 2]),
      UnlockToken: new Uint8Array(),
    })
  })

  it.each([
    ['no plist root', '<dict></dict>', /Expected <plist>/],
    ['a key without a value', '<plist><dict><key>A</key></dict></plist>', /Unexpected <\/dict>/],
    ['a value without a key', '<plist><dict><string>x</string></dict></plist>', /Expected <key>/],
    ['a duplicate key', '<plist><dict><key>A</key><true/><key>A</key><false/></dict></plist>', /Duplicate key "A"/],
    ['a bad integer', '<plist><integer>12x</integer></plist>', /Invalid <integer>/],
    ['bad base64', '<plist><data>**</data></plist>', /Invalid base64/],
    ['a bad date', '<plist><date>yesterday</date></plist>', /Invalid <date>/],
    ['an unknown element', '<plist><set/></plist>', /Unknown element <set>/],
    ['an unknown entity', '<plist><string>&nbsp;</string></plist>', /Unknown entity/],
    ['trailing content', '<plist><true/></plist><plist/>', /Content after/],
    ['truncated input', '<plist><dict><key>A', /Missing <\/key>/],
  ])('refuses %s with the offset', (_, xml, message) => {
    expect(() => parsePlist(xml)).toThrow(message)
    expect(() => parsePlist(xml)).toThrow(PlistError)
  })
})
