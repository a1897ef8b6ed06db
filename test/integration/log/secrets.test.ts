import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createLog, LOG_FOLDER, type AppLog } from '../../../src/main/log'
import { openDevicesWorld, type DevicesWorld } from '../../helpers/devices-world'
import { tempDir } from '../../helpers/workspace'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A line of a PEM body: a secret that must never appear, whichever way the PEM was cut. */
const pemLine = (pem: string): string => pem.split('\n').filter(l => l && !l.startsWith('-----'))[1] ?? ''

function readLogs(dataDir: string): string {
  const dir = join(dataDir, LOG_FOLDER)
  return readdirSync(dir)
    .map(f => readFileSync(join(dir, f), 'utf8'))
    .join('')
}

describe('the log of a whole enrollment scenario', () => {
  it('has each enrollment, push failure and unexpected error, and none of the secrets it used', async () => {
    const logDir = tempDir()
    cleanups.push(() => logDir.remove())
    const log: AppLog = createLog({ dataDir: logDir.path, name: 'scenario' })
    cleanups.push(() => log.close())
    const w: DevicesWorld = await openDevicesWorld({ log })
    cleanups.push(() => w.close())

    const certificate = await w.ws.call('push/setApnsCertificate', {
      certificate: w.pki.push.certPem,
      key: w.pki.push.keyPem,
    })
    expect(certificate).toBeTruthy()
    await w.ws.call('push/setServiceAccount', { serviceAccount: w.fcm.serviceAccount })

    const iphone = w.apple('C02LOG1')
    expect((await iphone.enroll('alex@example.test')).status).toBe(200)
    const deviceId = w.deviceId(iphone.o.serial)
    const pushed = iphone.waitForPush(w.apns)
    await iphone.authenticateAndRegister()
    await pushed
    await iphone.poll()

    const agent = w.android('ANDROID-LOG1')
    expect((await agent.enroll('kim@example.test')).status).toBe(200)
    await agent.poll()

    w.apns.script(iphone.tokenHex, { status: 400, reason: 'BadDeviceToken' })
    await w.ws.call('devices/scan', { deviceId })

    // A bug's error can carry anything it touched; the log keeps its stack, not its secrets.
    const bug = await w.ws.app.invoke('devices/get', {
      get deviceId(): string {
        throw new Error(`lost the token Bearer ${agent.credential}`)
      },
    })
    expect(bug.ok).toBe(false)

    const text = readLogs(logDir.path)
    expect(text).toContain('"device enrolled"')
    expect(text).toContain('"push failed"')
    expect(text).toContain('"unexpected error"')
    const secrets = [
      pemLine(w.pki.push.keyPem),
      pemLine((JSON.parse(w.fcm.serviceAccount) as { private_key: string }).private_key),
      agent.credential ?? '',
      iphone.pushMagic,
      ...w.idp.issued,
    ].filter(s => s.length >= 8)
    expect(secrets.length).toBeGreaterThanOrEqual(8)
    for (const secret of secrets)
      expect(text, `a secret reached the log: ${secret.slice(0, 12)}…`).not.toContain(secret)
  })
})
