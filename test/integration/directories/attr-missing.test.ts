// SYNC_ATTR_MISSING names the directory and the mapping to fix.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import type { DirectoryDetail, Diagnostic } from '../../../src/shared/domain'
import { DirectoryData } from '../../fakes/directory-data'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, startGraphFake, type GraphFake } from '../../fakes/graph/server'
import { loopbackRouter } from '../../fakes/router'
import { fakeClock, tempDir } from '../../helpers/workspace'

let graph: GraphFake
let dir: ReturnType<typeof tempDir>
let app: App

beforeEach(async () => {
  graph = await startGraphFake({
    data: new DirectoryData({ users: 5, groups: 2, seed: 2 }),
    tenantId: 'contoso.example',
    clientId: 'c',
    clientSecret: 's',
  })
  dir = tempDir()
  app = createApp({
    dataDir: dir.path,
    clock: fakeClock(),
    http: loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url }),
  })
})

afterEach(async () => {
  app.close()
  await graph.close()
  dir.remove()
})

describe('SYNC_ATTR_MISSING after an IdP sync', () => {
  it('says which mapping is empty, and which attribute nothing maps', async () => {
    const r = await app.invoke('directories/connect', {
      kind: 'entra',
      name: 'Contoso',
      settings: { tenantId: 'contoso.example', clientId: 'c' },
      secrets: { clientSecret: 's' },
    })
    if (!r.ok) throw new Error(r.error.message)
    const directoryId = (r.value as DirectoryDetail).directory.id
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
    store.transaction(() => groups.evaluateUsers(store.sync.allUserIds().map(userId => ({ userId }))))
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
