// The push room: waking devices so they fetch their commands. A transport sends a batch of
// wake-ups and says, per device, what happened in words the outbox can act on; APNs and FCM
// live behind the same port.
import type { Platform } from '../../shared/domain'

export interface WakeTarget {
  deviceId: string
  platform: Platform
  pushToken: string
  /** APNs only: the topic and PushMagic from the device's TokenUpdate. */
  pushTopic?: string | null
  pushMagic?: string | null
}

/**
 * What a failed push means for the outbox:
 * - retry: transient (429, 5xx, transport); back off, honouring retryAfterMs / minBackoffMs;
 * - stale-token: the token is gone (APNs 410, FCM UNREGISTERED); wait for a new one;
 * - rejected: this request can never succeed as is (bad token, wrong topic); wait for a new token;
 * - credentials: the push certificate or service account is refused; back off, fix credentials.
 */
export type FailureDisposition = 'retry' | 'stale-token' | 'rejected' | 'credentials'

export type WakeOutcome =
  | { ok: true; transport: string }
  | {
      ok: false
      transport: string
      reason: string
      disposition: FailureDisposition
      retryAfterMs?: number
      minBackoffMs?: number
      /** APNs 410: when APNs learned the token was invalid (ISO). */
      invalidSince?: string
    }

export interface PushTransport {
  /** One outcome per target, in the same order. */
  send(targets: readonly WakeTarget[]): Promise<WakeOutcome[]>
}

/** Sends Apple devices through one transport and Android devices through another. */
export function createPushRouter(routes: { apple: PushTransport; android: PushTransport }): PushTransport {
  return {
    async send(targets) {
      const apple = targets.map((t, i) => [t, i] as const).filter(([t]) => t.platform !== 'android')
      const android = targets.map((t, i) => [t, i] as const).filter(([t]) => t.platform === 'android')
      const out: WakeOutcome[] = new Array(targets.length)
      const [a, b] = await Promise.all([
        apple.length ? routes.apple.send(apple.map(([t]) => t)) : [],
        android.length ? routes.android.send(android.map(([t]) => t)) : [],
      ])
      apple.forEach(([, i], k) => (out[i] = a[k] as WakeOutcome))
      android.forEach(([, i], k) => (out[i] = b[k] as WakeOutcome))
      return out
    },
  }
}

export { pushHandlers } from './handlers'
export { createPushCredentials, type PushCredentials } from './credentials'
