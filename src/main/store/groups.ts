import type {
  Dialect,
  GroupKind,
  GroupMember,
  GroupSummary,
  MembershipState,
  UserMembership,
} from '../../shared/domain'
import type { Db } from './db'
import { type MemberRow, memberOf } from './group-members'
import { ruleMembershipQueries, type RuleMembership } from './rule-memberships'

interface GroupRow {
  id: string
  name: string
  kind: GroupKind
  dialect: Dialect | null
  rule: string | null
  description: string
  directory_id: string | null
  directory_name: string | null
  member_count: number
  unknown_count: number
}

const toSummary = (r: GroupRow): GroupSummary => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  dialect: r.dialect,
  rule: r.rule,
  description: r.description,
  directoryId: r.directory_id,
  directoryName: r.directory_name,
  memberCount: r.member_count,
  unknownCount: r.unknown_count,
})

// Counts of synced groups' members; rule groups' members are counted from their rows (rule-memberships.ts).
const GROUP_COLUMNS = `g.id, g.name, g.kind, g.dialect, g.rule, g.description, g.directory_id,
  (SELECT d.name FROM directories d WHERE d.id = g.directory_id) AS directory_name,
  (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id) AS member_count, 0 AS unknown_count`

/**
 * The ids by which rules may name a synced group: the IdP's id, as a rule of that directory writes it
 * (Entra `user.memberof -any (group.objectId -in ['<object id>'])`, Okta `isMemberOfGroup("00g…")`),
 * and the local id (a group of a file directory has only that). The two never collide: IdP ids are
 * the IdP's GUIDs and 00g… ids, local ids ours.
 */
export const groupIdsForRules = (id: string, externalId: string | null): string[] =>
  externalId === null ? [id] : [externalId, id]

/** SQLite's NOCASE order: ASCII letters folded, everything else compared as is. */
const foldAscii = (s: string): string => s.replace(/[A-Z]/g, c => c.toLowerCase())
const byNoCase = (a: string, b: string): number => {
  const x = foldAscii(a)
  const y = foldAscii(b)
  return x < y ? -1 : x > y ? 1 : 0
}

export interface GroupRecord {
  id: string
  directoryId: string | null
  name: string
  kind: GroupKind
  dialect: Dialect | null
  rule: string | null
  description: string
}

export interface RuleGroup {
  id: string
  name: string
  dialect: Dialect
  rule: string
  /** The directory whose users the rule reads; null: every directory's (a workspace-wide group). */
  directoryId: string | null
}

export interface MembershipRecord {
  groupId: string
  state: MembershipState
  effective: boolean
  missing: string[]
}

