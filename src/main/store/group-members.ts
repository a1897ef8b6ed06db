// A group's member list, searched and paged on the server: unknown memberships first (they need
// the admin), then by display name, and the total. Rule groups keep one row per user
// (rule-memberships.ts), so their members are found by the group's id in that row and decoded.
import type { GroupMember, GroupMemberArgs, MembershipState } from '../../shared/domain'
import type { Db } from './db'
import { containsPattern } from './like'
import { decodeRuleMemberships } from './rule-memberships'

/** A row of a group's direct (synced or stored) memberships, as SQLite gives it. */
export interface MemberRow {
  user_id: string
  user_principal_name: string
  display_name: string
  state: MembershipState
  missing: string
}

export const memberOf = (r: MemberRow): GroupMember => ({
  userId: r.user_id,
  userPrincipalName: r.user_principal_name,
  displayName: r.display_name,
  state: r.state,
  missing: JSON.parse(r.missing) as string[],
})

const byName = `(@q IS NULL OR u.user_principal_name LIKE @q ESCAPE '\\' OR u.display_name LIKE @q ESCAPE '\\')`

export function groupMemberQueries(db: Db) {
  const kindOf = db.prepare('SELECT kind FROM groups WHERE id = ?').pluck()
  const ruled = db
    .prepare(`SELECT u.id, u.user_principal_name, u.display_name, r.plain, r.other, r.updated_at
    FROM rule_memberships r JOIN users u ON u.id = r.user_id
    WHERE (instr(',' || r.plain || ',', ',' || @g || ',') > 0 OR instr(r.other, @g) > 0) AND ${byName}
    ORDER BY u.display_name COLLATE NOCASE, u.id`)
    .raw(true)
  const synced = db.prepare(`SELECT m.user_id, u.user_principal_name, u.display_name, m.state, m.missing
    FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.group_id = @g AND ${byName}
      AND (@state IS NULL OR m.state = @state)
    ORDER BY m.state = 'unknown' DESC, u.display_name COLLATE NOCASE, u.id LIMIT @limit OFFSET @offset`)
  const syncedCount = db
    .prepare(`SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.group_id = @g AND ${byName}
      AND (@state IS NULL OR m.state = @state)`)
    .pluck()

  return {
    /** One page of a group's members matching the search, and how many match in all. */
    page(args: GroupMemberArgs): { rows: GroupMember[]; total: number } {
      const q = containsPattern(args.query)
      const limit = args.limit ?? 50
      const offset = args.offset ?? 0
      const state = args.state ?? null
      if (kindOf.get(args.groupId) !== 'rule') {
        const params = { g: args.groupId, q, state }
        const rows = (synced.all({ ...params, limit, offset }) as MemberRow[]).map(memberOf)
        return { rows, total: syncedCount.get(params) as number }
      }
      // In display-name order from SQL; a stable partition puts the unknown ones first.
      const unknown: GroupMember[] = []
      const known: GroupMember[] = []
      for (const [userId, upn, displayName, plain, other, at] of ruled.all({ g: args.groupId, q }) as string[][]) {
        const m = decodeRuleMemberships(plain as string, other as string, at as string).find(
          x => x.groupId === args.groupId,
        )
        if (!m || (state !== null && m.state !== state)) continue
        const row = {
          userId: userId as string,
          userPrincipalName: upn as string,
          displayName: displayName as string,
          state: m.state,
          missing: m.missing,
        }
        if (m.state === 'unknown') unknown.push(row)
        else known.push(row)
      }
      const all = unknown.concat(known)
      return { rows: all.slice(offset, offset + limit), total: all.length }
    },
  }
}
