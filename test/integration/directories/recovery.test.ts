// What a sync or import leaves when it fails or the process dies, and what the next start does
// with it (directory/recovery.ts): an apply that fails half-way changes nothing; a sync whose
// process is gone is recorded as failed, one still running in another process is left alone; the
// redeploys a committed import still owed are done. (A real kill -9: sync-kill.test.ts.)
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import type { Faults } from '../../../src/main/ports'
import { GRAPH_ORIGIN, LOGIN_ORIGIN } from '../../fakes/graph/server'
import { createRecordingPush } from '../../fakes/recording-push'
import { loopbackRouter } from '../../fakes/router'
import { goneProcessId } from '../../helpers/crash-child'
import { connectEntra, startSmallGraphFake, storeSnapshot } from '../../helpers/directory'
import { fakeClock, openWorkspace, seedSmallOrganisation, tempDir, type TestWorkspace } from '../../helpers/workspace'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('a sync that fails in the middle of its apply', () => {
  it('changes nothing, says it failed, and the next sync applies all of it', async () => {
    const graph = await startSmallGraphFake(cleanups)
    const dir = tempDir()
    let failing = false
    const faults: Faults = {
      hit(point) {
        if (failing && point === 'sync:apply-mid') throw new Error('disk I/O error')
      },
    }
    const app = createApp({
      dataDir: dir.path,
      clock: fakeClock(),
      faults,
      http: loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url }),
      // Small write transactions: only one transaction keeps the apply whole.
      syncChunkSize: 5,
    })
    cleanups.push(() => {
      app.close()
      dir.remove()
    })
    const directoryId = await connectEntra(app)
    await app.call('directories/sync', { directoryId })
    const moved = [...graph.data.users.values()].slice(0, 40)
    for (const u of moved) graph.data.updateUser(u.id, { department: 'Legal', jobTitle: 'Counsel' })
    const before = storeSnapshot(app)

    failing = true
    const failed = await app.invoke('directories/sync', { directoryId })
    expect(failed.ok).toBe(false)
    expect(storeSnapshot(app)).toBe(before)
    const history = (await app.call('directories/get', { directoryId })).history
    expect(history[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/disk I\/O error/) })
    expect(app.services.store.syncJournal.runningSyncs()).toEqual([])

    failing = false
    expect(await app.call('directories/sync', { directoryId })).toMatchObject({ status: 'succeeded', changed: 40 })
  })
})

describe('at the next start', () => {
  it('records a sync whose process is gone as failed, and leaves one running in a live process alone', async () => {
    const dir = tempDir()
    cleanups.push(() => dir.remove())
    const clock = fakeClock()
    const first = createApp({ dataDir: dir.path, clock })
    const stopped = first.services.directories.createFileDirectory('Stopped')
    const elsewhere = first.services.directories.createFileDirectory('Elsewhere')
    const at = clock.now().toISOString()
    first.services.store.syncJournal.beginSync(stopped, 'run-stopped', at, goneProcessId())
    // The test runner's parent process: alive, as the CLI syncing the same workspace would be.
    first.services.store.syncJournal.beginSync(elsewhere, 'run-elsewhere', at, process.ppid)
    first.close()

    const app = createApp({ dataDir: dir.path, clock })
    cleanups.push(() => app.close())
    await app.services.directories.settled()
    const { store } = app.services
    expect(store.sync.runs(stopped, 5)).toEqual([
      expect.objectContaining({
        id: 'run-stopped',
        status: 'failed',
        mode: 'full',
        startedAt: at,
        error: expect.stringMatching(/^The sync of Stopped stopped before it finished .*nothing was changed/),
      }),
    ])
    expect(store.sync.runs(elsewhere, 5)).toEqual([])
    expect(store.syncJournal.runningSyncs().map(m => m.runId)).toEqual(['run-elsewhere'])
  })

  it('redeploys the devices of an import that committed but whose redeploy never ran', async () => {
    const ws: TestWorkspace = openWorkspace()
    cleanups.push(() => ws.close())
    const { directoryId } = seedSmallOrganisation(ws)
    const enrolled = await ws.call('devices/enroll', {
      serial: 'DEE-1',
      platform: 'android',
      userPrincipalName: 'dee@example.test',
    })
    expect(enrolled.policies).toEqual([])
    // The import commits with the redeploy it owes, and the process stops before redeploying.
    ws.app.services.directories.importUsers(
      directoryId,
      'csv',
      'id,userPrincipalName,department\nu3,dee@example.test,Marketing',
    )
    expect([...ws.app.services.store.syncJournal.pendingRedeploys().values()]).toEqual([[enrolled.device.userId]])
    ws.app.close()

    const app: App = createApp({ dataDir: ws.dir, clock: ws.clock, push: createRecordingPush() })
    try {
      await app.services.directories.settled()
      const device = await app.call('devices/get', { deviceId: enrolled.device.id })
      expect(new Set(device.assignments.map(a => a.policyName))).toEqual(new Set(['Marketing Suite']))
      expect(device.commands.some(c => c.type === 'install_app')).toBe(true)
      expect(app.services.store.syncJournal.pendingRedeploys().size).toBe(0)
    } finally {
      app.close()
    }
  })

  it('finds nothing owed after an import through its channel', async () => {
    const ws: TestWorkspace = openWorkspace()
    cleanups.push(() => ws.close())
    const { directoryId } = seedSmallOrganisation(ws)
    const enrolled = await ws.call('devices/enroll', {
      serial: 'DEE-1',
      platform: 'android',
      userPrincipalName: 'dee@example.test',
    })
    await ws.call('directories/import', {
      directoryId,
      format: 'csv',
      content: 'id,userPrincipalName,department\nu3,dee@example.test,Marketing',
      mode: 'update',
    })
    const device = await ws.call('devices/get', { deviceId: enrolled.device.id })
    expect(device.assignments.map(a => a.policyName)).toContain('Marketing Suite')
    expect(ws.app.services.store.syncJournal.pendingRedeploys().size).toBe(0)
  })
})
