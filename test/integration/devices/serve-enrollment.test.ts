import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../../src/main/app'
import type { CliIo } from '../../../src/main/headless/cli-io'
import { runCli } from '../../../src/main/headless/commands'
import { AndroidAgent } from '../../fakes/android-agent'
import { startFakeIdp } from '../../fakes/idp'
import { testPki } from '../../fakes/pki'
import { seedSmallOrganisation, tempDir, type TestWorkspace } from '../../helpers/workspace'

describe('jit-mapper serve-enrollment', () => {
  it('serves enrollment with the IdP found by discovery until stopped', async () => {
    const pki = testPki()
    const dir = tempDir()
    const idp = await startFakeIdp(pki)
    const dataDir = join(dir.path, 'ws')
    const seed = createApp({ dataDir })
    seedSmallOrganisation({ app: seed } as TestWorkspace)
    seed.close()
    for (const [name, pem] of [
      ['cert.pem', pki.server.certPem],
      ['key.pem', pki.server.keyPem],
      ['ca.pem', pki.caPem],
    ] as const)
      writeFileSync(join(dir.path, name), pem)

    let stop: () => void = () => {}
    let served: (url: string) => void = () => {}
    const url = new Promise<string>(resolve => (served = resolve))
    const err: string[] = []
    const io: CliIo = {
      out: l => {
        const m = /served at (\S+) /.exec(l)
        if (m) served(m[1] as string)
      },
      err: l => void err.push(l),
      env: {},
      untilStopped: () => new Promise<void>(resolve => (stop = resolve)),
    }
    const status = runCli(
      [
        'serve-enrollment',
        '--data-dir',
        dataDir,
        '--tls-cert',
        join(dir.path, 'cert.pem'),
        '--tls-key',
        join(dir.path, 'key.pem'),
        '--issuer',
        idp.issuer,
        '--client-id',
        idp.clientId,
        '--idp',
        idp.kind,
        '--idp-ca',
        join(dir.path, 'ca.pem'),
      ],
      io,
    )
    const agent = new AndroidAgent({ serverUrl: await url, ca: pki.caPem, serial: 'CLI-1' })
    const r = await agent.enroll('kim@example.test')
    expect(r.status).toBe(200)
    expect((await agent.poll()).map(c => c.type).sort()).toEqual(['apply_restrictions', 'install_app'])
    agent.close()
    stop()
    expect(await status).toBe(0)
    expect(err.some(l => /^\d\d:\d\d:\d\d info +device enrolled/.test(l))).toBe(true)
    const logged = readFileSync(join(dataDir, 'logs', 'serve-enrollment.log'), 'utf8')
    expect(logged).toContain('"enrollment server started"')
    expect(logged).toContain('"enrollment server stopped"')
    expect(logged).toContain('"device enrolled"')
    await idp.close()
    dir.remove()
  }, 60_000)

  it('says which option is missing', async () => {
    const err: string[] = []
    const status = await runCli(['serve-enrollment', '--issuer', 'https://idp.example'], {
      out: () => {},
      err: l => void err.push(l),
      env: {},
      untilStopped: () => Promise.resolve(),
    })
    expect(status).toBe(2)
    expect(err[0]).toContain('serve-enrollment needs --tls-cert')
  })
})
