// The app runs the device ingress itself: settings in the workspace, a certificate made for the
// LAN or imported, start, stop, restart on a change, and a status that says why a start failed.
import { connect } from 'node:tls'
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest'
import type { ArgsOf } from '../../../src/shared/contract'
import { AndroidAgent } from '../../fakes/android-agent'
import { startFakeIdp, type FakeIdp } from '../../fakes/idp'
import { testPki, type TestPki } from '../../fakes/pki'
import { freePort, occupyPort } from '../../helpers/ports'
import { fakeClock, openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

let pki: TestPki
let idp: FakeIdp
const cleanups: (() => unknown)[] = []

beforeAll(async () => {
  pki = testPki()
  // The IdP's time is the workspaces' (each starts its fake clock at the same instant).
  idp = await startFakeIdp(pki, fakeClock().now)
})
afterAll(() => idp.close())
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function workspace(): TestWorkspace {
  const ws = openWorkspace()
  seedSmallOrganisation(ws)
  cleanups.push(async () => {
    await ws.call('ingress/stop', {})
    ws.close()
  })
  return ws
}

const settings = (port: number, patch: Partial<ArgsOf<'ingress/save'>> = {}): ArgsOf<'ingress/save'> => ({
  address: '127.0.0.1',
  port,
  publicUrl: null,
  startAtLaunch: false,
  oidc: {
    provider: idp.kind,
    issuer: idp.issuer,
    clientId: idp.clientId,
    tenantId: null,
    hostedDomain: null,
    caPem: pki.caPem,
  },
  ...patch,
})

/** Enrolls an Android agent through the ingress at `url`, trusting the generated root and the IdP's CA. */
async function enrolls(url: string, trustPem: string, serial: string): Promise<number> {
  const agent = new AndroidAgent({ serverUrl: url, ca: `${trustPem}\n${pki.caPem}`, serial })
  try {
    return (await agent.enroll('kim@example.test')).status
  } finally {
    agent.close()
  }
}

const refused = (port: number) =>
  new Promise<string>(resolve => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      s.destroy()
      resolve('connected')
    })
    s.on('error', e => resolve((e as NodeJS.ErrnoException).code ?? 'error'))
  })

