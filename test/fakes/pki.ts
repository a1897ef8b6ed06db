// A test-only PKI (node-forge issues, node:crypto makes the keys): one CA, a server certificate
// for every loopback fake, an MDM push certificate shaped like Apple's, and device identities.
// The push certificate's subject UID is the topic (Apple: "use the topic from the UID attribute
// in the subject of your MDM push certificate"), its CN is APSP:<uuid>, and it carries both APNs
// environment OIDs so @parse/node-apn's environment check passes.
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import forge from 'node-forge'

export interface Identity {
  keyPem: string
  certPem: string
}

export interface TestPki {
  caPem: string
  server: Identity
  /** An MDM push certificate whose subject UID is `topic`. */
  push: Identity & { topic: string }
  /** Issues a device identity certificate (client auth) with CN = the UDID. */
  device(udid: string, opts?: { selfSigned?: boolean }): Identity
  /** Issues a push certificate expiring at `notAfter`, for the expiry warning. */
  pushExpiring(notAfter: Date): Identity & { topic: string }
}

const NULL_DER = forge.asn1
  .toDer(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.NULL, false, ''))
  .getBytes()
const APNS_SANDBOX_OID = '1.2.840.113635.100.6.3.1'
const APNS_PRODUCTION_OID = '1.2.840.113635.100.6.3.2'
const UID_OID = '0.9.2342.19200300.100.1.1'

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    priv: forge.pki.privateKeyFromPem(
      privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    ) as forge.pki.rsa.PrivateKey,
    pub: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string),
  }
}

let serial = 1
function issue(opts: {
  subject: forge.pki.CertificateField[]
  pub: forge.pki.PublicKey
  signer: forge.pki.rsa.PrivateKey
  issuer: forge.pki.CertificateField[]
  extensions: object[]
  notAfter?: Date
}): string {
  const cert = forge.pki.createCertificate()
  cert.publicKey = opts.pub
  cert.serialNumber = (serial++).toString(16).padStart(2, '0')
  cert.validity.notBefore = new Date(Date.now() - 3600_000)
  cert.validity.notAfter = opts.notAfter ?? new Date(Date.now() + 365 * 86400_000)
  cert.setSubject(opts.subject)
  cert.setIssuer(opts.issuer)
  cert.setExtensions(opts.extensions)
  cert.sign(opts.signer, forge.md.sha256.create())
  return forge.pki.certificateToPem(cert)
}

let cached: TestPki | undefined

/** One PKI per test process: RSA key generation is the slow part. */
export function testPki(): TestPki {
  if (cached) return cached
  const ca = keyPair()
  const caName = [{ name: 'commonName', value: 'JIT Mapper Test CA' }]
  const caPem = issue({
    subject: caName,
    issuer: caName,
    pub: ca.pub,
    signer: ca.priv,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  })
  const leafKey = keyPair()
  const server: Identity = {
    keyPem: leafKey.pem,
    certPem: issue({
      subject: [{ name: 'commonName', value: 'localhost' }],
      issuer: caName,
      pub: leafKey.pub,
      signer: ca.priv,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'fcm.googleapis.com' },
            { type: 2, value: 'oauth2.googleapis.com' },
            { type: 2, value: 'api.push.apple.com' },
          ],
        },
      ],
    }),
  }
  const pushCert = (notAfter?: Date): Identity & { topic: string } => {
    const uuid = randomUUID()
    const topic = `com.apple.mgmt.External.${uuid}`
    const k = keyPair()
    return {
      topic,
      keyPem: k.pem,
      certPem: issue({
        subject: [
          { type: UID_OID, value: topic },
          { name: 'commonName', value: `APSP:${uuid}` },
        ],
        issuer: caName,
        pub: k.pub,
        signer: ca.priv,
        notAfter,
        extensions: [
          { name: 'extKeyUsage', clientAuth: true },
          { id: APNS_SANDBOX_OID, value: NULL_DER },
          { id: APNS_PRODUCTION_OID, value: NULL_DER },
        ],
      }),
    }
  }
  const deviceKey = keyPair()
  cached = {
    caPem,
    server,
    push: pushCert(),
    pushExpiring: pushCert,
    device(udid, opts = {}) {
      const subject = [{ name: 'commonName', value: udid }]
      return {
        keyPem: deviceKey.pem,
        certPem: issue({
          subject,
          pub: deviceKey.pub,
          issuer: opts.selfSigned ? subject : caName,
          signer: opts.selfSigned ? deviceKey.priv : ca.priv,
          extensions: [{ name: 'extKeyUsage', clientAuth: true }],
        }),
      }
    },
  }
  return cached
}
