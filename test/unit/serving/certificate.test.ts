import { createPrivateKey, X509Certificate } from 'node:crypto'
import forge from 'node-forge'
import { describe, expect, it } from 'vitest'
import {
  certificateInfo,
  certificateNames,
  generateLanCertificate,
  importedCertificate,
  validCertificateName,
} from '../../../src/main/serving/certificate'
import { listenError } from '../../../src/main/serving/listen-errors'
import { deviceUrl, normalizeSettings, settingsWarnings, DEFAULT_SETTINGS } from '../../../src/main/serving/settings'
import { testPki } from '../../fakes/pki'

const NOW = new Date('2026-11-02T09:00:00Z')
const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

describe('a certificate generated for the LAN', () => {
  const tls = generateLanCertificate(['jit.office.lan', '192.168.1.20', 'JIT-BOX.local', '192.168.1.20'], NOW)
  const [leafPem, rootPem] = tls.certPem.match(PEM) as [string, string]
  const leaf = new X509Certificate(leafPem)
  const root = new X509Certificate(rootPem)

  it('names every DNS name and IP address once, in subjectAltName', () => {
    expect(leaf.subjectAltName).toBe('DNS:jit.office.lan, IP Address:192.168.1.20, DNS:jit-box.local')
    expect(certificateInfo(tls, NOW).names).toEqual(['jit.office.lan', '192.168.1.20', 'jit-box.local'])
  })

  it("meets Apple's rules for TLS server certificates: serverAuth, 2048-bit RSA, SHA-256, at most 825 days", () => {
    const forgeLeaf = forge.pki.certificateFromPem(leafPem)
    const eku = forgeLeaf.getExtension('extKeyUsage') as { serverAuth?: boolean }
    expect(eku.serverAuth).toBe(true)
    expect(forgeLeaf.siginfo.algorithmOid).toBe(forge.pki.oids['sha256WithRSAEncryption'])
    expect(leaf.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
    const days = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000
    expect(days).toBeLessThanOrEqual(825)
    expect(leaf.ca).toBe(false)
  })

  it('is signed by the root devices trust, which is a CA and is given as trustPem', () => {
    expect(root.ca).toBe(true)
    expect(leaf.verify(root.publicKey)).toBe(true)
    expect(leaf.checkIssued(root)).toBe(true)
    expect(tls.trustPem?.trim()).toBe(rootPem.trim())
    expect(leaf.checkPrivateKey(createPrivateKey(tls.keyPem))).toBe(true)
  })

  it('refuses names that cannot go into a certificate, saying which', () => {
    expect(() => generateLanCertificate(['ok.lan', 'bad name', 'https://x'], NOW)).toThrow(
      /Not a DNS name or IP address: bad name, https:\/\/x/,
    )
    expect(() => generateLanCertificate(['  '], NOW)).toThrow(/at least one DNS name or IP address/)
  })
})

describe('an imported certificate', () => {
  const pki = testPki()
  it('is kept with its chain when the key matches', () => {
    const tls = importedCertificate(`${pki.server.certPem}${pki.caPem}`, pki.server.keyPem, NOW)
    expect(tls.certPem.match(PEM)).toHaveLength(2)
    expect(certificateInfo(tls, NOW)).toMatchObject({ source: 'imported', trustPem: null })
  })
  it.each([
    ['not PEM', 'hello', () => pki.server.keyPem, /no -----BEGIN CERTIFICATE----- block/],
    ['a key that is not PEM', pki.server.certPem, () => 'nope', /not a PEM key/],
    ['the key of another certificate', pki.server.certPem, () => pki.push.keyPem, /does not belong/],
  ])('is refused when %s', (_name, cert, key, message) => {
    expect(() => importedCertificate(cert, key(), NOW)).toThrow(message)
  })
})

describe('certificate names', () => {
  it.each([
    ['192.168.1.20', true],
    ['fe80::1', true],
    ['jit.office.lan', true],
    ['*.office.lan', true],
    ['-bad.lan', false],
    ['a b', false],
    ['', false],
  ])('%s can go into a certificate: %s', (name, ok) => expect(validCertificateName(name)).toBe(ok))

  it.each([
    [['jit.lan'], 'JIT.lan', true],
    [['*.office.lan'], 'jit.office.lan', true],
    [['*.office.lan'], 'a.b.office.lan', false],
    [['10.0.0.2'], '10.0.0.2', true],
    [['10.0.0.2'], '10.0.0.3', false],
  ])('%j is valid for %s: %s', (names, host, ok) => expect(certificateNames(names, host)).toBe(ok))
})

describe('listen errors', () => {
  it.each([
    ['EADDRINUSE', 8443, 'INGRESS_PORT_IN_USE', /Port 8443 on 0\.0\.0\.0 is in use/],
    ['EACCES', 443, 'INGRESS_ADDRESS_UNAVAILABLE', /ports below 1024 need administrator rights/],
    ['EADDRNOTAVAIL', 8443, 'INGRESS_ADDRESS_UNAVAILABLE', /0\.0\.0\.0 is not an address of this computer/],
    ['EWHATEVER', 8443, 'INGRESS_ADDRESS_UNAVAILABLE', /Cannot listen on 0\.0\.0\.0:8443/],
  ])('%s becomes %s', (errno, port, code, message) => {
    const e = listenError(Object.assign(new Error('listen failed'), { code: errno }), '0.0.0.0', port)
    expect(e.code).toBe(code)
    expect(e.message).toMatch(message)
    expect(e.details).toMatchObject({ address: '0.0.0.0', port, cause: errno })
  })
})

describe('ingress settings', () => {
  const base = {
    ...DEFAULT_SETTINGS,
    oidc: { ...DEFAULT_SETTINGS.oidc, issuer: 'https://idp.example/', clientId: ' c1 ' },
  }

  it('keeps blanks as null and URLs without a trailing slash', () => {
    expect(normalizeSettings({ ...base, publicUrl: 'https://mdm.example.com/' })).toMatchObject({
      publicUrl: 'https://mdm.example.com',
      oidc: { issuer: 'https://idp.example', clientId: 'c1', tenantId: null },
    })
    expect(normalizeSettings({ ...base, publicUrl: '  ' }).publicUrl).toBeNull()
  })

  it.each([
    [{ publicUrl: 'http://mdm.example.com' }, 'publicUrl'],
    [{ publicUrl: 'https://mdm.example.com/?a=1' }, 'publicUrl'],
    [{ address: 'my-laptop' }, 'address'],
    [{ oidc: { ...base.oidc, issuer: 'http://idp.example' } }, 'oidc.issuer'],
  ])('refuses %j, naming the field', (patch, field) => {
    expect(() => normalizeSettings({ ...base, ...patch })).toThrow(expect.objectContaining({ details: { field } }))
  })

  it.each([
    [{ address: '192.168.1.20', port: 8443, publicUrl: null }, 'https://192.168.1.20:8443'],
    [{ address: '::1', port: 8443, publicUrl: null }, 'https://[::1]:8443'],
    [{ address: '0.0.0.0', port: 8443, publicUrl: null }, null],
    [{ address: '0.0.0.0', port: 8443, publicUrl: 'https://mdm.example.com' }, 'https://mdm.example.com'],
  ])('devices use %j as %s', (s, url) => expect(deviceUrl({ ...base, ...s }, s.port)).toBe(url))

  it('warns when the certificate does not name the host devices use', () => {
    const tls = generateLanCertificate(['10.0.0.2'], NOW)
    const cert = certificateInfo(tls, NOW)
    expect(settingsWarnings({ ...base, address: '10.0.0.2' }, cert, NOW)).toEqual([])
    expect(settingsWarnings({ ...base, address: '10.0.0.3' }, cert, NOW)).toEqual([
      'The certificate is not valid for 10.0.0.3 (it names 10.0.0.2): devices will refuse the connection.',
    ])
    expect(settingsWarnings(DEFAULT_SETTINGS, null, NOW)).toHaveLength(3)
  })
})
