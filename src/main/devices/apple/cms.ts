// CMS (RFC 5652) as Apple MDM and SCEP use it: SignedData (attached for a signed enrollment
// profile and SCEP messages, detached for the Mdm-Signature header) and EnvelopedData with RSA
// key transport (RFC 8894 §3: the SCEP pkcsPKIEnvelope).
//
// Signing and verifying use node:crypto over the exact bytes received. Node 20 refuses RSA
// PKCS#1 v1.5 padding for private decryption (CVE-2023-46809), so the key transport is the raw
// RSA operation plus the padding check here (unwrapKey; node-forge's pure-JS RSA takes a quarter
// of a second per key). Single DES, which Debian's scepclient 2.1.0 encrypts with (the
// go.mozilla.org/pkcs7 default) and OpenSSL 3 keeps in its legacy provider, comes from node-forge.
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto'
import forge from 'node-forge'
import {
  algorithm,
  Asn1Error,
  child,
  ctx,
  DIGEST_OID,
  digestName,
  explicit,
  OID,
  octets,
  octetString,
  oid,
  parseDer,
  readOid,
  seq,
  setOf,
  smallInteger,
  TAG,
  tlv,
  type Node,
} from './der'

export class CmsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CmsError'
  }
}

/** What identifies a certificate in CMS: its issuer Name and serial number. */
export interface CertId {
  issuer: Buffer
  serial: Buffer
}

/** The parts of an X.509 certificate the CMS code needs, as exact bytes. */
export interface CertParts extends CertId {
  der: Buffer
  subject: Buffer
  spki: Buffer
}

export function certParts(der: Buffer): CertParts {
  const cert = parseDer(der)
  const tbs = child(cert, 0, TAG.SEQUENCE)
  const off = tbs.children[0]?.tag === ctx(0) ? 1 : 0
  return {
    der,
    serial: child(tbs, off, TAG.INTEGER).body,
    issuer: child(tbs, off + 2, TAG.SEQUENCE).raw,
    subject: child(tbs, off + 4, TAG.SEQUENCE).raw,
    spki: child(tbs, off + 5, TAG.SEQUENCE).raw,
  }
}

/** The public key of a DER certificate. */
export const publicKeyOf = (certDer: Buffer): KeyObject => new X509Certificate(certDer).publicKey

const issuerAndSerial = (c: CertId): Buffer => seq(c.issuer, tlv(TAG.INTEGER, c.serial))

export interface Attribute {
  oid: string
  /** Each value's DER encoding. */
  values: Buffer[]
}

const attributeDer = (a: Attribute): Buffer => seq(oid(a.oid), setOf(...a.values))

export interface SignOptions {
  /** The content; `detached` leaves it out of the message (Mdm-Signature). */
  content: Buffer
  detached?: boolean
  signer: { certDer: Buffer; key: KeyObject }
  /** Certificates to carry besides the signer's (it always goes first). */
  certificates?: Buffer[]
  digest?: 'sha1' | 'sha256'
  /** Signed attributes beyond contentType and messageDigest (SCEP's). */
  attributes?: Attribute[]
}

/** A CMS SignedData ContentInfo, RSA PKCS#1 v1.5 over DER signed attributes (RFC 5652 §5.4). */
export function signData(o: SignOptions): Buffer {
  const digest = o.digest ?? 'sha256'
  const cert = certParts(o.signer.certDer)
  const attrs = [
    { oid: OID.contentType, values: [oid(OID.data)] },
    { oid: OID.messageDigest, values: [octetString(createHash(digest).update(o.content).digest())] },
    ...(o.attributes ?? []),
  ]
  const signedAttrs = setOf(...attrs.map(attributeDer))
  const signature = sign(digest, signedAttrs, o.signer.key)
  const signerInfo = seq(
    smallInteger(1),
    issuerAndSerial(cert),
    algorithm(DIGEST_OID[digest]),
    // [0] IMPLICIT: the same bytes with the SET tag swapped for [0].
    Buffer.concat([Buffer.from([ctx(0)]), signedAttrs.subarray(1)]),
    algorithm(OID.rsaEncryption),
    octetString(signature),
  )
  const certs = [o.signer.certDer, ...(o.certificates ?? []).filter(c => !c.equals(o.signer.certDer))]
  const signedData = seq(
    smallInteger(1),
    setOf(algorithm(DIGEST_OID[digest])),
    seq(oid(OID.data), ...(o.detached ? [] : [explicit(0, octetString(o.content))])),
    tlv(ctx(0), Buffer.concat(certs)),
    setOf(signerInfo),
  )
  return seq(oid(OID.signedData), explicit(0, signedData))
}

/** A degenerate SignedData carrying only certificates (RFC 8894 §3.4: the issued certificate). */
export function certsOnly(certs: Buffer[]): Buffer {
  const signedData = seq(smallInteger(1), setOf(), seq(oid(OID.data)), tlv(ctx(0), Buffer.concat(certs)), setOf())
  return seq(oid(OID.signedData), explicit(0, signedData))
}