describe('the ingress run by the app', () => {
  it('starts from the workspace settings with a generated certificate, serves enrollment, and stops', async () => {
    const ws = workspace()
    const empty = await ws.call('ingress/get', {})
    expect(empty.status).toEqual({ state: 'stopped', url: null, startedAt: null, error: null })
    expect(empty.warnings.join('\n')).toMatch(/No sign-in provider[\s\S]*No certificate/)

    const port = await freePort()
    await ws.call('ingress/save', settings(port))
    const generated = await ws.call('ingress/generateCertificate', { names: ['127.0.0.1', 'localhost'] })
    expect(generated.certificate).toMatchObject({ source: 'generated', names: ['127.0.0.1', 'localhost'] })
    expect(generated.warnings).toEqual(['Listening on 127.0.0.1: only this computer can reach it, not devices.'])

    const started = await ws.call('ingress/start', {})
    expect(started.status).toMatchObject({ state: 'running', url: `https://127.0.0.1:${port}`, error: null })
    const trust = started.certificate?.trustPem as string
    expect(await enrolls(started.status.url as string, trust, 'HOST-1')).toBe(200)
    expect((await ws.call('devices/list', {})).map(d => d.serial)).toContain('HOST-1')

    const stopped = await ws.call('ingress/stop', {})
    expect(stopped.status.state).toBe('stopped')
    expect(await refused(port)).toBe('ECONNREFUSED')
    const audit = ws.app.services.store.audit.recent(10).map(a => a.action)
    expect(audit).toEqual(
      expect.arrayContaining(['ingress/save', 'ingress/generateCertificate', 'ingress/start', 'ingress/stop']),
    )
  }, 30_000)

  it('says what is missing before it can start', async () => {
    const ws = workspace()
    const e = await ws.callError('ingress/start', {})
    expect(e).toMatchObject({ code: 'INGRESS_NOT_CONFIGURED', details: { field: 'oidc' } })
    await ws.call('ingress/save', settings(await freePort()))
    expect(await ws.callError('ingress/start', {})).toMatchObject({
      code: 'INGRESS_NOT_CONFIGURED',
      details: { field: 'certificate' },
    })
    expect((await ws.call('ingress/get', {})).status).toMatchObject({
      state: 'failed',
      error: { code: 'INGRESS_NOT_CONFIGURED' },
    })
    await ws.call('ingress/generateCertificate', { names: ['127.0.0.1'] })
    await ws.call('ingress/save', settings(await freePort(), { address: '0.0.0.0' }))
    expect(await ws.callError('ingress/start', {})).toMatchObject({
      code: 'INGRESS_NOT_CONFIGURED',
      details: { field: 'publicUrl' },
    })
  })

  it('reports a port in use as INGRESS_PORT_IN_USE in the answer and the status, and starts once it is free', async () => {
    const ws = workspace()
    const taken = await occupyPort()
    cleanups.push(() => taken.close())
    await ws.call('ingress/save', settings(taken.port))
    await ws.call('ingress/generateCertificate', { names: ['127.0.0.1'] })
    const e = await ws.callError('ingress/start', {})
    expect(e.code).toBe('INGRESS_PORT_IN_USE')
    expect(e.message).toContain(`Port ${taken.port} on 127.0.0.1 is in use by another program`)
    expect((await ws.call('ingress/get', {})).status).toMatchObject({
      state: 'failed',
      url: null,
      error: { code: 'INGRESS_PORT_IN_USE' },
    })
    await taken.close()
    expect((await ws.call('ingress/start', {})).status.state).toBe('running')
  })

  it('reports an IdP it cannot reach as INGRESS_IDP_UNREACHABLE', async () => {
    const ws = workspace()
    const nobody = await freePort()
    await ws.call(
      'ingress/save',
      settings(await freePort(), { oidc: { ...settings(0).oidc, issuer: `https://127.0.0.1:${nobody}` } }),
    )
    await ws.call('ingress/generateCertificate', { names: ['127.0.0.1'] })
    expect(await ws.callError('ingress/start', {})).toMatchObject({ code: 'INGRESS_IDP_UNREACHABLE' })
  })

  it('restarts on the new port when the settings change while running, and with a new certificate', async () => {
    const ws = workspace()
    const [first, second] = [await freePort(), await freePort()]
    await ws.call('ingress/save', settings(first))
    await ws.call('ingress/generateCertificate', { names: ['127.0.0.1'] })
    await ws.call('ingress/start', {})
    const moved = await ws.call('ingress/save', settings(second))
    expect(moved.status).toMatchObject({ state: 'running', url: `https://127.0.0.1:${second}` })
    expect(await refused(first)).toBe('ECONNREFUSED')
    expect(await enrolls(moved.status.url as string, moved.certificate?.trustPem as string, 'MOVE-1')).toBe(200)

    const renewed = await ws.call('ingress/generateCertificate', { names: ['127.0.0.1', 'jit.lan'] })
    expect(renewed.certificate?.fingerprint).not.toBe(moved.certificate?.fingerprint)
    expect(renewed.status.state).toBe('running')
    const presented = await new Promise<string>((resolve, reject) => {
      const s = connect(
        { host: '127.0.0.1', port: second, ca: renewed.certificate?.trustPem as string, servername: 'jit.lan' },
        () => {
          const fp = s.getPeerCertificate().fingerprint256
          s.destroy()
          resolve(fp)
        },
      )
      s.on('error', reject)
    })
    expect(presented).toBe(renewed.certificate?.fingerprint)
  }, 30_000)

  it('serves with the generated certificate only for the names it was made for', async () => {
    const ws = workspace()
    const port = await freePort()
    await ws.call('ingress/save', settings(port))
    const info = await ws.call('ingress/generateCertificate', { names: ['jit.office.lan', '127.0.0.1'] })
    await ws.call('ingress/start', {})
    const handshake = (servername: string) =>
      new Promise<string>(resolve => {
        const s = connect({ host: '127.0.0.1', port, servername, ca: info.certificate?.trustPem as string }, () => {
          s.destroy()
          resolve('trusted')
        })
        s.on('error', e => resolve((e as NodeJS.ErrnoException).code ?? e.message))
      })
    expect(await handshake('jit.office.lan')).toBe('trusted')
    expect(await handshake('other.office.lan')).toBe('ERR_TLS_CERT_ALTNAME_INVALID')
  })

  it('keeps the key and client secret behind the secrets port, never in the answer or the workspace settings', async () => {
    const ws = workspace()
    const saved = await ws.call('ingress/save', { ...settings(await freePort()), clientSecret: 'very-secret-value' })
    expect(saved.clientSecretSet).toBe(true)
    await ws.call('ingress/importCertificate', { certificate: pki.server.certPem, key: pki.server.keyPem })
    const info = await ws.call('ingress/get', {})
    const text = JSON.stringify(info) + JSON.stringify(ws.app.services.store.settings.get('ingress'))
    expect(text).not.toContain('very-secret-value')
    expect(text).not.toContain('PRIVATE KEY')
    expect(JSON.stringify(ws.app.services.store.audit.recent(10))).not.toContain('very-secret-value')
    expect(info.certificate).toMatchObject({ source: 'imported', trustPem: null })
    const kept = await ws.call('ingress/save', settings(await freePort()))
    expect(kept.clientSecretSet).toBe(true)
    const removed = await ws.call('ingress/save', { ...settings(await freePort()), clientSecret: null })
    expect(removed.clientSecretSet).toBe(false)
  })

  it('starts at launch only when the settings ask for it', async () => {
    const ws = workspace()
    await ws.call('ingress/save', settings(await freePort()))
    await ws.call('ingress/generateCertificate', { names: ['127.0.0.1'] })
    await ws.app.services.serving.startAtLaunch()
    expect((await ws.call('ingress/get', {})).status.state).toBe('stopped')
    await ws.call('ingress/save', settings(await freePort(), { startAtLaunch: true }))
    await ws.app.services.serving.startAtLaunch()
    expect((await ws.call('ingress/get', {})).status.state).toBe('running')
  })
})
