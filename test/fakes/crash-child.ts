// The app as a child process for the kill -9 test: the real workspace, outbox and ingress, with
// JIT_CRASH_AT=<point>:<n> making the process SIGKILL itself the n-th time it reaches that
// point (a deterministic "kill at any moment"). Prints "READY <port>" once it serves.
import { readFileSync } from 'node:fs'
import { createApp } from '../../src/main/app'
import { createIdpHttp, startIngress } from '../../src/main/devices'
import { silentLog, systemClock, type Faults } from '../../src/main/ports'
import { createRecordingPush } from './recording-push'

async function main(): Promise<void> {
  const crashAt = process.env['JIT_CRASH_AT'] ?? ''
  const point = crashAt.slice(0, crashAt.lastIndexOf(':'))
  const nth = crashAt.slice(crashAt.lastIndexOf(':') + 1)
  let hits = 0
  const faults: Faults = {
    hit(p) {
      if (p === point && ++hits === Number(nth)) process.kill(process.pid, 'SIGKILL')
    },
  }
  const tls = JSON.parse(readFileSync(process.env['JIT_TLS'] as string, 'utf8')) as { keyPem: string; certPem: string }
  const app = createApp({ dataDir: process.env['JIT_DATA'] as string, faults, push: createRecordingPush() })
  const ingress = await startIngress({
    devices: app.services.devices,
    store: app.services.store,
    clock: systemClock,
    log: silentLog,
    tls,
    host: '127.0.0.1',
    oidc: {
      issuer: 'https://idp.invalid',
      authorizationEndpoint: 'https://idp.invalid/authorize',
      tokenEndpoint: 'https://idp.invalid/token',
      jwksUri: 'https://idp.invalid/jwks',
      clientId: 'unused',
    },
    http: createIdpHttp(),
  })
  await app.services.devices.pump()
  process.stdout.write(`READY ${ingress.port}\n`)
}

void main()
