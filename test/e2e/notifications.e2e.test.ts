// The Settings page turns on an Entra directory's change notifications: the Graph fake validates the
// ingress's endpoint, the panel shows them active with their expiry, Send test comes back, and a
// department move in the fake reaches the device without a sync. The real services, the built
// renderer over the loopback host, headless Chromium.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Host } from '../../src/main/headless/host'
import type { HttpPort } from '../../src/main/ports'
import { DirectoryData } from '../fakes/directory-data'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, startGraphFake, type GraphFake } from '../fakes/graph/server'
import { startFakeIdp, type FakeIdp } from '../fakes/idp'
import { testPki } from '../fakes/pki'
import { loopbackRouter } from '../fakes/router'
import { ENTRA_APP } from '../helpers/directory'
import { e2eTest, screenshot } from '../helpers/e2e'
import { freePort } from '../helpers/ports'

const pki = testPki()
let idp: FakeIdp
let graph: GraphFake
let routes: HttpPort | null = null
// The app is made before the fake starts: its IdP traffic goes through this once it has.
const http: HttpPort = {
  fetch: (url, init) => (routes ? routes.fetch(url, init) : Promise.reject(new Error('no Graph fake yet'))),
}
const test = e2eTest.extend('e2e', { scope: 'file' }, { demo: true, app: { http } })

const open = (page: Page, host: Host, hash: string) => page.goto(`${new URL(host.url).origin}/${hash}`)

test.describe('change notifications on the Settings page', () => {
  test.beforeAll(async () => {
    idp = await startFakeIdp(pki)
    graph = await startGraphFake({ data: new DirectoryData({ users: 40, groups: 6, seed: 5 }), ...ENTRA_APP })
    routes = loopbackRouter({ [GRAPH_ORIGIN]: graph.url, [LOGIN_ORIGIN]: graph.url })
  })
  test.afterAll(async ({ app }) => {
    await app.services.serving.stop()
    await graph.close()
    await idp.close()
  })

  test('turns them on, tests them, and a move reaches the device', async ({ page, host, app, problems }) => {
    const port = await freePort()
    await app.call('ingress/save', {
      address: '127.0.0.1',
      port,
      publicUrl: null,
      startAtLaunch: false,
      oidc: { issuer: idp.issuer, clientId: idp.clientId, tenantId: null, hostedDomain: null, caPem: pki.caPem },
    })
    const generated = await app.call('ingress/generateCertificate', { names: ['127.0.0.1'] })
    await app.call('ingress/start', {})
    graph.notifications.ca = generated.certificate?.trustPem ?? null
    const connected = await app.call('directories/connect', {
      kind: 'entra',
      name: 'Contoso',
      settings: { tenantId: ENTRA_APP.tenantId, clientId: ENTRA_APP.clientId },
      secrets: { clientSecret: ENTRA_APP.clientSecret },
    })
    await app.call('directories/sync', { directoryId: connected.directory.id })
    const marketing = app.services.store.groups.list().find(g => g.name.startsWith('Dynamic Marketing'))
    const crm = (await app.call('policies/list', {})).find(p => p.name === 'Sales CRM Deployment')
    if (!marketing || !crm) throw new Error('the demo policy or the dynamic Marketing group is missing')
    await app.call('policies/apply', {
      change: { kind: 'target', policyId: crm.id, groupId: marketing.id, mode: 'include' },
    })
    const mover = [...graph.data.users.values()].find(u => u.department === 'Finance')
    if (!mover) throw new Error('no Finance user')
    const phone = await app.call('devices/enroll', {
      serial: 'E2E-PHONE',
      platform: 'android',
      userPrincipalName: mover.userPrincipalName,
    })

    await open(page, host, '#/settings')
    const row = page.getByRole('listitem', { name: 'Notifications from Contoso' })
    await row.getByText('off', { exact: true }).waitFor()
    await row.getByRole('button', { name: 'Turn on' }).click()
    await row.getByText('active', { exact: true }).waitFor()
    await row.getByText('Subscription expires').waitFor()
    await row.getByRole('button', { name: 'Send test' }).click()
    await row.getByText('arrived', { exact: true }).waitFor()
    await screenshot(page, 'settings-notifications')

    graph.data.updateUser(mover.id, { department: 'Marketing' })
    await graph.notifications.settled()
    await app.services.notifications.processor.drain()
    const device = await app.call('devices/get', { deviceId: phone.device.id })
    expect(device.commands.some(c => c.type === 'install_app' && c.payload['name'] === 'Salesforce')).toBe(true)
    expect(problems).toEqual([])
  })
})
