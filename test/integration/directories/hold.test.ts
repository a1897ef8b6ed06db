// Held syncs (an invariant: a sync that would remove more than a configured share of
// memberships is held for the admin to confirm) and cancelled syncs, against the Graph fake:
// neither changes the store nor moves the delta cursor; confirming applies the held removals.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { App } from '../../../src/main/app'
import type { TimerPort } from '../../../src/main/ports'
import type { SyncProgress, SyncRun } from '../../../src/shared/domain'
import type { ErrorInfo } from '../../../src/shared/errors'
import { DirectoryData } from '../../fakes/directory-data'
import type { GraphFake } from '../../fakes/graph/server'
import { recordingSleep } from '../../fakes/router'
import { connectEntra, openEntraApp, startEntraGraph, storeSnapshot } from '../../helpers/directory'
import { fakeClock } from '../../helpers/workspace'

let graph: GraphFake
const cleanups: (() => void | Promise<void>)[] = []

/** Timers fired by hand, for the schedule. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>()
  let next = 1
  const timers: TimerPort = {
    setTimeout: (fn, ms) => {
      pending.set(next, { fn, ms })
      return next++
    },
    clearTimeout: h => void pending.delete(h as number),
  }
  return {
    timers,
    pending,
    fireAll() {
      const due = [...pending]
      pending.clear()
      for (const [, t] of due) t.fn()
    },
  }
}

const open = (opts: { timers?: TimerPort } = {}): App =>
  openEntraApp(graph, cleanups, { clock: fakeClock(), sleep: recordingSleep(), timers: opts.timers })

async function callError(app: App, channel: string, args: unknown): Promise<ErrorInfo> {
  const r = await app.invoke(channel, args)
  if (r.ok) throw new Error(`${channel} succeeded; expected an error`)
  return r.error
}

const sync = (app: App, directoryId: string, args: Record<string, unknown> = {}) =>
  app.call('directories/sync', { directoryId, ...args })
const history = async (app: App, directoryId: string) => (await app.call('directories/get', { directoryId })).history

/** What a fresh workspace gets from a clean sync of the fake as it is now. */
async function completeState(): Promise<string> {
  const app = open()
  await sync(app, await connectEntra(app))
  return storeSnapshot(app)
}

/** A workspace synced once from the fake. */
async function synced(opts: { timers?: TimerPort } = {}): Promise<{ app: App; id: string }> {
  const app = open(opts)
  const id = await connectEntra(app)
  const first = await sync(app, id)
  expect(first).toMatchObject({ status: 'succeeded', added: 120 })
  return { app, id }
}

const removeUsers = (n: number) => {
  for (const u of graph.data.someUsers(n)) graph.data.removeUser(u.id)
}

beforeEach(async () => {
  graph = await startEntraGraph({
    data: new DirectoryData({ users: 120, groups: 10, seed: 7 }),
    pageSize: 25,
    membersPerEntry: 8,
  })
})

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await graph.close()
})

