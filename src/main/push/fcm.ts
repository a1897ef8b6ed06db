// FCM HTTP v1 wake-ups through firebase-admin: data-only, high-priority messages (they can wake
// a device from Doze; firebase.google.com/docs/cloud-messaging/android/message-priority), sent
// with sendEach in batches of at most 500 (the SDK refuses more). Error codes are the SDK's
// mapping of FCM's errorCode (firebase-admin's MESSAGING_SERVER_TO_CLIENT_CODE in lib/utils/error.js).
import type { Agent } from 'node:http'
import { deleteApp, initializeApp, type App } from 'firebase-admin/app'
import { getMessaging, type Message } from 'firebase-admin/messaging'
import { randomUUID } from 'node:crypto'
import { parseServiceAccount, serviceAccountCredential } from './google-token'
import type { FailureDisposition, PushTransport, WakeOutcome, WakeTarget } from './transport'
import { errorMessage } from '../../shared/errors'

export interface FcmOptions {
  /** The Firebase service account JSON, read from the secrets port. */
  serviceAccount: () => Promise<string | null>
  /** Routes the OAuth token request and HTTP/1.1 sends (a corporate proxy; loopback in tests). */
  httpAgent?: Agent
}

export interface FcmTransport extends PushTransport {
  close(): Promise<void>
}

export const FCM_BATCH = 500
const PARALLEL_BATCHES = 4
const TRANSPORT = 'fcm'
/** Google: on QUOTA_EXCEEDED back off exponentially with "a minimum initial delay of 1 minute". */
const QUOTA_MIN_BACKOFF_MS = 60_000

const CODES: Record<string, { disposition: FailureDisposition; explain: string; minBackoffMs?: number }> = {
  'messaging/registration-token-not-registered': {
    disposition: 'stale-token',
    explain: 'the FCM token is no longer registered; the agent must enroll again or send a new token',
  },
  'messaging/invalid-registration-token': {
    disposition: 'rejected',
    explain: 'FCM refuses this registration token; the agent must send a new one',
  },
  'messaging/invalid-argument': { disposition: 'rejected', explain: 'FCM refused the message or token as invalid' },
  'messaging/mismatched-credential': {
    disposition: 'credentials',
    explain: 'the token belongs to another Firebase project than the service account (SENDER_ID_MISMATCH)',
  },
  'messaging/third-party-auth-error': {
    disposition: 'credentials',
    explain: 'FCM could not authenticate with the configured credentials',
  },
  'messaging/authentication-error': { disposition: 'credentials', explain: 'the Firebase service account was refused' },
  'app/invalid-credential': {
    disposition: 'credentials',
    explain: 'the Firebase service account could not obtain an access token',
  },
  'messaging/message-rate-exceeded': {
    disposition: 'retry',
    explain: 'FCM quota exceeded; backing off from one minute',
    minBackoffMs: QUOTA_MIN_BACKOFF_MS,
  },
  'messaging/device-message-rate-exceeded': {
    disposition: 'retry',
    explain: 'too many messages to this device; backing off from one minute',
    minBackoffMs: QUOTA_MIN_BACKOFF_MS,
  },
  'messaging/server-unavailable': { disposition: 'retry', explain: 'FCM is unavailable; retrying with backoff' },
  'messaging/internal-error': { disposition: 'retry', explain: 'FCM had an internal error; retrying with backoff' },
}

export function classifyFcm(
  code: string,
  message: string,
): Omit<Extract<WakeOutcome, { ok: false }>, 'transport' | 'ok'> {
  const rule = CODES[code] ?? {
    disposition: 'retry' as const,
    explain: 'FCM did not accept the message; retrying with backoff',
  }
  return {
    disposition: rule.disposition,
    reason: `FCM ${code}: ${rule.explain} (${message})`,
    ...(rule.minBackoffMs ? { minBackoffMs: rule.minBackoffMs } : {}),
  }
}

export function createFcmTransport(o: FcmOptions): FcmTransport {
  let current: { app: App; json: string } | null = null

  const appFor = async (): Promise<App | string> => {
    const json = await o.serviceAccount()
    if (!json) return 'No Firebase service account is configured; upload it under Settings → Push credentials'
    if (current?.json === json) return current.app
    if (current) await deleteApp(current.app)
    const account = parseServiceAccount(json)
    const app = initializeApp(
      {
        credential: serviceAccountCredential(account, o.httpAgent),
        projectId: account.project_id,
        httpAgent: o.httpAgent,
      },
      `fcm-${randomUUID()}`,
    )
    current = { app, json }
    return app
  }

  return {
    async send(targets) {
      const app = await appFor().catch(
        (e: unknown) => `The Firebase service account cannot be used: ${errorMessage(e)}`,
      )
      if (typeof app === 'string')
        return targets.map(() => ({
          ok: false,
          transport: TRANSPORT,
          reason: app,
          disposition: 'credentials' as const,
        }))
      const messaging = getMessaging(app)
      const batches = Array.from({ length: Math.ceil(targets.length / FCM_BATCH) }, (_, i) =>
        targets.slice(i * FCM_BATCH, (i + 1) * FCM_BATCH),
      )
      const sendBatch = async (batch: readonly WakeTarget[]): Promise<WakeOutcome[]> => {
        const messages: Message[] = batch.map(t => ({
          token: t.pushToken,
          data: { cmd: 'sync' },
          android: { priority: 'high', ttl: 3600_000 },
        }))
        try {
          const r = await messaging.sendEach(messages)
          return r.responses.map(res =>
            res.success
              ? { ok: true, transport: TRANSPORT }
              : {
                  ok: false,
                  transport: TRANSPORT,
                  ...classifyFcm(res.error?.code ?? 'unknown', res.error?.message ?? ''),
                },
          )
        } catch (e) {
          const code = (e as { code?: string }).code ?? 'unknown'
          const failed = {
            ok: false as const,
            transport: TRANSPORT,
            ...classifyFcm(code, errorMessage(e)),
          }
          return batch.map(() => failed)
        }
      }
      // Each sendEach opens its own HTTP/2 session (firebase-admin 13 messaging.js), so a few
      // batches in parallel use a few connections; results keep the targets' order.
      const out: WakeOutcome[][] = new Array(batches.length)
      let next = 0
      await Promise.all(
        Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, async () => {
          while (next < batches.length) {
            const i = next++
            out[i] = await sendBatch(batches[i] as WakeTarget[])
          }
        }),
      )
      return out.flat()
    },
    async close() {
      if (current) await deleteApp(current.app)
      current = null
    },
  }
}
