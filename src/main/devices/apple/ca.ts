// The workspace CA: made on first use, its key kept behind the secrets port (never SQLite or
// logs), it signs the identity certificates Apple devices obtain over SCEP and is the only
// issuer a check-in's identity is accepted from.
//
// Certificates follow RFC 5280 and what micromdm/scep issues (depot/signer.go): the subject and
// key come from the CSR, KeyUsage digitalSignature|keyEncipherment, EKU clientAuth. The CA
// certificate also has digitalSignature and keyEncipherment: it signs CertRep messages and is
// the recipient of SCEP envelopes, and macOS picks the envelope recipient by key usage
// (micromdm/scep PR #197; RFC 8894 §2.1.2).
import {
  createHash,
  generateKeyPair,
  type KeyObject,
  createPrivateKey,
  randomBytes,
  sign,
  verify,
  createPublicKey,
  X509Certificate,
} from 'node:crypto'
import { promisify } from 'node:util'
import type { Secrets } from '../../ports'
import {
  algorithm,
  bitString,
  boolean,
  child,
  ctx,
  digestName,
  explicit,
  OID,
  octetString,
  oid,
  parseDer,
  readOid,
  readString,
  seq,
  setOf,
  smallInteger,
  TAG,
  time,
  tlv,
  unsignedInteger,
  utf8,
} from './der'

/** The secret holding the CA's key and certificate (PEM, as JSON). */
export const CA_SECRET = 'apple.identityCa'

const CA_YEARS = 10

export interface WorkspaceCa {
  certDer: Buffer
  certPem: string
  key: KeyObject
  /** Issues an identity certificate for a verified CSR's subject and key. */
  issue(csr: Csr, validity: { from: Date; days: number }): Buffer
  /** Why `certDer` is not a valid device identity issued by this CA at `now`, or null. */
  refuse(certDer: Buffer, now: Date): string | null
}

export const fingerprintOf = (der: Buffer): string => createHash('sha256').update(der).digest('hex')

export const pemOf = (der: Buffer): string =>
  `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`

