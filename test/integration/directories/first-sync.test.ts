// A large first sync into an empty directory writes its users while the pull runs
// (directories/first-sync.ts): it stores exactly what a sync that writes after the pull stores; a
// cancel takes back what was written; and a first sync the app stopped in the middle of is
// undone at the next start, keeping any user a device was bound to meanwhile, unless another
// process still runs it.
// (Faults during such a sync: faults.test.ts.)
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import type { SyncRun } from '../../../src/shared/domain'
import type { GraphFake } from '../../fakes/graph/server'
import { goneProcessId } from '../../helpers/crash-child'
import { connectEntra, graphRoutes, startSmallGraphFake, storeSnapshot } from '../../helpers/directory'
import { fakeClock, tempDir } from '../../helpers/workspace'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A workspace on `path` (a fresh temp dir unless given), closed after the test. */
function workspace(graph: GraphFake | null, opts: { syncBulkFrom?: number; path?: string } = {}) {
  const dir = opts.path ? null : tempDir()
  const app = createApp({
    dataDir: opts.path ?? (dir?.path as string),
    clock: fakeClock(),
    http: graph ? graphRoutes(graph) : undefined,
    syncBulkFrom: opts.syncBulkFrom,
    // Commits every 50 users, so some land while the pull still runs.
    syncBulkBatch: 50,
  })
  cleanups.push(() => {
    app.close()
    dir?.remove()
  })
  return app
}

/** The IdP's own members of each rule group (store/idp-rule-members.ts), by group name and sign-in name. */
function idpListings(app: App): [string, string[]][] {
  const { store } = app.services
  const names = new Map(store.groups.list().map(g => [g.id, g.name]))
  const upns = new Map(store.users.list(undefined, 1000, 0).rows.map(u => [u.id, u.userPrincipalName]))
  return [...store.idpRuleMembers.all()]
    .map(([groupId, { members }]): [string, string[]] => [
      names.get(groupId) ?? groupId,
      [...members].map(id => upns.get(id) ?? id).sort(),
    ])
    .filter(([, members]) => members.length > 0)
    .sort(([a], [b]) => a.localeCompare(b))
}

async function sync(app: App, directoryId: string): Promise<SyncRun> {
  const r = await app.invoke('directories/sync', { directoryId })
  if (!r.ok) throw new Error(r.error.message)
  return r.value as SyncRun
}

describe('a large first sync written as it is pulled', () => {
  it('has users stored before the pull ends, and ends as a sync that writes afterwards', async () => {
    const graph = await startSmallGraphFake(cleanups)
    const streamed = workspace(graph, { syncBulkFrom: 50 })
    const id = await connectEntra(streamed)
    const storedWhilePulling: number[] = []
    streamed.on('directories/syncProgress', p => {
      if (p.phase === 'pulling') storedWhilePulling.push(streamed.services.store.sync.userCount(id))
    })
    expect(await sync(streamed, id)).toMatchObject({ status: 'succeeded', added: 300 })
    expect(Math.max(...storedWhilePulling)).toBeGreaterThan(0)
    expect(streamed.services.store.sync.markedFirstSyncs()).toEqual([])

    const afterwards = workspace(graph)
    expect(await sync(afterwards, await connectEntra(afterwards))).toMatchObject({ status: 'succeeded', added: 300 })
    expect(storeSnapshot(streamed)).toBe(storeSnapshot(afterwards))
    // The IdP's listings of its dynamic groups went to the writer with the groups (GROUP_RULE_FAIL reads them).
    expect(idpListings(streamed).length).toBeGreaterThan(0)
    expect(idpListings(streamed)).toEqual(idpListings(afterwards))
    expect(await sync(streamed, id)).toMatchObject({ mode: 'incremental', added: 0, changed: 0, removed: 0 })
  })

  it('takes back what it wrote when the admin cancels it during the pull', async () => {
    const graph = await startSmallGraphFake(cleanups)
    const app = workspace(graph, { syncBulkFrom: 50 })
    const id = await connectEntra(app)
    const before = storeSnapshot(app)
    let cancel: Promise<SyncRun> | null = null
    let markedAtCancel = 0
    app.on('directories/syncProgress', p => {
      // Three pages of users in (streaming began at the 50th, so rows are written): cancel the rest.
      if (p.phase !== 'pulling' || p.users < 120 || cancel) return
      markedAtCancel = app.services.store.sync.markedFirstSyncs().length
      cancel = app.services.directories.cancelSync(id)
    })
    expect(await sync(app, id)).toMatchObject({ status: 'cancelled', added: 0 })
    expect(markedAtCancel).toBe(1)
    expect(await cancel).toMatchObject({ status: 'cancelled' })
    expect(storeSnapshot(app)).toBe(before)
    expect(app.services.store.sync.markedFirstSyncs()).toEqual([])
  })
  it('takes back what it wrote when the writer fails during the pull', async () => {
    const graph = await startSmallGraphFake(cleanups)
    const app = workspace(graph, { syncBulkFrom: 50 })
    const id = await connectEntra(app)
    const before = storeSnapshot(app)
    const queries = app.services.store.sync
    const open = queries.bulkWriter
    // The third chunk fails as a full disk would; two went through.
    queries.bulkWriter = async () => {
      const writer = await open()
      let sends = 0
      return {
        ...writer,
        send: (rows, commit) =>
          ++sends === 3 ? Promise.reject(new Error('database or disk is full')) : writer.send(rows, commit),
      }
    }
    const r = await app.invoke('directories/sync', { directoryId: id })
    expect(r.ok || r.error.message).toMatch(/database or disk is full/)
    expect(storeSnapshot(app)).toBe(before)
    expect(queries.markedFirstSyncs()).toEqual([])
  })
})

