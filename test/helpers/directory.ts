// Helpers for directory sync tests: a comparable picture of what a sync stored, and a small
// Entra organisation on the Graph fake with the app connected to it.
import type { App } from '../../src/main/app'
import { DirectoryData } from '../fakes/directory-data'
import { startGraphFake, type GraphFake } from '../fakes/graph/server'

/** The tenant and app registration the Graph fake accepts in these tests. */
export const ENTRA_APP = { tenantId: 'contoso.example', clientId: 'client-1', clientSecret: 'secret-1' }

/** 300 users and 30 groups, in pages of 40 (several pages of each); closed with the test's cleanups. */
export async function startSmallGraphFake(cleanups: (() => void | Promise<void>)[]): Promise<GraphFake> {
  const graph = await startGraphFake({
    data: new DirectoryData({ users: 300, groups: 30, seed: 11 }),
    ...ENTRA_APP,
    pageSize: 40,
    membersPerEntry: 10,
  })
  cleanups.push(() => graph.close())
  return graph
}

/** Connects the fake's tenant as directory "Contoso"; its id. */
export async function connectEntra(app: App): Promise<string> {
  const d = await app.call('directories/connect', {
    kind: 'entra',
    name: 'Contoso',
    settings: { tenantId: ENTRA_APP.tenantId, clientId: ENTRA_APP.clientId },
    secrets: { clientSecret: ENTRA_APP.clientSecret },
  })
  return d.directory.id
}

/**
 * Users with attributes, groups with kind and rule, memberships — by names, not local ids,
 * so two workspaces synced from the same IdP state compare equal.
 */
export function storeSnapshot(app: App): string {
  const { store } = app.services
  const users = store.users.list(undefined, 1000, 0).rows.map(u => ({
    upn: u.userPrincipalName,
    name: u.displayName,
    attributes: store.users.attributes(u.id),
    groups: store.groups
      .membershipsOf(u.id)
      .map(m => `${m.groupName}:${m.state}`)
      .sort(),
  }))
  users.sort((a, b) => a.upn.localeCompare(b.upn))
  const groups = store.groups
    .list()
    .map(g => ({
      name: g.name,
      kind: g.kind,
      dialect: g.dialect,
      rule: g.rule,
      members: g.memberCount,
      unknown: g.unknownCount,
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
  return JSON.stringify({ users, groups })
}
