// `jit-mapper serve` on an always-on box: one process serves the device ingress from the
// workspace's settings, runs the scheduled syncs (an overdue one at once), pumps the outbox and
// serves the admin UI on loopback, until it is asked to stop.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/main/app'
import type { CliIo } from '../../src/main/headless/cli-io'
import { serveApp } from '../../src/main/headless/serve-command'
import { runCli } from '../../src/main/headless/commands'
import { AndroidAgent } from '../fakes/android-agent'
import { startFakeIdp } from '../fakes/idp'
import { testPki } from '../fakes/pki'
import { connectEntra, openEntraApp, startSmallGraphFake } from '../helpers/directory'
import { freePort } from '../helpers/ports'
import { tempDir } from '../helpers/workspace'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A stand-in for the built renderer: the host serves whatever index.html it finds. */
function rendererDir(): string {
  const dir = tempDir()
  cleanups.push(() => dir.remove())
  mkdirSync(join(dir.path, 'assets'))
  writeFileSync(join(dir.path, 'index.html'), '<!doctype html><html><head></head><body>JIT Mapper admin</body></html>')
  return dir.path
}

const closed = (port: number) =>
  new Promise<boolean>(resolve => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy()
      resolve(false)
    })
    s.on('error', () => resolve(true))
  })

