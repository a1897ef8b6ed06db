// The push room's port: what a transport is asked and what it answers. Here rather than in
// index.ts so the transports behind the front door need not import it.
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
