// An app open on a workspace sees what another process (the CLI, a cron sync) writes to it: the
// change log names the domains, and the app announces them as db/changed within its poll.
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/main/app'
import { createChangeWatcher } from '../../src/main/changes-watch'
import type { Domain } from '../../src/shared/changes'
import { fakeClock, seedSmallOrganisation, tempDir, type TestWorkspace } from '../helpers/workspace'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

function open(dir: string, changePollMs: number): App {
  const app = createApp({ dataDir: dir, clock: fakeClock(), changePollMs })
  cleanups.push(() => app.close())
  return app
}

describe("another process's changes", () => {
  it('announces the domains a CLI enrollment touched, and not this process’s own changes', async () => {
    const dir = tempDir()
    cleanups.push(() => dir.remove())
    const open1 = open(dir.path, 0)
    seedSmallOrganisation({ app: open1 } as unknown as TestWorkspace)
    const cli = open(dir.path, 0)
    const seen: Domain[][] = []
    const watcher = createChangeWatcher({
      store: open1.services.store,
      origin: 'the app',
      intervalMs: 0,
      announce: d => seen.push([...d]),
    })
    cleanups.push(() => watcher.stop())
    expect(watcher.check()).toEqual([])

    await cli.call('devices/enroll', { serial: 'CLI-1', platform: 'ios', userPrincipalName: 'alex@example.test' })
    expect(watcher.check()).toEqual(['users', 'groups', 'devices', 'diagnostics', 'workspace'])
    expect(watcher.check()).toEqual([])
    expect(seen).toHaveLength(1)

    // The app's own mutation is announced by its invoke, not again by its watcher (its own
    // connection's commits do not move data_version).
    await open1.call('devices/scan', { deviceId: (await open1.call('devices/page', {})).rows[0]?.id as string })
    expect(watcher.check()).toEqual([])
  })

  it('refreshes an open app within its poll when the CLI enrolls a device', async () => {
    const dir = tempDir()
    cleanups.push(() => dir.remove())
    const app = open(dir.path, 20)
    seedSmallOrganisation({ app } as unknown as TestWorkspace)
    const changed = new Promise<readonly Domain[]>(resolve => app.on('db/changed', p => resolve(p.domains)))
    const cli = open(dir.path, 0)
    await cli.call('devices/enroll', { serial: 'CLI-2', platform: 'android', userPrincipalName: 'sam@example.test' })
    expect(await changed).toContain('devices')
    expect((await app.call('devices/page', { query: 'CLI-2' })).total).toBe(1)
  })
})
