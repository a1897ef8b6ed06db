import type { DirectoryKind, DirectorySummary, SyncRemovals, SyncRun } from '../../shared/domain'
import type { Db } from './db'

export interface SyncRunRow {
  id: string
  directory_id: string
  mode: SyncRun['mode']
  status: SyncRun['status']
  started_at: string
  finished_at: string
  added: number
  changed: number
  removed: number
  error: string | null
  /** JSON SyncRemovals, or null. */
  removals: string | null
  /** JSON list of notes, or null. */
  notes: string | null
}

export const toSyncRun = (r: SyncRunRow): SyncRun => ({
  id: r.id,
  directoryId: r.directory_id,
  mode: r.mode,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  added: r.added,
  changed: r.changed,
  removed: r.removed,
  error: r.error,
  ...(r.removals ? { removals: JSON.parse(r.removals) as SyncRemovals } : {}),
  ...(r.notes ? { notes: JSON.parse(r.notes) as string[] } : {}),
})

export interface DirectoryRecord {
  id: string
  kind: DirectoryKind
  name: string
}

export function directoryQueries(db: Db) {
  const insert = db.prepare('INSERT INTO directories (id, kind, name, config, created_at) VALUES (?, ?, ?, ?, ?)')
  const byId = db.prepare('SELECT id, kind, name FROM directories WHERE id = ?')
  const remove = db.prepare('DELETE FROM directories WHERE id = ?')
  const all =
    db.prepare(`SELECT d.id, d.kind, d.name, (SELECT COUNT(*) FROM users u WHERE u.directory_id = d.id) AS user_count
    FROM directories d ORDER BY d.name`)
  const lastRun = db.prepare(
    'SELECT * FROM sync_runs WHERE directory_id = ? ORDER BY started_at DESC, rowid DESC LIMIT 1',
  )
  const insertRun =
    db.prepare(`INSERT INTO sync_runs (id, directory_id, mode, status, started_at, finished_at, added, changed, removed, error, removals, notes)
    VALUES (@id, @directoryId, @mode, @status, @startedAt, @finishedAt, @added, @changed, @removed, @error, @removals, @notes)`)

  return {
    create(d: DirectoryRecord, createdAt: string): void {
      insert.run(d.id, d.kind, d.name, '{}', createdAt)
    },
    delete(id: string): boolean {
      return remove.run(id).changes === 1
    },
    get(id: string): DirectoryRecord | undefined {
      return byId.get(id) as DirectoryRecord | undefined
    },
    list(): DirectorySummary[] {
      return (all.all() as (DirectoryRecord & { user_count: number })[]).map(d => {
        const run = lastRun.get(d.id) as SyncRunRow | undefined
        return { id: d.id, kind: d.kind, name: d.name, userCount: d.user_count, lastSync: run ? toSyncRun(run) : null }
      })
    },
    recordSyncRun(run: SyncRun): void {
      const { removals, notes, ...rest } = run
      insertRun.run({
        ...rest,
        removals: removals ? JSON.stringify(removals) : null,
        notes: notes && notes.length > 0 ? JSON.stringify(notes) : null,
      })
    },
  }
}
