// The x-apple-aspen-deviceinfo header Setup Assistant sends when it first opens
// configuration_web_url: base64 of a CMS SignedData whose content is the MachineInfo property
// list (UDID, SERIAL, PRODUCT, VERSION, OS_VERSION, IMEI, MEID, LANGUAGE …), signed by the
// device's identity certificate; the device certificate and its intermediates ride in the
// message, and the chain should lead to the Apple Root CA (Apple's "Authenticating through web
// views" and MachineInfo pages).
//
// A stock chain check would refuse it: the signer is issued by "Apple iPhone Device CA", which
// expired in 2014 and is still used, and the signatures are SHA-1 (micromdm pkg/crypto/apple.go;
// dep-webview-oidc header/header.go). So, as dep-webview-oidc does, the chain is walked by hand:
// each certificate's issuer is found in the message by name, its signature is checked with the
// issuer's key, up to a trust anchor; validity dates are not checked. The message may be BER
// (indefinite lengths, as a published sample begins 30 80), which der.ts reads. The header is
// evidence of an Apple device, not attestation that it is the one it says (dwo docs/Architecture.md).
import { X509Certificate } from 'node:crypto'
import { parsePlist, type PlistValue } from '../../plist'
import { derOfPem } from '../ca'
import { CmsError, parseSignedData, verifySignedData } from '../cms'
import { APPLE_IPHONE_CA_PEM, APPLE_IPHONE_DEVICE_CA_PEM, APPLE_ROOT_CA_PEM } from './apple-root-ca'

export class MachineInfoError extends Error {}

export interface MachineInfo {
  UDID: string
  SERIAL: string
  PRODUCT: string
  VERSION: string
  OS_VERSION?: string
  IMEI?: string
  MEID?: string
  LANGUAGE?: string
  [key: string]: PlistValue | undefined
}

/** Longest chain walked from the signer to an anchor (device → Device CA → iPhone CA → root). */
const MAX_CHAIN = 6

/**
 * The default trust anchors: the Apple Root CA, which Apple documents for MachineInfo, and the
 * two Apple intermediates below it that issue device identities (apple-root-ca.ts).
 */
export const APPLE_ANCHORS: readonly string[] = [APPLE_ROOT_CA_PEM, APPLE_IPHONE_CA_PEM, APPLE_IPHONE_DEVICE_CA_PEM]

/**
 * The MachineInfo in a header, once its signature verifies and its signer chains to one of
 * `anchors` (PEM); else a MachineInfoError that says why.
 */
export function verifyMachineInfo(header: string, anchors: readonly string[]): MachineInfo {
  const raw = header.trim()
  if (!raw || raw.length > 64 * 1024 || !/^[A-Za-z0-9+/]+=*$/.test(raw))
    throw new MachineInfoError('The x-apple-aspen-deviceinfo header is not base64.')
  let signer: Buffer
  let content: Buffer
  let certificates: Buffer[]
  try {
    const sd = parseSignedData(Buffer.from(raw, 'base64'))
    if (!sd.content) throw new MachineInfoError('The device information carries no content.')
    content = sd.content
    certificates = sd.certificates
    signer = verifySignedData(sd, content)
  } catch (e) {
    if (e instanceof CmsError) throw new MachineInfoError(`The device information's signature: ${e.message}`)
    throw e
  }
  chainToAnchor(signer, certificates, anchors)
  let info: PlistValue
  try {
    info = parsePlist(content.toString('utf8'))
  } catch (e) {
    throw new MachineInfoError(`The device information is not a property list: ${(e as Error).message}.`)
  }
  if (
    typeof info !== 'object' ||
    info === null ||
    Array.isArray(info) ||
    info instanceof Date ||
    info instanceof Uint8Array
  )
    throw new MachineInfoError('The device information is not a dictionary.')
  const dict = info as Record<string, PlistValue>
  for (const key of ['UDID', 'SERIAL', 'PRODUCT'] as const)
    if (typeof dict[key] !== 'string' || !(dict[key] as string).trim())
      throw new MachineInfoError(`The device information lacks ${key}.`)
  return { VERSION: '', ...dict } as MachineInfo
}

function chainToAnchor(signerDer: Buffer, carried: Buffer[], anchors: readonly string[]): void {
  const trusted = anchors.flatMap(derOfPem).map(d => new X509Certificate(d))
  const pool = carried.map(d => new X509Certificate(d))
  let current = new X509Certificate(signerDer)
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (trusted.some(t => t.raw.equals(current.raw))) return
    const anchor = trusted.find(t => current.checkIssued(t) && current.verify(t.publicKey))
    if (anchor) return
    const issuer = pool.find(c => !c.raw.equals(current.raw) && current.checkIssued(c) && current.verify(c.publicKey))
    if (!issuer)
      throw new MachineInfoError(
        `The device certificate does not chain to a trusted Apple CA: no certificate in the message signed "${current.subject.replace(/\n/g, ', ')}".`,
      )
    current = issuer
  }
  throw new MachineInfoError('The device certificate chain is longer than any Apple issues.')
}
