// Every APNs failure reason, and what the outbox should do about it. Statuses and reasons from
// Apple, "Handling notification responses from APNs"; permanence after Fleet's
// server/mdm/apple/apns_errors.go (token and certificate problems are permanent, 429/5xx and
// transport failures are transient).
import type { FailureDisposition } from './transport'

interface Rule {
  disposition: FailureDisposition
  explain: string
}

const TOKEN_GONE: Rule = {
  disposition: 'stale-token',
  explain: 'APNs says the device token is no longer valid; the device must check in with a new TokenUpdate',
}
const BAD_TOKEN: Rule = {
  disposition: 'rejected',
  explain: 'APNs refuses this device token; the device must send a new TokenUpdate',
}
const CERT: Rule = {
  disposition: 'credentials',
  explain: 'APNs refuses the push certificate or its topic; renew or re-upload the MDM push certificate',
}
const OURS: Rule = {
  disposition: 'retry',
  explain: 'APNs rejected the request format (a JIT Mapper bug); retrying with backoff',
}
const BUSY: Rule = { disposition: 'retry', explain: 'APNs is throttling or unavailable; retrying with backoff' }

export const APNS_REASONS: Record<string, Rule> = {
  BadCollapseId: OURS,
  BadDeviceToken: BAD_TOKEN,
  BadExpirationDate: OURS,
  BadMessageId: OURS,
  BadPriority: OURS,
  BadTopic: CERT,
  DeviceTokenNotForTopic: BAD_TOKEN,
  DuplicateHeaders: OURS,
  IdleTimeout: BUSY,
  InvalidPushType: OURS,
  MissingDeviceToken: OURS,
  MissingTopic: CERT,
  PayloadEmpty: OURS,
  TopicDisallowed: CERT,
  BadCertificate: CERT,
  BadCertificateEnvironment: CERT,
  ExpiredProviderToken: CERT,
  Forbidden: CERT,
  InvalidProviderToken: CERT,
  MissingProviderToken: CERT,
  UnrelatedKeyIdInToken: CERT,
  BadEnvironmentKeyIdInToken: CERT,
  BadEnvironmentKeyInToken: CERT,
  BadPath: OURS,
  MethodNotAllowed: OURS,
  Unregistered: TOKEN_GONE,
  ExpiredToken: TOKEN_GONE,
  PayloadTooLarge: OURS,
  TooManyRequests: BUSY,
  TooManyProviderTokenUpdates: BUSY,
  InternalServerError: BUSY,
  ServiceUnavailable: BUSY,
  Shutdown: BUSY,
}

/** The rule for a status without a known reason. */
function byStatus(status: number): Rule {
  if (status === 410) return TOKEN_GONE
  if (status === 403) return CERT
  if (status === 429 || status >= 500) return BUSY
  return OURS
}

export function classifyApns(
  status: number | null,
  reason: string | null,
): { disposition: FailureDisposition; reason: string } {
  if (status === null) {
    // @parse/node-apn reports an untrusted or expired client certificate as "stream ended
    // unexpectedly with status null" and an empty body (observed with @parse/node-apn 8.1.0), so
    // name the likely cause.
    return {
      disposition: 'retry',
      reason: `Could not reach APNs${reason ? ` (${reason})` : ''}; check the network and the MDM push certificate`,
    }
  }
  const rule = (reason ? APNS_REASONS[reason] : undefined) ?? byStatus(status)
  return { disposition: rule.disposition, reason: `APNs ${status} ${reason ?? '(no reason)'}: ${rule.explain}` }
}
