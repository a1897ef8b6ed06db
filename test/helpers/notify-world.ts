// One IdP fake (Graph, Okta or Google), the app routed to it with the demo policies, its ingress
// running from the workspace settings (a generated certificate the fake is told to trust), the
// directory connected and synced once, Sales CRM targeted at the dynamic Marketing group, and a
// Finance user with an enrolled phone: the set-up of every change-notification test.
import { generateKeyPairSync } from 'node:crypto'
import { type App, type AppOptions, createApp } from '../../src/main/app'
import { loadDemo } from '../../src/main/demo'
import type { DirectoryKind } from '../../src/shared/domain'
import { DirectoryData, type FakeUser } from '../fakes/directory-data'
import {
  CLOUD_IDENTITY_ORIGIN,
  GOOGLE_ADMIN_ORIGIN,
  GOOGLE_OAUTH_ORIGIN,
  startGoogleFake,
  type GoogleFake,
} from '../fakes/google/server'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, startGraphFake, type GraphFake } from '../fakes/graph/server'
import { startFakeIdp } from '../fakes/idp'
import type { NotificationSender } from '../fakes/notification-sender'
import { OKTA_ORIGIN, startOktaFake, type OktaFake } from '../fakes/okta/server'
import { testPki } from '../fakes/pki'
import { createRecordingPush } from '../fakes/recording-push'
import { loopbackRouter } from '../fakes/router'
import { ENTRA_APP } from './directory'
import { freePort } from './ports'
import { tempDir } from './workspace'

export type IdpKind = Exclude<DirectoryKind, 'file'>

export interface NotifyWorld {
  kind: IdpKind
  app: App
  data: DirectoryData
  fake: GraphFake | OktaFake | GoogleFake
  sender: NotificationSender
  directoryId: string
  ingressUrl: string
  /** The Finance user with a phone. */
  mover: FakeUser
  phone: string
  /** Whether the phone has the Salesforce install (Sales CRM, targeted at Marketing) queued. */
  hasSalesforce(): Promise<boolean>
  /** Waits until the fake has nothing in flight and the app has processed what it queued. */
  settle(): Promise<void>
  /** The same app's workspace opened again, as after a restart (the first must be closed). */
  reopen(): App
}

const OKTA_TOKEN = '00okta-api-token-value'
const SA = 'jit-mapper@contoso-project.iam.gserviceaccount.com'
const ADMIN = 'admin@contoso.example'
let saKeys: { publicKey: string; privateKey: string } | undefined
const googleKeys = () =>
  (saKeys ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }))

async function startFake(
  kind: IdpKind,
  data: DirectoryData,
): Promise<{ fake: GraphFake | OktaFake | GoogleFake; routes: Record<string, string> }> {
  if (kind === 'entra') {
    const fake = await startGraphFake({ data, ...ENTRA_APP })
    return { fake, routes: { [GRAPH_ORIGIN]: fake.url, [LOGIN_ORIGIN]: fake.url } }
  }
  if (kind === 'okta') {
    const fake = await startOktaFake({ data, apiToken: OKTA_TOKEN, rateLimit: 100_000 })
    return { fake, routes: { [OKTA_ORIGIN]: fake.url } }
  }
  const fake = await startGoogleFake({
    data,
    serviceAccountEmail: SA,
    publicKey: googleKeys().publicKey,
    admins: [ADMIN],
  })
  return {
    fake,
    routes: { [GOOGLE_OAUTH_ORIGIN]: fake.url, [GOOGLE_ADMIN_ORIGIN]: fake.url, [CLOUD_IDENTITY_ORIGIN]: fake.url },
  }
}

const CONNECTION = {
  entra: () => ({
    settings: { tenantId: ENTRA_APP.tenantId, clientId: ENTRA_APP.clientId },
    secrets: { clientSecret: ENTRA_APP.clientSecret },
  }),
  okta: () => ({ settings: { orgUrl: OKTA_ORIGIN }, secrets: { apiToken: OKTA_TOKEN } }),
  google: () => ({
    settings: { serviceAccountEmail: SA, subject: ADMIN },
    secrets: { privateKey: googleKeys().privateKey },
  }),
}

export async function openNotifyWorld(
  kind: IdpKind,
  cleanups: (() => unknown)[],
  o: { users?: number; options?: Omit<AppOptions, 'dataDir' | 'http'> } = {},
): Promise<NotifyWorld> {
  const pki = testPki()
  const idp = await startFakeIdp(pki)
  cleanups.push(() => idp.close())
  const data = new DirectoryData({ users: o.users ?? 60, groups: 6, seed: 5 })
  const { fake, routes } = await startFake(kind, data)
  cleanups.push(() => fake.close())
  const dir = tempDir('notify-')
  const open = () =>
    createApp({ push: createRecordingPush(), ...o.options, dataDir: dir.path, http: loopbackRouter(routes) })
  let app = open()
  cleanups.push(async () => {
    await app.services.serving.stop().catch(() => {})
    app.close()
    dir.remove()
  })

  const port = await freePort()
  await app.call('ingress/save', {
    address: '127.0.0.1',
    port,
    publicUrl: null,
    startAtLaunch: false,
    oidc: { issuer: idp.issuer, clientId: idp.clientId, tenantId: null, hostedDomain: null, caPem: pki.caPem },
  })
  const generated = await app.call('ingress/generateCertificate', { names: ['127.0.0.1'] })
  const started = await app.call('ingress/start', {})
  const ingressUrl = started.status.url as string
  fake.notifications.ca = generated.certificate?.trustPem ?? null

  loadDemo(app)
  const connected = await app.call('directories/connect', { kind, name: `Contoso ${kind}`, ...CONNECTION[kind]() })
  const directoryId = connected.directory.id
  await app.call('directories/sync', { directoryId })
  // Google's dynamic groups read `organizations`, which the default mapping flattens away; the demo's
  // own Marketing rule (user.department) stands in for them.
  const marketing = app.services.store.groups
    .list()
    .find(g => (kind === 'google' ? g.name === 'Marketing' : g.name.startsWith('Dynamic Marketing')))
  const crm = (await app.call('policies/list', {})).find(p => p.name === 'Sales CRM Deployment')
  if (!marketing || !crm) throw new Error('the demo policy or the dynamic Marketing group is missing')
  await app.call('policies/apply', {
    change: { kind: 'target', policyId: crm.id, groupId: marketing.id, mode: 'include' },
  })
  const mover = [...data.users.values()].find(u => u.department === 'Finance')
  if (!mover) throw new Error('no Finance user in the fake')
  const enrolled = await app.call('devices/enroll', {
    serial: 'PHONE',
    platform: 'android',
    userPrincipalName: mover.userPrincipalName,
  })
  const world: NotifyWorld = {
    kind,
    get app() {
      return app
    },
    data,
    fake,
    sender: fake.notifications,
    directoryId,
    ingressUrl,
    mover,
    phone: enrolled.device.id,
    async hasSalesforce() {
      return (await app.call('devices/get', { deviceId: enrolled.device.id })).commands.some(
        c => c.type === 'install_app' && c.payload['name'] === 'Salesforce' && c.state !== 'cancelled',
      )
    },
    async settle() {
      await fake.notifications.settled()
      await app.services.notifications.processor.drain()
    },
    reopen() {
      app = open()
      return app
    },
  }
  return world
}
