// The serving room: the app runs the device ingress itself. Its settings live in the workspace,
// its certificate and key behind the secrets port; start, stop and a status with the URL devices
// use and why a start failed. The desktop app starts it at launch when the settings say so;
// `jit-mapper serve` starts it on an always-on box. One operation at a time: a save while running
// restarts the ingress with the new settings.
import { hostname, networkInterfaces } from 'node:os'
import { AppError, errorMessage } from '../../shared/errors'
import type { IngressInfo, IngressStatus } from '../../shared/ingress'
import { type AndroidEnterprise, createIdpHttp, startIngress, type DeviceService, type Ingress } from '../devices'
import type { NotificationReceiver } from '../directories'
import type { Clock, Log, Secrets } from '../ports'
import type { Store } from '../store'
import { certificateInfo, generateLanCertificate, importedCertificate, type TlsMaterial } from './certificate'
import { listenError } from './listen-errors'
import { deviceUrl, normalizeSettings, readSettings, SETTINGS_KEY, settingsWarnings } from './settings'

export { ingressHandlers } from './handlers'
export { providerOfIssuer } from './settings'
export type { IngressHost, SaveIngressSettings } from './service'
import type { IngressHost } from './service'

/** The certificate and key as one secret (JSON), so they are always replaced together. */
export const TLS_SECRET = 'ingress.tls'
export const CLIENT_SECRET = 'ingress.oidc.clientSecret'

export interface IngressHostDeps {
  store: Store
  secrets: Secrets
  devices: DeviceService
  clock: Clock
  log: Log
  /** The MDM push certificate's topic, which enrollment profiles name (null until one is uploaded). */
  pushTopic: () => Promise<string | null>
  /** This machine's name and LAN addresses, offered as a generated certificate's names. */
  localNames?: () => string[]
  /** Android Enterprise, whose sign-in and signup routes the ingress serves. */
  android?: AndroidEnterprise
  /** Receives the IdPs' change notifications on the ingress. */
  notifications?: NotificationReceiver
  /** Resolves when the app may write (write-gate.ts); each device request waits on it. */
  writable?: () => Promise<void>
}

