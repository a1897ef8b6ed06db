// The one set-up of the directory suites (integration and end-to-end): an Entra organisation on
// the Graph fake, an app whose IdP traffic is routed to it, the connection as directory
// "Contoso", and a comparable picture of what a sync stored.
import { createApp, type App, type AppOptions } from '../../src/main/app'
import type { HttpPort } from '../../src/main/ports'
import { DirectoryData } from '../fakes/directory-data'
import {
  GRAPH_ORIGIN,
  LOGIN_ORIGIN,
  startGraphFake,
  type GraphFake,
  type GraphFakeOptions,
} from '../fakes/graph/server'
import { loopbackRouter } from '../fakes/router'
import { tempDir } from './workspace'

/** The tenant and app registration the Graph fake accepts in these tests. */
export const ENTRA_APP = { tenantId: 'contoso.example', clientId: 'client-1', clientSecret: 'secret-1' }
export type EntraApp = typeof ENTRA_APP

/** A Graph fake for ENTRA_APP (or the given registration) serving `data`; closed with `cleanups` when given. */
export async function startEntraGraph(
  options: Omit<GraphFakeOptions, 'tenantId' | 'clientId' | 'clientSecret'> & { registration?: EntraApp },
  cleanups?: (() => void | Promise<void>)[],
): Promise<GraphFake> {
  const { registration = ENTRA_APP, ...rest } = options
  const graph = await startGraphFake({ ...registration, ...rest })
  cleanups?.push(() => graph.close())
  return graph
}

/** Outbound HTTP that reaches the Graph fake for Graph's and Entra's login hosts. */
export const graphRoutes = (graph: GraphFake): HttpPort =>
  loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url })

/**
 * An app on a new temp workspace whose IdP traffic goes to the Graph fake; closed and its folder
 * removed with `cleanups`.
 */
export function openEntraApp(
  graph: GraphFake,
  cleanups: (() => void | Promise<void>)[],
  options: Omit<AppOptions, 'dataDir'> = {},
): App {
  const dir = tempDir()
  const app = createApp({ http: graphRoutes(graph), ...options, dataDir: dir.path })
  cleanups.push(() => {
    app.close()
    dir.remove()
  })
  return app
}

/** 300 users and 30 groups, in pages of 40 (several pages of each); closed with the test's cleanups. */
export function startSmallGraphFake(cleanups: (() => void | Promise<void>)[]): Promise<GraphFake> {
  return startEntraGraph(
    { data: new DirectoryData({ users: 300, groups: 30, seed: 11 }), pageSize: 40, membersPerEntry: 10 },
    cleanups,
  )
}

/** Connects the fake's tenant as directory "Contoso" (or `name`); its id. */
export async function connectEntra(app: App, registration: EntraApp = ENTRA_APP, name = 'Contoso'): Promise<string> {
  const d = await app.call('directories/connect', {
    kind: 'entra',
    name,
    settings: { tenantId: registration.tenantId, clientId: registration.clientId },
    secrets: { clientSecret: registration.clientSecret },
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
