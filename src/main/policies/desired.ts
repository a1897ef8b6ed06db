import type { PayloadItem, PayloadKind, Platform, Policy } from '../../shared/domain'

/** One payload item a device should have, with the policy and group that put it there. */
export interface DesiredItem {
  key: string
  kind: PayloadKind
  identifier: string
  name: string
  value: unknown
  item: PayloadItem
  policy: Policy
  groupId: string
  groupName: string
}

export const itemKey = (kind: PayloadKind, identifier: string): string => `${kind}:${identifier}`

/**
 * Policies that apply to a user with these effective groups: at least one include target
 * among them and no exclude target among them (exclusion wins).
 */
export function applicablePolicies(policies: readonly Policy[], groups: ReadonlySet<string>): { policy: Policy; groupId: string; groupName: string }[] {
  const out: { policy: Policy; groupId: string; groupName: string }[] = []
  for (const policy of policies) {
    if (policy.targets.some((t) => t.mode === 'exclude' && groups.has(t.groupId))) continue
    const via = policy.targets.find((t) => t.mode === 'include' && groups.has(t.groupId))
    if (via) out.push({ policy, groupId: via.groupId, groupName: via.groupName })
  }
  return out
}

const itemValue = (item: PayloadItem): unknown => (item.kind === 'restriction' ? item.settings['value'] : item.settings)

/**
 * The device's desired state. Where two policies carry the same item (same app, profile or
 * restriction key), the policy with the higher priority wins, then the name in alphabetical
 * order, so the outcome never depends on which was applied last.
 */
export function desiredState(policies: readonly Policy[], groups: ReadonlySet<string>, platform: Platform): Map<string, DesiredItem> {
  const ranked = applicablePolicies(policies, groups)
    .filter(({ policy }) => policy.platforms.includes(platform))
    .sort((a, b) => b.policy.priority - a.policy.priority || a.policy.name.localeCompare(b.policy.name))
  const desired = new Map<string, DesiredItem>()
  for (const { policy, groupId, groupName } of ranked) {
    for (const item of policy.items) {
      if (item.platform !== null && item.platform !== platform) continue
      const key = itemKey(item.kind, item.identifier)
      if (desired.has(key)) continue
      desired.set(key, { key, kind: item.kind, identifier: item.identifier, name: item.name, value: itemValue(item), item, policy, groupId, groupName })
    }
  }
  return desired
}