describe('a sync that would remove too much is held for the admin to confirm', () => {
  it('holds a sync removing 20 of 120 users: the store and cursor stay, the history says held and how to confirm', async () => {
    const { app, id } = await synced()
    const before = storeSnapshot(app)
    const cursor = app.services.store.sync.cursor(id)
    expect(cursor).not.toBeNull()
    removeUsers(20)

    const run = await sync(app, id)
    expect(run).toMatchObject({
      status: 'held',
      mode: 'incremental',
      removed: 20,
      removals: { usersRemoved: 20, usersTotal: 120 },
    })
    expect(run.removals?.membershipsTotal).toBe(app.services.store.sync.membershipCount(id))
    expect(run.error).toMatch(/^Held: this sync would remove 20 of 120 users \(17%, above 10%\)/)
    expect(run.error).toContain('Nothing was changed')
    expect(run.error).toContain('--confirm-removals')
    expect(storeSnapshot(app)).toBe(before)
    expect(app.services.store.sync.cursor(id)).toBe(cursor)
    const [last] = await history(app, id)
    expect(last).toEqual(run)
    expect((await app.call('directories/list', {}))[0]?.lastSync?.status).toBe('held')

    // Asking again without confirming holds again: the same changes are pulled, nothing applied.
    expect(await sync(app, id)).toMatchObject({ status: 'held', removed: 20 })
    expect(storeSnapshot(app)).toBe(before)

    // Confirming applies the removals, ending in the complete new state.
    const confirmed = await sync(app, id, { confirmRemovals: true })
    expect(confirmed).toMatchObject({
      status: 'succeeded',
      removed: 20,
      removals: { usersRemoved: 20, usersTotal: 120 },
      error: null,
    })
    expect(app.services.store.sync.userCount(id)).toBe(100)
    expect(app.services.store.audit.recent(5).find(e => e.action === 'directories/confirmRemovals')).toMatchObject({
      actor: 'admin',
      subject: 'Contoso',
      details: { runId: confirmed.id, usersRemoved: 20 },
    })
    expect(app.services.store.sync.cursor(id)).not.toBe(cursor)
    expect(storeSnapshot(app)).toBe(await completeState())
    // The cursor moved: the next sync finds nothing to remove.
    expect(await sync(app, id)).toMatchObject({ status: 'succeeded', removed: 0 })
  })

  it('holds a sync that drops most synced-group memberships while every user stays', async () => {
    const { app, id } = await synced()
    const before = storeSnapshot(app)
    let dropped = 0
    for (const g of graph.data.staticGroups()) {
      for (const u of [...g.members]) {
        graph.data.setMember(g.id, u, false)
        dropped++
      }
    }
    const total = app.services.store.sync.membershipCount(id)
    expect(dropped / total).toBeGreaterThan(0.2)

    const run = await sync(app, id)
    expect(run).toMatchObject({
      status: 'held',
      removed: 0,
      removals: { usersRemoved: 0, membershipsRemoved: dropped, membershipsTotal: total },
    })
    expect(run.error).toMatch(new RegExp(`would remove ${dropped} of ${total} memberships`))
    expect(storeSnapshot(app)).toBe(before)

    expect(await sync(app, id, { confirmRemovals: true })).toMatchObject({ status: 'succeeded' })
    expect(storeSnapshot(app)).toBe(await completeState())
  })

  it('holds a full sync in which the IdP no longer returns a large group', async () => {
    const { app, id } = await synced()
    const before = storeSnapshot(app)
    // Every static group disappears at once (a deleted or no longer visible group).
    for (const g of graph.data.staticGroups()) graph.data.removeGroup(g.id)
    const run = await sync(app, id, { mode: 'full' })
    expect(run).toMatchObject({ status: 'held', mode: 'full', removed: 0 })
    expect(run.removals?.membershipsRemoved).toBeGreaterThan(0.2 * (run.removals?.membershipsTotal ?? 0))
    expect(storeSnapshot(app)).toBe(before)
  })

  it('applies a sync under the limits at once: 3 of 120 users leave', async () => {
    const { app, id } = await synced()
    removeUsers(3)
    const run = await sync(app, id)
    expect(run).toMatchObject({ status: 'succeeded', removed: 3, error: null })
    expect(run.removals).toBeUndefined()
    expect(app.services.store.sync.userCount(id)).toBe(117)
  })

  it('never holds the first sync of an empty directory, however strict the limits', async () => {
    const app = open()
    await app.call('policies/setSettings', {
      syncHoldUserShare: 0.01,
      syncHoldMembershipShare: 0.01,
      syncHoldMinimum: 0,
    })
    const run = await sync(app, await connectEntra(app))
    expect(run).toMatchObject({ status: 'succeeded', added: 120, removed: 0 })
  })

  it('follows the limits in the policy settings', async () => {
    const { app, id } = await synced()
    removeUsers(20)
    await app.call('policies/setSettings', { syncHoldUserShare: 0.5, syncHoldMembershipShare: 0.5 })
    expect(await sync(app, id)).toMatchObject({ status: 'succeeded', removed: 20 })
    const e = await callError(app, 'policies/setSettings', { syncHoldUserShare: 0, syncHoldMinimum: -1 })
    expect(e.code).toBe('BAD_INPUT')
    expect((e.details!['fields'] as { path: string }[]).map(f => f.path).sort()).toEqual([
      'syncHoldMinimum',
      'syncHoldUserShare',
    ])
  })

  it('a scheduled sync that is held records it and holds again at the next run, without retrying in between', async () => {
    const t = manualTimers()
    const { app, id } = await synced({ timers: t.timers })
    app.services.scheduler.start()
    await app.call('directories/setSchedule', { directoryId: id, minutes: 15 })
    // The scheduler also arms the change notifications' renewal check (every 10 minutes); the
    // directory's own runs are the other timers.
    const RENEWAL_CHECK_MS = 10 * 60_000
    const syncTimers = () => [...t.pending.values()].map(p => p.ms).filter(ms => ms !== RENEWAL_CHECK_MS)
    expect(syncTimers()).toEqual([15 * 60_000])
    removeUsers(20)
    const before = storeSnapshot(app)
    const settle = async () => {
      for (let i = 0; i < 200 && app.services.directories.list()[0]?.lastSync?.status !== 'held'; i++)
        await new Promise(r => setTimeout(r, 10))
      for (let i = 0; i < 50 && syncTimers().length === 0; i++) await new Promise(r => setTimeout(r, 10))
    }
    t.fireAll()
    await settle()
    expect((await history(app, id)).map(r => r.status)).toEqual(['held', 'succeeded'])
    // Re-armed once, at the schedule's interval: no retry loop.
    expect(syncTimers()).toEqual([15 * 60_000])
    t.fireAll()
    for (let i = 0; i < 200 && (await history(app, id)).length < 3; i++) await new Promise(r => setTimeout(r, 10))
    await settle()
    expect((await history(app, id)).map(r => r.status)).toEqual(['held', 'held', 'succeeded'])
    expect(syncTimers()).toEqual([15 * 60_000])
    expect(storeSnapshot(app)).toBe(before)
  })
})

