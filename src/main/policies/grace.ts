// The grace period protects what a device already has, nothing more. While a user's withdrawal
// from a group waits for its confirming sync, a device keeps the items it was sent because of
// that group; a device that never had them (a new phone enrolled after the move) gets exactly
// the current desired state.
import type { Attributes, Platform } from '../../shared/domain'
import type { SentItem } from '../store'
import { desiredState, type DesiredItem, type DesiredState, type PolicyIndex } from './desired'

const sameAsSent = (prior: SentItem & { json?: string }, d: DesiredItem): boolean =>
  (prior.json ?? JSON.stringify(prior.value ?? null)) === d.json

/**
 * `withGrace` is the desired state counting the groups still in their grace period, `current`
 * the one without them; `sent` is what the device was last sent.
 */
export function keepWithinGrace(
  withGrace: DesiredState,
  current: DesiredState,
  sent: readonly SentItem[],
): DesiredState {
  const has = new Map(sent.map(s => [s.key, s]))
  const items = new Map<string, DesiredItem>()
  for (const [key, g] of withGrace.items) {
    const prior = has.get(key)
    const now = current.items.get(key)
    // The device has the item (in some version): it keeps it, and an edit of it still reaches it.
    if (now) items.set(key, prior && sameAsSent(prior, g) ? g : now)
    else if (prior) items.set(key, g)
  }
  // Leaving a group a policy excluded grants that policy at once, like joining a group does.
  for (const [key, now] of current.items) if (!items.has(key)) items.set(key, now)
  const contributing = new Set([...items.values()].flatMap(i => i.contributors))
  const applies = new Set(current.applicable.map(a => a.policy.id))
  const applicable = [
    ...current.applicable,
    ...withGrace.applicable.filter(a => !applies.has(a.policy.id) && contributing.has(a.policy.id)),
  ]
  const blocked = new Set([...withGrace.blocked, ...current.blocked].filter(k => !items.has(k) && has.has(k)))
  return {
    platform: current.platform,
    items,
    applicable,
    conflicts: [...items.values()].flatMap(i => (i.conflict ? [i.conflict] : [])),
    unresolved: current.unresolved,
    blocked,
    personal: withGrace.personal || current.personal,
  }
}

/**
 * Memberships that only keep: groups the user left within their grace period, and groups whose
 * membership is unknown (a rule read an attribute the user lacks) where the user was last in.
 * Neither grants a device anything it does not have (README, "Safe withdrawal").
 */
export interface KeepOnly {
  grace: ReadonlySet<string>
  unknown: ReadonlySet<string>
}

export const keepsNothing = (k: KeepOnly | null): boolean => k === null || (k.grace.size === 0 && k.unknown.size === 0)

/**
 * The desired state of a device whose user has keep-only memberships. `groups` are the user's
 * effective groups (keep-only ones included), `withGrace` their desired state, `sent` what the
 * device was last sent. The firm state grants: a policy applies when the user is firmly in an
 * include target and in no exclude target, an unknown membership counting as still in (it may
 * still exclude). What only a keep-only membership would grant stays where the device has it; a
 * group left within its grace period still excludes what the device does not have. A new or
 * re-enrolled device (`fresh`) gets exactly the firm state.
 */
export function graceState(
  d: {
    index: PolicyIndex
    platform: Platform
    groups: ReadonlySet<string>
    keep: KeepOnly
    withGrace: DesiredState
    sent: readonly SentItem[]
    fresh?: boolean
  },
  attributes: () => Attributes,
): DesiredState {
  const firm = new Set([...d.groups].filter(g => !d.keep.grace.has(g) && !d.keep.unknown.has(g)))
  const current = desiredState(d.index, firm, d.platform, attributes, new Set([...firm, ...d.keep.unknown]))
  const kept =
    d.keep.unknown.size > 0
      ? desiredState(
          d.index,
          d.groups,
          d.platform,
          attributes,
          new Set([...d.groups].filter(g => !d.keep.unknown.has(g))),
        )
      : d.withGrace
  return keepWithinGrace(kept, current, d.fresh ? [] : d.sent)
}
