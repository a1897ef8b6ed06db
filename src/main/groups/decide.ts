import type { MembershipRecord, RuleMembership } from '../store'

export interface RuleOutcome {
  result: boolean
  missing: string[]
}

/**
 * Turns one rule evaluation into a stored membership (null = out).
 * A rule that came out false while reading attributes the user lacks is "unknown", not "out":
 * the directory may simply not have delivered the attribute, and a gap in the data must never
 * strip a user's policies. An unknown membership keeps whatever effect the user had before.
 */
export function decideMembership(
  groupId: string,
  outcome: RuleOutcome,
  previous: { effective: boolean } | undefined,
): MembershipRecord | null {
  if (outcome.result) return { groupId, state: 'in', effective: true, missing: outcome.missing }
  if (outcome.missing.length > 0) {
    return { groupId, state: 'unknown', effective: previous?.effective ?? false, missing: outcome.missing }
  }
  return null
}

/**
 * decideMembership for a user with no membership yet (a new user), as the stored row at `at`:
 * one object, not a record and then its row (a first sync decides millions of these).
 */
export function newMembership(groupId: string, outcome: RuleOutcome, at: string): RuleMembership | null {
  if (outcome.result) return { groupId, state: 'in', effective: true, missing: outcome.missing, updatedAt: at }
  if (outcome.missing.length > 0)
    return { groupId, state: 'unknown', effective: false, missing: outcome.missing, updatedAt: at }
  return null
}
