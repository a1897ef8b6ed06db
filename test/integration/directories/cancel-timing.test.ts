// When a cancel lands relative to the apply: before it, nothing changes and the run says
// cancelled; once the engine is writing, the apply completes (a half-applied sync would break
// "a sync changes nothing or everything") and the run says succeeded. The engine is driven
// with a scripted connector so the cancel lands at an exact point.
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import type { Connector, Pull } from '../../../src/main/directories/connector'
import { createSyncEngine } from '../../../src/main/directories/engine'
import { silentLog, timeOrderedIds } from '../../../src/main/ports'
import type { SyncProgress } from '../../../src/shared/domain'
import { storeSnapshot } from '../../helpers/directory'
import { fakeClock, tempDir } from '../../helpers/workspace'

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach(c => c()))

function setup(
  onProgress: (p: SyncProgress) => void = () => {},
  redeployUsers: () => Promise<unknown> = () => Promise.resolve(),
): { app: App; directoryId: string; engine: ReturnType<typeof createSyncEngine>; progress: SyncProgress[] } {
  const dir = tempDir()
  const clock = fakeClock()
  const app = createApp({ dataDir: dir.path, clock })
  cleanups.push(() => {
    app.close()
    dir.remove()
  })
  const { store, groups } = app.services
  const directoryId = 'dir-1'
  store.directories.create({ id: directoryId, kind: 'okta', name: 'Example' }, clock.now().toISOString())
  const progress: SyncProgress[] = []
  const engine = createSyncEngine({
    store,
    groups,
    clock,
    ids: timeOrderedIds(),
    log: silentLog,
    redeployUsers,
    emit: p => {
      progress.push(p)
      onProgress(p)
    },
    chunkSize: 2,
  })
  return { app, directoryId, engine, progress }
}

const pullOf = (n: number): Pull => ({
  mode: 'full',
  users: Array.from({ length: n }, (_, i) => ({
    externalId: `u${i}`,
    userPrincipalName: `u${i}@example.test`,
    displayName: `User ${i}`,
    properties: { department: 'Sales' },
  })),
  removedUserIds: [],
  groups: [],
  removedGroupIds: [],
  members: new Map(),
  cursor: 'cursor-1',
})

/** A connector whose pull runs `during` just before it delivers a complete pull. */
const scripted = (during: () => void): Connector => ({
  kind: 'okta',
  test: () => Promise.resolve('ok'),
  pull: () => {
    during()
    return Promise.resolve(pullOf(10))
  },
  fetchUser: () => Promise.resolve(null),
})

describe('when a cancel lands', () => {
  it('after the pull completed but before the apply: nothing changes, the run says cancelled', async () => {
    const { app, directoryId, engine, progress } = setup()
    const before = storeSnapshot(app)
    const controller = new AbortController()
    const outcome = await engine.sync({
      directoryId,
      directoryName: 'Example',
      connector: scripted(() => controller.abort()),
      mapping: 'all',
      groupFilter: [],
      signal: controller.signal,
    })
    expect(outcome.run).toMatchObject({
      status: 'cancelled',
      added: 0,
      error: 'Cancelled by the admin; nothing was changed.',
    })
    expect(progress.at(-1)).toMatchObject({ phase: 'cancelled' })
    expect(progress.some(p => p.phase === 'applying')).toBe(false)
    expect(storeSnapshot(app)).toBe(before)
    expect(app.services.store.sync.cursor(directoryId)).toBeNull()
  })

  it('while the apply is writing: the apply completes and the run says succeeded', async () => {
    const controller = new AbortController()
    // Cancel as soon as the engine says it is applying.
    const { app, directoryId, engine } = setup(p => {
      if (p.phase === 'applying') controller.abort()
    })
    const outcome = await engine.sync({
      directoryId,
      directoryName: 'Example',
      connector: scripted(() => {}),
      mapping: 'all',
      groupFilter: [],
      signal: controller.signal,
    })
    expect(controller.signal.aborted).toBe(true)
    expect(outcome.run).toMatchObject({ status: 'succeeded', added: 10 })
    expect(app.services.store.sync.userCount(directoryId)).toBe(10)
    expect(app.services.store.sync.cursor(directoryId)).toBe('cursor-1')
  })

  it('while the apply is writing and something then fails: the run says failed, not "nothing was changed"', async () => {
    const controller = new AbortController()
    const { app, directoryId, engine } = setup(
      p => {
        if (p.phase === 'applying') controller.abort()
      },
      () => Promise.reject(new Error('devices room down')),
    )
    const sync = engine.sync({
      directoryId,
      directoryName: 'Example',
      connector: scripted(() => {}),
      mapping: 'all',
      groupFilter: [],
      signal: controller.signal,
    })
    await expect(sync).rejects.toThrow(/devices room down/)
    expect(app.services.store.sync.runs(directoryId, 1)[0]).toMatchObject({ status: 'failed' })
  })
})
