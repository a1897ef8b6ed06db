// After a sync, users whose attributes moved them between groups get their devices redeployed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { App } from '../../../src/main/app'
import { loadDemo } from '../../../src/main/demo'
import { DirectoryData } from '../../fakes/directory-data'
import type { GraphFake } from '../../fakes/graph/server'
import { connectEntra, openEntraApp, startEntraGraph } from '../../helpers/directory'
import { fakeClock } from '../../helpers/workspace'

let graph: GraphFake
let app: App
const cleanups: (() => void | Promise<void>)[] = []

beforeEach(async () => {
  graph = await startEntraGraph(
    { data: new DirectoryData({ users: 40, groups: 6, seed: 9, domain: 'contoso.test' }) },
    cleanups,
  )
  app = openEntraApp(graph, cleanups, { clock: fakeClock() })
  loadDemo(app)
})

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('a sync redeploys the devices of users it moved', () => {
  it("queues the policy of the rule group a user joined, and leaves unchanged users' devices alone", async () => {
    const directoryId = await connectEntra(app)
    await app.call('directories/sync', { directoryId })
    const marketing = app.services.store.groups.list().find(g => g.name.startsWith('Dynamic Marketing'))!
    const crm = (await app.call('policies/list', {})).find(p => p.name === 'Sales CRM Deployment')!
    await app.call('policies/apply', {
      change: { kind: 'target', policyId: crm.id, groupId: marketing.id, mode: 'include' },
    })

    const [mover, stayer] = [...graph.data.users.values()].filter(u => u.department === 'Finance')
    const moved = await app.call('devices/enroll', {
      serial: 'MOVER-1',
      platform: 'ios',
      userPrincipalName: mover!.userPrincipalName,
    })
    const stayed = await app.call('devices/enroll', {
      serial: 'STAYER-1',
      platform: 'ios',
      userPrincipalName: stayer!.userPrincipalName,
    })
    const commandCount = (id: string) => app.call('devices/get', { deviceId: id }).then(x => x.commands.length)
    const stayerBefore = await commandCount(stayed.device.id)
    expect(moved.policies).not.toContain('Sales CRM Deployment')

    graph.data.updateUser(mover!.id, { department: 'Marketing' })
    expect(await app.call('directories/sync', { directoryId })).toMatchObject({
      mode: 'incremental',
      changed: 1,
    })
    const after = await app.call('devices/get', { deviceId: moved.device.id })
    expect(after.commands.some(c => c.type === 'install_app' && c.payload['name'] === 'Salesforce')).toBe(true)
    expect(await commandCount(stayed.device.id)).toBe(stayerBefore)
  })
})
