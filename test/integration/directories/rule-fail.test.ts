// GROUP_RULE_FAIL from each IdP's own membership of its rule groups, synced over HTTP from the
// fakes: Entra's dynamic members (members@delta, full and incremental), Okta's rule target groups
// (listed with the rule's members and those assigned by hand), Google's dynamic groups (Cloud
// Identity memberships). The fakes' rule groups list exactly the users their rule selects; a test
// then makes the IdP list someone else, as an IdP that has not caught up (or reads another value)
// would.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { App } from '../../../src/main/app'
import { createApp } from '../../../src/main/app'
import type { Diagnostic, DirectoryDetail } from '../../../src/shared/domain'
import { DirectoryData, type FakeGroup, type FakeUser } from '../../fakes/directory-data'
import {
  CLOUD_IDENTITY_ORIGIN,
  GOOGLE_ADMIN_ORIGIN,
  GOOGLE_OAUTH_ORIGIN,
  startGoogleFake,
} from '../../fakes/google/server'
import { OKTA_ORIGIN, startOktaFake } from '../../fakes/okta/server'
import { loopbackRouter } from '../../fakes/router'
import { connectEntra, openEntraApp, startSmallGraphFake } from '../../helpers/directory'
import { fakeClock, tempDir } from '../../helpers/workspace'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A rule group of the fake, a user it lists and a user of another department it does not. */
function pick(data: DirectoryData): { group: FakeGroup; member: FakeUser; outsider: FakeUser } {
  const group = [...data.groups.values()].find(g => g.rule && g.members.size > 1) as FakeGroup
  const member = data.users.get([...group.members][0] as string) as FakeUser
  const outsider = [...data.users.values()].find(
    u => u.department !== null && u.department !== member.department && !group.members.has(u.id),
  ) as FakeUser
  return { group, member, outsider }
}

async function ruleFails(app: App): Promise<{ upn: string; group: string; title: string; d: Diagnostic }[]> {
  const { store } = app.services
  return (await app.call('diagnostics/list', {}))
    .filter(d => d.code === 'GROUP_RULE_FAIL')
    .map(d => ({
      upn: store.users.summary(d.userId as string)?.userPrincipalName as string,
      group: store.groups.get(d.groupId as string)?.name as string,
      title: d.title,
      d,
    }))
    .sort((a, b) => a.upn.localeCompare(b.upn))
}

async function sync(app: App, directoryId: string): Promise<void> {
  const run = await app.call('directories/sync', { directoryId })
  expect(run.status).toBe('succeeded')
}