describe('a first sync the app stopped in the middle of', () => {
  it('is undone at the next start, keeping a user a device was bound to, and recorded as failed', async () => {
    const dir = tempDir()
    cleanups.push(() => dir.remove())
    const at = '2026-11-01T00:00:00.000Z'
    const first = workspace(null, { path: dir.path })
    const id = await connectEntra(first)
    const { store } = first.services
    // What a streamed sync leaves when the process dies: the mark, users, and perhaps its groups.
    store.sync.markFirstSync(id, 'run-stopped', at)
    for (const n of [1, 2, 3])
      store.sync.insertUser(
        id,
        {
          id: `u${n}`,
          externalId: `ext-${n}`,
          userPrincipalName: `u${n}@contoso.example`,
          displayName: `User ${n}`,
          fingerprint: 'fp',
          attributes: { department: 'Sales' },
        },
        at,
      )
    store.sync.insertGroup(id, {
      id: 'g1',
      externalId: 'ext-g1',
      name: 'Sales team',
      kind: 'synced',
      dialect: null,
      rule: null,
      description: '',
    })
    store.devices.enroll(
      { id: 'dev-1', serial: 'SERIAL-1', name: 'iPhone', platform: 'ios', userId: 'u2', pushToken: null },
      at,
    )
    first.close()

    const next = workspace(null, { path: dir.path })
    await next.services.directories.settled()
    const s = next.services.store
    expect(s.users.list(undefined, 10, 0).rows.map(u => u.id)).toEqual(['u2'])
    expect(s.sync.groupCount(id)).toBe(0)
    expect(s.sync.markedFirstSyncs()).toEqual([])
    expect(s.sync.runs(id, 1)[0]).toMatchObject({
      id: 'run-stopped',
      status: 'failed',
      error: expect.stringMatching(/first sync of Contoso stopped before it finished/),
    })
  })

  it.each([
    ['is undone once, and recorded once, when its process is gone', goneProcessId, 0],
    ['is left alone while its process (the CLI, cron) still runs it', () => process.ppid, 1],
  ])('%s', async (_, pid, usersLeft) => {
    const dir = tempDir()
    cleanups.push(() => dir.remove())
    const at = '2026-11-01T00:00:00.000Z'
    const first = workspace(null, { path: dir.path })
    const id = await connectEntra(first)
    const { store } = first.services
    // A streamed sync's marks: the first sync's and the running sync's, both naming its run.
    store.syncJournal.beginSync(id, 'run-1', at, pid())
    store.sync.markFirstSync(id, 'run-1', at)
    store.sync.insertUser(
      id,
      {
        id: 'u1',
        externalId: 'ext-1',
        userPrincipalName: 'u1@contoso.example',
        displayName: 'User 1',
        fingerprint: 'fp',
        attributes: {},
      },
      at,
    )
    first.close()

    const next = workspace(null, { path: dir.path })
    await next.services.directories.settled()
    const s = next.services.store
    expect(s.sync.userCount(id)).toBe(usersLeft)
    expect(s.sync.runs(id, 5)).toHaveLength(1 - usersLeft)
    expect(s.syncJournal.runningSyncs()).toHaveLength(usersLeft)
  })
})