describe('jit-mapper serve', () => {
  it('serves the ingress and the admin UI, runs an overdue scheduled sync at once, and stops when asked', async () => {
    const pki = testPki()
    const idp = await startFakeIdp(pki)
    cleanups.push(() => idp.close())
    const graph = await startSmallGraphFake(cleanups)
    const app = openEntraApp(graph, cleanups)
    const directoryId = await connectEntra(app)
    await app.call('directories/setSchedule', { directoryId, minutes: 60 })
    const ingressPort = await freePort()
    await app.call('ingress/save', {
      address: '127.0.0.1',
      port: ingressPort,
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
    })
    const trust = (await app.call('ingress/generateCertificate', { names: ['127.0.0.1'] })).certificate
      ?.trustPem as string

    const synced = new Promise<void>(resolve => {
      const off = app.on('db/changed', ({ domains }) => {
        if (domains.includes('directories') && app.services.directories.list()[0]?.lastSync) {
          off()
          resolve()
        }
      })
    })
    const lines: string[] = []
    let served: () => void = () => {}
    const ready = new Promise<void>(r => (served = r))
    let stop: () => void = () => {}
    const io: CliIo = {
      out: l => {
        lines.push(l)
        if (l.startsWith('Press Ctrl+C')) served()
      },
      err: l => void lines.push(l),
      env: {},
      untilStopped: () => new Promise<void>(r => (stop = r)),
    }
    const status = serveApp({ app, log: app.log, io, rendererDir: rendererDir(), port: 0 })
    await ready
    expect(lines).toContain(`Devices are served at https://127.0.0.1:${ingressPort}`)
    const admin = /The admin UI is at (http:\/\/127\.0\.0\.1:(\d+)\/\?secret=([\w-]+))/.exec(lines.join('\n'))
    expect(admin).not.toBeNull()
    const [, adminUrl, adminPort, secret] = admin as unknown as [string, string, string, string]

    // The scheduled sync: never synced, so overdue, so it ran at start without waiting an hour.
    await synced
    expect(app.services.directories.list()[0]?.lastSync).toMatchObject({ status: 'succeeded', added: 300 })

    // The admin UI on loopback, with the launch secret.
    const page = await fetch(adminUrl)
    expect(await page.text()).toContain('JIT Mapper admin')
    const api = await fetch(`http://127.0.0.1:${adminPort}/__ipc/ingress/get`, {
      method: 'POST',
      headers: { 'x-jit-mapper-secret': secret, 'x-jit-mapper': '1', 'content-type': 'application/json' },
      body: '{}',
    })
    expect(await api.json()).toMatchObject({ ok: true, value: { status: { state: 'running' } } })

    // A device enrolls through the ingress: a synced user signs in with their Entra object id.
    const first = app.services.store.users.list(undefined, 1, 0).rows[0] as { id: string; userPrincipalName: string }
    const user = await app.call('users/get', { userId: first.id })
    idp.claims = { oid: user.attributes['id'] }
    const agent = new AndroidAgent({
      serverUrl: `https://127.0.0.1:${ingressPort}`,
      ca: `${trust}\n${pki.caPem}`,
      serial: 'SERVE-1',
    })
    expect((await agent.enroll(first.userPrincipalName)).status).toBe(200)
    agent.close()
    expect((await app.call('devices/list', {})).find(d => d.serial === 'SERVE-1')).toMatchObject({
      userPrincipalName: first.userPrincipalName,
    })

    stop()
    expect(await status).toBe(0)
    expect(await closed(ingressPort)).toBe(true)
    expect(await closed(Number(adminPort))).toBe(true)
    expect((await app.call('ingress/get', {})).status.state).toBe('stopped')
  }, 60_000)

  it('stops while a scheduled sync is pulling: the sync is cancelled and changes nothing', async () => {
    const graph = await startSmallGraphFake(cleanups)
    const app = openEntraApp(graph, cleanups)
    const directoryId = await connectEntra(app)
    await app.call('directories/setSchedule', { directoryId, minutes: 60 })
    graph.inject({ kind: 'slow', ms: 20_000 }, { path: '/v1.0/users/delta' })
    // Pulling: the request for the users page the fake holds back is in flight.
    const pulling = async () => {
      for (let i = 0; i < 1000 && !graph.requests.some(r => r.url.startsWith('/v1.0/users/delta')); i++)
        await new Promise(r => setTimeout(r, 5))
    }
    let stop: () => void = () => {}
    const io: CliIo = {
      out: () => {},
      err: () => {},
      env: {},
      untilStopped: () => new Promise<void>(r => (stop = r)),
    }
    const status = serveApp({ app, log: app.log, io, rendererDir: rendererDir(), port: 0, ingress: false })
    await pulling()
    const asked = Date.now()
    stop()
    expect(await status).toBe(0)
    expect(Date.now() - asked).toBeLessThan(10_000)
    expect(app.services.directories.list()[0]?.lastSync).toMatchObject({ status: 'cancelled', added: 0 })
    expect(app.services.store.users.list(undefined, 1, 0).total).toBe(0)
  }, 30_000)

  it('keeps the admin UI up and says why when the ingress cannot start', async () => {
    const dir = tempDir()
    cleanups.push(() => dir.remove())
    const lines: string[] = []
    let stop: () => void = () => {}
    let served: () => void = () => {}
    const ready = new Promise<void>(r => (served = r))
    const io: CliIo = {
      out: l => {
        lines.push(l)
        if (l.startsWith('Press Ctrl+C')) served()
      },
      err: l => void lines.push(l),
      env: {},
      untilStopped: () => new Promise<void>(r => (stop = r)),
    }
    const app = createApp({ dataDir: dir.path })
    cleanups.push(() => app.close())
    const status = serveApp({ app, log: app.log, io, rendererDir: rendererDir(), port: 0 })
    await ready
    expect(lines.join('\n')).toContain('The device ingress did not start: The ingress needs the sign-in provider')
    expect(lines.join('\n')).toMatch(/The admin UI is at http:\/\/127\.0\.0\.1:\d+\/\?secret=/)
    stop()
    expect(await status).toBe(0)
  })

  it('prints its usage for --help, and refuses a bad port with status 2', async () => {
    const out: string[] = []
    const err: string[] = []
    const io: CliIo = { out: l => void out.push(l), err: l => void err.push(l), env: {}, untilStopped: async () => {} }
    expect(await runCli(['serve', '--help'], io)).toBe(0)
    expect(out.join('\n')).toContain('Usage: jit-mapper serve [options]')
    expect(out.join('\n')).toContain('--no-ingress')
    expect(await runCli(['serve', '--port', 'eighty'], io)).toBe(2)
    expect(err.join('\n')).toContain('--port must be a number from 0 to 65535, got eighty')
  })
})
