// Inserts a large sync's new users from a worker thread with a connection of its own. SQLite's
// B-tree work, its commits and the WAL writes are most of a first sync's time; in the worker they
// run on the other core while the main thread evaluates the next users, and the main thread keeps
// answering. Only inserts go there: a first sync's new groups, the IdP's listings of its rule
// groups, new users, their attributes, their rule-group memberships and synced-group memberships,
// in the order sent, in chunks of a few
// hundred users that the worker commits a batch (default 2,000 users) at a time. Their references
// exist or arrive in the same or an earlier chunk, so foreign keys are not checked row by row (as
// store.insertTransaction). Once the last chunk is committed the sync goes on; the worker then
// copies the WAL into the database file and stops (`closed`).
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { AttributeValue } from '../../shared/domain'
import { INSERT_IDP_MEMBERS, listingValue } from './idp-rule-members'
import { encodeRuleMemberships, INSERT_RULE_MEMBERSHIPS, type RuleMembership } from './rule-memberships'
import type { DirectoryGroupRow, SyncUserWrite } from './sync-rows'

/** Each table's rows one after another in one flat list (far fewer objects to build and copy). */
export interface BulkRows {
  groups: (string | null)[]
  idpMembers: (string | Uint8Array)[]
  users: string[]
  attributes: string[]
  ruleMemberships: string[]
  memberships: string[]
}

/** Values per row of each table. */
const WIDTH: Record<keyof BulkRows, number> = {
  groups: 8,
  idpMembers: 3,
  users: 7,
  attributes: 3,
  ruleMemberships: 4,
  memberships: 3,
}