export interface SignerInfo {
  sid: CertId | { keyId: Buffer }
  digest: 'sha1' | 'sha256' | 'sha384' | 'sha512'
  signedAttrs: Node | null
  signature: Buffer
}

export interface SignedData {
  /** The encapsulated content, null when detached. */
  content: Buffer | null
  certificates: Buffer[]
  signers: SignerInfo[]
}

function contentInfo(der: Buffer, expected: string): Node {
  let root: Node
  try {
    root = parseDer(der)
  } catch (e) {
    throw new CmsError(`Not a CMS message: ${(e as Error).message}.`)
  }
  if (root.tag !== TAG.SEQUENCE || readOid(child(root, 0, TAG.OID)) !== expected)
    throw new CmsError(`The CMS message is not ${expected === OID.signedData ? 'SignedData' : 'EnvelopedData'}.`)
  return child(child(root, 1, ctx(0)), 0, TAG.SEQUENCE)
}

const wrap = <T>(what: string, fn: () => T): T => {
  try {
    return fn()
  } catch (e) {
    if (e instanceof CmsError) throw e
    if (e instanceof Asn1Error) throw new CmsError(`The ${what} is malformed: ${e.message}.`)
    throw e
  }
}

export function parseSignedData(der: Buffer): SignedData {
  return wrap('SignedData', () => {
    const sd = contentInfo(der, OID.signedData)
    const encap = child(sd, 2, TAG.SEQUENCE)
    const eContent = encap.children[1]
    let i = 3
    const certificates: Buffer[] = []
    if (sd.children[i]?.tag === ctx(0)) {
      for (const c of (sd.children[i] as Node).children) if (c.tag === TAG.SEQUENCE) certificates.push(c.raw)
      i++
    }
    if (sd.children[i]?.tag === ctx(1)) i++
    const signers = child(sd, i, TAG.SET).children.map((si): SignerInfo => {
      const sidNode = child(si, 1)
      const sid =
        sidNode.tag === TAG.SEQUENCE
          ? { issuer: child(sidNode, 0, TAG.SEQUENCE).raw, serial: child(sidNode, 1, TAG.INTEGER).body }
          : { keyId: sidNode.body }
      const digest = digestName(readOid(child(child(si, 2, TAG.SEQUENCE), 0, TAG.OID)))
      if (!digest) throw new CmsError('The signature uses a digest other than SHA-1 or SHA-2.')
      const hasAttrs = si.children[3]?.tag === ctx(0)
      return {
        sid,
        digest,
        signedAttrs: hasAttrs ? (si.children[3] as Node) : null,
        signature: octets(child(si, hasAttrs ? 5 : 4)),
      }
    })
    return { content: eContent ? octets(child(eContent, 0)) : null, certificates, signers }
  })
}

/** The values of a signed attribute, or [] when absent. */
export function attributeValues(signer: SignerInfo, wanted: string): Node[] {
  for (const a of signer.signedAttrs?.children ?? [])
    if (readOid(child(a, 0, TAG.OID)) === wanted) return child(a, 1, TAG.SET).children
  return []
}

const sameId = (a: CertId, b: CertId): boolean =>
  a.serial.equals(b.serial) && parseDer(a.issuer).body.equals(parseDer(b.issuer).body)

/**
 * Verifies the one signer of a SignedData over `content` (the attached content, or the body
 * the detached signature is over) and returns the signer's certificate. The certificate must be
 * in the message; whether it is trustworthy is the caller's question.
 */
export function verifySignedData(sd: SignedData, content: Buffer): Buffer {
  return wrap('SignedData', () => {
    if (sd.signers.length !== 1) throw new CmsError(`The message has ${sd.signers.length} signers; expected one.`)
    const signer = sd.signers[0] as SignerInfo
    const cert = sd.certificates.find(c => {
      const parts = certParts(c)
      if ('keyId' in signer.sid) return false
      return sameId(parts, signer.sid)
    })
    if (!cert) throw new CmsError('The signer’s certificate is not in the message.')
    let signed = content
    if (signer.signedAttrs) {
      const digest = attributeValues(signer, OID.messageDigest)[0]
      if (!digest || !octets(digest).equals(createHash(signer.digest).update(content).digest()))
        throw new CmsError('The message digest does not match the content (altered, or signed over other bytes).')
      // RFC 5652 §5.4: the signature covers the DER of the attributes tagged as a SET OF.
      signed = tlv(TAG.SET, signer.signedAttrs.body)
    }
    if (!verify(signer.digest, signed, publicKeyOf(cert), signer.signature))
      throw new CmsError('The signature does not verify with the signer’s certificate.')
    return cert
  })
}

// ---- EnvelopedData ----

type Cipher = 'aes-128-cbc' | 'aes-256-cbc' | 'des-ede3-cbc'
const CIPHER_OID: Record<Cipher, string> = {
  'aes-128-cbc': OID.aes128Cbc,
  'aes-256-cbc': OID.aes256Cbc,
  'des-ede3-cbc': OID.desEde3Cbc,
}
const KEY_BYTES: Record<Cipher, number> = { 'aes-128-cbc': 16, 'aes-256-cbc': 32, 'des-ede3-cbc': 24 }

