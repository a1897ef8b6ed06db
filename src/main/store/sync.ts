// Queries the directory sync engine needs: directory configuration and cursor, the
// directory's users and groups keyed by IdP id, bulk writes, history and coverage.
import type { AttributeValue, Dialect, GroupKind, SyncRun } from '../../shared/domain'
import type { Db } from './db'
import { toSyncRun, type SyncRunRow } from './directories'
import { INSERT_SQL, openBulkWriter, type BulkWriter } from './bulk-writer'
import { ruleMembershipQueries } from './rule-memberships'
import type { DirectoryGroupRow, SyncedUserRow, SyncUserWrite } from './sync-rows'

export function syncQueries(db: Db) {
  const configOf = db.prepare('SELECT config FROM directories WHERE id = ?')
  const setConfig = db.prepare('UPDATE directories SET config = ? WHERE id = ?')
  const cursorOf = db.prepare('SELECT cursor FROM directory_sync_state WHERE directory_id = ?')
  // A saved cursor ends a first sync that wrote as it pulled: it is complete.
  const putCursor = db.prepare(`INSERT INTO directory_sync_state (directory_id, cursor, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (directory_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at, first_sync_run = NULL, first_sync_started_at = NULL`)
  const markFirstSync =
    db.prepare(`INSERT INTO directory_sync_state (directory_id, cursor, updated_at, first_sync_run, first_sync_started_at) VALUES (@directoryId, NULL, @at, @runId, @at)
    ON CONFLICT (directory_id) DO UPDATE SET first_sync_run = excluded.first_sync_run, first_sync_started_at = excluded.first_sync_started_at`)
  const unmarkFirstSync = db.prepare(
    'UPDATE directory_sync_state SET first_sync_run = NULL, first_sync_started_at = NULL WHERE directory_id = ?',
  )
  const markedFirstSyncs =
    db.prepare(`SELECT s.directory_id AS directoryId, d.name AS directoryName, s.first_sync_run AS runId, s.first_sync_started_at AS startedAt
    FROM directory_sync_state s JOIN directories d ON d.id = s.directory_id WHERE s.first_sync_run IS NOT NULL`)
  const groupCount = db.prepare('SELECT COUNT(*) AS n FROM groups WHERE directory_id = ?').pluck()
  // Users bound to a device stay: a device enrolled during the sync keeps its user (fetched from the IdP just in time).
  const dropUnboundUsers = db.prepare(`DELETE FROM users WHERE rowid IN (SELECT rowid FROM users WHERE directory_id = ?
    AND id NOT IN (SELECT user_id FROM devices WHERE user_id IS NOT NULL) LIMIT ?)`)
  const dropDirectoryGroups = db.prepare('DELETE FROM groups WHERE directory_id = ?')
  const userByExternal = db.prepare(
    'SELECT id, external_id, user_principal_name, display_name, fingerprint FROM users WHERE directory_id = ? AND external_id = ?',
  )
  const upnOwner = db.prepare(
    'SELECT external_id FROM users WHERE directory_id = ? AND user_principal_name = ? COLLATE NOCASE',
  )
  const membersOfGroup = db.prepare('SELECT user_id FROM memberships WHERE group_id = ?')
  const usersOf = db.prepare(
    'SELECT id, external_id, user_principal_name, display_name, fingerprint FROM users WHERE directory_id = ?',
  )
  const insertUser = db.prepare(INSERT_SQL.users)
  const updateUser = db.prepare(
    'UPDATE users SET user_principal_name = ?, display_name = ?, fingerprint = ?, updated_at = ? WHERE id = ?',
  )
  const deleteUser = db.prepare('DELETE FROM users WHERE id = ?')
  const releaseUpn = db.prepare(
    `UPDATE users SET user_principal_name = id || '#renaming', fingerprint = '' WHERE id = ?`,
  )
  const attrsOf = db.prepare('SELECT name, value FROM user_attributes WHERE user_id = ?').raw(true)
  const putAttr = db.prepare(
    'INSERT INTO user_attributes (user_id, name, value) VALUES (?, ?, ?) ON CONFLICT (user_id, name) DO UPDATE SET value = excluded.value',
  )
  const deleteAttr = db.prepare('DELETE FROM user_attributes WHERE user_id = ? AND name = ?')
  const insertAttr = db.prepare(INSERT_SQL.attributes)
  const groupsOf = db.prepare(`SELECT id, external_id, name, kind, dialect, rule, description FROM groups
    WHERE directory_id = ? AND external_id IS NOT NULL`)
  const insertGroup =
    db.prepare(`INSERT INTO groups (id, directory_id, external_id, name, kind, dialect, rule, description)
    VALUES (@id, @directoryId, @externalId, @name, @kind, @dialect, @rule, @description)`)
  const updateGroup = db.prepare(
    'UPDATE groups SET name = @name, kind = @kind, dialect = @dialect, rule = @rule, description = @description WHERE id = @id',
  )
  const deleteGroup = db.prepare('DELETE FROM groups WHERE id = ?')
  const nameTaken = db.prepare('SELECT id FROM groups WHERE name = ? COLLATE NOCASE')
  const syncedByName = db.prepare(`SELECT id, name FROM groups WHERE directory_id = ? AND kind = 'synced'`).raw(true)
  // Rows of memberships are members put in a group directly, whatever its kind (a rule group's rows
  // are members an admin assigned by hand in Okta); rule-group memberships are in rule_memberships.
  const syncedMembers = db.prepare(`SELECT m.group_id, m.user_id FROM memberships m JOIN groups g ON g.id = m.group_id
    WHERE g.directory_id = ? AND g.external_id IS NOT NULL`)
  const putMember = db.prepare(INSERT_SQL.memberships)
  const dropMember = db.prepare('DELETE FROM memberships WHERE group_id = ? AND user_id = ?')
  const dropGroupMembers = db.prepare('DELETE FROM memberships WHERE group_id = ?')
  const runs = db.prepare('SELECT * FROM sync_runs WHERE directory_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?')
  const userCount = db.prepare('SELECT COUNT(*) AS n FROM users WHERE directory_id = ?')
  // Synced memberships are rows; rule-group memberships are counted in each user's row (rule-memberships.ts).
  const RULE_ENTRIES = `(CASE WHEN r.plain = '' THEN 0 ELSE length(r.plain) - length(replace(r.plain, ',', '')) + 1 END) + json_array_length(r.other)`
  const membershipCount =
    db.prepare(`SELECT (SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.directory_id = @id)
    + (SELECT COALESCE(SUM(${RULE_ENTRIES}), 0) FROM rule_memberships r JOIN users u ON u.id = r.user_id WHERE u.directory_id = @id) AS n`)
  const userMembershipCount = db.prepare(`SELECT (SELECT COUNT(*) FROM memberships WHERE user_id = @id)
    + (SELECT COALESCE(SUM(${RULE_ENTRIES}), 0) FROM rule_memberships r WHERE r.user_id = @id) AS n`)
  const kindOf = db.prepare('SELECT kind FROM groups WHERE id = ?').pluck()
  const rules = ruleMembershipQueries(db)
  let paused = 0
  // "Has the attribute": stored and not an empty string or empty list (null is never stored).
  const coverage = db.prepare(`SELECT a.name, COUNT(*) AS n FROM user_attributes a JOIN users u ON u.id = a.user_id
    WHERE u.directory_id = ? AND a.value NOT IN ('""', '[]') GROUP BY a.name`)
  const userIdsOf = db.prepare('SELECT id FROM users WHERE directory_id = ?').pluck()
  const withDevices = db.prepare('SELECT DISTINCT user_id FROM devices WHERE user_id IS NOT NULL')

  return {
    config(directoryId: string): Record<string, unknown> {
      const row = configOf.get(directoryId) as { config: string } | undefined
      return row ? (JSON.parse(row.config) as Record<string, unknown>) : {}
    },
    setConfig(directoryId: string, config: Record<string, unknown>): void {
      setConfig.run(JSON.stringify(config), directoryId)
    },
    cursor(directoryId: string): string | null {
      return (cursorOf.get(directoryId) as { cursor: string | null } | undefined)?.cursor ?? null
    },
    setCursor(directoryId: string, cursor: string | null, at: string): void {
      putCursor.run(directoryId, cursor, at)
    },
    users(directoryId: string): Map<string, SyncedUserRow> {
      const out = new Map<string, SyncedUserRow>()
      for (const r of usersOf.iterate(directoryId) as Iterable<{
        id: string
        external_id: string
        user_principal_name: string
        display_name: string
        fingerprint: string
      }>) {
        out.set(r.external_id, {
          id: r.id,
          externalId: r.external_id,
          userPrincipalName: r.user_principal_name,
          displayName: r.display_name,
          fingerprint: r.fingerprint,
        })
      }
      return out
    },
    /** One user by IdP id (incremental syncs look up only the users they touch). */
    user(directoryId: string, externalId: string): SyncedUserRow | undefined {
      const r = userByExternal.get(directoryId, externalId) as
        | { id: string; external_id: string; user_principal_name: string; display_name: string; fingerprint: string }
        | undefined
      return r
        ? {
            id: r.id,
            externalId: r.external_id,
            userPrincipalName: r.user_principal_name,
            displayName: r.display_name,
            fingerprint: r.fingerprint,
          }
        : undefined
    },
    /** IdP id of the directory's user with this userPrincipalName (ignoring case). */
    upnOwner(directoryId: string, userPrincipalName: string): string | undefined {
      return (upnOwner.get(directoryId, userPrincipalName) as { external_id: string } | undefined)?.external_id
    },
    /** A group's members, whichever its kind. */
    groupMembers(groupId: string): Set<string> {
      if (kindOf.get(groupId) === 'rule') return new Set(rules.ofGroup(groupId).keys())
      return new Set((membersOfGroup.all(groupId) as { user_id: string }[]).map(r => r.user_id))
    },
    insertUser(directoryId: string, u: SyncUserWrite, at: string): void {
      insertUser.run(u.id, directoryId, u.externalId, u.userPrincipalName, u.displayName, at, u.fingerprint)
      for (const name in u.attributes) insertAttr.run(u.id, name, JSON.stringify(u.attributes[name] as AttributeValue))
    },
    replaceUser(u: SyncUserWrite, at: string): void {
      updateUser.run(u.userPrincipalName, u.displayName, u.fingerprint, at, u.id)
      // Only the attributes that changed are written: a department move rewrites one row, not ten.
      const stored = new Map(attrsOf.all(u.id) as [string, string][])
      for (const name in u.attributes) {
        const value = JSON.stringify(u.attributes[name] as AttributeValue)
        if (stored.get(name) !== value) putAttr.run(u.id, name, value)
        stored.delete(name)
      }
      for (const name of stored.keys()) deleteAttr.run(u.id, name)
    },
    /**
     * Frees a user's userPrincipalName for another user in the same sync; the user gets its new one
     * in the same apply. The cleared fingerprint makes the next sync rewrite the user should the
     * apply stop in between.
     */
    releaseUserPrincipalName(userId: string): void {
      releaseUpn.run(userId)
    },
    deleteUser(userId: string): void {
      deleteUser.run(userId)
    },
    groups(directoryId: string): Map<string, DirectoryGroupRow> {
      const out = new Map<string, DirectoryGroupRow>()
      for (const r of groupsOf.all(directoryId) as {
        id: string
        external_id: string
        name: string
        kind: GroupKind
        dialect: Dialect | null
        rule: string | null
        description: string
      }[]) {
        out.set(r.external_id, {
          id: r.id,
          externalId: r.external_id,
          name: r.name,
          kind: r.kind,
          dialect: r.dialect,
          rule: r.rule,
          description: r.description,
        })
      }
      return out
    },
    /** The directory's synced groups by lower-cased name (those created by a file import have no IdP id). */
    syncedGroupsByName(directoryId: string): Map<string, string> {
      return new Map(
        (syncedByName.all(directoryId) as [string, string][]).map(([id, name]) => [name.toLowerCase(), id]),
      )
    },
    groupNameOwner(name: string): string | undefined {
      return (nameTaken.get(name) as { id: string } | undefined)?.id
    },
    insertGroup(directoryId: string, g: DirectoryGroupRow): void {
      insertGroup.run({ ...g, directoryId })
    },
    updateGroup(g: DirectoryGroupRow): void {
      updateGroup.run(g)
    },
    deleteGroup(groupId: string): void {
      deleteGroup.run(groupId)
    },
    clearGroupMembers(groupId: string): void {
      dropGroupMembers.run(groupId)
    },
    /** A group's members put in it directly (a synced group's, or those assigned by hand to a rule group). */
    directMembers(groupId: string): Set<string> {
      return new Set((membersOfGroup.all(groupId) as { user_id: string }[]).map(r => r.user_id))
    },
    /** Current direct memberships of this directory's groups (see directMembers): group id → user ids. */
    syncedMemberships(directoryId: string): Map<string, Set<string>> {
      const out = new Map<string, Set<string>>()
      for (const r of syncedMembers.iterate(directoryId) as Iterable<{ group_id: string; user_id: string }>) {
        let set = out.get(r.group_id)
        if (!set) out.set(r.group_id, (set = new Set()))
        set.add(r.user_id)
      }
      return out
    },
    addMember(groupId: string, userId: string, at: string): void {
      putMember.run(groupId, userId, at)
    },
    removeMember(groupId: string, userId: string): void {
      dropMember.run(groupId, userId)
    },
    runs(directoryId: string, limit: number): SyncRun[] {
      return (runs.all(directoryId, limit) as SyncRunRow[]).map(toSyncRun)
    },
    userCount(directoryId: string): number {
      return (userCount.get(directoryId) as { n: number }).n
    },
    groupCount(directoryId: string): number {
      return groupCount.get(directoryId) as number
    },
    /** Marks a first sync that writes users before its pull is whole (cleared by setCursor or unmarkFirstSync). */
    markFirstSync(directoryId: string, runId: string, at: string): void {
      markFirstSync.run({ directoryId, runId, at })
    },
    unmarkFirstSync(directoryId: string): void {
      unmarkFirstSync.run(directoryId)
    },
    /** First syncs marked and never completed or undone: the app stopped while they ran. */
    markedFirstSyncs(): { directoryId: string; directoryName: string; runId: string; startedAt: string }[] {
      return markedFirstSyncs.all() as {
        directoryId: string
        directoryName: string
        runId: string
        startedAt: string
      }[]
    },
    /** Deletes up to `limit` of the directory's users that no device is bound to; returns how many. */
    removeUnboundUsers(directoryId: string, limit: number): number {
      return dropUnboundUsers.run(directoryId, limit).changes
    },
    removeDirectoryGroups(directoryId: string): void {
      dropDirectoryGroups.run(directoryId)
    },
    /** Memberships (synced and rule-based groups, in or unknown) of the directory's users: what the removal guard weighs a sync against. */
    membershipCount(directoryId: string): number {
      return (membershipCount.get({ id: directoryId }) as { n: number }).n
    },
    userMembershipCount(userId: string): number {
      return (userMembershipCount.get({ id: userId }) as { n: number }).n
    },
    /** Users of the directory having each stored attribute (non-empty). */
    attributeCounts(directoryId: string): Map<string, number> {
      return new Map((coverage.all(directoryId) as { name: string; n: number }[]).map(r => [r.name, r.n]))
    },
    /**
     * Holds WAL checkpoints off while a sync writes: SQLite otherwise copies the WAL back into
     * the database (and fsyncs) every 1,000 pages, on the commit path, rewriting the same hot
     * index pages again and again. The caller resumes, which checkpoints once the last of
     * several syncs running at once has resumed.
     */
    pauseCheckpoints(): void {
      if (paused++ === 0) db.pragma('wal_autocheckpoint = 0')
    },
    resumeCheckpoints(): void {
      if (--paused > 0 || !db.open) return
      db.pragma('wal_autocheckpoint = 1000')
      db.pragma('wal_checkpoint(PASSIVE)')
    },
    /** A worker-thread writer for a large sync's new users (bulk-writer.ts). */
    bulkWriter: (): Promise<BulkWriter> => openBulkWriter(db.name),
    /** Users bound to at least one device: the only ones a redeploy can change anything for. */
    usersWithDevices(): Set<string> {
      return new Set((withDevices.all() as { user_id: string }[]).map(r => r.user_id))
    },
    /** Every user of this directory. */
    userIdsOf(directoryId: string): string[] {
      return userIdsOf.all(directoryId) as string[]
    },
  }
}
