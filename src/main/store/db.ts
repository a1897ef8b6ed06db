import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../../shared/errors'
import { MIGRATIONS, type Migration } from './migrations'

export type Db = Database.Database

/** Owner-only modes for the workspace: its folder, the database and SQLite's -wal and -shm files. */
export const FOLDER_MODE = 0o700
export const FILE_MODE = 0o600

/**
 * Makes the workspace readable by its owner only: the folder 0700, the database 0600 (created
 * so before SQLite opens it, tightened if an older build left it 0644). SQLite gives the -wal
 * and -shm files the database file's permissions (os_unix.c, findCreateFileMode); they are
 * tightened too in case they predate this. Windows has no such modes; its per-user profile
 * folder is private already.
 */
export function restrictWorkspaceFiles(path: string): void {
  if (process.platform === 'win32') return
  const dir = dirname(path)
  mkdirSync(dir, { recursive: true, mode: FOLDER_MODE })
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, FOLDER_MODE)
  if (!existsSync(path)) closeSync(openSync(path, 'a', FILE_MODE))
  for (const f of [path, `${path}-wal`, `${path}-shm`])
    if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, FILE_MODE)
}

/** Opens (creating if needed) a workspace database and brings its schema up to date. */
export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  restrictWorkspaceFiles(path)
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
    restrictWorkspaceFiles(path)
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
