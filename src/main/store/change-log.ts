// The change log (change_log): what each committed mutation touched, by the process that made it,
// so an app open on the workspace refreshes what the CLI or a cron sync changed (changes-watch.ts).
import type { Domain } from '../../shared/changes'
import type { Db } from './db'

/** Rows kept: enough for a watcher that polls a few times a second to never miss one. */
const KEEP = 1000

export interface ChangeEntry {
  seq: number
  origin: string
  domains: Domain[]
}

export function changeLogQueries(db: Db) {
  const insert = db.prepare('INSERT INTO change_log (origin, domains, at) VALUES (?, ?, ?)')
  const trim = db.prepare('DELETE FROM change_log WHERE seq <= ?')
  const since = db.prepare('SELECT seq, origin, domains FROM change_log WHERE seq > ? ORDER BY seq').raw(true)
  const last = db.prepare('SELECT COALESCE(MAX(seq), 0) FROM change_log').pluck()
  return {
    /** Records a committed mutation's domains; trims old rows now and then. */
    record(origin: string, domains: readonly Domain[], at: string): void {
      const seq = Number(insert.run(origin, domains.join(','), at).lastInsertRowid)
      if (seq % 100 === 0) trim.run(seq - KEEP)
    },
    /** The changes after `seq`, oldest first. */
    since(seq: number): ChangeEntry[] {
      return (since.all(seq) as [number, string, string][]).map(([s, origin, domains]) => ({
        seq: s,
        origin,
        domains: domains.split(',') as Domain[],
      }))
    },
    last: (): number => last.get() as number,
  }
}
