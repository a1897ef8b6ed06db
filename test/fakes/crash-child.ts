// The app as a child process for the kill -9 tests, on a real workspace, with
// JIT_CRASH_AT=<point>:<n> making the process SIGKILL itself the n-th time it reaches that
// point (a deterministic "kill at any moment"). Two modes:
// - serve (default): the outbox and ingress; prints "READY <port>" once it serves.
// - JIT_CHILD=sync: syncs the directory JIT_DIRECTORY from the Graph fake at JIT_GRAPH (writing
//   JIT_SYNC_CHUNK users per transaction where it chunks), prints "SYNCED" and exits.
import { readFileSync } from 'node:fs'
import { createApp } from '../../src/main/app'
import { startIngress } from '../../src/main/devices'
import { type HttpResponse, idpHttpOf } from '../../src/main/devices/http'
import { silentLog, systemClock, type Faults } from '../../src/main/ports'
import { GRAPH_ORIGIN, LOGIN_ORIGIN } from './graph/server'
import { createRecordingPush } from './recording-push'
import { loopbackRouter } from './router'
import { memorySecrets } from './memory-secrets'

function crashPoint(): Faults {
  const crashAt = process.env['JIT_CRASH_AT'] ?? ''
  const point = crashAt.slice(0, crashAt.lastIndexOf(':'))
  const nth = crashAt.slice(crashAt.lastIndexOf(':') + 1)
  let hits = 0
  return {
    hit(p) {
      if (p === point && ++hits === Number(nth)) process.kill(process.pid, 'SIGKILL')
    },
  }
}

async function sync(): Promise<void> {
  const graph = process.env['JIT_GRAPH'] as string
  const app = createApp({
    dataDir: process.env['JIT_DATA'] as string,
    faults: crashPoint(),
    push: createRecordingPush(),
    http: loopbackRouter({ [GRAPH_ORIGIN]: graph, [LOGIN_ORIGIN]: graph }),
    syncChunkSize: Number(process.env['JIT_SYNC_CHUNK'] ?? 2000),
  })
  await app.call('directories/sync', { directoryId: process.env['JIT_DIRECTORY'] as string })
  await app.services.directories.settled()
  app.close()
  process.stdout.write('SYNCED\n')
}

async function main(): Promise<void> {
  const faults = crashPoint()
  const tls = JSON.parse(readFileSync(process.env['JIT_TLS'] as string, 'utf8')) as { keyPem: string; certPem: string }
  const app = createApp({ dataDir: process.env['JIT_DATA'] as string, faults, push: createRecordingPush() })
  const ingress = await startIngress({
    secrets: memorySecrets(),
    pushTopic: async () => null,
    devices: app.services.devices,
    store: app.services.store,
    clock: systemClock,
    log: silentLog,
    tls,
    host: '127.0.0.1',
    // No one signs in here: the IdP is only its discovery document, answered in memory.
    oidc: { kind: 'okta', issuer: 'https://idp.invalid', clientId: 'unused' },
    http: idpHttpOf(
      async (req): Promise<HttpResponse> =>
        req.url === 'https://idp.invalid/.well-known/openid-configuration'
          ? {
              status: 200,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                issuer: 'https://idp.invalid',
                authorization_endpoint: 'https://idp.invalid/oauth2/v1/authorize',
                token_endpoint: 'https://idp.invalid/oauth2/v1/token',
                jwks_uri: 'https://idp.invalid/oauth2/v1/keys',
              }),
            }
          : { status: 404, headers: {}, body: '{}' },
    ),
  })
  await app.services.devices.pump()
  process.stdout.write(`READY ${ingress.port}\n`)
}

void (process.env['JIT_CHILD'] === 'sync' ? sync() : main())
