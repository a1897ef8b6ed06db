// The IdP read at an enrollment (JIT) updates the user everywhere: the user's other devices follow
// the new attributes at once, and the redeploy they are owed is journaled with the read's commit,
// so an app that stops in between redeploys them at its next start (like a sync's redeploys).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type App, createApp } from '../../src/main/app'
import { loadDemo } from '../../src/main/demo'
import { DirectoryData } from '../fakes/directory-data'
import { GRAPH_ORIGIN, type GraphFake, LOGIN_ORIGIN, startGraphFake } from '../fakes/graph/server'
import { createRecordingPush } from '../fakes/recording-push'
import { loopbackRouter } from '../fakes/router'
import { connectEntra, ENTRA_APP } from '../helpers/directory'
import { tempDir } from '../helpers/workspace'

let graph: GraphFake
let dir: ReturnType<typeof tempDir>
const apps: App[] = []

beforeEach(async () => {
  dir = tempDir('jit-other-devices-')
  graph = await startGraphFake({ data: new DirectoryData({ users: 40, groups: 6, seed: 5 }), ...ENTRA_APP })
})
afterEach(async () => {
  for (const a of apps.splice(0)) a.close()
  await graph.close()
  dir.remove()
})

const open = (): App => {
  const app = createApp({
    dataDir: dir.path,
    push: createRecordingPush(),
    http: loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url }),
  })
  apps.push(app)
  return app
}

const hasSalesforce = async (app: App, deviceId: string): Promise<boolean> =>
  (await app.call('devices/get', { deviceId })).commands.some(
    c => c.type === 'install_app' && c.payload['name'] === 'Salesforce' && c.state !== 'cancelled',
  )

/** A Finance user with a phone, Sales CRM targeted at the dynamic Marketing group, and the user moved to Marketing in the IdP. */
async function moverWithAPhone(app: App) {
  loadDemo(app)
  const directoryId = await connectEntra(app)
  await app.call('directories/sync', { directoryId })
  const marketing = app.services.store.groups.list().find(g => g.name.startsWith('Dynamic Marketing'))
  const crm = (await app.call('policies/list', {})).find(p => p.name === 'Sales CRM Deployment')
  if (!marketing || !crm) throw new Error('the demo policy or the dynamic Marketing group is missing')
  await app.call('policies/apply', {
    change: { kind: 'target', policyId: crm.id, groupId: marketing.id, mode: 'include' },
  })
  const mover = [...graph.data.users.values()].find(u => u.department === 'Finance')
  if (!mover) throw new Error('no Finance user in the Graph fake')
  const phone = await app.call('devices/enroll', {
    serial: 'PHONE',
    platform: 'android',
    userPrincipalName: mover.userPrincipalName,
  })
  expect(await hasSalesforce(app, phone.device.id)).toBe(false)
  graph.data.updateUser(mover.id, { department: 'Marketing' })
  return { upn: mover.userPrincipalName, phone: phone.device.id }
}

describe("an enrollment's JIT read", () => {
  it("moves the user's other devices at once", async () => {
    const app = open()
    const { upn, phone } = await moverWithAPhone(app)
    const laptop = await app.call('devices/enroll', { serial: 'LAPTOP', platform: 'android', userPrincipalName: upn })
    expect(laptop.policies).toContain('Sales CRM Deployment')
    expect(await hasSalesforce(app, phone)).toBe(true)
    expect(app.services.store.syncJournal.pendingRedeploys().size).toBe(0)
  })

  it('is journaled: an app that stopped before the redeploy does it at its next start', async () => {
    const first = open()
    const { upn, phone } = await moverWithAPhone(first)
    // The read of an enrollment that stops right after it: committed, nothing redeployed yet.
    const read = await first.services.directories.refreshUser(upn)
    expect(read.journal).not.toBeNull()
    expect([...first.services.store.syncJournal.pendingRedeploys().keys()]).toEqual([read.journal])
    expect(await hasSalesforce(first, phone)).toBe(false)
    first.close()
    apps.splice(apps.indexOf(first), 1)

    const again = open()
    await again.services.directories.settled()
    expect(await hasSalesforce(again, phone)).toBe(true)
    expect(again.services.store.syncJournal.pendingRedeploys().size).toBe(0)
  })
})
