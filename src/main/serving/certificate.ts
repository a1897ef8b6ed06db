// The ingress's TLS certificate: one made here for the LAN (a root made for it signs a server
// certificate for the names the admin lists; devices trust the root), or the admin's own, checked
// before it is kept. What Apple devices require of a TLS server certificate (Apple, "Requirements
// for trusted certificates in iOS 13 and macOS 10.15", support.apple.com/103769): RSA keys of at
// least 2048 bits, a SHA-2 signature, the server's names in subjectAltName (a CommonName is not
// trusted), the id-kp-serverAuth extended key usage, and at most 825 days of validity.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import forge from 'node-forge'
import type { IngressCertificateInfo } from '../../shared/ingress'
import { AppError, errorMessage } from '../../shared/errors'

export interface TlsMaterial {
  /** The server certificate, then the rest of its chain (PEM). */
  certPem: string
  keyPem: string
  source: 'imported' | 'generated'
  /** For a generated certificate: the root devices trust. */
  trustPem: string | null
}

/** Apple's ceiling for a TLS server certificate issued after 1 July 2019. */
const GENERATED_DAYS = 825
const DAY_MS = 86_400_000
/** The certificate page warns this long before the certificate expires. */
const EXPIRY_WARNING_MS = 30 * DAY_MS

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i

/** Whether a name can go into a certificate: an IPv4/IPv6 address or a DNS name (a leading `*.` allowed). */
export function validCertificateName(name: string): boolean {
  if (isIP(name) !== 0) return true
  const labels = (name.startsWith('*.') ? name.slice(2) : name).split('.')
  return name.length <= 253 && labels.every(l => DNS_LABEL.test(l))
}

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    priv: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string),
    pub: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string),
  }
}

/** A positive serial number of 16 random bytes (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
const serialNumber = () => `7${randomBytes(16).toString('hex').slice(1)}`

/** subjectAltName entries: type 7 is an IP address, type 2 a DNS name (RFC 5280 §4.2.1.6). */
const altNames = (names: readonly string[]) =>
  names.map(n => (isIP(n) !== 0 ? { type: 7, ip: n } : { type: 2, value: n.toLowerCase() }))

/**
 * A server certificate for `names` (DNS names and IP addresses), signed by a root made for it.
 * The root's key is dropped once it has signed: it never signs anything else.
 */
export function generateLanCertificate(names: readonly string[], now: Date): TlsMaterial {
  const unique = [...new Set(names.map(n => n.trim()).filter(Boolean))]
  const bad = unique.filter(n => !validCertificateName(n))
  if (unique.length === 0 || bad.length > 0)
    throw new AppError(
      'BAD_INPUT',
      unique.length === 0
        ? 'Name at least one DNS name or IP address that devices use to reach this computer.'
        : `Not a DNS name or IP address: ${bad.join(', ')}.`,
      { field: 'names', names: bad },
    )
  const notBefore = new Date(now.getTime() - 5 * 60_000)
  const root = keyPair()
  const rootSubject = [
    { name: 'commonName', value: `JIT Mapper LAN root ${now.toISOString().slice(0, 10)}` },
    { name: 'organizationName', value: 'JIT Mapper' },
  ]
  const rootCert = forge.pki.createCertificate()
  rootCert.publicKey = root.pub
  rootCert.serialNumber = serialNumber()
  rootCert.validity.notBefore = notBefore
  rootCert.validity.notAfter = new Date(notBefore.getTime() + GENERATED_DAYS * DAY_MS)
  rootCert.setSubject(rootSubject)
  rootCert.setIssuer(rootSubject)
  rootCert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  rootCert.sign(root.priv, forge.md.sha256.create())

  const server = keyPair()
  const cert = forge.pki.createCertificate()
  cert.publicKey = server.pub
  cert.serialNumber = serialNumber()
  cert.validity.notBefore = notBefore
  cert.validity.notAfter = new Date(notBefore.getTime() + GENERATED_DAYS * DAY_MS)
  cert.setSubject([
    { name: 'commonName', value: unique[0] as string },
    { name: 'organizationName', value: 'JIT Mapper' },
  ])
  cert.setIssuer(rootSubject)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNames(unique) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: rootCert.generateSubjectKeyIdentifier().getBytes() },
  ])
  cert.sign(root.priv, forge.md.sha256.create())
  const rootPem = forge.pki.certificateToPem(rootCert)
  return {
    certPem: `${forge.pki.certificateToPem(cert)}${rootPem}`,
    keyPem: server.pem,
    source: 'generated',
    trustPem: rootPem,
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** Checks the admin's certificate and key before they are kept: parseable, matching, in date. */
export function importedCertificate(certificate: string, key: string, now: Date): TlsMaterial {
  const blocks = certificate.match(PEM_CERT) ?? []
  if (blocks.length === 0)
    throw new AppError('BAD_INPUT', 'The certificate is not PEM: it has no -----BEGIN CERTIFICATE----- block.', {
      field: 'certificate',
    })
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(blocks[0] as string)
  } catch (e) {
    throw new AppError('BAD_INPUT', `The certificate cannot be read: ${errorMessage(e)}`, { field: 'certificate' })
  }
  let matches: boolean
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(key))
  } catch (e) {
    throw new AppError('BAD_INPUT', `The private key is not a PEM key: ${errorMessage(e)}`, { field: 'key' })
  }
  if (!matches)
    throw new AppError('BAD_INPUT', 'The private key does not belong to the certificate (the first one in the file).', {
      field: 'key',
    })
  if (Date.parse(leaf.validTo) <= now.getTime())
    throw new AppError('BAD_INPUT', `The certificate expired on ${new Date(leaf.validTo).toISOString()}.`, {
      field: 'certificate',
    })
  return { certPem: `${blocks.join('\n')}\n`, keyPem: key, source: 'imported', trustPem: null }
}

/** The names in a certificate's subjectAltName (`DNS:a, IP Address:10.0.0.2` as Node prints it). */
export function subjectAltNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .map(entry => /^(?:DNS|IP Address):(.+)$/.exec(entry.trim())?.[1])
    .filter((n): n is string => n !== undefined)
}

/** Whether the certificate is valid for `host` (a DNS name, with one-label wildcards, or an IP address). */
export function certificateNames(names: readonly string[], host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  return names.some(n => {
    const name = n.toLowerCase()
    if (name === h) return true
    return name.startsWith('*.') && isIP(h) === 0 && h.slice(h.indexOf('.') + 1) === name.slice(2)
  })
}

export function certificateInfo(tls: TlsMaterial, now: Date): IngressCertificateInfo {
  const first = (tls.certPem.match(PEM_CERT) ?? [])[0] as string
  const cert = new X509Certificate(first)
  const notAfter = new Date(cert.validTo)
  return {
    source: tls.source,
    subject: cert.subject.replace(/\n/g, ', '),
    names: subjectAltNames(cert),
    notAfter: notAfter.toISOString(),
    expiresSoon: notAfter.getTime() - now.getTime() < EXPIRY_WARNING_MS,
    fingerprint: createHash('sha256')
      .update(cert.raw)
      .digest('hex')
      .toUpperCase()
      .replace(/(..)(?!$)/g, '$1:'),
    trustPem: tls.trustPem,
  }
}
