import type { Dialect, GroupKind, GroupMember, GroupSummary, MembershipState, UserMembership } from '../../shared/domain'
import type { Db } from './db'

interface GroupRow {
  id: string
  name: string
  kind: GroupKind
  dialect: Dialect | null
  rule: string | null
  description: string
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
  memberCount: r.member_count,
  unknownCount: r.unknown_count,
})

const GROUP_COLUMNS = `g.id, g.name, g.kind, g.dialect, g.rule, g.description,
  (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id AND m.state = 'in') AS member_count,
  (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id AND m.state = 'unknown') AS unknown_count`

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
}

export interface MembershipRecord {
  groupId: string
  state: MembershipState
  effective: boolean
  missing: string[]
}

export function groupQueries(db: Db) {
  const insert = db.prepare(`INSERT INTO groups (id, directory_id, name, kind, dialect, rule, description)
    VALUES (@id, @directoryId, @name, @kind, @dialect, @rule, @description)`)
  const all = db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups g ORDER BY g.name COLLATE NOCASE`)
  const byId = db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.id = ?`)
  const byName = db.prepare('SELECT id FROM groups WHERE name = ? COLLATE NOCASE')
  const rules = db.prepare(`SELECT id, name, dialect, rule FROM groups WHERE kind = 'rule' ORDER BY name`)
  const synced = db.prepare(`SELECT id, name FROM groups WHERE kind = 'synced'`)
  const members = db.prepare(`SELECT m.user_id, u.user_principal_name, u.display_name, m.state, m.missing
    FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.group_id = ?
    ORDER BY m.state DESC, u.display_name COLLATE NOCASE LIMIT ?`)
  const ofUser = db.prepare(`SELECT m.group_id, g.name, g.kind, m.state, m.effective, m.missing
    FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ? ORDER BY g.name COLLATE NOCASE`)
  const put = db.prepare(`INSERT INTO memberships (group_id, user_id, state, effective, missing, updated_at)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (group_id, user_id) DO UPDATE SET state = excluded.state, effective = excluded.effective,
      missing = excluded.missing, updated_at = excluded.updated_at`)
  const remove = db.prepare('DELETE FROM memberships WHERE group_id = ? AND user_id = ?')
  const unknowns = db.prepare(`SELECT m.group_id, g.name AS group_name, m.user_id, u.user_principal_name, m.missing, m.updated_at
    FROM memberships m JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id
    WHERE m.state = 'unknown' ORDER BY u.user_principal_name, g.name`)
  const count = db.prepare('SELECT COUNT(*) AS n FROM groups')
  const setRule = db.prepare(`UPDATE groups SET dialect = ?, rule = ? WHERE id = ? AND kind = 'rule'`)

  return {
    create(g: GroupRecord): void {
      insert.run(g)
    },
    list(): GroupSummary[] {
      return (all.all() as GroupRow[]).map(toSummary)
    },
    get(id: string): GroupSummary | undefined {
      const r = byId.get(id) as GroupRow | undefined
      return r ? toSummary(r) : undefined
    },
    idByName(name: string): string | undefined {
      return (byName.get(name) as { id: string } | undefined)?.id
    },
    count(): number {
      return (count.get() as { n: number }).n
    },
    /** Changes a rule-based group's rule; false if there is no such rule group. */
    setRule(groupId: string, dialect: Dialect, rule: string): boolean {
      return setRule.run(dialect, rule, groupId).changes === 1
    },
    ruleGroups(): RuleGroup[] {
      return rules.all() as RuleGroup[]
    },
    syncedGroups(): { id: string; name: string }[] {
      return synced.all() as { id: string; name: string }[]
    },
    members(groupId: string, limit: number): GroupMember[] {
      return (members.all(groupId, limit) as {
        user_id: string
        user_principal_name: string
        display_name: string
        state: MembershipState
        missing: string
      }[]).map((r) => ({
        userId: r.user_id,
        userPrincipalName: r.user_principal_name,
        displayName: r.display_name,
        state: r.state,
        missing: JSON.parse(r.missing) as string[],
      }))
    },
    membershipsOf(userId: string): UserMembership[] {
      return (ofUser.all(userId) as {
        group_id: string
        name: string
        kind: GroupKind
        state: MembershipState
        effective: number
        missing: string
      }[]).map((r) => ({
        groupId: r.group_id,
        groupName: r.name,
        groupKind: r.kind,
        state: r.state,
        effective: r.effective === 1,
        missing: JSON.parse(r.missing) as string[],
      }))
    },
    setMembership(userId: string, m: MembershipRecord, at: string): void {
      put.run(m.groupId, userId, m.state, m.effective ? 1 : 0, JSON.stringify(m.missing), at)
    },
    removeMembership(userId: string, groupId: string): void {
      remove.run(groupId, userId)
    },
    unknownMemberships(): { groupId: string; groupName: string; userId: string; userPrincipalName: string; missing: string[]; updatedAt: string }[] {
      return (unknowns.all() as {
        group_id: string
        group_name: string
        user_id: string
        user_principal_name: string
        missing: string
        updated_at: string
      }[]).map((r) => ({
        groupId: r.group_id,
        groupName: r.group_name,
        userId: r.user_id,
        userPrincipalName: r.user_principal_name,
        missing: JSON.parse(r.missing) as string[],
        updatedAt: r.updated_at,
      }))
    },
  }
}
