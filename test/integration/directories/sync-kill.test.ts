// kill -9 of the app in the middle of an incremental sync, then a restart on the same workspace:
// the sync changed everything or nothing, its history says what happened, and every device of a
// user the sync moved gets its commands (after the restart, plus one more sync when the killed
// one was lost). The app runs as a child process that SIGKILLs itself at a named crash point
// (test/fakes/crash-child.ts).
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import { DirectoryData } from '../../fakes/directory-data'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, startGraphFake, type GraphFake } from '../../fakes/graph/server'
import { createRecordingPush } from '../../fakes/recording-push'
import { loopbackRouter } from '../../fakes/router'
import { buildCrashChild, runCrashChild } from '../../helpers/crash-child'
import { connectEntra, ENTRA_APP } from '../../helpers/directory'
import { tempDir } from '../../helpers/workspace'
import { loadDemo } from '../../../src/main/demo'

const bundleDir = tempDir('jit-crash-child-')
let childScript: string
beforeAll(async () => {
  childScript = await buildCrashChild(bundleDir.path)
}, 60_000)
afterAll(() => bundleDir.remove())

const open = (dataDir: string, graph: GraphFake): App =>
  createApp({
    dataDir,
    push: createRecordingPush(),
    http: loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url }),
  })

const hasSalesforce = async (app: App, deviceId: string): Promise<boolean> =>
  (await app.call('devices/get', { deviceId })).commands.some(
    c => c.type === 'install_app' && c.payload['name'] === 'Salesforce',
  )

/**
 * An Entra directory of 300 users synced once, the Sales CRM policy targeted at its dynamic
 * Marketing group, a device for each of six Finance users, and then every Finance user moved to
 * Marketing in the IdP (the next sync's changes).
 */
async function movedDepartments(dataDir: string, graph: GraphFake) {
  const app = open(dataDir, graph)
  try {
    loadDemo(app)
    const directoryId = await connectEntra(app)
    await app.call('directories/sync', { directoryId })
    const marketing = app.services.store.groups.list().find(g => g.name.startsWith('Dynamic Marketing'))
    const crm = (await app.call('policies/list', {})).find(p => p.name === 'Sales CRM Deployment')
    if (!marketing || !crm) throw new Error('the demo policy or the dynamic Marketing group is missing')
    await app.call('policies/apply', {
      change: { kind: 'target', policyId: crm.id, groupId: marketing.id, mode: 'include' },
    })
    const movers = [...graph.data.users.values()].filter(u => u.department === 'Finance')
    const devices: string[] = []
    for (const [i, u] of movers.slice(0, 6).entries()) {
      const r = await app.call('devices/enroll', {
        serial: `MOVER-${i}`,
        platform: 'android',
        userPrincipalName: u.userPrincipalName,
      })
      expect(r.policies).not.toContain('Sales CRM Deployment')
      devices.push(r.device.id)
    }
    for (const u of movers) graph.data.updateUser(u.id, { department: 'Marketing' })
    const runs = (await app.call('directories/get', { directoryId })).history.length
    return { directoryId, upns: movers.map(u => u.userPrincipalName), devices, runs }
  } finally {
    app.close()
  }
}

/** The stored departments of these users, counted. */
function departments(app: App, upns: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const upn of upns) {
    const id = app.services.store.users.idByPrincipalName(upn) as string
    const d = String(app.services.store.users.attributes(id)['department'])
    out[d] = (out[d] ?? 0) + 1
  }
  return out
}

describe('kill -9 in the middle of an incremental sync', () => {
  it('changes nothing when killed half-way through the apply; the history says so and the next sync delivers', async () => {
    const graph = await startGraphFake({
      data: new DirectoryData({ users: 300, groups: 30, seed: 11 }),
      ...ENTRA_APP,
      pageSize: 40,
    })
    const dir = tempDir()
    const ws = join(dir.path, 'ws')
    try {
      const setup = await movedDepartments(ws, graph)
      expect(setup.upns.length).toBeGreaterThan(20)

      const killed = await runCrashChild(childScript, {
        JIT_CHILD: 'sync',
        JIT_DATA: ws,
        JIT_GRAPH: graph.url,
        JIT_DIRECTORY: setup.directoryId,
        // Small write transactions: a chunked apply would have committed some of them.
        JIT_SYNC_CHUNK: '5',
        JIT_CRASH_AT: 'sync:apply-mid:1',
      })
      expect(killed.signal).toBe('SIGKILL')

      const app = open(ws, graph)
      try {
        await app.services.directories.settled()
        expect(departments(app, setup.upns)).toEqual({ Finance: setup.upns.length })
        const history = (await app.call('directories/get', { directoryId: setup.directoryId })).history
        expect(history).toHaveLength(setup.runs + 1)
        expect(history[0]).toMatchObject({ status: 'failed', added: 0, changed: 0, removed: 0 })
        expect(history[0]?.error).toMatch(/stopped before it finished.*nothing was changed/)
        for (const d of setup.devices) expect(await hasSalesforce(app, d)).toBe(false)

        expect(await app.call('directories/sync', { directoryId: setup.directoryId })).toMatchObject({
          status: 'succeeded',
          mode: 'incremental',
          changed: setup.upns.length,
        })
        expect(departments(app, setup.upns)).toEqual({ Marketing: setup.upns.length })
        for (const d of setup.devices) expect(await hasSalesforce(app, d)).toBe(true)
      } finally {
        app.close()
      }
    } finally {
      await graph.close()
      dir.remove()
    }
  }, 60_000)

  it('loses no command when killed after the apply committed, before the devices were redeployed', async () => {
    const graph = await startGraphFake({
      data: new DirectoryData({ users: 300, groups: 30, seed: 11 }),
      ...ENTRA_APP,
      pageSize: 40,
    })
    const dir = tempDir()
    const ws = join(dir.path, 'ws')
    try {
      const setup = await movedDepartments(ws, graph)
      const killed = await runCrashChild(childScript, {
        JIT_CHILD: 'sync',
        JIT_DATA: ws,
        JIT_GRAPH: graph.url,
        JIT_DIRECTORY: setup.directoryId,
        JIT_CRASH_AT: 'sync:after-commit:1',
      })
      expect(killed.signal).toBe('SIGKILL')

      const app = open(ws, graph)
      try {
        await app.services.directories.settled()
        expect(departments(app, setup.upns)).toEqual({ Marketing: setup.upns.length })
        const history = (await app.call('directories/get', { directoryId: setup.directoryId })).history
        expect(history).toHaveLength(setup.runs + 1)
        expect(history[0]).toMatchObject({ status: 'succeeded', changed: setup.upns.length })
        // No further sync: the restart redeployed what the killed sync had changed.
        for (const d of setup.devices) expect(await hasSalesforce(app, d)).toBe(true)
        expect(await app.call('directories/sync', { directoryId: setup.directoryId })).toMatchObject({
          status: 'succeeded',
          changed: 0,
        })
      } finally {
        app.close()
      }
    } finally {
      await graph.close()
      dir.remove()
    }
  }, 60_000)
})