/** How a sync inserts each table's rows, in the main thread (sync.ts) and the writer thread alike. */
export const INSERT_SQL: Record<keyof BulkRows, string> = {
  groups:
    'INSERT INTO groups (id, directory_id, external_id, name, kind, dialect, rule, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  idpMembers: INSERT_IDP_MEMBERS,
  users: `INSERT INTO users (id, directory_id, external_id, user_principal_name, display_name, updated_at, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  attributes: 'INSERT INTO user_attributes (user_id, name, value) VALUES (?, ?, ?)',
  ruleMemberships: INSERT_RULE_MEMBERSHIPS,
  memberships: `INSERT INTO memberships (group_id, user_id, state, effective, missing, updated_at) VALUES (?, ?, 'in', 1, '[]', ?)
    ON CONFLICT (group_id, user_id) DO NOTHING`,
}

// Plain JavaScript run by the worker: it must not import anything of ours.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 5000')
db.pragma('foreign_keys = OFF')
// 16 MiB of page cache: measured as fast as 32 MiB for a 100k-user first sync, and the
// process's peak memory counts it.
db.pragma('cache_size = -16384')
// The main connection checkpoints once the sync is done.
db.pragma('wal_autocheckpoint = 0')
// Binds a row straight from the flat list, (v, i) => statement.run(v[i], v[i + 1], …): a slice per
// row would be most of this thread's garbage.
const binder = (statement, width) => {
  const args = Array.from({ length: width }, (_, k) => 'v[i + ' + k + ']').join(', ')
  return new Function('statement', 'return (v, i) => statement.run(' + args + ')')(statement)
}
const statements = Object.entries(workerData.sql).map(([table, sql]) => [table, binder(db.prepare(sql), workerData.width[table]), workerData.width[table]])
// Rows arrive in small chunks (the main thread keeps nothing long) and go into one transaction
// until a chunk says commit: as many commits as before, with each chunk let go at once.
let open = false
const write = (rows) => {
  for (const [table, run, width] of statements) {
    const values = rows[table]
    for (let i = 0; i < values.length; i += width) run(values, i)
  }
}
parentPort.postMessage('ready')
parentPort.on('message', (m) => {
  if (m === 'close') {
    // Copies what was written into the database file here, not in the main thread, and after the
    // sync has moved on (it is most of a large sync's last seconds).
    try {
      db.pragma('wal_checkpoint(PASSIVE)')
    } finally {
      db.close()
      parentPort.close()
    }
    return
  }
  try {
    if (!open) {
      db.exec('BEGIN')
      open = true
    }
    write(m.rows)
    // A listing's bytes (tens of MB, moved here by send) are let go now: detached by a transfer to
    // nowhere, they are freed at the next young collection, not at this thread's next full one,
    // which a whole first sync may never reach.
    for (const v of m.rows.idpMembers) if (typeof v !== 'string') structuredClone(v.buffer, { transfer: [v.buffer] })
    if (m.commit) {
      db.exec('COMMIT')
      open = false
    }
    parentPort.postMessage({ id: m.id, ok: true })
  } catch (e) {
    if (open) {
      open = false
      try { db.exec('ROLLBACK') } catch {}
    }
    parentPort.postMessage({ id: m.id, ok: false, message: String((e && e.message) || e) })
  }
})
`

export const emptyBulkRows = (): BulkRows => ({
  groups: [],
  idpMembers: [],
  users: [],
  attributes: [],
  ruleMemberships: [],
  memberships: [],
})

export function addGroupRow(rows: BulkRows, directoryId: string, g: DirectoryGroupRow): void {
  rows.groups.push(g.id, directoryId, g.externalId, g.name, g.kind, g.dialect, g.rule, g.description)
}

/** A rule group's listing by the IdP (store/idp-rule-members.ts), as the sync pulled it whole. */
export function addIdpListingRow(rows: BulkRows, groupId: string, ids: Iterable<string>, at: string): void {
  rows.idpMembers.push(groupId, listingValue(ids), at)
}

export function addUserRows(rows: BulkRows, directoryId: string, u: SyncUserWrite, at: string): void {
  rows.users.push(u.id, directoryId, u.externalId, u.userPrincipalName, u.displayName, at, u.fingerprint)
  for (const name in u.attributes)
    rows.attributes.push(u.id, name, JSON.stringify(u.attributes[name] as AttributeValue))
}

export function addRuleMembershipRows(
  rows: BulkRows,
  userId: string,
  list: readonly RuleMembership[],
  at: string,
): void {
  if (list.length === 0) return
  const { plain, other } = encodeRuleMemberships(list)
  rows.ruleMemberships.push(userId, plain, other, at)
}

export function addMembershipRow(rows: BulkRows, groupId: string, userId: string, at: string): void {
  rows.memberships.push(groupId, userId, at)
}

export interface BulkWriter {
  /**
   * Hands rows to the worker, in the transaction the last commit left open; `commit` (default)
   * ends it. Resolves once fewer than two sends wait there. A failure rolls back the open
   * transaction and fails every later send and finish.
   */
  send(rows: BulkRows, commit?: boolean): Promise<void>
  /** Commits what is left; resolves once every row sent is committed, rejects with the first failure. */
  finish(): Promise<void>
  /** Resolves once, after finish, the worker has copied the WAL into the database file and stopped. */
  readonly closed: Promise<void>
}

/**
 * The listings' bytes that own their memory whole: moved to the worker, not copied (a first sync's
 * listings are tens of MB, and each copy stays in the process's memory after it is freed).
 */
const ownedBuffers = (rows: BulkRows): ArrayBuffer[] =>
  rows.idpMembers.flatMap(v =>
    typeof v !== 'string' &&
    v.byteOffset === 0 &&
    v.byteLength === v.buffer.byteLength &&
    v.buffer instanceof ArrayBuffer
      ? [v.buffer]
      : [],
  )

const driver = (): string => createRequire(__filename).resolve('better-sqlite3')

/** Resolves once the worker has opened the database and prepared its statements. */
export async function openBulkWriter(databasePath: string): Promise<BulkWriter> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: databasePath, driver: driver(), sql: INSERT_SQL, width: WIDTH },
    // Nothing in the worker outlives a chunk: a small young generation is collected often and
    // cheaply instead of growing to V8's default (tens of MB of the process's memory).
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  })
  await new Promise<void>((resolve, reject) => {
    const early = (e: Error) => reject(new Error(`The bulk writer could not start: ${e.message}`))
    const gone = () => reject(new Error('The bulk writer could not start: its thread stopped.'))
    worker.once('error', early)
    worker.once('exit', gone)
    worker.once('message', () => {
      worker.off('error', early)
      worker.off('exit', gone)
      resolve()
    })
  })
  const waiting = new Map<number, () => void>()
  let next = 0
  let failure: Error | null = null
  const fail = (e: Error) => {
    failure ??= e
    for (const done of waiting.values()) done()
    waiting.clear()
  }
  worker.on('message', (m: { id: number; ok: boolean; message?: string }) => {
    if (!m.ok) fail(new Error(`Writing the synced users failed: ${m.message}`))
    waiting.get(m.id)?.()
    waiting.delete(m.id)
  })
  worker.on('error', e => fail(new Error(`Writing the synced users failed: ${e.message}`)))
  const exited = new Promise<void>(resolve =>
    worker.once('exit', () => {
      fail(new Error('Writing the synced users failed: the writer stopped.'))
      resolve()
    }),
  )
  const written = (id: number) => new Promise<void>(resolve => waiting.set(id, resolve))
  const inFlight: Promise<void>[] = []

  const send = async (rows: BulkRows, commit = true): Promise<void> => {
    if (failure) throw failure
    const id = next++
    inFlight.push(written(id))
    worker.postMessage({ id, rows, commit }, ownedBuffers(rows))
    while (inFlight.length >= 2) await inFlight.shift()
    if (failure) throw failure
  }

  return {
    closed: exited,
    send,
    async finish() {
      // The last rows may wait in an open transaction.
      if (!failure) await send(emptyBulkRows()).catch(() => {})
      await Promise.all(inFlight.splice(0))
      const error = failure
      worker.postMessage('close')
      if (error) {
        await exited
        throw error
      }
    },
  }
}
