// When a cancel lands relative to the apply: before it, nothing changes and the run says
// cancelled; once the engine is writing, the apply completes (a half-applied sync would break
// "a sync changes nothing or everything") and the run says succeeded, even when the redeploy
// after it fails (the redeploy stays owed to the next start). The engine is driven
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

const pullOf = (n: number, department = 'Sales'): Pull => ({
  mode: 'full',
  users: Array.from({ length: n }, (_, i) => ({
    externalId: `u${i}`,
    userPrincipalName: `u${i}@example.test`,
    displayName: `User ${i}`,
    properties: { department },
  })),
  removedUserIds: [],
  groups: [],
  removedGroupIds: [],
  members: new Map(),
  cursor: 'cursor-1',
})

/** A connector whose pull runs `during` just before it delivers a complete pull. */
const scripted = (during: () => void, department = 'Sales'): Connector => ({
  kind: 'okta',
  test: () => Promise.resolve('ok'),
  pull: () => {
    during()
    return Promise.resolve(pullOf(10, department))
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

  it('while the apply is writing and the redeploy then fails: the apply stands, its run says succeeded, the redeploy stays owed', async () => {
    const controller = new AbortController()
    let redeploys = 0
    const { app, directoryId, engine } = setup(
      p => {
        if (p.phase === 'applying' && redeploys > 0) controller.abort()
      },
      () => (redeploys++ === 0 ? Promise.resolve() : Promise.reject(new Error('devices room down'))),
    )
    const { store } = app.services
    store.groups.create({
      id: 'marketing',
      directoryId,
      name: 'Marketing',
      kind: 'rule',
      dialect: 'okta',
      rule: 'user.department == "Marketing"',
      description: '',
    })
    const request = (department: string) => ({
      directoryId,
      directoryName: 'Example',
      connector: scripted(() => {}, department),
      mapping: 'all' as const,
      groupFilter: [],
      signal: controller.signal,
    })
    await engine.sync(request('Sales'))
    const device = await app.services.devices.enroll({
      serial: 'S-1',
      platform: 'android',
      userPrincipalName: 'u1@example.test',
    })

    await expect(engine.sync(request('Marketing'))).rejects.toThrow(/devices room down/)
    expect(store.sync.runs(directoryId, 1)[0]).toMatchObject({ status: 'succeeded', changed: 10 })
    expect(store.sync.cursor(directoryId)).toBe('cursor-1')
    expect([...store.syncJournal.pendingRedeploys().values()]).toEqual([[device.device.userId]])
  })
})
