import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src/main/store/db'
import { MIGRATIONS } from '../../../src/main/store/migrations'
import { createStore } from '../../../src/main/store'
import { syncQueries } from '../../../src/main/store/sync'
import { tempFiles } from '../../helpers/workspace'

const files = tempFiles()
const dbFile = files.file
afterEach(files.remove)

describe('opening a workspace database', () => {
  it('runs every migration once, in WAL mode with foreign keys on', () => {
    const path = dbFile()
    openDatabase(path).close()
    const db = openDatabase(path)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual(
      MIGRATIONS.map(m => ({ version: m.version })),
    )
    db.close()
  })

  it('applies a new migration to an existing workspace and keeps its data', () => {
    const path = dbFile()
    const store = createStore(path)
    store.directories.create({ id: 'd1', kind: 'file', name: 'Office' }, '2026-01-01T00:00:00Z')
    store.close()
    const db = openDatabase(path, [
      ...MIGRATIONS,
      { version: 999, name: 'add notes', sql: 'ALTER TABLE directories ADD COLUMN notes TEXT' },
    ])
    expect(db.prepare('SELECT id, name, notes FROM directories').all()).toEqual([
      { id: 'd1', name: 'Office', notes: null },
    ])
    db.close()
  })

  it('keeps the sync history of a version-4 workspace when sync runs learn held and cancelled (version 6)', () => {
    const path = dbFile()
    openDatabase(
      path,
      MIGRATIONS.filter(m => m.version <= 4),
    ).close()
    const raw = new Database(path)
    raw
      .prepare(
        "INSERT INTO directories (id, kind, name, config, created_at) VALUES ('d1', 'entra', 'Contoso', '{}', '2026-01-01T00:00:00Z')",
      )
      .run()
    raw
      .prepare(
        "INSERT INTO sync_runs (id, directory_id, mode, status, started_at, finished_at, added, changed, removed, error) VALUES ('r1', 'd1', 'full', 'succeeded', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 5, 0, 0, NULL)",
      )
      .run()
    raw.close()
    const store = createStore(path)
    const removals = { usersRemoved: 30, usersTotal: 100, membershipsRemoved: 90, membershipsTotal: 300 }
    const run = {
      id: 'r2',
      directoryId: 'd1',
      mode: 'incremental',
      startedAt: '2026-01-02T00:00:00Z',
      finishedAt: '2026-01-02T00:01:00Z',
      added: 0,
      changed: 0,
      removed: 30,
    } as const
    store.directories.recordSyncRun({ ...run, status: 'held', error: 'Held: …', removals })
    store.directories.recordSyncRun({
      ...run,
      id: 'r3',
      startedAt: '2026-01-03T00:00:00Z',
      status: 'cancelled',
      error: 'Cancelled by the admin',
      removed: 0,
    })
    expect(store.sync.runs('d1', 10).map(r => [r.id, r.status, r.removals])).toEqual([
      ['r3', 'cancelled', undefined],
      ['r2', 'held', removals],
      ['r1', 'succeeded', undefined],
    ])
    store.close()
  })

  it('refuses a workspace written by a newer version instead of damaging it', () => {
    const path = dbFile()
    openDatabase(path, [...MIGRATIONS, { version: 999, name: 'future', sql: 'SELECT 1' }]).close()
    expect(() => openDatabase(path)).toThrow(/newer JIT Mapper/)
  })

  it('rolls a failing migration back whole', () => {
    const path = dbFile()
    expect(() =>
      openDatabase(path, [
        ...MIGRATIONS,
        { version: 1000, name: 'bad', sql: 'CREATE TABLE t (a); SELECT * FROM nope' },
      ]),
    ).toThrow()
    const raw = new Database(path)
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 't'").all()).toEqual([])
    expect(raw.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({
      v: Math.max(...MIGRATIONS.map(m => m.version)),
    })
    raw.close()
  })
})

describe('users', () => {
  it('says whether an upsert added, changed or left a user alone, keeping attribute types', () => {
    const store = createStore(dbFile())
    store.directories.create({ id: 'd1', kind: 'file', name: 'Office' }, 't0')
    const user = {
      id: 'u1',
      directoryId: 'd1',
      externalId: 'e1',
      userPrincipalName: 'a@x.test',
      displayName: 'A',
      attributes: { department: 'Sales', accountEnabled: true, otherMails: ['b@x.test'] },
    }
    expect(store.users.upsert(user, 't1')).toEqual({ id: 'u1', outcome: 'added' })
    expect(store.users.upsert({ ...user, id: 'ignored' }, 't2')).toEqual({ id: 'u1', outcome: 'unchanged' })
    expect(store.users.upsert({ ...user, attributes: { ...user.attributes, department: 'Marketing' } }, 't3')).toEqual({
      id: 'u1',
      outcome: 'changed',
    })
    expect(store.users.attributes('u1')).toEqual({
      department: 'Marketing',
      accountEnabled: true,
      otherMails: ['b@x.test'],
    })
    expect(store.users.idByPrincipalName(' A@X.TEST ')).toBe('u1')
    store.close()
  })

  it('searches by name, principal name and listed attributes, treating % and _ literally', () => {
    const store = createStore(dbFile())
    store.directories.create({ id: 'd1', kind: 'file', name: 'Office' }, 't0')
    store.users.upsert(
      {
        id: 'u1',
        directoryId: 'd1',
        externalId: '1',
        userPrincipalName: 'ann@x.test',
        displayName: 'Ann',
        attributes: { department: 'Sales' },
      },
      't',
    )
    store.users.upsert(
      {
        id: 'u2',
        directoryId: 'd1',
        externalId: '2',
        userPrincipalName: 'bob_1@x.test',
        displayName: 'Bob',
        attributes: { department: 'Legal' },
      },
      't',
    )
    expect(store.users.list('sales', 10, 0).rows.map(u => u.id)).toEqual(['u1'])
    expect(store.users.list('_1', 10, 0).rows.map(u => u.id)).toEqual(['u2'])
    expect(store.users.list('%', 10, 0).total).toBe(0)
    expect(store.users.list(undefined, 1, 1)).toMatchObject({ total: 2, rows: [{ id: 'u2', department: 'Legal' }] })
    store.close()
  })

  it('rewrites only what a sync changed about a user: changed, added and dropped attributes', () => {
    const store = createStore(dbFile())
    store.directories.create({ id: 'd1', kind: 'entra', name: 'Contoso' }, 't0')
    const user = {
      id: 'u1',
      externalId: 'e1',
      userPrincipalName: 'a@x.test',
      displayName: 'A',
      fingerprint: 'f1',
      attributes: { department: 'Sales', country: 'DE', city: 'Berlin' },
    }
    store.sync.insertUser('d1', user, 't1')
    store.sync.replaceUser(
      {
        ...user,
        fingerprint: 'f2',
        displayName: 'Ann',
        attributes: { department: 'Legal', country: 'DE', jobTitle: 'Clerk' },
      },
      't2',
    )
    expect(store.users.attributes('u1')).toEqual({ department: 'Legal', country: 'DE', jobTitle: 'Clerk' })
    expect(store.sync.user('d1', 'e1')).toMatchObject({ displayName: 'Ann', fingerprint: 'f2' })
    store.close()
  })
})

describe('WAL checkpoints around syncs', () => {
  it('resume only once every sync that paused them has resumed', () => {
    const db = openDatabase(dbFile())
    const sync = syncQueries(db)
    const autocheckpoint = () => db.pragma('wal_autocheckpoint', { simple: true })
    sync.pauseCheckpoints()
    sync.pauseCheckpoints()
    expect(autocheckpoint()).toBe(0)
    sync.resumeCheckpoints()
    expect(autocheckpoint()).toBe(0)
    sync.resumeCheckpoints()
    expect(autocheckpoint()).toBe(1000)
    db.close()
  })
})

describe('checkpoints', () => {
  it('copies the WAL into the database unless a reader still needs what it holds', () => {
    const path = dbFile()
    const store = createStore(path)
    const reader = new Database(path, { readonly: true })
    const write = (n: number) =>
      store.transaction(() => {
        for (let i = 0; i < n; i++)
          store.directories.create({ id: `d${n}-${i}`, kind: 'file', name: `D ${n}-${i}` }, '2026-12-07T00:00:00.000Z')
      })
    write(50)
    expect(store.checkpoint()).toBe(true)
    // A reader on the snapshot before the next write holds that write's pages in the WAL.
    reader.exec('BEGIN')
    reader.prepare('SELECT COUNT(*) FROM directories').get()
    write(51)
    expect(store.checkpoint()).toBe(false)
    reader.exec('COMMIT')
    expect(store.checkpoint()).toBe(true)
    reader.close()
    store.close()
  })
})
