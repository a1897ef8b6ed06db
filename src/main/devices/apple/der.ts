// ASN.1 for the Apple identity work: a reader that keeps every element's exact bytes (signatures
// are checked over the bytes a device sent, never a re-encoding) and a DER writer.
//
// The reader takes BER as well as DER (X.690 §8.1.3.6 indefinite lengths, §8.7.3 constructed
// OCTET STRINGs): Apple's CMS encoder writes indefinite lengths (the MachineInfo header it sends
// during Setup Assistant starts 30 80), so an Mdm-Signature or a SCEP request may too.

export class Asn1Error extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`)
    this.name = 'Asn1Error'
  }
}

export interface Node {
  /** The identifier octet: class, constructed bit and tag number (low tags only, < 31). */
  tag: number
  /** The whole element, header included. */
  raw: Buffer
  /** The contents octets (without an indefinite length's end-of-contents). */
  body: Buffer
  children: Node[]
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8: 0x0c,
  PRINTABLE: 0x13,
  IA5: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const

/** Context-specific tag [n], constructed unless told otherwise. */
export const ctx = (n: number, constructed = true): number => 0x80 | (constructed ? 0x20 : 0) | n

const MAX_DEPTH = 32

function readNode(buf: Buffer, at: number, depth: number): { node: Node; end: number } {
  if (depth > MAX_DEPTH) throw new Asn1Error('ASN.1 nests too deeply', at)
  if (at + 2 > buf.length) throw new Asn1Error('ASN.1 element cut short', at)
  const tag = buf[at] as number
  if ((tag & 0x1f) === 0x1f) throw new Asn1Error('ASN.1 high tag numbers are not used here', at)
  const constructed = (tag & 0x20) !== 0
  let p = at + 1
  const first = buf[p++] as number
  if (first === 0x80) {
    if (!constructed) throw new Asn1Error('An indefinite length on a primitive element', at)
    const children: Node[] = []
    const start = p
    for (;;) {
      if (p + 2 > buf.length) throw new Asn1Error('An indefinite length without end-of-contents', at)
      if (buf[p] === 0 && buf[p + 1] === 0) break
      const r = readNode(buf, p, depth + 1)
      children.push(r.node)
      p = r.end
    }
    return { node: { tag, raw: buf.subarray(at, p + 2), body: buf.subarray(start, p), children }, end: p + 2 }
  }
  let len = first
  if (first & 0x80) {
    const n = first & 0x7f
    if (n > 4 || p + n > buf.length) throw new Asn1Error('An ASN.1 length too long for this reader', at)
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + (buf[p++] as number)
  }
  const end = p + len
  if (end > buf.length) throw new Asn1Error('ASN.1 element longer than its container', at)
  const body = buf.subarray(p, end)
  const children: Node[] = []
  if (constructed) {
    let q = p
    while (q < end) {
      const r = readNode(buf, q, depth + 1)
      if (r.end > end) throw new Asn1Error('ASN.1 child overruns its parent', q)
      children.push(r.node)
      q = r.end
    }
  }
  return { node: { tag, raw: buf.subarray(at, end), body, children }, end }
}

/** Parses one element that must fill `buf` exactly. */
export function parseDer(buf: Buffer): Node {
  const { node, end } = readNode(buf, 0, 0)
  if (end !== buf.length) throw new Asn1Error('Bytes after the ASN.1 element', end)
  return node
}

/** The `i`th child, which must carry `tag`. */
export function child(n: Node, i: number, tag?: number): Node {
  const c = n.children[i]
  if (!c) throw new Asn1Error(`ASN.1 element lacks part ${i + 1}`, 0)
  if (tag !== undefined && c.tag !== tag)
    throw new Asn1Error(`ASN.1 part ${i + 1} has tag 0x${c.tag.toString(16)}, expected 0x${tag.toString(16)}`, 0)
  return c
}

/** An OCTET STRING's bytes, joining a BER constructed one's segments. */
export function octets(n: Node): Buffer {
  if ((n.tag & 0x20) === 0) return n.body
  return Buffer.concat(n.children.map(octets))
}

export function readOid(n: Node): string {
  if (n.tag !== TAG.OID) throw new Asn1Error('Expected an OBJECT IDENTIFIER', 0)
  const b = n.body
  if (b.length === 0) throw new Asn1Error('Empty OBJECT IDENTIFIER', 0)
  const parts: number[] = []
  let v = 0
  for (const byte of b) {
    v = v * 128 + (byte & 0x7f)
    if ((byte & 0x80) === 0) {
      parts.push(v)
      v = 0
    }
  }
  const head = parts.shift() as number
  const a = head < 40 ? 0 : head < 80 ? 1 : 2
  return [a, head - a * 40, ...parts].join('.')
}

/** A string value (Printable, UTF8, IA5, BMP …) as text. */
export function readString(n: Node): string {
  if (n.tag === TAG.BMP) return Buffer.from(n.body).swap16().toString('utf16le')
  return n.body.toString(n.tag === TAG.UTF8 ? 'utf8' : 'latin1')
}

// ---- DER writer ----

function lengthOctets(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len])
  const bytes: number[] = []
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

export const tlv = (tag: number, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag]), lengthOctets(body.length), body])
export const seq = (...parts: Buffer[]): Buffer => tlv(TAG.SEQUENCE, Buffer.concat(parts))
/** A DER SET OF: members sorted by their encodings (X.690 §11.6). */
export const setOf = (...parts: Buffer[]): Buffer => tlv(TAG.SET, Buffer.concat([...parts].sort(Buffer.compare)))
export const explicit = (n: number, inner: Buffer): Buffer => tlv(ctx(n), inner)
export const octetString = (b: Buffer): Buffer => tlv(TAG.OCTET_STRING, b)
export const printable = (s: string): Buffer => tlv(TAG.PRINTABLE, Buffer.from(s, 'latin1'))
export const utf8 = (s: string): Buffer => tlv(TAG.UTF8, Buffer.from(s, 'utf8'))
export const nullDer = (): Buffer => Buffer.from([TAG.NULL, 0])
export const bitString = (b: Buffer): Buffer => tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), b]))
export const boolean = (v: boolean): Buffer => Buffer.from([TAG.BOOLEAN, 1, v ? 0xff : 0])

/** An INTEGER from unsigned big-endian bytes (a leading 0 keeps it positive). */
export function unsignedInteger(b: Buffer): Buffer {
  let i = 0
  while (i < b.length - 1 && b[i] === 0) i++
  const v = b.subarray(i)
  return tlv(TAG.INTEGER, (v[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v)
}

export const smallInteger = (n: number): Buffer => unsignedInteger(Buffer.from([n]))

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]]
  const bytes: number[] = []
  for (const v of [a * 40 + b, ...rest]) {
    const chunk: number[] = [v & 0x7f]
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) chunk.unshift(0x80 | (x & 0x7f))
    bytes.push(...chunk)
  }
  return tlv(TAG.OID, Buffer.from(bytes))
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
export function time(d: Date): Buffer {
  const iso = d.toISOString()
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
  return d.getUTCFullYear() < 2050
    ? tlv(TAG.UTC_TIME, Buffer.from(digits.slice(2), 'latin1'))
    : tlv(TAG.GENERALIZED_TIME, Buffer.from(digits, 'latin1'))
}

/** Object identifiers used by the CA, SCEP and CMS code (RFC 5652, RFC 8894, RFC 5280). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  challengePassword: '1.2.840.113549.1.9.7',
  extensionRequest: '1.2.840.113549.1.9.14',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  desCbc: '1.3.14.3.2.7',
  desEde3Cbc: '1.2.840.113549.3.7',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  // SCEP signed attributes (RFC 8894 §3.2.1; the Verisign arc 2.16.840.1.113733.1.9).
  scepMessageType: '2.16.840.1.113733.1.9.2',
  scepPkiStatus: '2.16.840.1.113733.1.9.3',
  scepFailInfo: '2.16.840.1.113733.1.9.4',
  scepSenderNonce: '2.16.840.1.113733.1.9.5',
  scepRecipientNonce: '2.16.840.1.113733.1.9.6',
  scepTransactionId: '2.16.840.1.113733.1.9.7',
} as const

/** The node:crypto name of a digest algorithm OID (signature OIDs name their digest too). */
export function digestName(algOid: string): 'sha1' | 'sha256' | 'sha384' | 'sha512' | null {
  switch (algOid) {
    case OID.sha1:
    case OID.sha1WithRSA:
      return 'sha1'
    case OID.sha256:
    case OID.sha256WithRSA:
      return 'sha256'
    case OID.sha384:
    case OID.sha384WithRSA:
      return 'sha384'
    case OID.sha512:
    case OID.sha512WithRSA:
      return 'sha512'
    default:
      return null
  }
}

export const DIGEST_OID = { sha1: OID.sha1, sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 } as const

/** AlgorithmIdentifier with NULL parameters. */
export const algorithm = (dotted: string): Buffer => seq(oid(dotted), nullDer())
