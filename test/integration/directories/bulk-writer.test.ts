// A large sync writes its new users from a worker thread (store/bulk-writer.ts): the store
// ends exactly as the chunked path leaves it, a writer that cannot start falls back to the main
// thread, and a failing write fails the sync with a message saying what went wrong.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../../src/main/app'
import type { SyncRun } from '../../../src/shared/domain'
import { addMembershipRow, addRuleMembershipRows, addUserRows, emptyBulkRows } from '../../../src/main/store'
import { openBulkWriter } from '../../../src/main/store/bulk-writer'
import { silentLog } from '../../../src/main/ports'
import type { GraphFake } from '../../fakes/graph/server'
import { connectEntra, openEntraApp, startSmallGraphFake, storeSnapshot } from '../../helpers/directory'
import { fakeClock, tempDir } from '../../helpers/workspace'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function workspace(graph: GraphFake, opts: { syncBulkFrom?: number; warnings?: string[] } = {}) {
  const app = openEntraApp(graph, cleanups, {
    clock: fakeClock(),
    syncBulkFrom: opts.syncBulkFrom,
    log: { ...silentLog, warn: message => opts.warnings?.push(message) },
  })
  const sync = async (): Promise<SyncRun> => {
    let id = app.services.store.directories.list()[0]?.id
    id ??= await connectEntra(app)
    const r = await app.invoke('directories/sync', { directoryId: id })
    if (!r.ok) throw new Error(r.error.message)
    return r.value as SyncRun
  }
  return { app, sync }
}

describe('a first sync written from a worker thread', () => {
  it('stores what the chunked path stores, and the next sync finds nothing to change', async () => {
    const graph = await startSmallGraphFake(cleanups)
    const warnings: string[] = []
    const bulk = workspace(graph, { syncBulkFrom: 1, warnings })
    const chunked = workspace(graph)
    expect(await bulk.sync()).toMatchObject({ status: 'succeeded', added: 300 })
    expect(await chunked.sync()).toMatchObject({ status: 'succeeded', added: 300 })
    expect(storeSnapshot(bulk.app)).toEqual(storeSnapshot(chunked.app))
    expect(await bulk.sync()).toMatchObject({ added: 0, changed: 0, removed: 0 })
    expect(warnings).toEqual([])
  })

  it('writes the many new users of a directory that has users in the apply transaction, not from a writer thread', async () => {
    const graph = await startSmallGraphFake(cleanups)
    const bulk = workspace(graph, { syncBulkFrom: 10 })
    const chunked = workspace(graph)
    await bulk.sync()
    await chunked.sync()
    for (let i = 0; i < 25; i++) graph.data.addUser()
    // A writer thread commits on its own connection: what it wrote would outlive an apply that fails.
    const { sync } = bulk.app.services.store
    let writers = 0
    const open = sync.bulkWriter
    sync.bulkWriter = () => {
      writers++
      return open()
    }
    expect(await bulk.sync()).toMatchObject({ mode: 'incremental', status: 'succeeded', added: 25 })
    expect(writers).toBe(0)
    expect(await chunked.sync()).toMatchObject({ mode: 'incremental', status: 'succeeded', added: 25 })
    expect(storeSnapshot(bulk.app)).toEqual(storeSnapshot(chunked.app))
  })

  it('falls back to the main thread when the worker cannot start', async () => {
    const graph = await startSmallGraphFake(cleanups)
    const warnings: string[] = []
    const bulk = workspace(graph, { syncBulkFrom: 1, warnings })
    bulk.app.services.store.sync.bulkWriter = () => Promise.reject(new Error('no workers here'))
    const chunked = workspace(graph)
    expect(await bulk.sync()).toMatchObject({ status: 'succeeded', added: 300 })
    await chunked.sync()
    expect(warnings).toContain('bulk writer unavailable; writing in the main thread')
    expect(storeSnapshot(bulk.app)).toEqual(storeSnapshot(chunked.app))
  })
})

describe('the bulk writer', () => {
  const at = '2026-11-01T00:00:00.000Z'
  const user = (id: string) => ({
    id,
    externalId: `ext-${id}`,
    userPrincipalName: `${id}@x.test`,
    displayName: id,
    fingerprint: 'fp',
    attributes: { department: 'Sales', accountEnabled: true },
  })

  /** A workspace with one directory, closed after the test. */
  const directoryApp = () => {
    const dir = tempDir()
    const app = createApp({ dataDir: dir.path, clock: fakeClock() })
    cleanups.push(() => {
      app.close()
      dir.remove()
    })
    app.services.store.directories.create({ id: 'd', kind: 'entra', name: 'Contoso' }, at)
    return app
  }

  it('commits users, attributes and memberships in the order sent', async () => {
    const app = directoryApp()
    const { store } = app.services
    store.groups.create({
      id: 'team',
      directoryId: 'd',
      name: 'Team',
      kind: 'synced',
      dialect: null,
      rule: null,
      description: '',
    })
    store.groups.create({
      id: 'sales',
      directoryId: 'd',
      name: 'Sales',
      kind: 'rule',
      dialect: 'entra',
      rule: 'user.department -eq "Sales"',
      description: '',
    })
    const writer = await openBulkWriter(app.dbPath)
    const first = emptyBulkRows()
    addUserRows(first, 'd', user('u1'), at)
    addRuleMembershipRows(
      first,
      'u1',
      [{ groupId: 'sales', state: 'in', effective: true, missing: [], updatedAt: at }],
      at,
    )
    await writer.send(first)
    const second = emptyBulkRows()
    addMembershipRow(second, 'team', 'u1', at)
    await writer.send(second)
    await writer.finish()
    expect(store.users.attributes('u1')).toEqual({ department: 'Sales', accountEnabled: true })
    expect(store.groups.membershipsOf('u1').map(m => [m.groupName, m.groupKind, m.state])).toEqual([
      ['Sales', 'rule', 'in'],
      ['Team', 'synced', 'in'],
    ])
  })

  it('fails with what SQLite said when a row cannot be written', async () => {
    const app = directoryApp()
    const writer = await openBulkWriter(app.dbPath)
    const rows = emptyBulkRows()
    addUserRows(rows, 'd', user('u1'), at)
    addUserRows(rows, 'd', user('u1'), at)
    await writer.send(rows).catch(() => {})
    await expect(writer.finish()).rejects.toThrow(/Writing the synced users failed: UNIQUE constraint failed/)
    expect(app.services.store.users.attributes('u1')).toEqual({})
  })

  it('says why it cannot start', async () => {
    const dir = tempDir()
    cleanups.push(() => dir.remove())
    mkdirSync(join(dir.path, 'a-folder'))
    await expect(openBulkWriter(join(dir.path, 'a-folder'))).rejects.toThrow(/The bulk writer could not start/)
  })
})
