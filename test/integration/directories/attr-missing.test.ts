// SYNC_ATTR_MISSING names the directory and the mapping to fix.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { App } from '../../../src/main/app'
import type { Diagnostic } from '../../../src/shared/domain'
import { DirectoryData } from '../../fakes/directory-data'
import type { GraphFake } from '../../fakes/graph/server'
import { connectEntra, openEntraApp, startEntraGraph } from '../../helpers/directory'
import { fakeClock } from '../../helpers/workspace'

let app: App
let graph: GraphFake
const cleanups: (() => void | Promise<void>)[] = []

beforeEach(async () => {
  graph = await startEntraGraph({ data: new DirectoryData({ users: 5, groups: 2, seed: 2 }) }, cleanups)
  app = openEntraApp(graph, cleanups, { clock: fakeClock() })
})

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('SYNC_ATTR_MISSING after an IdP sync', () => {
  it('says which mapping is empty, and which attribute nothing maps', async () => {
    const directoryId = await connectEntra(app)
    expect((await app.invoke('directories/sync', { directoryId })).ok).toBe(true)
    const { store, groups } = app.services
    store.groups.create({
      id: 'g-ext2',
      directoryId: null,
      name: 'Badge holders',
      kind: 'rule',
      dialect: 'entra',
      rule: 'user.extensionAttribute2 -eq "badge"',
      description: '',
    })
    store.groups.create({
      id: 'g-lang',
      directoryId: null,
      name: 'French speakers',
      kind: 'rule',
      dialect: 'entra',
      rule: 'user.preferredLanguage -eq "fr-FR"',
      description: '',
    })
    store.transaction(() => groups.evaluateUsers(store.sync.userIdsOf(directoryId).map(userId => ({ userId }))))
    const list = (await app.invoke('diagnostics/list', {})) as { ok: true; value: Diagnostic[] }
    const upn = graph.data.someUsers(1)[0]!.userPrincipalName
    const mine = list.value.filter(d => d.code === 'SYNC_ATTR_MISSING' && d.title.startsWith(upn))
    expect(mine.find(d => d.attribute === 'extensionAttribute2')).toMatchObject({
      directoryId,
      remediation: `Contoso maps Entra ID onPremisesExtensionAttributes.extensionAttribute2 → extensionAttribute2, but it is empty for ${upn}: fill onPremisesExtensionAttributes.extensionAttribute2 in Entra ID (or map another property), then Sync Now.`,
    })
    expect(mine.find(d => d.attribute === 'preferredLanguage')?.remediation).toBe(
      'No Entra ID property is mapped to preferredLanguage in Contoso: add one to its attribute mapping (Directories → Contoso), then Sync Now.',
    )
  })
})
