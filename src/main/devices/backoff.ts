// How long the outbox waits before re-pushing after a failed push. The steps follow Fleet's
// APNs retry (30 s, 2 m, 8 m, 30 m; server/mdm/apple/retrying_pusher.go); a server's
// Retry-After wins when it asks for longer, and FCM quota errors start at one minute
// (firebase.google.com/docs/cloud-messaging/error-codes: "minimum initial delay of 1 minute").
const BASE_MS = 30_000
const FACTOR = 4
const CAP_MS = 30 * 60_000

export function backoffMs(attempt: number, hints: { retryAfterMs?: number; minBackoffMs?: number } = {}): number {
  const step = Math.min(CAP_MS, BASE_MS * FACTOR ** Math.max(0, attempt - 1))
  return Math.max(step, hints.retryAfterMs ?? 0, hints.minBackoffMs ?? 0)
}
