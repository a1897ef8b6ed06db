// Automated Device Enrollment's front door: the key pair whose certificate the admin uploads to
// Apple Business/School Manager, the server token they bring back (decrypted, kept behind the
// secrets port), the MDM server's account, and the ADE sync (Sync now and on a schedule).
import type { AdeAccount, AdeDevice, AdeStatus, AdeSyncSummary } from '../../../../shared/ade'
import { AppError } from '../../../../shared/errors'
import type { Clock, HttpPort, Log, Secrets, Sleep, TimerPort } from '../../../ports'
import type { Store } from '../../../store'
import { selfSignedEnvelopeCertificate } from '../ca'
import { createDepClient, type DepAccount, type DepClient, type DepProfile } from './client'
import { runAdeSync } from './sync'
import { certificateExpiry, decryptServerToken, type ServerToken, serverTokenSchema } from './token'

/** The key pair (PEM key and certificate, as JSON) whose certificate Apple encrypts the token to. */
export const ADE_KEY_SECRET = 'apple.ade.keyPair'
/** The decrypted server token (JSON). */
export const ADE_TOKEN_SECRET = 'apple.ade.serverToken'
/** Apple's tokens last a year; the certificate outlives the token it is used for. */
const CERT_DAYS = 3 * 365
const DEFAULT_INTERVAL_MINUTES = 60

/** Where Setup Assistant is sent: the ingress serves these paths (routes.ts). */
export const ADE_ENROLL_PATH = '/ade/enroll'
export const ADE_MACHINE_INFO_PATH = '/ade/machineinfo'

export interface AdeService {
  status(): Promise<AdeStatus>
  /** Makes the key pair on first use; the status carries the certificate to upload to Apple. */
  certificate(): Promise<AdeStatus>
  /** Decrypts the .p7m, checks it with Apple (GET /account) and keeps it. */
  uploadToken(file: string): Promise<AdeStatus>
  sync(): Promise<AdeSyncSummary>
  devices(): AdeDevice[]
  /** Runs the sync every `syncIntervalMinutes` while connected (entry points start it with the directory scheduler). */
  startSchedule(): void
  stop(): void
}

export interface AdeServiceDeps {
  store: Store
  secrets: Secrets
  http: HttpPort
  clock: Clock
  sleep: Sleep
  log: Log
  /** Apple's service; tests point it at the fake. */
  baseUrl?: string
  /** The URL devices reach the ingress at, or null when it has none yet. */
  deviceUrl: () => Promise<string | null>
  syncIntervalMinutes?: number
  timers: TimerPort
}

const toAccount = (a: DepAccount): AdeAccount => ({
  serverName: a.server_name,
  serverUuid: a.server_uuid,
  orgName: a.org_name,
  orgEmail: a.org_email ?? null,
  orgPhone: a.org_phone ?? null,
  orgAddress: a.org_address ?? null,
  adminId: a.admin_id ?? null,
})

/**
 * The profile Apple gives new devices. Supervised and not removable (iOS 13+ treats ADE as
 * supervised and mandatory anyway; is_mdm_removable false needs is_supervised, else
 * FLAGS_INVALID); configuration_web_url sends Setup Assistant to our sign-in (Apple's
 * "Authenticating through web views"). await_device_configured stays false: nothing here
 * sends DeviceConfigured yet, and a device waiting for it would stay at "Waiting for management
 * server" (fleet #25671). No anchor_certs: they would pin the IdP's pages too.
 */
export function defaultProfileFor(deviceUrl: string, support: AdeAccount | null): DepProfile {
  return {
    profile_name: 'JIT Mapper',
    url: `${deviceUrl}${ADE_MACHINE_INFO_PATH}`,
    configuration_web_url: `${deviceUrl}${ADE_ENROLL_PATH}`,
    is_supervised: true,
    is_mandatory: true,
    is_mdm_removable: false,
    await_device_configured: false,
    skip_setup_items: [],
    ...(support?.orgEmail ? { support_email_address: support.orgEmail } : {}),
    ...(support?.orgPhone ? { support_phone_number: support.orgPhone } : {}),
  }
}