export const derOfPem = (pem: string): Buffer[] =>
  [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map(m =>
    Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64'),
  )

const keyIdOf = (spki: Buffer): Buffer =>
  // RFC 5280 §4.2.1.2 (1): SHA-1 of the subjectPublicKey BIT STRING's value.
  createHash('sha1')
    .update(child(parseDer(spki), 1, TAG.BIT_STRING).body.subarray(1))
    .digest()

const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  seq(oid(id), ...(critical ? [boolean(true)] : []), octetString(value))

/** KeyUsage bits (RFC 5280 §4.2.1.3) as a DER BIT STRING value. */
function keyUsage(bits: number[]): Buffer {
  const byte = bits.reduce((b, i) => b | (0x80 >> i), 0)
  let unused = 0
  while (unused < 7 && !(byte & (1 << unused))) unused++
  return tlv(TAG.BIT_STRING, Buffer.from([unused, byte]))
}
const DIGITAL_SIGNATURE = 0
const KEY_ENCIPHERMENT = 2
const KEY_CERT_SIGN = 5
const CRL_SIGN = 6

function certificate(o: {
  issuer: Buffer
  subject: Buffer
  spki: Buffer
  from: Date
  to: Date
  extensions: Buffer[]
  key: KeyObject
}): Buffer {
  const serial = randomBytes(16)
  serial[0] = (serial[0] as number) & 0x7f
  const tbs = seq(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    algorithm(OID.sha256WithRSA),
    o.issuer,
    seq(time(o.from), time(o.to)),
    o.subject,
    o.spki,
    explicit(3, seq(...o.extensions)),
  )
  return seq(tbs, algorithm(OID.sha256WithRSA), bitString(sign('sha256', tbs, o.key)))
}

/** A verified PKCS#10 request (RFC 2986): its subject, key and challengePassword. */
export interface Csr {
  subject: Buffer
  spki: Buffer
  challenge: string | null
}

export class CsrError extends Error {}

/** Parses a CSR and checks its self-signature (proof that the requester holds the key). */
export function parseCsr(der: Buffer): Csr {
  try {
    const req = parseDer(der)
    const info = child(req, 0, TAG.SEQUENCE)
    const alg = digestName(readOid(child(child(req, 1, TAG.SEQUENCE), 0, TAG.OID)))
    const signature = child(req, 2, TAG.BIT_STRING).body.subarray(1)
    const spki = child(info, 2, TAG.SEQUENCE).raw
    if (!alg) throw new CsrError('The CSR is signed with an algorithm other than RSA with SHA-1 or SHA-2.')
    if (!verify(alg, info.raw, createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature))
      throw new CsrError('The CSR’s signature does not verify with its own key.')
    let challenge: string | null = null
    const attrs = info.children[3]
    if (attrs?.tag === ctx(0)) {
      for (const a of attrs.children) {
        if (readOid(child(a, 0, TAG.OID)) !== OID.challengePassword) continue
        const v = child(a, 1, TAG.SET).children[0]
        challenge = v ? readString(v) : null
      }
    }
    return { subject: child(info, 1, TAG.SEQUENCE).raw, spki, challenge }
  } catch (e) {
    if (e instanceof CsrError) throw e
    throw new CsrError(`The CSR is malformed: ${(e as Error).message}.`)
  }
}

function open(keyPem: string, certPem: string): WorkspaceCa {
  const key = createPrivateKey(keyPem)
  const certDer = derOfPem(certPem)[0] as Buffer
  const ca = new X509Certificate(certDer)
  const caSpki = child(child(parseDer(certDer), 0), 6, TAG.SEQUENCE).raw
  const caSubject = child(child(parseDer(certDer), 0), 5, TAG.SEQUENCE).raw
  return {
    certDer,
    certPem,
    key,
    issue(csr, validity) {
      return certificate({
        issuer: caSubject,
        subject: csr.subject,
        spki: csr.spki,
        from: validity.from,
        to: new Date(validity.from.getTime() + validity.days * 86_400_000),
        key,
        extensions: [
          extension(OID.basicConstraints, true, seq()),
          extension(OID.keyUsage, true, keyUsage([DIGITAL_SIGNATURE, KEY_ENCIPHERMENT])),
          extension(OID.extKeyUsage, false, seq(oid(OID.clientAuth))),
          extension(OID.subjectKeyIdentifier, false, octetString(keyIdOf(csr.spki))),
          extension(OID.authorityKeyIdentifier, false, seq(tlv(ctx(0, false), keyIdOf(caSpki)))),
        ],
      })
    },
    refuse(certDer, now) {
      let cert: X509Certificate
      try {
        cert = new X509Certificate(certDer)
      } catch {
        return 'The identity certificate does not parse.'
      }
      if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
        return 'The identity certificate was not issued by this workspace’s CA.'
      if (now < new Date(cert.validFrom) || now > new Date(cert.validTo))
        return `The identity certificate is valid from ${cert.validFrom} to ${cert.validTo}, not now.`
      const eku = cert.keyUsage
      if (!Array.isArray(eku) || !eku.includes(OID.clientAuth))
        return 'The identity certificate is not for client authentication.'
      return null
    },
  }
}

async function create(now: Date): Promise<{ keyPem: string; certPem: string }> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 })
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const name = seq(
    setOf(seq(oid(OID.organizationName), utf8('JIT Mapper'))),
    setOf(seq(oid(OID.commonName), utf8(`JIT Mapper device identity CA ${randomBytes(4).toString('hex')}`))),
  )
  const der = certificate({
    issuer: name,
    subject: name,
    spki,
    from: new Date(now.getTime() - 3600_000),
    to: new Date(now.getTime() + CA_YEARS * 365 * 86_400_000),
    key: privateKey,
    extensions: [
      extension(OID.basicConstraints, true, seq(boolean(true))),
      extension(OID.keyUsage, true, keyUsage([DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, KEY_CERT_SIGN, CRL_SIGN])),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdOf(spki))),
    ],
  })
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certPem: pemOf(der) }
}

/**
 * The workspace CA, made and stored on first use. Another process (the CLI) may make it at the
 * same moment: whatever the secrets store holds after our write is the CA everyone uses.
 */
export async function loadWorkspaceCa(secrets: Secrets, now: Date): Promise<WorkspaceCa> {
  let stored = await secrets.get(CA_SECRET)
  if (!stored) {
    await secrets.set(CA_SECRET, JSON.stringify(await create(now)))
    stored = await secrets.get(CA_SECRET)
  }
  const v = JSON.parse(stored ?? 'null') as { keyPem?: string; certPem?: string } | null
  if (!v?.keyPem || !v.certPem) throw new Error(`The secret ${CA_SECRET} does not hold a CA key and certificate.`)
  return open(v.keyPem, v.certPem)
}

/**
 * A self-signed RSA-2048 certificate for a key that only receives envelopes (KeyUsage
 * keyEncipherment|digitalSignature), as nanodep makes for Apple's server token
 * (tokenpki/cert.go): Apple encrypts the token to the public key it carries.
 */
export async function selfSignedEnvelopeCertificate(
  commonName: string,
  now: Date,
  days: number,
): Promise<{ keyPem: string; certPem: string }> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 })
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const name = seq(setOf(seq(oid(OID.commonName), utf8(commonName))))
  const der = certificate({
    issuer: name,
    subject: name,
    spki,
    from: new Date(now.getTime() - 600_000),
    to: new Date(now.getTime() + days * 86_400_000),
    key: privateKey,
    extensions: [extension(OID.keyUsage, true, keyUsage([DIGITAL_SIGNATURE, KEY_ENCIPHERMENT]))],
  })
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certPem: pemOf(der) }
}
