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

/** The desired state of a device whose user has groups in their grace period (`grace`). */
export function graceState(
  d: {
    index: PolicyIndex
    platform: Platform
    groups: ReadonlySet<string>
    grace: ReadonlySet<string>
    withGrace: DesiredState
    sent: readonly SentItem[]
  },
  attributes: () => Attributes,
): DesiredState {
  const current = new Set([...d.groups].filter(g => !d.grace.has(g)))
  return keepWithinGrace(d.withGrace, desiredState(d.index, current, d.platform, attributes), d.sent)
}
