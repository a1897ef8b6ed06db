// Apple configuration profiles from our policy items: render (render.ts, restrictions.ts), assemble
// (profile.ts) and check against Apple's schema data (schema.ts). Used to validate a policy before
// it is saved, to deliver InstallProfile commands, to preview and to export `.mobileconfig` files.
import type { PlistValue } from '../../plist'
import { renderProfileSettings, type RenderProblem } from './render'
import { renderRestrictions } from './restrictions'
import {
  assembleProfile,
  payloadUuid,
  profileIdentifier,
  profileXml,
  RESTRICTIONS_PROFILE,
  type AppleProfile,
} from './profile'
import { checkPayload, checkProfile, hasSchema, type ApplePlatform, type SchemaProblem } from './schema'

export { policyProfile, type PolicyProfile } from './export'
export { APPLE_VPN_TYPES, PER_APP_VPN_SUFFIX, WIFI_EAP_TYPES } from './render'
export { APPLE_RESTRICTIONS, appleRestrictionPlatforms } from './restrictions'
export {
  payloadUuid,
  PROFILE_PREFIX,
  RESTRICTIONS_PROFILE,
  profileIdentifier,
  profileXml,
  signProfile,
  uuidFor,
  type AppleProfile,
} from './profile'
export {
  availableOn,
  checkCommand,
  checkPayload,
  commandSchema,
  checkProfile,
  hasSchema,
  isApplePlatform,
  payloadTypes,
  PLATFORM_NAME,
  SCHEMA_SOURCE,
  type ApplePlatform,
  type OsSupport,
  type SchemaProblem,
} from './schema'

export interface AppleOptions {
  platform: ApplePlatform
  /** DER of the certificate the FileVault recovery key is escrowed to (the ingress certificate). */
  escrowCertificate?: Uint8Array
  organisation?: string
}

const ORGANISATION = 'JIT Mapper'

export interface ItemProfile {
  profile: AppleProfile | null
  /** Problems on our settings (field = our setting name): what Apple cannot take, or a schema problem. */
  problems: RenderProblem[]
}

/** One profile item (Wi-Fi, VPN, mail, cellular rule, custom) as the profile a device of the platform gets. */
export function itemProfile(
  item: { identifier: string; name: string; settings: Record<string, unknown> },
  opts: AppleOptions,
  supervised = false,
): ItemProfile {
  const identifier = profileIdentifier(item.identifier)
  const { payloads, problems } = renderProfileSettings(item.settings, item.name, {
    platform: opts.platform,
    uuid: suffix => payloadUuid(identifier, suffix),
    escrowCertificate: opts.escrowCertificate,
    organisation: opts.organisation ?? ORGANISATION,
  })
  if (payloads.length === 0) return { profile: null, problems }
  const profile = assembleProfile({
    identifier,
    displayName: item.name,
    organisation: opts.organisation ?? ORGANISATION,
    platform: opts.platform,
    payloads,
  })
  const all = [...problems]
  payloads.forEach((p, i) => {
    if (!hasSchema(p.schema)) {
      all.push({ field: 'payloadType', message: `${p.schema} is not a payload type we have Apple's schema of` })
      return
    }
    for (const s of checkPayload(p.schema, content(profile, i), {
      platform: opts.platform,
      supervised,
    }))
      all.push({ field: fieldOf(p.source, s), message: s.message })
  })
  return { profile, problems: all }
}

const content = (profile: AppleProfile, i: number): Record<string, PlistValue> =>
  (profile.plist['PayloadContent'] as Record<string, PlistValue>[])[i] as Record<string, PlistValue>

/** Our setting behind an Apple key path: the longest mapped prefix of the path. */
function fieldOf(source: Record<string, string>, problem: SchemaProblem): string {
  const parts = problem.path.split('.')
  for (let n = parts.length; n > 0; n--) {
    const hit = source[parts.slice(0, n).join('.')]
    if (hit !== undefined) return hit
  }
  return ''
}

/** The restriction profile of a merged restriction set, or null when nothing of it applies on the platform. */
export function restrictionProfile(
  settings: Record<string, unknown>,
  opts: AppleOptions,
  supervised = true,
): { profile: AppleProfile | null; problems: { restriction: string; message: string }[] } {
  const identifier = RESTRICTIONS_PROFILE
  const payloads = renderRestrictions(settings, {
    platform: opts.platform,
    uuid: suffix => payloadUuid(identifier, suffix),
    escrowCertificate: opts.escrowCertificate,
    organisation: opts.organisation ?? ORGANISATION,
  })
  if (payloads.length === 0) return { profile: null, problems: [] }
  const profile = assembleProfile({
    identifier,
    displayName: 'Restrictions',
    organisation: opts.organisation ?? ORGANISATION,
    platform: opts.platform,
    payloads,
  })
  const problems: { restriction: string; message: string }[] = []
  payloads.forEach((p, i) => {
    for (const s of checkPayload(p.schema, content(profile, i), { platform: opts.platform, supervised }))
      problems.push({ restriction: fieldOf(p.source, s), message: s.message })
  })
  return { profile, problems }
}

/** Schema problems of a whole profile (envelope and every payload), for tests and export. */
export const profileProblems = (profile: AppleProfile, supervised: boolean): SchemaProblem[] =>
  checkProfile(profile.plist, profile.schemas, { platform: profile.platform, supervised })

/** The XML a device is sent, for the outbox (devices/mdm-commands.ts). */
export const appleProfileFor = {
  /**
   * An item's profile. Items are validated before they are saved, so every saved item renders; one
   * that does not (saved before a check existed) goes out as an empty profile, which installs nothing.
   */
  item(item: { identifier: string; name: string; settings: Record<string, unknown> }, opts: AppleOptions): string {
    const { profile } = itemProfile(item, opts)
    return profileXml(
      profile ??
        assembleProfile({
          identifier: profileIdentifier(item.identifier),
          displayName: item.name,
          organisation: opts.organisation ?? ORGANISATION,
          platform: opts.platform,
          payloads: [],
        }),
    )
  },
  /** The restriction profile (with no payloads when nothing of the set applies on the platform). */
  restrictions(settings: Record<string, unknown>, opts: AppleOptions): string {
    const { profile } = restrictionProfile(settings, opts)
    return profileXml(
      profile ??
        assembleProfile({
          identifier: RESTRICTIONS_PROFILE,
          displayName: 'Restrictions',
          organisation: opts.organisation ?? ORGANISATION,
          platform: opts.platform,
          payloads: [],
        }),
    )
  },
}
