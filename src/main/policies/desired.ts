import type { Attributes, PayloadItem, PayloadKind, Platform, Policy } from '../../shared/domain'
import type { AppIntent, Conflict, ConflictContender } from '../../shared/policy'
import { payloadVariables, resolveVariables } from './payloads'
import { compareStrictness, describeStrictness, restrictionDefinition } from './registry'

/** Policies arranged for fast lookup: by included group, in conflict order (priority, then name). */
export interface PolicyIndex {
  policies: readonly Policy[]
  byId: ReadonlyMap<string, Policy>
  byInclude: ReadonlyMap<string, Policy[]>
  items: ReadonlyMap<string, PayloadItem>
  /** Position in conflict order: higher priority first, then name. */
  rank: ReadonlyMap<string, number>
  /** Each item's value and its JSON text, computed once; null where a profile uses {{user.x}} variables. */
  values: ReadonlyMap<string, { value: unknown; json: string } | null>
}

const staticValue = (item: PayloadItem): { value: unknown; json: string } | null => {
  let value: unknown
  if (item.kind === 'restriction') value = item.settings['value']
  else if (item.kind === 'app') value = { intent: appIntent(item) }
  else if (payloadVariables(item.settings).length === 0) value = item.settings
  else return null
  return { value, json: JSON.stringify(value ?? null) }
}

export function indexPolicies(policies: readonly Policy[]): PolicyIndex {
  const ordered = [...policies].sort(
    (a, b) => b.priority - a.priority || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  )
  const byInclude = new Map<string, Policy[]>()
  for (const p of ordered) {
    for (const t of p.targets) {
      if (t.mode !== 'include') continue
      const list = byInclude.get(t.groupId)
      if (list) list.push(p)
      else byInclude.set(t.groupId, [p])
    }
  }
  return {
    policies: ordered,
    byId: new Map(ordered.map(p => [p.id, p])),
    byInclude,
    items: new Map(ordered.flatMap(p => p.items.map(i => [i.id, i] as const))),
    rank: new Map(ordered.map((p, i) => [p.id, i])),
    values: new Map(ordered.flatMap(p => p.items.map(i => [i.id, staticValue(i)] as const))),
  }
}

export interface Applicable {
  policy: Policy
  groupId: string
  groupName: string
}

/**
 * Policies that apply to a user with these effective groups on this platform: an include
 * target among the groups, no exclude target among `excluding` (exclusion wins), and the platform
 * among the policy's platforms. In conflict order. `excluding` is the same groups unless a
 * membership counts differently for exclusions (one left within its grace period, see grace.ts).
 */
export function applicablePolicies(
  index: PolicyIndex,
  groups: ReadonlySet<string>,
  platform: Platform,
  excluding: ReadonlySet<string> = groups,
): Applicable[] {
  const seen = new Set<string>()
  const out: Applicable[] = []
  for (const g of groups) {
    for (const policy of index.byInclude.get(g) ?? []) {
      if (seen.has(policy.id)) continue
      seen.add(policy.id)
      if (!policy.platforms.includes(platform)) continue
      if (policy.targets.some(t => t.mode === 'exclude' && excluding.has(t.groupId))) continue
      const via = policy.targets.find(t => t.mode === 'include' && groups.has(t.groupId))
      if (via) out.push({ policy, groupId: via.groupId, groupName: via.groupName })
    }
  }
  return out.length < 2
    ? out
    : out.sort((a, b) => (index.rank.get(a.policy.id) ?? 0) - (index.rank.get(b.policy.id) ?? 0))
}

/** One payload item a device should have, with the policy and group that put it there. */
export interface DesiredItem {
  key: string
  kind: PayloadKind
  identifier: string
  name: string
  value: unknown
  /** The value as JSON text, for comparing with what the device was sent. */
  json: string
  item: PayloadItem
  policy: Policy
  groupId: string
  groupName: string
  /** Every policy that carries the item (the winner first). */
  contributors: string[]
  conflict: Conflict | null
}

export interface Unresolved {
  key: string
  itemName: string
  policyId: string
  policyName: string
  variables: string[]
}

export interface DesiredState {
  platform: Platform
  items: Map<string, DesiredItem>
  applicable: Applicable[]
  conflicts: Conflict[]
  unresolved: Unresolved[]
  /** Items not sent because a variable cannot be filled: what the device has of them stays. */
  blocked: Set<string>
  /** Whether it depends on the user's attributes (a profile with {{user.x}} variables applies). */
  personal: boolean
}

export const itemKey = (kind: PayloadKind, identifier: string): string => `${kind}:${identifier}`

export const appIntent = (item: PayloadItem): AppIntent =>
  item.settings['intent'] === 'available' ? 'available' : 'required'

interface Contribution {
  via: Applicable
  item: PayloadItem
  value: unknown
  json: string
}

const contender = (c: Contribution): ConflictContender => ({
  policyId: c.via.policy.id,
  policyName: c.via.policy.name,
  priority: c.via.policy.priority,
  value: c.value,
})
const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))
const sameValue = (a: Contribution, b: Contribution): boolean => a.json === b.json

