// The members an IdP itself lists in its rule-based groups (Entra dynamic groups, Google dynamic
// groups), one row per group (migration 11), and the revision that says when GROUP_RULE_FAIL may
// have changed. Written by a sync in its apply transaction; read by the diagnostics room. Members
// are kept by their IdP ids, as the pull delivers them, and read back as local user ids: a sync of
// 100,000 users in 130 dynamic groups hands over 1.6 million of them, and mapping each before
// writing cost the sync seconds and a second copy in memory.
import type { Db } from './db'

/** A full listing, or what joined and left since the last sync (IdP user ids). */
export type IdpMemberChange = { replace: Iterable<string> } | { add: Iterable<string>; remove: Iterable<string> }

const decode = (members: string): Set<string> => new Set(members === '' ? [] : members.split(','))

/**
 * Member ids already in the form this table keeps them, comma-joined (as UTF-8 bytes), iterated
 * each once. A full pull hands a dynamic group's listing over this way: no string, set or map entry
 * per id (a 100,000-user tenant's dynamic groups list 1.6 million), and writing it is one bind.
 * Bytes, not a string: 60 MB of listings outside V8's heap do not raise the heap's limit, which
 * would let the rest of a first sync's garbage pile up to it. The text may name an id twice, as
 * the IdP listed it; it is read back as a set (all, apply).
 */
export class JoinedIds implements Iterable<string> {
  constructor(readonly bytes: Uint8Array) {}
  get text(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('utf8')
  }
  *[Symbol.iterator](): Iterator<string> {
    yield* decode(this.text)
  }
}

/** What a full listing is bound as: its text, or a JoinedIds' bytes (INSERT_IDP_MEMBERS stores them as text). */
export const listingValue = (ids: Iterable<string>): string | Uint8Array =>
  ids instanceof JoinedIds ? ids.bytes : [...ids].join(',')

/** Writes a group's listing, in the main connection and the bulk writer's alike. */
export const INSERT_IDP_MEMBERS = `INSERT INTO idp_rule_members (group_id, members, synced_at) VALUES (?, CAST(? AS TEXT), ?)
    ON CONFLICT (group_id) DO UPDATE SET members = excluded.members, synced_at = excluded.synced_at`

export function idpRuleMemberQueries(db: Db) {
  const one = db.prepare('SELECT members FROM idp_rule_members WHERE group_id = ?').pluck()
  const put = db.prepare(INSERT_IDP_MEMBERS)
  const all = db
    .prepare(`SELECT r.group_id, r.members, r.synced_at, g.directory_id FROM idp_rule_members r
      JOIN groups g ON g.id = r.group_id`)
    .raw(true)
  const usersOf = db.prepare('SELECT external_id, id FROM users WHERE directory_id = ?').raw(true)
  const drop = db.prepare('DELETE FROM idp_rule_members WHERE group_id = ?')
  const revision = db.prepare('SELECT n FROM rule_fail_revision WHERE id = 1').pluck()

  return {
    /** Applies a sync's listing of one group. */
    apply(groupId: string, change: IdpMemberChange, at: string): void {
      if ('replace' in change) {
        put.run(groupId, listingValue(change.replace), at)
        return
      }
      const members = decode((one.get(groupId) as string | undefined) ?? '')
      for (const id of change.add) members.add(id)
      for (const id of change.remove) members.delete(id)
      put.run(groupId, [...members].join(','), at)
    },
    /** Forgets a group's listing (it is no longer rule-based). */
    drop(groupId: string): void {
      drop.run(groupId)
    },
    /** Every listed group: group id → its members (local user ids; users gone are left out) and when they were synced. */
    all(): Map<string, { members: Set<string>; syncedAt: string }> {
      const out = new Map<string, { members: Set<string>; syncedAt: string }>()
      const directories = new Map<string, Map<string, string>>()
      for (const [groupId, members, syncedAt, directoryId] of all.all() as [string, string, string, string | null][]) {
        let local = directories.get(directoryId ?? '')
        if (!local) {
          local = new Map(directoryId === null ? [] : (usersOf.all(directoryId) as [string, string][]))
          directories.set(directoryId ?? '', local)
        }
        const ids = new Set<string>()
        for (const ext of decode(members)) {
          const id = local.get(ext)
          if (id !== undefined) ids.add(id)
        }
        out.set(groupId, { members: ids, syncedAt })
      }
      return out
    },
    /** Moves with every write that can change a GROUP_RULE_FAIL (migration 11's triggers). */
    revision: (): number => revision.get() as number,
  }
}
