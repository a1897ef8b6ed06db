// The indexes a first sync's writer drops and builds again (store/deferred-indexes.ts) come back
// exactly as the migrations define them, and building them is a no-op when they are there.
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../../src/main/store/db'
import { DEFERRED_INDEXES, restoreDeferredIndexes } from '../../../src/main/store/deferred-indexes'
import { tempDir } from '../../helpers/workspace'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

function database(): Db {
  const dir = tempDir()
  const db = openDatabase(join(dir.path, 'jit-mapper.db'))
  cleanups.push(() => {
    db.close()
    dir.remove()
  })
  return db
}

const definitions = (db: Db): Record<string, string | undefined> => {
  const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").pluck()
  return Object.fromEntries(DEFERRED_INDEXES.map(i => [i.name, sql.get(i.name) as string | undefined]))
}

describe('deferred indexes', () => {
  it('are built again exactly as the migrations define them', () => {
    const db = database()
    const migrated = definitions(db)
    expect(Object.values(migrated).every(sql => typeof sql === 'string')).toBe(true)
    for (const index of DEFERRED_INDEXES) db.exec(`DROP INDEX ${index.name}`)
    expect(Object.values(definitions(db))).toEqual(DEFERRED_INDEXES.map(() => undefined))
    restoreDeferredIndexes(db)
    expect(definitions(db)).toEqual(migrated)
  })

  it('are left as they are when present', () => {
    const db = database()
    const migrated = definitions(db)
    restoreDeferredIndexes(db)
    expect(definitions(db)).toEqual(migrated)
  })

  it('serve the queries that use them once built again', () => {
    const db = database()
    for (const index of DEFERRED_INDEXES) db.exec(`DROP INDEX ${index.name}`)
    restoreDeferredIndexes(db)
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map(r => r.detail).join('; ')
    expect(plan("SELECT user_id, value FROM user_attributes WHERE name = 'department'")).toContain(
      'user_attributes_name_value',
    )
    expect(plan('SELECT id FROM users ORDER BY display_name COLLATE NOCASE, id LIMIT 10')).toContain(
      'users_display_order',
    )
  })
})