export function createAdeService(deps: AdeServiceDeps): AdeService {
  const { store, secrets, clock, log } = deps
  const interval = deps.syncIntervalMinutes ?? DEFAULT_INTERVAL_MINUTES
  let running: Promise<AdeSyncSummary> | null = null
  let timer: { handle: unknown } | null = null

  const keyPair = async (create: boolean): Promise<{ keyPem: string; certPem: string } | null> => {
    const stored = await secrets.get(ADE_KEY_SECRET)
    if (stored) return JSON.parse(stored) as { keyPem: string; certPem: string }
    if (!create) return null
    await secrets.set(
      ADE_KEY_SECRET,
      JSON.stringify(await selfSignedEnvelopeCertificate('JIT Mapper ADE server token', clock.now(), CERT_DAYS)),
    )
    return keyPair(false)
  }

  const token = async (): Promise<ServerToken | null> => {
    const stored = await secrets.get(ADE_TOKEN_SECRET)
    if (!stored) return null
    const parsed = serverTokenSchema.safeParse(JSON.parse(stored))
    return parsed.success ? parsed.data : null
  }

  const clientFor = (t: () => Promise<ServerToken>): DepClient =>
    createDepClient({ token: t, http: deps.http, clock, sleep: deps.sleep, baseUrl: deps.baseUrl })

  const client = clientFor(async () => {
    const t = await token()
    if (!t)
      throw new AppError(
        'ADE_NOT_CONNECTED',
        'Automated Device Enrollment is not connected: upload the server token from Apple Business Manager in Settings.',
      )
    return t
  })

  const status = async (): Promise<AdeStatus> => {
    const [pair, t] = await Promise.all([keyPair(false), token()])
    const profile = store.ade.defaultProfile()
    return {
      connected: t !== null,
      certificatePem: pair?.certPem ?? null,
      certificateNotAfter: pair ? certificateExpiry(pair.certPem) : null,
      tokenExpiry: t?.access_token_expiry ?? null,
      account: store.ade.account(),
      lastSync: store.ade.lastSync(),
      defaultProfile: profile
        ? {
            uuid: profile.uuid,
            name: profile.name,
            url: String(profile.definition['url'] ?? ''),
            configurationWebUrl: String(profile.definition['configuration_web_url'] ?? ''),
            definedAt: profile.definedAt,
          }
        : null,
      syncIntervalMinutes: interval,
    }
  }

  const sync = (): Promise<AdeSyncSummary> =>
    (running ??= (async () => {
      if (!(await token()))
        throw new AppError(
          'ADE_NOT_CONNECTED',
          'Automated Device Enrollment is not connected: upload the server token from Apple Business Manager first.',
        )
      return runAdeSync({
        store,
        client,
        clock,
        log,
        defaultProfile: async () => {
          const url = await deps.deviceUrl()
          return url ? defaultProfileFor(url.replace(/\/$/, ''), store.ade.account()) : null
        },
      })
    })().finally(() => {
      running = null
    }))

  const schedule = () => {
    if (!timer) return
    timer.handle = deps.timers.setTimeout(() => {
      void (async () => {
        if (await token())
          await sync().catch((e: unknown) => log.warn('scheduled ADE sync failed', { error: String(e) }))
        schedule()
      })()
    }, interval * 60_000)
  }

  return {
    status,
    async certificate() {
      await keyPair(true)
      return status()
    },
    async uploadToken(file) {
      const pair = await keyPair(false)
      if (!pair)
        throw new AppError(
          'BAD_INPUT',
          'Download the public certificate first: Apple encrypts the server token to it, so a token can only be read with this workspace’s key.',
          { field: 'token' },
        )
      const decrypted = decryptServerToken(file, pair)
      // Apple checks it: a token for another server or an expired one is refused here, not stored.
      const account = await clientFor(async () => decrypted).account()
      await secrets.set(ADE_TOKEN_SECRET, JSON.stringify(decrypted))
      store.ade.setAccount(toAccount(account))
      log.info('ADE server token uploaded', { server: account.server_name, expires: decrypted.access_token_expiry })
      return status()
    },
    sync,
    devices: () => store.ade.devices(),
    startSchedule() {
      if (timer) return
      timer = { handle: null }
      schedule()
    },
    stop() {
      if (timer?.handle) deps.timers.clearTimeout(timer.handle)
      timer = null
    },
  }
}
