// The workspace CA, CMS and the Mdm-Signature check, against node-forge-made material where the
// format is shared with devices (a device's detached signature, a requester's CSR).
import { constants, publicEncrypt, X509Certificate } from 'node:crypto'
import forge from 'node-forge'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CA_SECRET,
  CsrError,
  fingerprintOf,
  loadWorkspaceCa,
  parseCsr,
  pemOf,
  type WorkspaceCa,
} from '../../../../src/main/devices/apple/ca'
import {
  CmsError,
  envelope,
  openEnvelope,
  parseSignedData,
  signData,
  UNDECRYPTABLE,
  unwrapKey,
  verifySignedData,
} from '../../../../src/main/devices/apple/cms'
import {
  authenticateDevice,
  DeviceAuthError,
  verifyMdmSignature,
} from '../../../../src/main/devices/apple/mdm-signature'
import { applePlatformOf } from '../../../../src/main/devices/ingress'
import { deviceKey, forgeKeyOf, scepRequestParts } from '../../../fakes/apple-device'
import { memorySecrets } from '../../../fakes/memory-secrets'
import { testPki } from '../../../fakes/pki'

const NOW = new Date('2026-11-02T09:00:00Z')
let ca: WorkspaceCa
let key: ReturnType<typeof deviceKey>
let identity: Buffer
beforeAll(async () => {
  ca = await loadWorkspaceCa(memorySecrets(), NOW)
  key = deviceKey()
  identity = ca.issue(parseCsr(scepRequestParts(key, 'c').csr), { from: NOW, days: 365 })
}, 30_000)

/** A device's Mdm-Signature as node-forge writes it: detached, with signed attributes. */
function forgeSignature(body: Buffer, certDer: Buffer, keyPem: string): string {
  const p7 = forge.pkcs7.createSignedData()
  p7.content = forge.util.createBuffer(body.toString('binary'))
  const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(certDer.toString('binary')))
  p7.addCertificate(cert)
  p7.addSigner({
    key: forgeKeyOf(keyPem),
    certificate: cert,
    digestAlgorithm: forge.pki.oids['sha256'] as string,
    authenticatedAttributes: [
      { type: forge.pki.oids['contentType'] as string, value: forge.pki.oids['data'] },
      { type: forge.pki.oids['messageDigest'] as string },
    ],
  })
  p7.sign({ detached: true })
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary').toString('base64')
}

describe('the workspace CA', () => {
  it('is made on first use, kept behind the secrets port, and the same on the next load', async () => {
    const secrets = memorySecrets()
    const first = await loadWorkspaceCa(secrets, NOW)
    const stored = JSON.parse((await secrets.get(CA_SECRET)) ?? '{}') as { keyPem: string; certPem: string }
    expect(stored.keyPem).toContain('PRIVATE KEY')
    const again = await loadWorkspaceCa(secrets, NOW)
    expect(again.certDer.equals(first.certDer)).toBe(true)
    const cert = new X509Certificate(first.certDer)
    expect(cert.ca).toBe(true)
    expect(cert.checkIssued(cert)).toBe(true)
  })

  it('issues a client-auth identity for the CSR’s key and subject', () => {
    const cert = new X509Certificate(identity)
    expect(cert.checkPrivateKey(key.key)).toBe(true)
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2'])
    expect(cert.subject).toContain('CN=JIT Mapper device identity')
    expect(cert.ca).toBe(false)
    expect(ca.refuse(identity, NOW)).toBeNull()
  })

  it.each([
    [
      'a certificate of another CA',
      () => new X509Certificate(testPki().device('U').certPem).raw,
      NOW,
      /not issued by this workspace/,
    ],
    [
      'a self-signed certificate',
      () => new X509Certificate(testPki().device('U', { selfSigned: true }).certPem).raw,
      NOW,
      /not issued/,
    ],
    ['an expired identity', () => identity, new Date('2027-11-03T09:00:00Z'), /not now/],
    ['bytes that are no certificate', () => Buffer.from('nope'), NOW, /does not parse/],
  ])('refuses %s', (_, cert, now, why) => {
    expect(ca.refuse(cert(), now)).toMatch(why)
  })

  it('reads the challenge from a CSR and refuses one whose signature does not verify', () => {
    const { csr } = scepRequestParts(key, 'the-challenge')
    expect(parseCsr(csr).challenge).toBe('the-challenge')
    expect(parseCsr(scepRequestParts(key, null).csr).challenge).toBeNull()
    const tampered = Buffer.from(csr)
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1
    expect(() => parseCsr(tampered)).toThrow(CsrError)
  })
})

