// The JIT path asks the IdP for the enrolling user's current attributes and groups, and falls
// back to the cache with a recorded warning when the IdP cannot be reached.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { App } from '../../../src/main/app'
import { DirectoryData } from '../../fakes/directory-data'
import type { GraphFake } from '../../fakes/graph/server'
import { recordingSleep } from '../../fakes/router'
import { connectEntra, openEntraApp, startEntraGraph } from '../../helpers/directory'
import { fakeClock } from '../../helpers/workspace'

let graph: GraphFake
let app: App
const cleanups: (() => void | Promise<void>)[] = []

beforeEach(async () => {
  graph = await startEntraGraph({ data: new DirectoryData({ users: 40, groups: 6, seed: 9 }) }, cleanups)
  app = openEntraApp(graph, cleanups, { clock: fakeClock(), sleep: recordingSleep() })
  await app.call('directories/sync', { directoryId: await connectEntra(app) })
})

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('enrollment asks the IdP for the user just in time', () => {
  it("evaluates the attributes and groups the IdP has now, not the last sync's copy", async () => {
    const u = [...graph.data.users.values()].find(x => x.department === 'Sales')!
    graph.data.updateUser(u.id, { department: 'Marketing' })
    const team = graph.data.staticGroups().find(g => !g.members.has(u.id))!
    graph.data.setMember(team.id, u.id, true)
    const r = await app.call('devices/enroll', {
      serial: 'JIT-1',
      platform: 'ios',
      userPrincipalName: u.userPrincipalName,
    })
    expect(r.warnings).toBeUndefined()
    expect(r.groups.some(g => g.startsWith('Dynamic Marketing'))).toBe(true)
    expect(r.groups.some(g => g.startsWith('Dynamic Sales'))).toBe(false)
    expect(r.groups).toContain(team.name)
    expect(
      graph.requests.some(x => decodeURIComponent(x.url).startsWith(`/v1.0/users/${u.userPrincipalName}?$select=`)),
    ).toBe(true)
  })

  it('falls back to the cache with a recorded warning when the IdP is unreachable', async () => {
    const u = [...graph.data.users.values()].find(x => x.department === 'Sales')!
    graph.data.updateUser(u.id, { department: 'Marketing' })
    graph.inject({ kind: 'status', status: 503 }, { path: '/v1.0/users/', times: Infinity })
    const r = await app.call('devices/enroll', {
      serial: 'JIT-2',
      platform: 'android',
      userPrincipalName: u.userPrincipalName,
    })
    expect(r.warnings?.[0]).toMatch(
      /Could not ask Entra ID \(Contoso\) for .*The attributes from the last sync were used\./,
    )
    expect(r.groups.some(g => g.startsWith('Dynamic Sales'))).toBe(true)
    expect(
      app.services.store.audit
        .recent(5)
        .some(e => e.action === 'directories/jitFallback' && e.subject === u.userPrincipalName),
    ).toBe(true)
  })

  it('creates a user the IdP knows but no sync has brought yet', async () => {
    const fresh = graph.data.addUser()
    const r = await app.call('devices/enroll', {
      serial: 'JIT-3',
      platform: 'macos',
      userPrincipalName: fresh.userPrincipalName,
    })
    expect(r.device.userPrincipalName).toBe(fresh.userPrincipalName)
  })
})
