// The signed device information Setup Assistant sends as x-apple-aspen-deviceinfo, made the way
// Apple's is (Apple's MachineInfo page; micromdm pkg/crypto/apple.go; dep-webview-oidc
// header/header.go): a CMS SignedData over the MachineInfo property list, SHA-1 with RSA and no
// signed attributes, signed by the device's identity certificate, which rides in the message
// with the CA that issued it. The chain is a test copy of Apple's: a root, and a device CA that
// expired years ago (as "Apple iPhone Device CA" did in 2014), both signing with SHA-1.
// Built by node-forge, not by the server's cms.ts; the RSA operation itself runs in node:crypto.
import { constants, createPrivateKey, generateKeyPairSync, privateEncrypt } from 'node:crypto'
import forge from 'node-forge'

export interface TestAppleChain {
  /** The trust anchor the ingress is configured with in tests (PEM). */
  rootPem: string
  deviceCaPem: string
  /** A device identity issued by the (expired) device CA. */
  device(udid: string): { certPem: string; keyPem: string }
  /** A device identity from a CA that is not Apple's. */
  stranger(udid: string): { certPem: string; keyPem: string; caPem: string }
}

/** DigestInfo's prefix for SHA-1 (RFC 8017 §9.2 note 1). */
const SHA1_DIGEST_INFO = Buffer.from('3021300906052b0e03021a05000414', 'hex')

function rsa() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    forgePriv: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string),
    forgePub: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string),
  }
}

/** A forge key whose signing is node:crypto's (forge's JavaScript RSA is slow), for SHA-1 digests. */
function sha1Signer(keyPem: string): forge.pki.rsa.PrivateKey {
  const key = createPrivateKey(keyPem)
  return {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary')
      return privateEncrypt(
        { key, padding: constants.RSA_PKCS1_PADDING },
        Buffer.concat([SHA1_DIGEST_INFO, digest]),
      ).toString('binary')
    },
  } as unknown as forge.pki.rsa.PrivateKey
}

let serial = 1
function issue(o: {
  cn: string
  pub: forge.pki.PublicKey
  issuer: forge.pki.CertificateField[]
  signer: forge.pki.rsa.PrivateKey
  ca: boolean
  notAfter: Date
}): forge.pki.Certificate {
  const c = forge.pki.createCertificate()
  c.publicKey = o.pub
  c.serialNumber = (serial++).toString(16).padStart(2, '0')
  c.validity.notBefore = new Date('2007-04-16T00:00:00Z')
  c.validity.notAfter = o.notAfter
  c.setSubject([
    { name: 'organizationName', value: 'Apple Inc. (test)' },
    { name: 'commonName', value: o.cn },
  ])
  c.setIssuer(o.issuer)
  c.setExtensions(
    o.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        ]
      : [{ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true }],
  )
  c.sign(o.signer, forge.md.sha1.create())
  return c
}

let cached: TestAppleChain | undefined

/** One chain per test process (RSA key generation is the slow part). */
export function testAppleChain(): TestAppleChain {
  if (cached) return cached
  const rootKey = rsa()
  const caKey = rsa()
  const root = issue({
    cn: 'Test Apple Root CA',
    pub: rootKey.forgePub,
    issuer: [
      { name: 'organizationName', value: 'Apple Inc. (test)' },
      { name: 'commonName', value: 'Test Apple Root CA' },
    ],
    signer: rootKey.forgePriv,
    ca: true,
    notAfter: new Date('2035-02-09T00:00:00Z'),
  })
  const deviceCa = issue({
    cn: 'Test Apple iPhone Device CA',
    pub: caKey.forgePub,
    issuer: root.subject.attributes,
    signer: rootKey.forgePriv,
    ca: true,
    // Expired, like Apple's own device CA.
    notAfter: new Date('2014-04-16T00:00:00Z'),
  })
  const otherKey = rsa()
  const other = issue({
    cn: 'Not Apple',
    pub: otherKey.forgePub,
    issuer: [
      { name: 'organizationName', value: 'Apple Inc. (test)' },
      { name: 'commonName', value: 'Not Apple' },
    ],
    signer: otherKey.forgePriv,
    ca: true,
    notAfter: new Date('2035-02-09T00:00:00Z'),
  })
  const deviceKey = rsa()
  const leaf = (udid: string, issuerCert: forge.pki.Certificate, signer: forge.pki.rsa.PrivateKey) =>
    forge.pki.certificateToPem(
      issue({
        cn: udid,
        pub: deviceKey.forgePub,
        issuer: issuerCert.subject.attributes,
        signer,
        ca: false,
        notAfter: new Date('2035-01-01T00:00:00Z'),
      }),
    )
  cached = {
    rootPem: forge.pki.certificateToPem(root),
    deviceCaPem: forge.pki.certificateToPem(deviceCa),
    device: udid => ({ certPem: leaf(udid, deviceCa, caKey.forgePriv), keyPem: deviceKey.pem }),
    stranger: udid => ({
      certPem: leaf(udid, other, otherKey.forgePriv),
      keyPem: deviceKey.pem,
      caPem: forge.pki.certificateToPem(other),
    }),
  }
  return cached
}

/** MachineInfo keys (Apple's machineinfo.yaml) for a device. */
export interface MachineInfoFields {
  UDID: string
  SERIAL: string
  PRODUCT: string
  VERSION: string
  OS_VERSION?: string
  IMEI?: string
  MEID?: string
  LANGUAGE?: string
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** The header's value: base64 of the SignedData, signed by `identity`, carrying `chain` too. */
export function deviceInfoHeader(
  info: MachineInfoFields,
  identity: { certPem: string; keyPem: string },
  chain: string[],
): string {
  const body = Object.entries(info)
    .map(([k, v]) => `<key>${k}</key><string>${escapeXml(String(v))}</string>`)
    .join('')
  const plist = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0"><dict>${body}</dict></plist>\n`
  const p7 = forge.pkcs7.createSignedData()
  p7.content = forge.util.createBuffer(Buffer.from(plist, 'utf8').toString('binary'))
  const cert = forge.pki.certificateFromPem(identity.certPem)
  p7.addCertificate(cert)
  for (const c of chain) p7.addCertificate(forge.pki.certificateFromPem(c))
  p7.addSigner({
    key: sha1Signer(identity.keyPem),
    certificate: cert,
    digestAlgorithm: forge.pki.oids['sha1'] as string,
  })
  p7.sign()
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary').toString('base64')
}