/** Resolves the contributions to one item key per the documented rule; the winner comes first. */
function resolve(
  key: string,
  contributions: Contribution[],
  platform: Platform,
): { winner: Contribution; conflict: Conflict | null } {
  const first = contributions[0] as Contribution
  const base = { key, kind: first.item.kind, identifier: first.item.identifier, name: first.item.name, platform }
  if (contributions.length === 1) return { winner: first, conflict: null }
  const distinct = contributions.filter((c, i) => contributions.findIndex(d => sameValue(d, c)) === i)

  if (first.item.kind === 'restriction') {
    const def = restrictionDefinition(first.item.identifier)
    if (def) {
      // Stable sort keeps conflict order among equally strict values.
      const sorted = [...contributions].sort((a, b) => compareStrictness(def, a.value, b.value))
      const winner = sorted[0] as Contribution
      if (distinct.length === 1) return { winner, conflict: null }
      const losers = sorted.slice(1).filter(c => !sameValue(c, winner))
      return {
        winner,
        conflict: {
          ...base,
          name: def.name,
          rule: 'most-restrictive',
          winner: contender(winner),
          losers: losers.map(contender),
          reason: `Most restrictive wins: ${show(winner.value)} from ${winner.via.policy.name} is stricter than ${losers.map(l => `${show(l.value)} from ${l.via.policy.name}`).join(', ')} (${describeStrictness(def)}).`,
          tie: false,
        },
      }
    }
  }

  if (first.item.kind === 'app') {
    const required = contributions.find(c => appIntent(c.item) === 'required')
    const winner = required ?? first
    if (distinct.length === 1) return { winner, conflict: null }
    const losers = contributions.filter(c => !sameValue(c, winner))
    return {
      winner,
      conflict: {
        ...base,
        rule: 'union',
        winner: contender(winner),
        losers: losers.map(contender),
        reason: `Apps are merged: ${first.item.name} is installed once, and required (from ${winner.via.policy.name}) beats available (from ${losers.map(l => l.via.policy.name).join(', ')}).`,
        tie: false,
      },
    }
  }

  if (distinct.length === 1) return { winner: first, conflict: null }
  const losers = contributions.slice(1).filter(c => !sameValue(c, first))
  const runnerUp = losers[0] as Contribution
  const tie = runnerUp.via.policy.priority === first.via.policy.priority
  return {
    winner: first,
    conflict: {
      ...base,
      rule: 'priority',
      winner: contender(first),
      losers: losers.map(contender),
      reason: tie
        ? `${first.via.policy.name} and ${runnerUp.via.policy.name} both have priority ${first.via.policy.priority} and set ${first.item.name} differently; ${first.via.policy.name} wins by name. Give one of them a higher priority.`
        : `One value only: ${first.via.policy.name} (priority ${first.via.policy.priority}) wins over ${losers.map(l => `${l.via.policy.name} (priority ${l.via.policy.priority})`).join(', ')}.`,
      tie,
    },
  }
}

/**
 * The device's desired state: every item of every applicable policy for the platform,
 * conflicts resolved by the one rule (see ConflictRule), never by which was applied last.
 * `attributes` is read only when a profile uses `{{user.x}}` variables.
 */
export function desiredState(
  index: PolicyIndex,
  groups: ReadonlySet<string>,
  platform: Platform,
  attributes: () => Attributes = () => ({}),
  excluding: ReadonlySet<string> = groups,
): DesiredState {
  const applicable = applicablePolicies(index, groups, platform, excluding)
  const byKey = new Map<string, Contribution[]>()
  const unresolved: Unresolved[] = []
  let attrs: Attributes | undefined
  for (const via of applicable) {
    for (const item of via.policy.items) {
      if (item.platform !== null && item.platform !== platform) continue
      const key = itemKey(item.kind, item.identifier)
      let contribution: Contribution
      const known = index.values.get(item.id) ?? staticValue(item)
      if (known) contribution = { via, item, value: known.value, json: known.json }
      else {
        attrs ??= attributes()
        const resolved = resolveVariables(item.settings, attrs)
        if (resolved.missing.length > 0) {
          unresolved.push({
            key,
            itemName: item.name,
            policyId: via.policy.id,
            policyName: via.policy.name,
            variables: resolved.missing,
          })
          continue
        }
        contribution = { via, item, value: resolved.value, json: JSON.stringify(resolved.value) }
      }
      const list = byKey.get(key)
      if (list) list.push(contribution)
      else byKey.set(key, [contribution])
    }
  }
  const items = new Map<string, DesiredItem>()
  const conflicts: Conflict[] = []
  for (const [key, contributions] of byKey) {
    const { winner, conflict } = resolve(key, contributions, platform)
    if (conflict) conflicts.push(conflict)
    items.set(key, {
      key,
      kind: winner.item.kind,
      identifier: winner.item.identifier,
      name: winner.item.name,
      value: winner.value,
      json: winner.json,
      item: winner.item,
      policy: winner.via.policy,
      groupId: winner.via.groupId,
      groupName: winner.via.groupName,
      contributors: [winner.via.policy.id, ...contributions.filter(c => c !== winner).map(c => c.via.policy.id)],
      conflict,
    })
  }
  const blocked = new Set(unresolved.map(u => u.key).filter(k => !items.has(k)))
  return { platform, items, applicable, conflicts, unresolved, blocked, personal: attrs !== undefined }
}
