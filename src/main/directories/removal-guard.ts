// The removal guard (an invariant of the product): a sync that would remove more than a configured share of
// the directory's memberships or users is held for the admin to confirm. A mass removal is far
// more often an IdP-side mistake (a scoping filter, a deleted group, a connector seeing an empty
// tenant) than a real departure of a fifth of the company, and once applied it withdraws
// policies from every device involved. The decision is a pure function of counts so it is
// tested table by table; the engine counts what its plan drops and asks.
import type { SyncRemovals } from '../../shared/domain'

export interface RemovalLimits {
  /** Hold above this share (0–1) of the directory's memberships removed… */
  membershipShare: number
  /** …or above this share (0–1) of its users removed. */
  userShare: number
  /**
   * A share counts only once the directory has at least this many memberships (for the
   * membership share) or users (for the user share): 3 of 10 users is 30% but no sign of a
   * mistake.
   */
  minimum: number
}

/** As DEFAULT_POLICY_SETTINGS (src/shared/policy.ts), where the admin changes them. */
export const DEFAULT_REMOVAL_LIMITS: RemovalLimits = { membershipShare: 0.2, userShare: 0.1, minimum: 20 }

export type RemovalDecision = { hold: false } | { hold: true; reasons: string[] }

const percent = (share: number) => `${Math.round(share * 100)}%`

/**
 * Whether a sync removing `c` must be held. One removal is never held (the everyday case of one
 * person leaving), and a directory with nothing yet has nothing to remove, so its first sync is
 * never held.
 */
export function decideRemovalHold(c: SyncRemovals, limits: RemovalLimits): RemovalDecision {
  const reasons: string[] = []
  const over = (removed: number, total: number, share: number) =>
    removed > 1 && total > 0 && total >= limits.minimum && removed / total > share
  if (over(c.usersRemoved, c.usersTotal, limits.userShare)) {
    reasons.push(
      `${c.usersRemoved} of ${c.usersTotal} users (${percent(c.usersRemoved / c.usersTotal)}, above ${percent(limits.userShare)})`,
    )
  }
  if (over(c.membershipsRemoved, c.membershipsTotal, limits.membershipShare)) {
    reasons.push(
      `${c.membershipsRemoved} of ${c.membershipsTotal} memberships (${percent(c.membershipsRemoved / c.membershipsTotal)}, above ${percent(limits.membershipShare)})`,
    )
  }
  return reasons.length > 0 ? { hold: true, reasons } : { hold: false }
}

/** What a held run says in the sync history: what would go, that nothing changed, how to confirm. */
export function heldMessage(directoryName: string, reasons: string[]): string {
  return (
    `Held: this sync would remove ${reasons.join(' and ')}. Nothing was changed. ` +
    `Check the directory in the IdP; if the removals are right, choose "Confirm and apply" ` +
    `(or run: jit-mapper sync --directory "${directoryName}" --confirm-removals).`
  )
}

/** What the store answers for counting a plan's removals. */
export interface RemovalReads {
  /** Memberships (any group) of one user, as stored before the sync. */
  membershipsOfUser(userId: string): number
  /** Users in one group, as stored before the sync. */
  membersOfGroup(groupId: string): Iterable<string>
}

/**
 * Memberships a plan drops: the synced-group memberships it drops, every membership of the users
 * it removes, and the members of the groups it removes who are not removed themselves (each
 * membership counted once).
 */
export function countMembershipRemovals(
  plan: { removeUserIds: string[]; removeGroupIds: string[]; dropMembers: unknown[] },
  reads: RemovalReads,
): number {
  const gone = new Set(plan.removeUserIds)
  let n = plan.dropMembers.length
  for (const id of gone) n += reads.membershipsOfUser(id)
  for (const groupId of plan.removeGroupIds)
    for (const userId of reads.membersOfGroup(groupId)) if (!gone.has(userId)) n++
  return n
}
