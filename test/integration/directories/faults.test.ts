// Every fault the Graph fake can inject, against the invariant: after the sync the store is
// either exactly what it was before, or exactly the complete new state (what a fresh
// workspace gets from a clean sync of the same IdP state).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { App } from '../../../src/main/app'
import type { DirectoryDetail, SyncRun } from '../../../src/shared/domain'
import { DirectoryData } from '../../fakes/directory-data'
import type { GraphFake } from '../../fakes/graph/server'
import type { Fault } from '../../fakes/http'
import { recordingSleep } from '../../fakes/router'
import { connectEntra, openEntraApp, startEntraGraph, storeSnapshot } from '../../helpers/directory'
import { fakeClock } from '../../helpers/workspace'

let graph: GraphFake
const cleanups: (() => void | Promise<void>)[] = []

function open(opts: { timeoutMs?: number; syncBulkFrom?: number } = {}): {
  app: App
  sleep: ReturnType<typeof recordingSleep>
} {
  const sleep = recordingSleep()
  const app = openEntraApp(graph, cleanups, {
    clock: fakeClock(),
    sleep,
    idpHttp: { maxAttempts: 4, timeoutMs: opts.timeoutMs ?? 10_000, random: () => 0.5 },
    syncBulkFrom: opts.syncBulkFrom,
  })
  return { app, sleep }
}

const sync = (app: App, directoryId: string) => app.invoke('directories/sync', { directoryId })

/** The complete new state: a fresh workspace's clean full sync of the fake as it is now. */
async function completeState(): Promise<string> {
  graph.clearFaults()
  const { app } = open()
  const r = await sync(app, await connectEntra(app))
  if (!r.ok) throw new Error(r.error.message)
  return storeSnapshot(app)
}

/** 25 users change (enough for several delta pages), one leaves, one joins, one changes group. */
function changeTheDirectory(): void {
  const [a, b, c, ...rest] = graph.data.someUsers(27)
  graph.data.updateUser(a!.id, { department: 'Legal', jobTitle: 'Counsel' })
  for (const u of rest.slice(0, 24)) graph.data.updateUser(u.id, { jobTitle: `Tester ${u.id.slice(-4)}` })
  graph.data.removeUser(b!.id)
  graph.data.addUser()
  const team = graph.data.staticGroups()[0]!
  graph.data.setMember(team.id, c!.id, !team.members.has(c!.id))
}

beforeEach(async () => {
  graph = await startEntraGraph({
    data: new DirectoryData({ users: 60, groups: 6, seed: 3 }),
    pageSize: 10,
    membersPerEntry: 4,
  })
})

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await graph.close()
})

const RECOVERED: {
  name: string
  fault: Fault
  path: string
  skip: number
  times: number
  waits: (w: number[]) => void
}[] = [
  {
    name: '429 with Retry-After',
    fault: { kind: 'status', status: 429, retryAfter: 7 },
    path: '/v1.0/users/delta',
    skip: 1,
    times: 2,
    waits: w => expect(w).toEqual([7000, 7000]),
  },
  {
    name: '503 with Retry-After',
    fault: { kind: 'status', status: 503, retryAfter: 2 },
    path: '/v1.0/groups/delta',
    skip: 0,
    times: 1,
    waits: w => expect(w).toEqual([2000]),
  },
  // random() = 0.5: half of 500 ms, then half of 1,000 ms (full jitter).
  {
    name: '500 twice (exponential back-off with jitter)',
    fault: { kind: 'status', status: 500 },
    path: '/v1.0/users/delta',
    skip: 2,
    times: 2,
    waits: w => expect(w).toEqual([250, 500]),
  },
  {
    name: 'connection reset mid-page',
    fault: { kind: 'reset' },
    path: '/v1.0/users/delta',
    skip: 2,
    times: 1,
    waits: w => expect(w).toEqual([250]),
  },
  {
    name: 'a 429 on the token endpoint',
    fault: {
      kind: 'status',
      status: 429,
      retryAfter: 1,
      body: { error: 'temporarily_unavailable', error_description: 'throttled' },
    },
    path: '/oauth2/v2.0/token',
    skip: 0,
    times: 1,
    waits: w => expect(w).toEqual([1000]),
  },
]

describe('faults the sync recovers from', () => {
  for (const f of RECOVERED) {
    it(`completes an incremental sync through ${f.name}, ending in the complete new state`, async () => {
      const { app, sleep } = open()
      const id = await connectEntra(app)
      expect((await sync(app, id)).ok).toBe(true)
      changeTheDirectory()
      // The token is cached after the first sync: a token-endpoint fault needs a fresh app.
      const target = f.path.includes('token') ? open() : { app, sleep }
      const targetId = target.app === app ? id : await connectEntra(target.app)
      graph.inject(f.fault, { path: f.path, skip: f.skip, times: f.times })
      const r = await sync(target.app, targetId)
      expect(r.ok).toBe(true)
      f.waits(target.sleep.waits)
      expect(storeSnapshot(target.app)).toBe(await completeState())
    })
  }

  it('treats an answer slower than the timeout as transient and retries it', async () => {
    // Far apart, so a busy test machine never makes an ordinary answer look slow.
    const { app, sleep } = open({ timeoutMs: 2_000 })
    const id = await connectEntra(app)
    graph.inject({ kind: 'slow', ms: 8_000 }, { path: '/v1.0/users/delta', skip: 1, times: 1 })
    expect((await sync(app, id)).ok).toBe(true)
    expect(sleep.waits).toHaveLength(1)
    expect(storeSnapshot(app)).toBe(await completeState())
  })
})