export function groupQueries(db: Db) {
  const rm = ruleMembershipQueries(db)
  const insert = db.prepare(`INSERT INTO groups (id, directory_id, name, kind, dialect, rule, description)
    VALUES (@id, @directoryId, @name, @kind, @dialect, @rule, @description)`)
  const all = db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups g ORDER BY g.name COLLATE NOCASE`)
  const byId = db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.id = ?`)
  const byName = db.prepare('SELECT id FROM groups WHERE name = ? COLLATE NOCASE')
  const rules = db.prepare(
    `SELECT id, name, dialect, rule, directory_id AS directoryId FROM groups WHERE kind = 'rule' ORDER BY name`,
  )
  const rulesFor = db.prepare(`SELECT id, name, dialect, rule, directory_id AS directoryId FROM groups
    WHERE kind = 'rule' AND (directory_id IS NULL OR directory_id = ?) ORDER BY name`)
  const ruleNames = db.prepare(`SELECT id, name FROM groups WHERE kind = 'rule'`).raw(true)
  const allNames = db.prepare('SELECT id, name FROM groups').raw(true)
  const synced = db.prepare(`SELECT id, name FROM groups WHERE kind = 'synced'`)
  const members = db.prepare(`SELECT m.user_id, u.user_principal_name, u.display_name, 'in' AS state, '[]' AS missing
    FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.group_id = ?
    ORDER BY u.display_name COLLATE NOCASE LIMIT ?`)
  const namesOf = db
    .prepare('SELECT id, user_principal_name, display_name FROM users WHERE id IN (SELECT value FROM json_each(?))')
    .raw(true)
  const syncedOfUser = db
    .prepare(`SELECT m.group_id, g.name, g.external_id FROM memberships m JOIN groups g ON g.id = m.group_id
    WHERE m.user_id = ? AND g.kind = 'synced' AND m.effective = 1`)
    .raw(true)
  const ofUser = db.prepare(`SELECT m.group_id, g.name, g.kind, m.state, m.effective, m.missing
    FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ?`)
  const effectiveOfUser = db.prepare('SELECT group_id FROM memberships WHERE user_id = ? AND effective = 1').pluck()
  const inGroup = db.prepare(`SELECT g.kind, m.state, m.effective, m.missing
    FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ? AND m.group_id = ?`)
  const put = db.prepare(`INSERT INTO memberships (group_id, user_id, state, effective, missing, updated_at)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (group_id, user_id) DO UPDATE SET state = excluded.state, effective = excluded.effective,
      missing = excluded.missing, updated_at = excluded.updated_at`)
  const remove = db.prepare('DELETE FROM memberships WHERE group_id = ? AND user_id = ?')
  const count = db.prepare('SELECT COUNT(*) AS n FROM groups')
  const kindOf = db.prepare('SELECT kind FROM groups WHERE id = ?').pluck()
  const setRule = db.prepare(`UPDATE groups SET dialect = ?, rule = ? WHERE id = ? AND kind = 'rule'`)
  const rename = db.prepare('UPDATE groups SET name = ? WHERE id = ?')
  // Targets, memberships and pending withdrawals go by ON DELETE CASCADE; rule memberships by the
  // rule_group_deleted trigger (migration 5).
  const removeGroup = db.prepare('DELETE FROM groups WHERE id = ?')

  const ruleGroupNames = (): Map<string, string> => new Map(ruleNames.all() as [string, string][])

  return {
    create(g: GroupRecord): void {
      insert.run(g)
    },
    list(): GroupSummary[] {
      const groups = (all.all() as GroupRow[]).map(toSummary)
      if (!groups.some(g => g.kind === 'rule')) return groups
      const counts = rm.counts()
      return groups.map(g =>
        g.kind === 'rule'
          ? { ...g, memberCount: counts.get(g.id)?.in ?? 0, unknownCount: counts.get(g.id)?.unknown ?? 0 }
          : g,
      )
    },
    /** Every group's name by id, without the member counts list() and get() compute. */
    names(): Map<string, string> {
      return new Map(allNames.all() as [string, string][])
    },
    get(id: string): GroupSummary | undefined {
      const r = byId.get(id) as GroupRow | undefined
      if (!r) return undefined
      const g = toSummary(r)
      if (g.kind !== 'rule') return g
      const states = [...rm.ofGroup(id).values()].map(m => m.state)
      return {
        ...g,
        memberCount: states.filter(s => s === 'in').length,
        unknownCount: states.filter(s => s === 'unknown').length,
      }
    },
    idByName(name: string): string | undefined {
      return (byName.get(name) as { id: string } | undefined)?.id
    },
    count(): number {
      return (count.get() as { n: number }).n
    },
    rename(groupId: string, name: string): boolean {
      return rename.run(name, groupId).changes === 1
    },
    delete(groupId: string): boolean {
      return removeGroup.run(groupId).changes === 1
    },
    /** Changes a rule-based group's rule; false if there is no such rule group. */
    setRule(groupId: string, dialect: Dialect, rule: string): boolean {
      return setRule.run(dialect, rule, groupId).changes === 1
    },
    /** Every rule group; given a directory, the ones its users can be members of. */
    ruleGroups(directoryId?: string | null): RuleGroup[] {
      if (directoryId === undefined) return rules.all() as RuleGroup[]
      return (
        directoryId === null
          ? rules.all().filter(g => (g as RuleGroup).directoryId === null)
          : rulesFor.all(directoryId)
      ) as RuleGroup[]
    },
    syncedGroups(): { id: string; name: string }[] {
      return synced.all() as { id: string; name: string }[]
    },
    /** A group's members, unknowns first, then by display name. */
    members(groupId: string, limit: number): GroupMember[] {
      if (kindOf.get(groupId) === 'rule') {
        const found = rm.ofGroup(groupId)
        const ruled = (namesOf.all(JSON.stringify([...found.keys()])) as [string, string, string][]).map(
          ([userId, userPrincipalName, displayName]) => {
            const m = found.get(userId) as RuleMembership
            return { userId, userPrincipalName, displayName, state: m.state, missing: m.missing }
          },
        )
        ruled.sort((a, b) =>
          a.state === b.state ? byNoCase(a.displayName, b.displayName) : a.state === 'unknown' ? -1 : 1,
        )
        return ruled.slice(0, limit)
      }
      return (members.all(groupId, limit) as MemberRow[]).map(memberOf)
    },
    /** Every membership of a user, synced and rule-based, by group name. */
    membershipsOf(userId: string): UserMembership[] {
      const out: UserMembership[] = (
        ofUser.all(userId) as {
          group_id: string
          name: string
          kind: GroupKind
          state: MembershipState
          effective: number
          missing: string
        }[]
      ).map(r => ({
        groupId: r.group_id,
        groupName: r.name,
        groupKind: r.kind,
        state: r.state,
        effective: r.effective === 1,
        missing: JSON.parse(r.missing) as string[],
      }))
      const ruled = rm.of(userId)
      if (ruled.length > 0) {
        const names = ruleGroupNames()
        for (const m of ruled) {
          const groupName = names.get(m.groupId)
          if (groupName !== undefined)
            out.push({
              groupId: m.groupId,
              groupName,
              groupKind: 'rule',
              state: m.state,
              effective: m.effective,
              missing: m.missing,
            })
        }
      }
      return out.sort((a, b) => byNoCase(a.groupName, b.groupName))
    },
    /**
     * The groups a user is effectively in, synced and rule-based, by id: what a device's plan
     * reads, without the names membershipsOf sorts by (a rule membership's group exists: deleting
     * a rule group deletes its memberships, migration 5's trigger).
     */
    effectiveGroupIdsOf(userId: string): string[] {
      const ids = effectiveOfUser.all(userId) as string[]
      for (const m of rm.of(userId)) if (m.effective) ids.push(m.groupId)
      return ids
    },
    /** The user's membership of one group (named groupName), as membershipsOf lists it. */
    membershipIn(userId: string, groupId: string, groupName: string): UserMembership | undefined {
      const row = inGroup.get(userId, groupId) as
        | { kind: GroupKind; state: MembershipState; effective: number; missing: string }
        | undefined
      if (row)
        return {
          groupId,
          groupName,
          groupKind: row.kind,
          state: row.state,
          effective: row.effective === 1,
          missing: JSON.parse(row.missing) as string[],
        }
      const m = rm.of(userId).find(x => x.groupId === groupId)
      return m && { groupId, groupName, groupKind: 'rule', state: m.state, effective: m.effective, missing: m.missing }
    },
    /** The user's synced groups (ids and names): what rules reading group membership see (see groupIdsForRules). */
    syncedGroupsOf(userId: string): { ids: string[]; names: string[] } {
      const rows = syncedOfUser.all(userId) as [string, string, string | null][]
      return { ids: rows.flatMap(r => groupIdsForRules(r[0], r[2])), names: rows.map(r => r[1]) }
    },
    /** A user's rule-group memberships. */
    ruleMembershipsOf: (userId: string): RuleMembership[] => rm.of(userId),
    /** Replaces a user's rule-group memberships (an empty list removes them all). */
    setRuleMemberships(userId: string, list: readonly RuleMembership[], at: string): void {
      rm.set(userId, list, at)
    },
    /** The rule-group memberships of a user inserted in this transaction (who has none yet). */
    insertRuleMemberships(userId: string, list: readonly RuleMembership[], at: string): void {
      rm.insert(userId, list, at)
    },
    /** Puts a user in a synced group. */
    setMembership(userId: string, m: MembershipRecord, at: string): void {
      put.run(m.groupId, userId, m.state, m.effective ? 1 : 0, JSON.stringify(m.missing), at)
    },
    /** Takes a user out of a synced group. */
    removeMembership(userId: string, groupId: string): void {
      remove.run(groupId, userId)
    },
    /**
     * Rule-group memberships that are unknown (synced memberships never are), in no order: the
     * diagnostics read them all (200,000 at 100,000 users) and name users only for the page shown.
     */
    unknownMemberships(): {
      groupId: string
      groupName: string
      userId: string
      missing: string[]
      updatedAt: string
    }[] {
      const names = ruleGroupNames()
      const found: { groupId: string; groupName: string; userId: string; missing: string[]; updatedAt: string }[] = []
      for (const [userId, list] of rm.notPlain()) {
        for (const m of list) {
          const groupName = names.get(m.groupId)
          if (m.state === 'unknown' && groupName !== undefined)
            found.push({ groupId: m.groupId, groupName, userId, missing: m.missing, updatedAt: m.updatedAt })
        }
      }
      return found
    },
  }
}
