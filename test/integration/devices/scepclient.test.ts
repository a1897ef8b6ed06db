// Our SCEP server against a client nobody here wrote: Debian's `scep` package ships micromdm's
// scepclient 2.1.0 (installed by .ci/run). It speaks RFC 8894 with go.mozilla.org/pkcs7: a
// single-DES envelope, SHA-1 digests, POST for PKIOperation. It has no flag to trust a CA; Go
// reads extra roots from SSL_CERT_FILE (crypto/x509 root_unix.go), so it reaches the HTTPS
// ingress with the test CA there. The certificate it obtains then checks in.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDevicesWorld, type DevicesWorld } from '../../helpers/devices-world'
import { tempDir } from '../../helpers/workspace'

const SCEPCLIENT = '/usr/bin/scepclient'

let w: DevicesWorld
let dir: { path: string; remove(): void }
beforeAll(async () => {
  if (!existsSync(SCEPCLIENT))
    throw new Error(`${SCEPCLIENT} is missing: install the Debian package "scep" (apt-get install -y scep).`)
  w = await openDevicesWorld()
  dir = tempDir('jit-scepclient-')
  writeFileSync(join(dir.path, 'ca.pem'), w.pki.caPem)
}, 60_000)
afterAll(async () => {
  await w.close()
  dir.remove()
})

/** Runs scepclient with its own key in `sub`; resolves with its exit code and output. */
async function scepclient(sub: string, url: string, challenge: string) {
  const keyDir = join(dir.path, sub)
  const args = [
    '-server-url',
    url,
    '-private-key',
    join(keyDir, 'key.pem'),
    '-certificate',
    join(keyDir, 'cert.pem'),
    '-challenge',
    challenge,
    '-cn',
    'scepclient device',
    '-organization',
    'JIT Mapper test',
  ]
  mkdirSync(keyDir, { recursive: true })
  try {
    const { stdout, stderr } = await promisify(execFile)(SCEPCLIENT, args, {
      env: { ...process.env, SSL_CERT_FILE: join(dir.path, 'ca.pem') },
      timeout: 30_000,
    })
    return { code: 0, output: stdout + stderr, keyDir }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: err.code ?? -1, output: `${err.stdout ?? ''}${err.stderr ?? ''}`, keyDir }
  }
}

describe('Debian’s scepclient against our SCEP server', () => {
  it('obtains an identity with the challenge from a sign-in, and that identity checks in', async () => {
    const phone = w.apple('C02SCEPCLI', 'UDID-SCEPCLIENT')
    const profile = phone.install(await phone.signIn('alex@example.test'))
    const { URL: url, Challenge: challenge } = profile.scep.PayloadContent

    const run = await scepclient('device', url, challenge)
    expect(run.output).toContain('server returned a certificate')
    expect(run.code).toBe(0)
    const certPem = readFileSync(join(run.keyDir, 'cert.pem'), 'utf8')
    const keyPem = readFileSync(join(run.keyDir, 'key.pem'), 'utf8')

    phone.presentIdentity({ certPem, keyPem })
    expect((await phone.authenticate()).status).toBe(200)
    await phone.authenticateAndRegister()
    const device = w.ws.app.services.store.devices.get(w.deviceId('C02SCEPCLI'))
    expect(device).toMatchObject({ userPrincipalName: 'alex@example.test', platform: 'ios' })
    expect((await phone.poll()).map(c => c.requestType).sort()).toEqual([
      'DeviceInformation',
      'InstallApplication',
      'InstallProfile',
      'InstalledApplicationList',
      'ProfileList',
      'SecurityInfo',
    ])
  }, 60_000)

  it('renews the identity (a RenewalReq signed with it, no challenge); the renewed one replaces it at Authenticate', async () => {
    const phone = w.apple('C02SCEPREN', 'UDID-SCEPCLIENT-REN')
    const profile = phone.install(await phone.signIn('alex@example.test'))
    const { URL: url, Challenge: challenge } = profile.scep.PayloadContent
    const first = await scepclient('renew', url, challenge)
    expect(first.code).toBe(0)
    const keyPem = readFileSync(join(first.keyDir, 'key.pem'), 'utf8')
    const original = readFileSync(join(first.keyDir, 'cert.pem'), 'utf8')
    phone.presentIdentity({ certPem: original, keyPem })
    await phone.authenticateAndRegister()

    // cert.pem exists now, so scepclient sends a RenewalReq signed by it (the challenge is spent).
    const renewal = await scepclient('renew', url, challenge)
    expect(renewal.output).toContain('server returned a certificate')
    const renewed = readFileSync(join(first.keyDir, 'cert.pem'), 'utf8')
    expect(renewed).not.toBe(original)
    phone.presentIdentity({ certPem: renewed, keyPem })
    expect((await phone.authenticate()).status).toBe(200)
    expect((await phone.report({ Status: 'Idle' })).status).toBe(200)
    expect(w.ws.app.services.store.devices.get(w.deviceId('C02SCEPREN'))?.userPrincipalName).toBe('alex@example.test')
    phone.presentIdentity({ certPem: original, keyPem })
    expect((await phone.report({ Status: 'Idle' })).status).toBe(400)
  }, 60_000)

  it('is refused (FAILURE, badRequest) when the challenge was already used', async () => {
    const phone = w.apple('C02SCEPCLI2', 'UDID-SCEPCLIENT-2')
    const profile = phone.install(await phone.signIn('kim@example.test'))
    const { URL: url, Challenge: challenge } = profile.scep.PayloadContent
    expect((await scepclient('first', url, challenge)).code).toBe(0)
    const again = await scepclient('second', url, challenge)
    expect(again.code).not.toBe(0)
    expect(again.output).toContain('failInfo: badRequest')
  }, 60_000)
})
