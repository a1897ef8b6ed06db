// The members an IdP itself lists in its rule-based groups (Entra dynamic groups, Google dynamic
// groups), one row per group (migration 11), and the revision that says when GROUP_RULE_FAIL may
// have changed. Written by a sync in its apply transaction; read by the diagnostics room.
import type { Db } from './db'

/** A full listing, or what joined and left since the last sync (local user ids). */
export type IdpMemberChange = { replace: Iterable<string> } | { add: Iterable<string>; remove: Iterable<string> }

const decode = (members: string): Set<string> => new Set(members === '' ? [] : members.split(','))

export function idpRuleMemberQueries(db: Db) {
  const one = db.prepare('SELECT members FROM idp_rule_members WHERE group_id = ?').pluck()
  const put = db.prepare(`INSERT INTO idp_rule_members (group_id, members, synced_at) VALUES (?, ?, ?)
    ON CONFLICT (group_id) DO UPDATE SET members = excluded.members, synced_at = excluded.synced_at`)
  const all = db.prepare('SELECT group_id, members, synced_at FROM idp_rule_members').raw(true)
  const drop = db.prepare('DELETE FROM idp_rule_members WHERE group_id = ?')
  const revision = db.prepare('SELECT n FROM rule_fail_revision WHERE id = 1').pluck()

  return {
    /** Applies a sync's listing of one group. */
    apply(groupId: string, change: IdpMemberChange, at: string): void {
      let members: Set<string>
      if ('replace' in change) members = new Set(change.replace)
      else {
        const stored = one.get(groupId) as string | undefined
        members = decode(stored ?? '')
        for (const id of change.add) members.add(id)
        for (const id of change.remove) members.delete(id)
      }
      put.run(groupId, [...members].join(','), at)
    },
    /** Forgets a group's listing (it is no longer rule-based). */
    drop(groupId: string): void {
      drop.run(groupId)
    },
    /** Every listed group: group id → its members and when they were synced. */
    all(): Map<string, { members: Set<string>; syncedAt: string }> {
      const out = new Map<string, { members: Set<string>; syncedAt: string }>()
      for (const [groupId, members, syncedAt] of all.all() as [string, string, string][])
        out.set(groupId, { members: decode(members), syncedAt })
      return out
    },
    /** Moves with every write that can change a GROUP_RULE_FAIL (migration 11's triggers). */
    revision: (): number => revision.get() as number,
  }
}
