// A rule group reads the users of its own directory only; a group made in the rule editor says
// whether it reads one directory's users or every directory's (issue: an Entra tenant's
// "accountEnabled" group also collected a file directory's users).
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/main/app'
import { GRAPH_ORIGIN, LOGIN_ORIGIN } from '../fakes/graph/server'
import { loopbackRouter, recordingSleep } from '../fakes/router'
import { connectEntra, startSmallGraphFake } from '../helpers/directory'
import { fakeClock, tempDir } from '../helpers/workspace'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const FILE_USERS =
  'userPrincipalName,displayName,accountEnabled,department\nann@files.test,Ann,true,Sales\nbob@files.test,Bob,true,Sales\n'

async function twoDirectories(): Promise<{ app: App; entraId: string; fileId: string; dynamicName: string }> {
  const graph = await startSmallGraphFake(cleanups)
  const dynamic = [...graph.data.groups.values()].find(g => g.rule)!
  dynamic.rule = { ...dynamic.rule!, entra: 'user.accountEnabled -eq true' }
  const dir = tempDir()
  const app = createApp({
    dataDir: dir.path,
    clock: fakeClock(),
    sleep: recordingSleep(),
    http: loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url }),
  })
  cleanups.push(
    () => dir.remove(),
    () => app.close(),
  )
  const fileId = app.services.directories.createFileDirectory('Contractors')
  await app.call('directories/import', { directoryId: fileId, format: 'csv', content: FILE_USERS, mode: 'update' })
  const entraId = await connectEntra(app)
  await app.call('directories/sync', { directoryId: entraId })
  return { app, entraId, fileId, dynamicName: dynamic.name }
}

const membersOf = async (app: App, groupId: string): Promise<string[]> =>
  (await app.call('groups/get', { groupId })).members.map(m => m.userPrincipalName)

describe('which users a rule group reads', () => {
  it("puts only its own directory's users in an IdP's dynamic group, whatever the order of syncs and imports", async () => {
    const { app, entraId, fileId, dynamicName } = await twoDirectories()
    const group = (await app.call('groups/list', {})).find(g => g.name === dynamicName)!
    expect(group).toMatchObject({ directoryId: entraId, directoryName: 'Contoso' })
    const entraUsers = app.services.store.users.list(undefined, 1000, 0).rows.filter(u => u.directoryId === entraId)
    const members = await membersOf(app, group.id)
    expect(members.length).toBe(entraUsers.length)
    expect(members).not.toContain('ann@files.test')

    // A later import of the file directory evaluates its users: still not members.
    await app.call('directories/import', {
      directoryId: fileId,
      format: 'csv',
      content: `${FILE_USERS}cy@files.test,Cy,true,Sales\n`,
      mode: 'update',
    })
    expect(await membersOf(app, group.id)).not.toContain('cy@files.test')
  })

  it('lets the admin choose one directory or every directory for a group made in the rule editor', async () => {
    const { app, fileId } = await twoDirectories()
    const everyone = await app.call('groups/create', {
      name: 'Everyone enabled',
      dialect: 'entra',
      rule: 'user.accountEnabled -eq true',
      directoryId: null,
    })
    const contractors = await app.call('groups/create', {
      name: 'Enabled contractors',
      dialect: 'entra',
      rule: 'user.accountEnabled -eq true',
      directoryId: fileId,
    })
    expect(everyone.group).toMatchObject({ directoryId: null, directoryName: null })
    expect(contractors.group).toMatchObject({ directoryId: fileId, directoryName: 'Contractors' })
    expect(await membersOf(app, contractors.group.id)).toEqual(['ann@files.test', 'bob@files.test'])
    const all = await membersOf(app, everyone.group.id)
    expect(all).toContain('ann@files.test')
    expect(all.length).toBeGreaterThan(2)

    const e = await app.invoke('groups/create', {
      name: 'Nowhere',
      dialect: 'entra',
      rule: 'user.accountEnabled -eq true',
      directoryId: 'no-such-directory',
    })
    expect(e).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', details: { field: 'directoryId' } } })
  })

  it("previews a rule edit of a directory's group over that directory's users only", async () => {
    const { app, dynamicName } = await twoDirectories()
    const group = (await app.call('groups/list', {})).find(g => g.name === dynamicName)!
    const preview = await app.call('policies/whatIf', {
      change: { kind: 'rule', groupId: group.id, dialect: 'entra', rule: 'user.department -eq "Sales"' },
    })
    expect(preview.users.map(u => u.userPrincipalName)).not.toContain('ann@files.test')
  })
})
