// The enrollment profile's keys and types, checked against Apple's schema
// (apple/device-management, mdm/profiles: TopLevel.yaml, com.apple.security.root.yaml,
// com.apple.security.scep.yaml, com.apple.mdm.yaml).
import { describe, expect, it } from 'vitest'
import { X509Certificate } from 'node:crypto'
import { enrollmentProfile, selfSignedAnchors } from '../../../../src/main/devices/apple/enrollment-profile'
import { testPki } from '../../../fakes/pki'
import type { PlistValue } from '../../../../src/main/devices/plist'

type Dict = Record<string, PlistValue>
let n = 0
const profile = enrollmentProfile({
  baseUrl: 'https://mdm.example.test:8443',
  topic: 'com.apple.mgmt.External.1234',
  challenge: 'one-time',
  userPrincipalName: 'alex@example.test',
  anchors: [Buffer.from('3000', 'hex')],
  uuid: () => `UUID-${++n}`,
})
const payloads = profile['PayloadContent'] as Dict[]
const byType = (t: string) => payloads.find(p => p['PayloadType'] === t) as Dict

describe('the enrollment profile', () => {
  it('is a Configuration profile with the required top-level keys', () => {
    expect(profile).toMatchObject({ PayloadType: 'Configuration', PayloadVersion: 1 })
    expect(typeof profile['PayloadIdentifier']).toBe('string')
    expect(typeof profile['PayloadUUID']).toBe('string')
  })

  it('has every payload with the common keys, unique identifiers and UUIDs', () => {
    for (const p of payloads) {
      expect(p).toMatchObject({ PayloadVersion: 1 })
      for (const k of ['PayloadType', 'PayloadIdentifier', 'PayloadUUID']) expect(typeof p[k]).toBe('string')
    }
    expect(new Set(payloads.map(p => p['PayloadIdentifier'])).size).toBe(payloads.length)
    expect(new Set(payloads.map(p => p['PayloadUUID'])).size).toBe(payloads.length)
  })

  it('installs the certificates before the MDM payload, which comes last', () => {
    expect(payloads.map(p => p['PayloadType'])).toEqual([
      'com.apple.security.root',
      'com.apple.security.scep',
      'com.apple.mdm',
    ])
    expect(byType('com.apple.security.root')['PayloadContent']).toBeInstanceOf(Uint8Array)
  })

  it('asks for the SCEP identity with the keys in a PayloadContent dictionary', () => {
    expect(byType('com.apple.security.scep')['PayloadContent']).toEqual({
      URL: 'https://mdm.example.test:8443/scep',
      Name: 'JIT Mapper',
      Challenge: 'one-time',
      Subject: [[['O', 'JIT Mapper']], [['CN', 'JIT Mapper device identity']]],
      Keysize: 2048,
      'Key Type': 'RSA',
      'Key Usage': 5,
    })
  })

  it('points the MDM payload at the ingress, the push topic and the SCEP identity', () => {
    const mdm = byType('com.apple.mdm')
    expect(mdm).toMatchObject({
      ServerURL: 'https://mdm.example.test:8443/mdm/server',
      CheckInURL: 'https://mdm.example.test:8443/mdm/checkin',
      Topic: 'com.apple.mgmt.External.1234',
      IdentityCertificateUUID: byType('com.apple.security.scep')['PayloadUUID'],
      AccessRights: 8191,
      ServerCapabilities: ['com.apple.mdm.per-user-connections'],
      CheckOutWhenRemoved: true,
      SignMessage: true,
    })
    // com.apple.mdm.yaml: never 0; 2 (install/remove profiles) needs 1; 128 needs 64.
    const rights = mdm['AccessRights'] as number
    expect(rights & 1 && rights & 2 && rights & 64 && rights & 128).toBeTruthy()
    expect('UseDevelopmentAPNS' in mdm).toBe(false)
  })
})

describe('the trust anchors a profile carries', () => {
  it('are the self-signed certificates of the ingress chain: a private CA or a LAN certificate, not a leaf it issued', () => {
    const pki = testPki()
    const der = (pem: string) => new X509Certificate(pem).raw
    const ca = der(pki.caPem)
    const leaf = der(pki.server.certPem)
    const selfSigned = der(pki.device('U', { selfSigned: true }).certPem)
    expect(selfSignedAnchors([leaf, ca])).toEqual([ca])
    expect(selfSignedAnchors([leaf])).toEqual([])
    expect(selfSignedAnchors([selfSigned])).toEqual([selfSigned])
  })
})
