// One configuration profile per policy and Apple platform, for the policy editor's preview and for
// `jit-mapper profiles export`: every profile item of the policy for the platform (each item's
// payloads, their suffixes prefixed by the item so they stay unique) and the policy's own
// restrictions, under `com.jitmapper.policy.<policy id>`. Installed by hand (Apple Configurator)
// it gives a device what the policy gives it; a device enrolled with us gets the same payloads
// split into one profile per item plus the merged restriction profile.
import type { Policy } from '../../../shared/domain'
import { type AppleProfile, assembleProfile, PROFILE_PREFIX, payloadUuid } from './profile'
import { renderProfileSettings, type RenderedPayload } from './render'
import { renderRestrictions } from './restrictions'
import type { ApplePlatform } from './schema'

export interface PolicyProfile {
  policyId: string
  policyName: string
  platform: ApplePlatform
  /** null: the policy has nothing for this platform that is a profile. */
  profile: AppleProfile | null
  /** Variables the user's attributes cannot fill (or every variable, without a user): left as {{user.x}}. */
  unfilled: string[]
  /** What could not be rendered, by item name. */
  problems: string[]
}

export interface PolicyProfileOptions {
  platform: ApplePlatform
  /**
   * Fills {{user.x}} from a user's attributes (payloads.ts resolveVariables); without a user it
   * fills nothing and names every variable, which then stays as a placeholder.
   */
  resolve(settings: Record<string, unknown>): { value: Record<string, unknown>; missing: string[] }
  escrowCertificate?: Uint8Array
  organisation: string
}

/** A suffix safe in a PayloadIdentifier: letters, digits, dots and dashes. */
const safe = (s: string): string => s.replace(/[^A-Za-z0-9.-]+/g, '-')

export function policyProfile(policy: Policy, opts: PolicyProfileOptions): PolicyProfile {
  const identifier = `${PROFILE_PREFIX}.policy.${policy.id}`
  const uuid = (suffix: string) => payloadUuid(identifier, suffix)
  const payloads: RenderedPayload[] = []
  const unfilled = new Set<string>()
  const problems: string[] = []
  const restrictions: Record<string, unknown> = {}
  for (const item of policy.items) {
    if (item.platform !== null && item.platform !== opts.platform) continue
    if (item.kind === 'restriction') restrictions[item.identifier] = item.settings['value']
    if (item.kind !== 'profile') continue
    const { value: settings, missing } = opts.resolve(item.settings)
    for (const m of missing) unfilled.add(m)
    const prefix = safe(item.identifier)
    const rendered = renderProfileSettings(settings, item.name, {
      platform: opts.platform,
      uuid: suffix => uuid(`${prefix}.${suffix}`),
      escrowCertificate: opts.escrowCertificate,
      organisation: opts.organisation,
    })
    for (const p of rendered.problems) problems.push(`${item.name}: ${p.field ? `${p.field} ` : ''}${p.message}`)
    for (const p of rendered.payloads) payloads.push({ ...p, suffix: `${prefix}.${p.suffix}` })
  }
  payloads.push(
    ...renderRestrictions(restrictions, {
      platform: opts.platform,
      uuid,
      escrowCertificate: opts.escrowCertificate,
      organisation: opts.organisation,
    }),
  )
  const profile =
    payloads.length === 0
      ? null
      : assembleProfile({
          identifier,
          displayName: policy.name,
          description: policy.description,
          organisation: opts.organisation,
          platform: opts.platform,
          payloads,
        })
  return {
    policyId: policy.id,
    policyName: policy.name,
    platform: opts.platform,
    profile,
    unfilled: [...unfilled],
    problems,
  }
}
