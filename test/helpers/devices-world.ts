// Everything a whole enrollment needs, on loopback: the app (real SQLite) with the real APNs and
// FCM transports, the APNs, FCM and IdP fakes, and the enrollment ingress.
import { generateKeyPairSync } from 'node:crypto'
import { createIdpHttp, startIngress, type Ingress } from '../../src/main/devices'
import { createPushRouter } from '../../src/main/push'
import { createApnsTransport, type ApnsTransport } from '../../src/main/push/apns'
import { createFcmTransport, type FcmTransport } from '../../src/main/push/fcm'
import type { Log } from '../../src/main/ports'
import { AndroidAgent } from '../fakes/android-agent'
import { AppleDevice, deviceKey } from '../fakes/apple-device'
import { startFakeApns, type FakeApns } from '../fakes/apns'
import { startFakeFcm, type FakeFcm } from '../fakes/fcm'
import { type FakeIdp, type FakeIdpOptions, startFakeIdp } from '../fakes/idp'
import { testAppleChain } from '../fakes/dep/device-info'
import { memorySecrets } from '../fakes/memory-secrets'
import { testPki, type TestPki } from '../fakes/pki'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from './workspace'

export interface DevicesWorld {
  pki: TestPki
  ws: TestWorkspace
  org: ReturnType<typeof seedSmallOrganisation>
  apns: FakeApns
  fcm: FakeFcm
  idp: FakeIdp
  ingress: Ingress
  logged: { level: string; message: string; fields?: Record<string, unknown> }[]
  apple(serial: string, udid?: string, opts?: Partial<AppleDevice['o']>): AppleDevice
  /** The id of the device enrolled with this serial (throws when there is none). */
  deviceId(serial: string): string
  android(serial: string): AndroidAgent
  close(): Promise<void>
}

let saKey: { keyPem: string; publicPem: string } | undefined

/**
 * Device keys, a few made once per test process: RSA key generation is the slow part, and the
 * server binds identity certificates (each SCEP run issues a new one), not keys.
 */
const deviceKeys = (() => {
  const pool: ReturnType<typeof deviceKey>[] = []
  let i = 0
  return {
    next() {
      if (pool.length < 4) pool.push(deviceKey())
      return pool[i++ % pool.length] as ReturnType<typeof deviceKey>
    },
  }
})()

/** `log`, when given, gets every line of the app and the ingress too (the log tests pass a real one). */
export async function openDevicesWorld(
  opts: {
    ackDeadlineMs?: number
    enrollStartsPerMinute?: number
    scepOperationsPerMinute?: number
    log?: Log
    idp?: Omit<FakeIdpOptions, 'now'>
    /** Automated Device Enrollment: the DEP fake's URL (the ingress then trusts the test Apple chain). */
    adeBaseUrl?: string
    /** What each device request waits on before it is handled (the app's write gate). */
    writable?: () => Promise<void>
  } = {},
): Promise<DevicesWorld> {
  const pki = testPki()
  if (!saKey) {
    const k = generateKeyPairSync('rsa', { modulusLength: 2048 })
    saKey = {
      keyPem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      publicPem: k.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    }
  }
  const [apns, fcm] = await Promise.all([startFakeApns(pki), startFakeFcm(pki, saKey)])
  const restoreHttp2 = fcm.redirectHttp2()
  let apnsTransport: ApnsTransport | undefined
  let fcmTransport: FcmTransport | undefined
  const ws = openWorkspace({
    ackDeadlineMs: opts.ackDeadlineMs,
    log: opts.log,
    adeBaseUrl: opts.adeBaseUrl,
    transport: () => {
      apnsTransport = createApnsTransport({
        credentials: async () => ({ certPem: pki.push.certPem, keyPem: pki.push.keyPem }),
        clock: { now: () => new Date() },
        address: 'localhost',
        port: apns.port,
        ca: [pki.caPem],
      })
      fcmTransport = createFcmTransport({ serviceAccount: async () => fcm.serviceAccount, httpAgent: fcm.agent })
      return createPushRouter({ apple: apnsTransport, android: fcmTransport })
    },
  })
  const org = seedSmallOrganisation(ws)
  const idp = await startFakeIdp(pki, { ...opts.idp, now: () => ws.clock.now() })
  const logged: DevicesWorld['logged'] = []
  const line =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void => {
      logged.push({ level, message, fields })
      opts.log?.[level](message, fields)
    }
  const log: Log = { info: line('info'), warn: line('warn'), error: line('error') }
  const ingress = await startIngress({
    devices: ws.app.services.devices,
    store: ws.app.services.store,
    clock: ws.clock,
    log,
    tls: pki.server,
    host: '127.0.0.1',
    oidc: idp.provider,
    http: createIdpHttp({ ca: [pki.caPem] }),
    secrets: memorySecrets(),
    pushTopic: async () => pki.push.topic,
    // Every simulated device shares 127.0.0.1; the per-address limit has its own test.
    enrollStartsPerMinute: opts.enrollStartsPerMinute ?? 100_000,
    scepOperationsPerMinute: opts.scepOperationsPerMinute ?? 100_000,
    ...(opts.adeBaseUrl ? { deviceInfoAnchors: [testAppleChain().rootPem] } : {}),
    ...(opts.writable ? { writable: opts.writable } : {}),
  })
  const opened: { close(): void }[] = []
  return {
    pki,
    ws,
    org,
    apns,
    fcm,
    idp,
    ingress,
    logged,
    apple(serial, udid = `UDID-${serial}`, o = {}) {
      const d = new AppleDevice({ serverUrl: ingress.url, ca: pki.caPem, udid, serial, key: deviceKeys.next(), ...o })
      opened.push(d)
      return d
    },
    deviceId(serial) {
      const d = ws.app.services.store.devices.list().find(x => x.serial === serial)
      if (!d) throw new Error(`no device with serial ${serial}`)
      return d.id
    },
    android(serial) {
      const a = new AndroidAgent({ serverUrl: ingress.url, ca: pki.caPem, serial })
      opened.push(a)
      return a
    },
    async close() {
      for (const d of opened) d.close()
      await ingress.close()
      await apnsTransport?.close()
      await fcmTransport?.close()
      restoreHttp2()
      await Promise.all([apns.close(), fcm.close(), idp.close()])
      ws.close()
    },
  }
}
