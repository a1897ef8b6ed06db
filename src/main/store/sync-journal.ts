// What a sync leaves behind for the next start should the process die (migration 9): which sync
// each directory is running, and the users whose devices a committed sync or import still owes
// a redeploy.
import type { Db } from './db'

export interface RunningSync {
  directoryId: string
  directoryName: string
  runId: string
  startedAt: string
  /** The process running it (another may run a sync of the same workspace: the CLI, cron). */
  pid: number
  /** Whether the directory had a cursor: the sync was incremental unless the cursor was refused. */
  hadCursor: boolean
}

export function syncJournalQueries(db: Db) {
  const begin =
    db.prepare(`INSERT INTO directory_sync_state (directory_id, cursor, updated_at, running_run, running_since, running_pid)
    VALUES (@directoryId, NULL, @at, @runId, @at, @pid)
    ON CONFLICT (directory_id) DO UPDATE SET running_run = excluded.running_run, running_since = excluded.running_since,
      running_pid = excluded.running_pid`)
  const end = db.prepare(
    'UPDATE directory_sync_state SET running_run = NULL, running_since = NULL, running_pid = NULL WHERE directory_id = ? AND running_run = ?',
  )
  const running = db.prepare(`SELECT s.directory_id AS directoryId, d.name AS directoryName, s.running_run AS runId,
      s.running_since AS startedAt, s.running_pid AS pid, s.cursor IS NOT NULL AS hadCursor
    FROM directory_sync_state s JOIN directories d ON d.id = s.directory_id WHERE s.running_run IS NOT NULL`)
  const queue = db.prepare(
    'INSERT INTO pending_redeploys (user_id, source, queued_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  )
  const done = db.prepare('DELETE FROM pending_redeploys WHERE source = ?')
  const pending = db.prepare('SELECT source, user_id FROM pending_redeploys ORDER BY source').raw(true)

  return {
    /** Marks the directory's sync `runId` as running in this process (cleared by endSync). */
    beginSync(directoryId: string, runId: string, at: string, pid: number): void {
      begin.run({ directoryId, runId, at, pid })
    },
    /** Clears the mark, if it is still this run's. */
    endSync(directoryId: string, runId: string): void {
      end.run(directoryId, runId)
    },
    /** Syncs marked as running (by this or another process, alive or not). */
    runningSyncs(): RunningSync[] {
      return (running.all() as (Omit<RunningSync, 'hadCursor'> & { hadCursor: number })[]).map(r => ({
        ...r,
        hadCursor: r.hadCursor === 1,
      }))
    },
    /** Owes these users a redeploy on behalf of `source` (a sync run or an import). */
    queueRedeploys(source: string, userIds: Iterable<string>, at: string): void {
      for (const id of userIds) queue.run(id, source, at)
    },
    /** The users `source` owed are redeployed. */
    redeployed(source: string): void {
      done.run(source)
    },
    /** Redeploys still owed: source → user ids (users removed since are gone from it). */
    pendingRedeploys(): Map<string, string[]> {
      const out = new Map<string, string[]>()
      for (const [source, userId] of pending.all() as [string, string][]) {
        const list = out.get(source)
        if (list) list.push(userId)
        else out.set(source, [userId])
      }
      return out
    },
  }
}
