import type { CommandReason, CommandType, Platform } from '../../shared/domain'
import type { SentItem } from '../store'
import type { DesiredItem, DesiredState } from './desired'

export interface PlannedCommand {
  type: CommandType
  payload: Record<string, unknown>
  reason: CommandReason
}

export interface DevicePlan {
  commands: PlannedCommand[]
  put: SentItem[]
  drop: string[]
}

export interface WithdrawalContext {
  /** The current "remove app when policy is removed" flag of a payload item, if it still exists. */
  removeOnUnassign(itemId: string): boolean
  policyName(policyId: string): string
  /** The App Store (adam) id the app inventory holds for an app, if any. */
  appStoreId?(platform: Platform, identifier: string): number | null
}

const APPLE: readonly Platform[] = ['ios', 'macos']

/** The per-app VPN profiles (item identifiers) of the desired state, by the app identifiers they list. */
function perAppVpns(state: DesiredState): Map<string, string> {
  const out = new Map<string, string>()
  for (const d of state.items.values()) {
    const v = d.value as Record<string, unknown> | null
    if (d.kind !== 'profile' || v?.['type'] !== 'vpn' || v['perApp'] !== true || !Array.isArray(v['apps'])) continue
    for (const app of v['apps']) if (typeof app === 'string' && !out.has(app)) out.set(app, d.identifier)
  }
  return out
}

/** Bulk reads keep each sent value's JSON text, so comparing needs no re-serialising. */
const sameSent = (prior: SentItem & { json?: string }, d: DesiredItem): boolean =>
  (prior.json ?? JSON.stringify(prior.value ?? null)) === d.json

const toSent = (d: DesiredItem): SentItem => ({
  key: d.key,
  kind: d.kind,
  identifier: d.identifier,
  name: d.name,
  value: d.value ?? null,
  policyId: d.policy.id,
  itemId: d.item.id,
})

const grantReason = (d: DesiredItem): CommandReason => ({
  policyId: d.policy.id,
  policyName: d.policy.name,
  groupId: d.groupId,
  groupName: d.groupName,
  summary: `Member of ${d.groupName}, which ${d.policy.name} targets`,
})

/**
 * The commands that take a device from what it was last sent to its desired state.
 * An unchanged device yields no commands. Apps leave the device only where their assignment
 * says "remove app when policy is removed"; otherwise they stay, no longer managed by us.
 * Restrictions travel as one payload holding the full restriction set, so any change resends it.
 * An app whose intent changed (available → required) is sent again with the new intent.
 * An app that is only available is never installed on an Apple device: Apple's MDM protocol has no
 * "offer" — InstallApplication installs (Apple, InstallApplication: the device installs the app, at
 * most asking the user on an unsupervised device) — so an MDM expresses "available" by not sending
 * InstallApplication until the user asks for the app in a self-service catalogue. The item is
 * recorded as assigned, and no command goes out. (Android's agent offers it: install type AVAILABLE.)
 */
export function planDevice(sent: readonly SentItem[], state: DesiredState, ctx: WithdrawalContext): DevicePlan {
  const desired = state.items
  const plan: DevicePlan = { commands: [], put: [], drop: [] }
  const platform = state.platform
  const apple = APPLE.includes(platform)
  const vpnOf = apple ? perAppVpns(state) : new Map<string, string>()
  const sentByKey = new Map(sent.map(s => [s.key, s]))
  let restrictionsChanged = false
  let restrictionReason: CommandReason | null = null

  for (const d of desired.values()) {
    const prior = sentByKey.get(d.key)
    const sameValue = prior !== undefined && sameSent(prior, d)
    if (sameValue && prior.policyId === d.policy.id && prior.itemId === d.item.id) continue
    plan.put.push(toSent(d))
    if (sameValue && d.kind !== 'restriction') continue
    if (d.kind === 'app') {
      const value = d.value as { intent?: string }
      if (apple && value.intent === 'available') continue
      const storeId = apple ? (ctx.appStoreId?.(platform, d.identifier) ?? null) : null
      const vpn = vpnOf.get(d.identifier)
      plan.commands.push({
        type: 'install_app',
        payload: {
          identifier: d.identifier,
          name: d.name,
          ...value,
          platform,
          ...(d.item.removeOnUnassign ? { removeWithMdm: true } : {}),
          ...(storeId !== null ? { storeId } : {}),
          ...(vpn !== undefined ? { perAppVpn: vpn } : {}),
        },
        reason: grantReason(d),
      })
    } else if (d.kind === 'profile') {
      plan.commands.push({
        type: 'install_profile',
        payload: { identifier: d.identifier, name: d.name, settings: d.value, platform },
        reason: grantReason(d),
      })
    } else if (d.kind === 'restriction' && !sameValue) {
      restrictionsChanged = true
      restrictionReason ??= grantReason(d)
    }
  }

  for (const s of sent) {
    // A profile whose variables the user cannot fill now stays as it was last sent.
    if (desired.has(s.key) || state.blocked.has(s.key)) continue
    plan.drop.push(s.key)
    const policyName = ctx.policyName(s.policyId)
    const withdrawn = { policyId: s.policyId, policyName, groupId: null, groupName: null }
    if (s.kind === 'app' && ctx.removeOnUnassign(s.itemId)) {
      plan.commands.push({
        type: 'remove_app',
        payload: { identifier: s.identifier, name: s.name, platform },
        reason: {
          ...withdrawn,
          summary: `${policyName} no longer applies and its app is set to be removed when the policy is removed`,
        },
      })
    } else if (s.kind === 'profile') {
      plan.commands.push({
        type: 'remove_profile',
        payload: { identifier: s.identifier, name: s.name, platform },
        reason: { ...withdrawn, summary: `${policyName} no longer applies` },
      })
    } else if (s.kind === 'restriction') {
      restrictionsChanged = true
      restrictionReason ??= { ...withdrawn, summary: `${policyName} no longer applies` }
    }
  }

  if (restrictionsChanged && restrictionReason) {
    const settings: Record<string, unknown> = {}
    for (const d of desired.values()) if (d.kind === 'restriction') settings[d.identifier] = d.value
    plan.commands.push({ type: 'apply_restrictions', payload: { settings, platform }, reason: restrictionReason })
  }
  return plan
}
