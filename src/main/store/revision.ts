// The workspace's revision: a value that moves whenever anything is written, so caches (the
// diagnostics, the rule preview's directory snapshot) know when to rebuild. Two counters make it:
// `total_changes()`, the rows this connection has written since it opened, and
// `PRAGMA data_version`, which moves when another connection commits — a worker thread of this
// process or another process (the CLI, a cron sync) on the same file
// (https://sqlite.org/pragma.html#pragma_data_version, https://sqlite.org/lang_corefunc.html#total_changes).
import type { Db } from './db'

export function revisionQueries(db: Db) {
  const changes = db.prepare('SELECT total_changes()').pluck()
  const external = (): number => db.pragma('data_version', { simple: true }) as number
  // Migration 17's counter and migration 11's: they move only with what the rule side of the
  // diagnostics reads (unknown memberships, user names, groups, directories; IdP listings, runs).
  const diagnostics = db
    .prepare(
      `SELECT (SELECT n FROM diagnostics_revision WHERE id = 1) || '.' || (SELECT n FROM rule_fail_revision WHERE id = 1)`,
    )
    .pluck()
  return {
    /** Moves on every write to the workspace, this connection's or another's. */
    current(): string {
      return `${external()}.${changes.get() as number}`
    },
    /** Moves only when another connection (thread or process) commits. */
    external,
    /** Moves only with a write the rule-side diagnostics (SYNC_ATTR_MISSING, GROUP_RULE_FAIL) read. */
    diagnostics: (): string => diagnostics.get() as string,
  }
}
