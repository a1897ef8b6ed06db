import Database from 'better-sqlite3'
import { AppError } from '../../shared/errors'
import { MIGRATIONS, type Migration } from './migrations'

export type Db = Database.Database

/** Opens (creating if needed) a workspace database and brings its schema up to date. */
export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    // 32 MiB of page cache (default 2 MiB): a directory sync inserts memberships and attributes in
    // key orders that jump across the B-trees; with the default cache most of those inserts miss.
    db.pragma('cache_size = -32768')
    migrate(db, migrations)
    return db
  } catch (e) {
    db.close()
    throw e
  }
}

function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(r => r.version),
  )
  const newest = Math.max(0, ...migrations.map(m => m.version))
  const beyond = [...applied].filter(v => v > newest)
  if (beyond.length > 0) {
    throw new AppError(
      'CONFLICT',
      `This workspace was written by a newer JIT Mapper (schema ${Math.max(...beyond)}, this build knows ${newest}). Update the app to open it.`,
      { schema: Math.max(...beyond), known: newest },
    )
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue
    db.transaction(() => {
      db.exec(m.sql)
      record.run(m.version, m.name, new Date().toISOString())
    })()
  }
}