/** EnvelopedData for one RSA recipient (KeyTransRecipientInfo with issuerAndSerialNumber). */
export function envelope(content: Buffer, recipientCertDer: Buffer, cipher: Cipher = 'aes-128-cbc'): Buffer {
  const recipient = certParts(recipientCertDer)
  const key = randomBytes(KEY_BYTES[cipher])
  const iv = randomBytes(cipher === 'des-ede3-cbc' ? 8 : 16)
  const c = createCipheriv(cipher, key, iv)
  const encrypted = Buffer.concat([c.update(content), c.final()])
  const encryptedKey = publicEncrypt({ key: publicKeyOf(recipientCertDer), padding: constants.RSA_PKCS1_PADDING }, key)
  const envelopedData = seq(
    smallInteger(0),
    setOf(seq(smallInteger(0), issuerAndSerial(recipient), algorithm(OID.rsaEncryption), octetString(encryptedKey))),
    seq(oid(OID.data), seq(oid(CIPHER_OID[cipher]), octetString(iv)), tlv(ctx(0, false), encrypted)),
  )
  return seq(oid(OID.envelopedData), explicit(0, envelopedData))
}

/** Why an envelope could not be opened; one message for every cause, so none is an oracle. */
export const UNDECRYPTABLE = 'The envelope could not be decrypted with this CA’s key.'

/**
 * RSAES-PKCS1-v1_5 decryption of a content-encryption key (RFC 8017 §7.2.2): the raw RSA
 * operation, then EM = 0x00 || 0x02 || PS (8+ non-zero octets) || 0x00 || K checked without an
 * early exit. A bad padding or length yields a random key instead of an error (implicit
 * rejection, as OpenSSL 3.2 does), so the caller then fails exactly as for bad content: the
 * answer is no Bleichenbacher padding oracle.
 */
export function unwrapKey(key: KeyObject, encrypted: Buffer, length: number): Buffer {
  const random = randomBytes(length)
  let em: Buffer
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encrypted)
  } catch {
    return random
  }
  let separator = 0
  for (let i = 2; i < em.length; i++) separator = separator === 0 && em[i] === 0 ? i : separator
  const good = em[0] === 0 && em[1] === 2 && separator >= 10 && em.length - separator - 1 === length
  return good ? Buffer.from(em.subarray(separator + 1)) : random
}

/**
 * Opens an EnvelopedData addressed to `recipient`. Whatever is wrong — the wrapped key, its
 * padding, the content — fails with the one message UNDECRYPTABLE.
 */
export function openEnvelope(der: Buffer, recipient: { certDer: Buffer; key: KeyObject }): Buffer {
  return wrap('EnvelopedData', () => {
    const ed = contentInfo(der, OID.envelopedData)
    const off = ed.children[1]?.tag === ctx(0) ? 2 : 1
    const me = certParts(recipient.certDer)
    const ktri = child(ed, off, TAG.SET).children.find(
      ri =>
        ri.tag === TAG.SEQUENCE &&
        ri.children[1]?.tag === TAG.SEQUENCE &&
        sameId(me, { issuer: child(ri.children[1], 0).raw, serial: child(ri.children[1], 1).body }),
    )
    if (!ktri) throw new CmsError('The envelope is not addressed to this CA (GetCACert gives the certificate to use).')
    const eci = child(ed, off + 1, TAG.SEQUENCE)
    const alg = child(eci, 1, TAG.SEQUENCE)
    const algOid = readOid(child(alg, 0, TAG.OID))
    const iv = octets(child(alg, 1))
    const encrypted = octets(child(eci, 2))
    const keyLength =
      algOid === OID.desCbc
        ? 8
        : algOid === OID.desEde3Cbc
          ? 24
          : algOid === OID.aes128Cbc
            ? 16
            : algOid === OID.aes192Cbc
              ? 24
              : algOid === OID.aes256Cbc
                ? 32
                : 0
    if (!keyLength) throw new CmsError(`The envelope uses a cipher this server does not offer (${algOid}).`)
    const key = unwrapKey(recipient.key, octets(child(ktri, 3)), keyLength)
    try {
      if (algOid === OID.desCbc) {
        const d = forge.cipher.createDecipher('DES-CBC', key.toString('latin1'))
        d.start({ iv: iv.toString('latin1') })
        d.update(forge.util.createBuffer(encrypted.toString('latin1')))
        if (!d.finish()) throw new Error('padding')
        return Buffer.from(d.output.getBytes(), 'latin1')
      }
      const name = algOid === OID.desEde3Cbc ? 'des-ede3-cbc' : `aes-${keyLength * 8}-cbc`
      const d = createDecipheriv(name, key, iv)
      return Buffer.concat([d.update(encrypted), d.final()])
    } catch {
      throw new CmsError(UNDECRYPTABLE)
    }
  })
}