describe('GROUP_RULE_FAIL from the IdP’s own members of its rule groups', () => {
  it('Entra: dynamic members that disagree with the rule, on a full and an incremental sync', async () => {
    const graph = await startSmallGraphFake(cleanups)
    const { group, member, outsider } = pick(graph.data)
    // Entra lists a user of another department, and not one of its own.
    graph.data.setMember(group.id, outsider.id, true)
    graph.data.setMember(group.id, member.id, false)
    const app = openEntraApp(graph, cleanups, { clock: fakeClock() })
    const id = await connectEntra(app)
    await sync(app, id)
    const found = await ruleFails(app)
    expect(found.map(f => [f.upn, f.group, f.d.trigger])).toEqual(
      [
        [member.userPrincipalName, group.name, 'idp-disagrees'],
        [outsider.userPrincipalName, group.name, 'idp-disagrees'],
      ].sort((a, b) => (a[0] as string).localeCompare(b[0] as string)),
    )
    const lists = found.find(f => f.upn === outsider.userPrincipalName)
    expect(lists?.title).toBe(
      `Entra ID lists ${outsider.userPrincipalName} in ${group.name}, but its rule leaves ${outsider.userPrincipalName} out here`,
    )
    expect(lists?.d.explanation).toContain('JIT Mapper trusts its own evaluation')
    expect(lists?.d.explanation).toContain(`(the user has ${JSON.stringify(outsider.department)})`)
    // The policies follow JIT Mapper's evaluation: the outsider is not a member, the member is.
    const members = (await app.call('groups/get', { groupId: lists?.d.groupId as string })).members.map(
      m => m.userPrincipalName,
    )
    expect(members).toContain(member.userPrincipalName)
    expect(members).not.toContain(outsider.userPrincipalName)

    // Entra catches up (members@delta: the member added, the outsider removed): nothing left.
    graph.data.setMember(group.id, member.id, true)
    graph.data.setMember(group.id, outsider.id, false)
    await sync(app, id)
    expect(await ruleFails(app)).toEqual([])
  })

  it('Okta: a rule target group that lacks a user its rule selects; one assigned by hand is no failure', async () => {
    const data = new DirectoryData({ users: 120, groups: 6, seed: 11 })
    const { group, member, outsider } = pick(data)
    data.setMember(group.id, member.id, false)
    data.setMember(group.id, outsider.id, true)
    const okta = await startOktaFake({ data, apiToken: 'token-1', now: () => Date.parse('2026-11-02T09:00:00Z') })
    cleanups.push(() => okta.close())
    const dir = tempDir()
    const app = createApp({ dataDir: dir.path, clock: fakeClock(), http: loopbackRouter({ [OKTA_ORIGIN]: okta.url }) })
    cleanups.push(() => {
      app.close()
      dir.remove()
    })
    const connected = await app.call('directories/connect', {
      kind: 'okta',
      name: 'Contoso Okta',
      settings: { orgUrl: OKTA_ORIGIN },
      secrets: { apiToken: 'token-1' },
    })
    await sync(app, connected.directory.id)
    const found = await ruleFails(app)
    expect(found.map(f => [f.upn, f.group, f.d.trigger])).toEqual([
      [member.userPrincipalName, group.name, 'idp-disagrees'],
    ])
    expect(found[0]?.title).toBe(
      `${member.userPrincipalName} is in ${group.name} here, but Okta does not list ${member.userPrincipalName}`,
    )
    expect(found[0]?.d.explanation).toContain('Okta does not apply group rules to users who are not active')
    // A rule group made here for the Okta directory has no Okta listing to disagree with.
    await app.call('groups/create', {
      name: 'Local copy',
      dialect: 'okta',
      rule: `user.department == "${member.department}"`,
      directoryId: connected.directory.id,
    })
    expect((await ruleFails(app)).map(f => f.group)).toEqual([group.name])
  })

  it('Google: dynamic group members read from Cloud Identity that disagree with the query', async () => {
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    })
    const data = new DirectoryData({ users: 150, groups: 5, seed: 5 })
    const { group, member, outsider } = pick(data)
    // The same query on the synced department attribute: the default mapping flattens Google's
    // organizations[] to its primary entry, so the fake's organizations.exists(…) query reads
    // nothing here (SYNC_ATTR_MISSING for every user, which is never GROUP_RULE_FAIL).
    group.rule = {
      ...(group.rule as NonNullable<FakeGroup['rule']>),
      google: `user.department == '${member.department}'`,
    }
    data.setMember(group.id, outsider.id, true)
    const sa = 'jit-mapper@contoso-project.iam.gserviceaccount.com'
    const google = await startGoogleFake({
      data,
      serviceAccountEmail: sa,
      publicKey: keys.publicKey,
      admins: ['admin@contoso.example'],
    })
    cleanups.push(() => google.close())
    const dir = tempDir()
    const app = createApp({
      dataDir: dir.path,
      clock: fakeClock(),
      http: loopbackRouter({
        [GOOGLE_OAUTH_ORIGIN]: google.url,
        [GOOGLE_ADMIN_ORIGIN]: google.url,
        [CLOUD_IDENTITY_ORIGIN]: google.url,
      }),
    })
    cleanups.push(() => {
      app.close()
      dir.remove()
    })
    const r = await app.invoke('directories/connect', {
      kind: 'google',
      name: 'Contoso Workspace',
      settings: { serviceAccountEmail: sa, subject: 'admin@contoso.example' },
      secrets: { privateKey: keys.privateKey },
    })
    if (!r.ok) throw new Error(r.error.message)
    await sync(app, (r.value as DirectoryDetail).directory.id)
    expect(google.requests.some(q => q.url.startsWith(`/v1/groups/${group.id}/memberships`))).toBe(true)
    const found = await ruleFails(app)
    expect(found.map(f => [f.upn, f.group, f.d.trigger])).toEqual([
      [outsider.userPrincipalName, group.name, 'idp-disagrees'],
    ])
    expect(found[0]?.title).toContain('Google Workspace lists')
    // The member Google lists and the rule selects is no failure.
    expect(found.some(f => f.upn === member.userPrincipalName)).toBe(false)
  })
})
