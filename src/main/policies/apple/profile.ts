// Configuration profiles as Apple defines them (mdm/profiles/TopLevel.yaml, CommonPayloadKeys.yaml):
// a `Configuration` dictionary whose PayloadContent holds the payloads. Identifiers are stable per
// item, under our own prefix, so installing again replaces the profile and a withdrawal removes
// exactly the profile we installed (RemoveProfile takes the PayloadIdentifier). PayloadUUIDs are
// RFC 4122 name-based (version 5) UUIDs: the same input gives the same profile, byte for byte.
import { createHash } from 'node:crypto'
import forge from 'node-forge'
import { buildPlist, type PlistValue } from '../../plist'
import type { RenderedPayload } from './render'
import type { ApplePlatform } from './schema'

/** Every profile we install has an identifier under this prefix; nothing else is ever removed. */
export const PROFILE_PREFIX = 'com.jitmapper'
/** The one profile holding a device's merged restriction set. */
export const RESTRICTIONS_PROFILE = `${PROFILE_PREFIX}.restrictions`

/** The PayloadIdentifier of a profile item (its identifier as the admin wrote it, under our prefix). */
export const profileIdentifier = (itemIdentifier: string): string => `${PROFILE_PREFIX}.profile.${itemIdentifier}`

/** Our UUID namespace for name-based UUIDs (a fixed random v4 UUID). */
const NAMESPACE = Buffer.from('6f1d3a4e8b2c4d5e9a7b1c2d3e4f5a6b', 'hex')

/** RFC 4122 §4.3 version-5 UUID of a name in our namespace. */
export function uuidFor(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest()
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80
  const h = hash.subarray(0, 16).toString('hex').toUpperCase()
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

/** The UUID of the payload with this suffix in the profile with this identifier. */
export const payloadUuid = (identifier: string, suffix: string): string => uuidFor(`${identifier}/${suffix}`)

export interface AppleProfile {
  identifier: string
  platform: ApplePlatform
  /** The profile as a property-list dictionary. */
  plist: Record<string, PlistValue>
  /** Apple's schema name of each payload in PayloadContent, in order. */
  schemas: string[]
  payloads: RenderedPayload[]
}

const canonical = (v: PlistValue): unknown => {
  if (v instanceof Uint8Array) return { data: Buffer.from(v).toString('base64') }
  if (v instanceof Date) return { date: v.toISOString() }
  if (Array.isArray(v)) return v.map(canonical)
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canonical(x)]))
  return v
}

export function assembleProfile(opts: {
  identifier: string
  displayName: string
  description?: string
  organisation: string
  platform: ApplePlatform
  payloads: RenderedPayload[]
}): AppleProfile {
  const content = opts.payloads.map(
    (p): Record<string, PlistValue> => ({
      PayloadType: p.payloadType,
      PayloadVersion: 1,
      PayloadIdentifier: `${opts.identifier}.${p.suffix}`,
      PayloadUUID: payloadUuid(opts.identifier, p.suffix),
      PayloadDisplayName: p.displayName,
      ...p.content,
    }),
  )
  // A new UUID whenever the content changes (the identifier keeps replacing the installed profile).
  const digest = createHash('sha256')
    .update(JSON.stringify(canonical(content)))
    .digest('hex')
  const plist: Record<string, PlistValue> = {
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: opts.identifier,
    PayloadUUID: uuidFor(`${opts.identifier}#${digest}`),
    PayloadDisplayName: opts.displayName,
    PayloadOrganization: opts.organisation,
    ...(opts.description ? { PayloadDescription: opts.description } : {}),
    PayloadContent: content,
  }
  return {
    identifier: opts.identifier,
    platform: opts.platform,
    plist,
    schemas: opts.payloads.map(p => p.schema),
    payloads: opts.payloads,
  }
}

/** The profile as the XML property list a device installs (`.mobileconfig`). */
export const profileXml = (profile: AppleProfile): string => buildPlist(profile.plist, { indent: true })

/**
 * A signed profile: CMS SignedData with the XML as attached content, signed by the certificate's
 * key (the ingress certificate) with the default signed attributes, as micromdm's
 * pkg/crypto/profileutil/sign.go and `openssl smime -sign -nodetach -outform der` make it. Signing
 * is optional for Apple: InstallProfile payloads "may also be signed" (mdm/commands/profile.install.yaml).
 */
export function signProfile(xml: string, certPem: string, keyPem: string, chainPem: string[] = []): Uint8Array {
  const p7 = forge.pkcs7.createSignedData()
  p7.content = forge.util.createBuffer(Buffer.from(xml, 'utf8').toString('binary'))
  const cert = forge.pki.certificateFromPem(certPem)
  p7.addCertificate(cert)
  for (const c of chainPem) p7.addCertificate(forge.pki.certificateFromPem(c))
  p7.addSigner({
    key: forge.pki.privateKeyFromPem(keyPem),
    certificate: cert,
    digestAlgorithm: forge.pki.oids['sha256'] as string,
    authenticatedAttributes: [
      { type: forge.pki.oids['contentType'] as string, value: forge.pki.oids['data'] as string },
      { type: forge.pki.oids['messageDigest'] as string },
      { type: forge.pki.oids['signingTime'] as string },
    ],
  })
  p7.sign()
  return new Uint8Array(Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary'))
}