describe('cancelling a running sync', () => {
  /** Starts a sync whose next users page the fake answers only after `ms`, and waits until that request is in flight. */
  async function startSlowSync(app: App, id: string, progress: SyncProgress[]): Promise<{ running: Promise<SyncRun> }> {
    graph.inject({ kind: 'slow', ms: 5000 }, { path: '/v1.0/users/delta' })
    const seen = graph.requests.length
    app.on('directories/syncProgress', p => progress.push(p))
    const running = sync(app, id)
    for (let i = 0; i < 500 && !graph.requests.slice(seen).some(r => r.url.startsWith('/v1.0/users/delta')); i++)
      await new Promise(r => setTimeout(r, 5))
    expect((await app.call('directories/get', { directoryId: id })).running).toBe(true)
    // Wrapped: an async function returning a promise would wait for it.
    return { running }
  }

  it('cancels an incremental sync mid-pull: nothing changes, the cursor stays, the run says cancelled by the admin', async () => {
    const { app, id } = await synced()
    const before = storeSnapshot(app)
    const cursor = app.services.store.sync.cursor(id)
    graph.data.updateUser(graph.data.someUsers(1)[0]!.id, { department: 'Legal' })
    graph.data.removeUser(graph.data.someUsers(2)[1]!.id)
    graph.data.addUser()
    const progress: SyncProgress[] = []
    const started = Date.now()
    const { running } = await startSlowSync(app, id, progress)

    const cancelled = await app.call('directories/cancelSync', { directoryId: id })
    expect(Date.now() - started).toBeLessThan(4000)
    expect(cancelled).toMatchObject({ status: 'cancelled', added: 0, changed: 0, removed: 0 })
    expect(cancelled.error).toMatch(/cancelled by the admin; nothing was changed/i)
    expect(await running).toEqual(cancelled)
    expect(progress.at(-1)).toMatchObject({ phase: 'cancelled' })
    expect(progress.at(-1)?.message).toMatch(/cancelled by the admin/)
    expect(storeSnapshot(app)).toBe(before)
    expect(app.services.store.sync.cursor(id)).toBe(cursor)
    expect((await history(app, id))[0]).toEqual(cancelled)
    expect((await app.call('directories/get', { directoryId: id })).running).toBe(false)

    // The next sync picks up the same changes.
    graph.clearFaults()
    expect(await sync(app, id)).toMatchObject({ status: 'succeeded', added: 1, changed: 1, removed: 1 })
  })

  it('cancels a first sync: the directory stays empty', async () => {
    const app = open()
    const id = await connectEntra(app)
    const { running } = await startSlowSync(app, id, [])
    expect(await app.call('directories/cancelSync', { directoryId: id })).toMatchObject({ status: 'cancelled' })
    expect((await running).status).toBe('cancelled')
    expect(app.services.store.sync.userCount(id)).toBe(0)
    expect(app.services.store.sync.cursor(id)).toBeNull()
  })

  it('says NOT_FOUND when no sync of the directory is running', async () => {
    const { app, id } = await synced()
    const e = await callError(app, 'directories/cancelSync', { directoryId: id })
    expect(e).toMatchObject({ code: 'NOT_FOUND' })
    expect(e.message).toMatch(/No sync of Contoso is running/)
    expect((await callError(app, 'directories/cancelSync', { directoryId: 'nope' })).code).toBe('NOT_FOUND')
  })
})