describe('CMS', () => {
  it('verifies an attached signature over its content, and refuses altered content', () => {
    const content = Buffer.from('<plist>profile</plist>')
    const signed = signData({ content, signer: { certDer: identity, key: key.key } })
    const sd = parseSignedData(signed)
    expect(sd.content?.equals(content)).toBe(true)
    expect(verifySignedData(sd, content).equals(identity)).toBe(true)
    expect(() => verifySignedData(sd, Buffer.from('<plist>other</plist>'))).toThrow(/digest does not match/)
  })

  it('opens envelopes for its certificate (AES and 3DES), and fails alike for a bad key and bad content', () => {
    const me = { certDer: identity, key: key.key }
    for (const cipher of ['aes-128-cbc', 'aes-256-cbc', 'des-ede3-cbc'] as const) {
      expect(openEnvelope(envelope(Buffer.from('csr bytes'), identity, cipher), me).toString()).toBe('csr bytes')
    }
    const sealed = envelope(Buffer.from('csr bytes'), identity)
    const badKey = Buffer.from(sealed)
    // The encrypted key sits before the encrypted content; flip a byte in each.
    const keyAt = sealed.indexOf(Buffer.from([0x04, 0x82, 0x01, 0x00])) + 10
    expect(keyAt).toBeGreaterThan(10)
    badKey[keyAt] = (badKey[keyAt] as number) ^ 1
    const badContent = Buffer.from(sealed)
    badContent[badContent.length - 1] = (badContent[badContent.length - 1] as number) ^ 1
    // A random key (or garbage content) passes the CBC padding check now and then (~1/256):
    // the bytes are then garbage, which the CSR parser refuses. Never the plaintext, never another error.
    for (const bad of [badKey, badContent]) {
      let opened: Buffer | null = null
      try {
        opened = openEnvelope(bad, me)
      } catch (e) {
        expect((e as Error).message).toBe(UNDECRYPTABLE)
      }
      expect(opened?.toString()).not.toBe('csr bytes')
    }
    expect(() => openEnvelope(envelope(Buffer.from('x'), ca.certDer), me)).toThrow(/not addressed to this CA/)
  })

  // EM for a 2048-bit key: 0x00 0x02, padding, 0x00, then the key; each case breaks one rule.
  const em =
    (o: { head?: number[]; ps?: number; fill?: number; sep?: boolean; extra?: number }) =>
    (k: Buffer): Buffer => {
      const head = Buffer.from(o.head ?? [0, 2])
      const extra = o.extra ?? 0
      const ps = o.ps ?? 256 - 3 - k.length - extra
      return Buffer.concat([
        head,
        Buffer.alloc(ps, o.fill ?? 0x55),
        Buffer.from(o.sep === false ? [0x55] : [0]),
        Buffer.alloc(256 - head.length - ps - 1 - k.length - extra, 0x55),
        k,
        Buffer.alloc(extra, 1),
      ])
    }
  it.each([
    ['a well-padded key', em({}), true],
    ['a first octet other than 0', em({ head: [1, 2] }), false],
    ['block type 1 (a signature)', em({ head: [0, 1], fill: 0xff }), false],
    ['padding shorter than 8 octets', em({ ps: 5 }), false],
    ['no separator', em({ sep: false }), false],
    ['a key of another length', em({ extra: 1 }), false],
  ])('unwraps %s (RFC 8017 §7.2.2), else returns a random key of the length asked', (_, encode, good) => {
    const cek = Buffer.alloc(16, 0xab)
    const block = encode(cek)
    expect(block.length).toBe(256)
    const c = publicEncrypt({ key: new X509Certificate(identity).publicKey, padding: constants.RSA_NO_PADDING }, block)
    const out = unwrapKey(key.key, c, 16)
    expect(out.length).toBe(16)
    expect(out.equals(cek)).toBe(good)
  })

  it('refuses what is not CMS with a CmsError', () => {
    expect(() => parseSignedData(Buffer.from('3003020101', 'hex'))).toThrow(CmsError)
    expect(() => parseSignedData(Buffer.from('garbage'))).toThrow(CmsError)
  })
})

describe('Mdm-Signature', () => {
  const body = Buffer.from(
    '<?xml version="1.0"?><plist><dict><key>MessageType</key><string>Idle</string></dict></plist>',
  )

  it('accepts a detached signature a device made over the exact body', () => {
    expect(verifyMdmSignature(forgeSignature(body, identity, key.keyPem), body).equals(identity)).toBe(true)
    const r = authenticateDevice(
      { peerCertificate: null, mdmSignature: forgeSignature(body, identity, key.keyPem) },
      body,
      ca,
      NOW,
    )
    expect(r).toEqual({ fingerprint: fingerprintOf(identity), via: 'mdm-signature' })
  })

  it.each([
    ['over other bytes', () => forgeSignature(Buffer.from('other'), identity, key.keyPem), /digest does not match/],
    ['that is not base64', () => '%%%', /not base64/],
    ['that is base64 of no CMS', () => Buffer.from('hello').toString('base64'), /does not verify/],
  ])('refuses a signature %s', (_, header, why) => {
    expect(() => verifyMdmSignature(header(), body)).toThrow(why)
  })

  it('takes the header over the TLS certificate, and refuses a valid signature by an identity of another CA', () => {
    const foreign = testPki().device('U')
    const foreignDer = new X509Certificate(foreign.certPem).raw
    expect(() =>
      authenticateDevice(
        { peerCertificate: identity, mdmSignature: forgeSignature(body, foreignDer, foreign.keyPem) },
        body,
        ca,
        NOW,
      ),
    ).toThrow(/not issued by this workspace/)
    expect(() => authenticateDevice({ peerCertificate: null, mdmSignature: undefined }, body, ca, NOW)).toThrow(
      DeviceAuthError,
    )
    expect(authenticateDevice({ peerCertificate: identity, mdmSignature: undefined }, body, ca, NOW).via).toBe(
      'mutual-tls',
    )
  })

  it('writes certificates as PEM that node reads back', () => {
    expect(new X509Certificate(pemOf(identity)).raw.equals(identity)).toBe(true)
  })
})

describe('the platform an Authenticate names', () => {
  it.each([
    [{ Model: 'iPhone14,2', ModelName: 'iPhone', ProductName: 'iPhone14,2' }, 'ios'],
    [{ Model: 'iPad13,1', ModelName: 'iPad' }, 'ios'],
    [{ ModelName: 'MacBook Pro', ProductName: 'MacBookPro18,3' }, 'macos'],
    [{ ModelName: 'iMac', ProductName: 'iMac21,1' }, 'macos'],
    [{ Model: 'VirtualMac2,1' }, 'macos'],
    [{ ProductName: 'Mac14,2' }, 'macos'],
    [{}, 'ios'],
  ])('%o is %s', (message, platform) => {
    expect(applePlatformOf(message)).toBe(platform)
  })
})
