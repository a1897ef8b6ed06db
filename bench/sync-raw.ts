// The sync benchmark's comparison (bench/sync.ts), run as its own process: node sync-raw.cjs
// <synced database>. Prints {"usersPerSecond": n}.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { openDatabase } from '../src/main/store/db'

/**
 * The same user and attribute rows the sync stored, inserted raw into a fresh database with the
 * same schema in one transaction: the ceiling to compare with. Rows are read from the synced
 * database in batches (reading is not timed) so the comparison does not hold them all in memory.
 */
function rawInsertUsersPerSecond(syncedDb: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'jit-bench-raw-'))
  const source = new Database(syncedDb, { readonly: true })
  const db = openDatabase(join(dir, 'raw.db'))
  try {
    db.prepare(
      "INSERT INTO directories (id, kind, name, config, created_at) VALUES ('d', 'entra', 'raw', '{}', 't')",
    ).run()
    const user = db.prepare(
      'INSERT INTO users (id, directory_id, external_id, user_principal_name, display_name, updated_at, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    const attr = db.prepare('INSERT INTO user_attributes (user_id, name, value) VALUES (?, ?, ?)')
    const rows = source
      .prepare(`SELECT u.id, u.external_id, u.user_principal_name, u.display_name, u.fingerprint, a.name, a.value
      FROM users u LEFT JOIN user_attributes a ON a.user_id = u.id ORDER BY u.rowid`)
      .raw()
    let users = 0
    let elapsed = 0
    let batch: (string | null)[][] = []
    const flush = () => {
      const started = performance.now()
      let last = ''
      for (const [id, ext, upn, name, fp, attrName, value] of batch) {
        if (id !== last) {
          user.run(id, 'd', ext, upn, name, 't', fp)
          users++
          last = id as string
        }
        if (attrName !== null) attr.run(id, attrName, value)
      }
      elapsed += performance.now() - started
      batch = []
    }
    let started = performance.now()
    db.exec('BEGIN')
    elapsed += performance.now() - started
    let current = ''
    for (const row of rows.iterate() as Iterable<(string | null)[]>) {
      // Flush only between users, so each user's rows land in one batch.
      if (batch.length >= 20_000 && row[0] !== current) flush()
      current = row[0] as string
      batch.push(row)
    }
    flush()
    started = performance.now()
    db.exec('COMMIT')
    elapsed += performance.now() - started
    return users / (elapsed / 1000)
  } finally {
    source.close()
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const [syncedDb] = process.argv.slice(2)
if (!syncedDb) {
  process.stderr.write('usage: sync-raw.cjs <synced database>\n')
  process.exitCode = 2
} else {
  process.stdout.write(`${JSON.stringify({ usersPerSecond: rawInsertUsersPerSecond(syncedDb) })}\n`)
}
