import { describe, expect, it } from 'vitest'
import { Asn1Error, octets, oid, parseDer, readOid, seq, setOf, time } from '../../../../src/main/devices/apple/der'

describe('object identifiers', () => {
  it.each([
    ['1.2.840.113549.1.7.2', '06092a864886f70d010702'],
    ['2.16.840.1.113733.1.9.7', '060a6086480186f845010907'],
    ['2.5.29.37', '0603551d25'],
    ['0.9.2342.19200300.100.1.1', '060a0992268993f22c640101'],
  ])('%s encodes as %s and reads back', (dotted, hex) => {
    expect(oid(dotted).toString('hex')).toBe(hex)
    expect(readOid(parseDer(Buffer.from(hex, 'hex')))).toBe(dotted)
  })
})

describe('times (RFC 5280 §4.1.2.5)', () => {
  it.each([
    ['2026-11-02T09:00:00.000Z', '170d3236313130323039303030305a'],
    ['2049-12-31T23:59:59.000Z', '170d3439313233313233353935395a'],
    ['2050-01-01T00:00:00.000Z', '180f32303530303130313030303030305a'],
  ])('%s is %s', (iso, hex) => {
    expect(time(new Date(iso)).toString('hex')).toBe(hex)
  })
})

describe('the reader', () => {
  it('sorts a SET OF by encoding (X.690 §11.6), whatever the order given', () => {
    const a = seq(oid('2.5.4.3'))
    const b = seq(oid('1.2.3'))
    expect(setOf(a, b).equals(setOf(b, a))).toBe(true)
  })

  it('reads BER indefinite lengths and constructed OCTET STRINGs, as Apple’s CMS encoder writes them', () => {
    // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { "ab", "cd" } }
    const ber = Buffer.from('30802480040261620402636400000000', 'hex')
    const n = parseDer(ber)
    expect(n.raw.length).toBe(ber.length)
    expect(octets(n.children[0] as never).toString()).toBe('abcd')
  })

  it.each([
    ['a length past the end', '3005020101'],
    ['bytes after the element', '0500ff'],
    ['an indefinite length on a primitive', '0480'],
    ['an indefinite length that never ends', '30800201'],
    ['a child overrunning its parent', '30030205010203'],
  ])('refuses %s', (_, hex) => {
    expect(() => parseDer(Buffer.from(hex, 'hex'))).toThrow(Asn1Error)
  })

  it('refuses nesting deeper than it reads, without exhausting the stack', () => {
    let b: Buffer = Buffer.from('0500', 'hex')
    for (let i = 0; i < 100; i++) b = seq(b)
    expect(() => parseDer(b)).toThrow(/nests too deeply/)
  })
})
