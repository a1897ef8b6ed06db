// `jit-mapper serve` as an always-on box runs it: the built command serves the device ingress from
// the workspace's settings and the admin UI on loopback, runs the scheduled sync of a file directory
// at once (it is overdue: never synced), and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { expect } from 'vitest'
import { createApp } from '../../src/main/app'
import { startFakeIdp } from '../fakes/idp'
import { testPki } from '../fakes/pki'
import { e2eTest } from '../helpers/e2e'
import { freePort } from '../helpers/ports'
import { SMALL_DIRECTORY_CSV } from '../helpers/workspace'

const BIN = join(__dirname, '..', '..', 'bin', 'jit-mapper.cjs')
const test = e2eTest.extend('e2e', { scope: 'file' }, { demo: false, app: {} })

test('serves the ingress and the admin UI, syncs on schedule, and stops on SIGTERM', async ({ workspace }) => {
  const pki = testPki()
  const idp = await startFakeIdp(pki)
  const log = () => readFileSync(join(workspace.path, 'logs', 'serve.log'), 'utf8')
  const csv = join(workspace.path, 'users.csv')
  writeFileSync(csv, SMALL_DIRECTORY_CSV)
  const port = await freePort()
  const setup = createApp({ dataDir: workspace.path })
  const directory = await setup.call('directories/connect', {
    kind: 'file',
    name: 'Office',
    settings: { path: csv },
    secrets: {},
  })
  await setup.call('directories/setSchedule', { directoryId: directory.directory.id, minutes: 60 })
  await setup.call('ingress/save', {
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
  })
  const trust = (await setup.call('ingress/generateCertificate', { names: ['127.0.0.1'] })).certificate
    ?.trustPem as string
  setup.close()

  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', workspace.path], { stdio: 'pipe' })
  let out = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (out += c.toString()))
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  try {
    await expect.poll(() => out, { timeout: 30_000, interval: 100 }).toContain('Press Ctrl+C')
    expect(out).toContain(`Devices are served at https://127.0.0.1:${port}`)
    const [, adminUrl] = /The admin UI is at (\S+) /.exec(out) as unknown as [string, string]
    expect((await fetch(adminUrl)).status).toBe(200)
    const tls = await new Promise<boolean>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, ca: trust }, () => {
        resolve(s.authorized)
        s.destroy()
      })
      s.on('error', reject)
    })
    expect(tls).toBe(true)
    // The overdue scheduled sync of the file directory: its users arrive without an admin.
    await expect.poll(log, { timeout: 30_000, interval: 100 }).toContain('"directory sync succeeded"')
  } finally {
    child.kill('SIGTERM')
  }
  expect(await exited).toBe(0)
  expect(log()).toContain('"serve stopped"')
  const after = createApp({ dataDir: workspace.path })
  expect(after.services.directories.list()[0]?.lastSync).toMatchObject({ status: 'succeeded', added: 4 })
  after.close()
  await idp.close()
})