const FAILING: { name: string; fault: Fault; path: string; code: string; message: RegExp; skip: number }[] = [
  {
    name: 'a malformed page',
    fault: { kind: 'malformed' },
    path: '/v1.0/users/delta',
    code: 'DIRECTORY_RESPONSE',
    message: /not valid JSON/,
    skip: 1,
  },
  {
    name: 'a page without a value list',
    fault: {
      kind: 'status',
      status: 200,
      body: { '@odata.nextLink': 'https://graph.microsoft.com/v1.0/users/delta?$skiptoken=x' },
    },
    path: '/v1.0/groups/delta',
    code: 'DIRECTORY_RESPONSE',
    message: /without a value list/,
    skip: 0,
  },
  {
    name: '503 on every attempt',
    fault: { kind: 'status', status: 503 },
    path: '/v1.0/groups/delta',
    code: 'DIRECTORY_UNAVAILABLE',
    message: /gave up after 4 attempts/,
    skip: 0,
  },
  {
    name: 'connection resets on every attempt',
    fault: { kind: 'reset' },
    path: '/v1.0/users/delta',
    code: 'DIRECTORY_UNAVAILABLE',
    message: /kept failing/,
    skip: 1,
  },
]

describe('faults that fail the sync change nothing, and the next sync resumes', () => {
  for (const f of FAILING) {
    it(`leaves the store as it was after ${f.name}`, async () => {
      const { app } = open()
      const id = await connectEntra(app)
      expect((await sync(app, id)).ok).toBe(true)
      const before = storeSnapshot(app)
      changeTheDirectory()
      // Groups pages first, then users: either way the failure comes after part of the pull.
      graph.inject(f.fault, { path: f.path, skip: f.skip, times: f.code === 'DIRECTORY_UNAVAILABLE' ? Infinity : 1 })
      const r = await sync(app, id)
      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r.error.code).toBe(f.code)
      expect(r.error.message).toMatch(f.message)
      expect(storeSnapshot(app)).toBe(before)
      const history = (await app.invoke('directories/get', { directoryId: id })) as { ok: true; value: DirectoryDetail }
      expect(history.value.history[0]).toMatchObject({ status: 'failed', error: r.error.message })

      graph.clearFaults()
      const next = await sync(app, id)
      expect(next.ok && (next.value as SyncRun)).toMatchObject({
        mode: 'incremental',
        status: 'succeeded',
        added: 1,
        changed: 25,
        removed: 1,
      })
      expect(storeSnapshot(app)).toBe(await completeState())
    })
  }

  it('keeps the store when a full first sync fails half-way, then completes it', async () => {
    const { app } = open()
    const id = await connectEntra(app)
    const before = storeSnapshot(app)
    graph.inject({ kind: 'malformed' }, { path: '/v1.0/groups/delta', skip: 1 })
    expect((await sync(app, id)).ok).toBe(false)
    expect(storeSnapshot(app)).toBe(before)
    expect((await sync(app, id)).ok).toBe(true)
    expect(storeSnapshot(app)).toBe(await completeState())
  })
})

describe('a large first sync writes users as it pulls; a fault takes all of it back', () => {
  for (const f of FAILING) {
    it(`leaves the directory empty after ${f.name}, and the next sync completes it`, async () => {
      // From 10 users the sync streams (pages of 10). Graph's groups are read before its users,
      // so every fault goes to the users' pages, three pages in.
      const { app } = open({ syncBulkFrom: 10 })
      const id = await connectEntra(app)
      const before = storeSnapshot(app)
      const marked: number[] = []
      app.on('directories/syncProgress', () => marked.push(app.services.store.sync.markedFirstSyncs().length))
      graph.inject(f.fault, {
        path: '/v1.0/users/delta',
        skip: 3,
        times: f.code === 'DIRECTORY_UNAVAILABLE' ? Infinity : 1,
      })
      const r = await sync(app, id)
      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r.error.code).toBe(f.code)
      // It had begun writing (the directory is marked before the first row goes out).
      expect(marked).toContain(1)
      expect(storeSnapshot(app)).toBe(before)
      expect(app.services.store.sync.userCount(id)).toBe(0)
      expect(app.services.store.sync.groupCount(id)).toBe(0)
      expect(app.services.store.sync.markedFirstSyncs()).toEqual([])
      expect(app.services.store.sync.cursor(id)).toBeNull()

      graph.clearFaults()
      const next = await sync(app, id)
      expect(next.ok && (next.value as SyncRun)).toMatchObject({ mode: 'full', status: 'succeeded', added: 60 })
      expect(storeSnapshot(app)).toBe(await completeState())
    })
  }
})