/** Non-loopback IPv4 addresses and the host name (with .local, which Bonjour answers on a LAN). */
export function systemLocalNames(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter(a => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map(a => (a as { address: string }).address)
  const name = hostname()
  return [...new Set([...addresses, name, name.includes('.') ? null : `${name}.local`])].filter((n): n is string => !!n)
}

export function createIngressHost(deps: IngressHostDeps): IngressHost {
  const { store, secrets, clock, log } = deps
  let running: Ingress | null = null
  let status: IngressStatus = { state: 'stopped', url: null, startedAt: null, error: null }
  // Operations run one after another: a Start clicked twice, or a save during a start, must not
  // leave two servers or a stale status.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn)
    queue = next.catch(() => {})
    return next
  }

  const audit = (action: string, details: Record<string, unknown>) =>
    store.audit.append({ at: clock.now().toISOString(), actor: 'admin', action, subject: 'ingress', details })

  const readTls = async (): Promise<TlsMaterial | null> => {
    const raw = await secrets.get(TLS_SECRET)
    return raw ? (JSON.parse(raw) as TlsMaterial) : null
  }

  async function info(): Promise<IngressInfo> {
    const settings = readSettings(store)
    const tls = await readTls()
    const now = clock.now()
    const certificate = tls ? certificateInfo(tls, now) : null
    return {
      settings,
      clientSecretSet: (await secrets.get(CLIENT_SECRET)) !== null,
      certificate,
      status: { ...status },
      suggestedNames: (deps.localNames ?? systemLocalNames)(),
      warnings: settingsWarnings(settings, certificate, now),
    }
  }

  async function close(): Promise<void> {
    const was = running
    running = null
    if (was) await was.close()
  }

  async function listen(): Promise<void> {
    await close()
    const settings = readSettings(store)
    const tls = await readTls()
    if (!settings.oidc.issuer || !settings.oidc.clientId)
      throw new AppError(
        'INGRESS_NOT_CONFIGURED',
        'The ingress needs the sign-in provider: enter the IdP issuer URL and client id in Settings.',
        { field: 'oidc' },
      )
    if (!tls)
      throw new AppError(
        'INGRESS_NOT_CONFIGURED',
        'The ingress needs a certificate: generate one for the LAN or import your own in Settings.',
        { field: 'certificate' },
      )
    // The URL goes into the IdP's redirect URI and every enrollment profile: 0.0.0.0 names no host.
    if (deviceUrl(settings, settings.port) === null)
      throw new AppError(
        'INGRESS_NOT_CONFIGURED',
        `Listening on every address (${settings.address}), the ingress needs the public URL devices reach it at; or listen on one address.`,
        { field: 'publicUrl' },
      )
    const http = createIdpHttp(settings.oidc.caPem ? { ca: [settings.oidc.caPem] } : {})
    const clientSecret = await secrets.get(CLIENT_SECRET)
    // The ingress reads the IdP's discovery document as it starts (INGRESS_IDP_UNREACHABLE).
    const oidc = {
      kind: settings.oidc.provider,
      issuer: settings.oidc.issuer,
      clientId: settings.oidc.clientId,
      ...(clientSecret ? { clientSecret } : {}),
      ...(settings.oidc.tenantId ? { tenantId: settings.oidc.tenantId } : {}),
      ...(settings.oidc.hostedDomain ? { hostedDomain: settings.oidc.hostedDomain } : {}),
    }
    try {
      running = await startIngress({
        secrets,
        pushTopic: deps.pushTopic,
        devices: deps.devices,
        store,
        clock,
        log,
        tls: { certPem: tls.certPem, keyPem: tls.keyPem },
        host: settings.address,
        port: settings.port,
        publicUrl: settings.publicUrl ?? undefined,
        oidc,
        http,
        android: deps.android,
        notifications: deps.notifications,
        writable: deps.writable,
      })
    } catch (e) {
      throw e instanceof AppError ? e : listenError(e, settings.address, settings.port)
    }
    status = {
      state: 'running',
      url: deviceUrl(settings, running.port),
      startedAt: clock.now().toISOString(),
      error: null,
    }
    log.info('ingress started', { url: status.url, address: settings.address, port: running.port })
  }

  /** Starts and records the outcome in the status; a failure is rethrown. */
  async function startNow(): Promise<void> {
    try {
      await listen()
    } catch (e) {
      const error = e instanceof AppError ? e.toInfo() : { code: 'INTERNAL' as const, message: errorMessage(e) }
      status = { state: 'failed', url: null, startedAt: null, error }
      log.warn('ingress did not start', { code: error.code, error: error.message })
      throw e
    }
  }

  /** After a change: a running ingress restarts with it (a failure shows in the status, not as the save's). */
  async function restartIfRunning(): Promise<void> {
    if (status.state !== 'running') return
    await startNow().catch(() => {})
  }

  return {
    // Not queued: the status of a start still under way (an IdP slow to answer) shows at once.
    info,
    save: ({ clientSecret, ...given }) =>
      serial(async () => {
        const settings = normalizeSettings(given)
        store.settings.put(SETTINGS_KEY, settings)
        if (clientSecret === null) await secrets.delete(CLIENT_SECRET)
        else if (clientSecret !== undefined) await secrets.set(CLIENT_SECRET, clientSecret)
        audit('ingress/save', {
          ...settings,
          oidc: { ...settings.oidc, caPem: settings.oidc.caPem ? 'set' : null },
          clientSecret: clientSecret === undefined ? 'kept' : clientSecret === null ? 'removed' : 'replaced',
        })
        await restartIfRunning()
        return info()
      }),
    importCertificate: (certificate, key) =>
      serial(async () => {
        const tls = importedCertificate(certificate, key, clock.now())
        await secrets.set(TLS_SECRET, JSON.stringify(tls))
        audit('ingress/importCertificate', { fingerprint: certificateInfo(tls, clock.now()).fingerprint })
        await restartIfRunning()
        return info()
      }),
    generateCertificate: names =>
      serial(async () => {
        const tls = generateLanCertificate(names, clock.now())
        await secrets.set(TLS_SECRET, JSON.stringify(tls))
        const cert = certificateInfo(tls, clock.now())
        audit('ingress/generateCertificate', { names: cert.names, fingerprint: cert.fingerprint })
        await restartIfRunning()
        return info()
      }),
    start: () =>
      serial(async () => {
        await startNow()
        audit('ingress/start', { url: status.url })
        return info()
      }),
    stop: () =>
      serial(async () => {
        const was = status.state
        await close()
        status = { state: 'stopped', url: null, startedAt: null, error: null }
        if (was === 'running') {
          audit('ingress/stop', {})
          log.info('ingress stopped')
        }
        return info()
      }),
    startAtLaunch: () =>
      serial(async () => {
        if (!readSettings(store).startAtLaunch) return
        await startNow().catch(() => {})
      }),
    abort() {
      const was = running
      running = null
      status = { state: 'stopped', url: null, startedAt: null, error: null }
      was?.close().catch((e: unknown) => log.warn('ingress did not close cleanly', { error: errorMessage(e) }))
    },
  }
}
