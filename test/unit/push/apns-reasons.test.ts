import { describe, expect, it } from 'vitest'
import { APNS_REASONS, classifyApns } from '../../../src/main/push/apns-reasons'

// Apple, "Handling notification responses from APNs": every documented status and reason.
const DOCUMENTED: [number, string, string][] = [
  [400, 'BadCollapseId', 'retry'],
  [400, 'BadDeviceToken', 'rejected'],
  [400, 'BadExpirationDate', 'retry'],
  [400, 'BadMessageId', 'retry'],
  [400, 'BadPriority', 'retry'],
  [400, 'BadTopic', 'credentials'],
  [400, 'DeviceTokenNotForTopic', 'rejected'],
  [400, 'DuplicateHeaders', 'retry'],
  [400, 'IdleTimeout', 'retry'],
  [400, 'InvalidPushType', 'retry'],
  [400, 'MissingDeviceToken', 'retry'],
  [400, 'MissingTopic', 'credentials'],
  [400, 'PayloadEmpty', 'retry'],
  [400, 'TopicDisallowed', 'credentials'],
  [403, 'BadCertificate', 'credentials'],
  [403, 'BadCertificateEnvironment', 'credentials'],
  [403, 'ExpiredProviderToken', 'credentials'],
  [403, 'Forbidden', 'credentials'],
  [403, 'InvalidProviderToken', 'credentials'],
  [403, 'MissingProviderToken', 'credentials'],
  [403, 'UnrelatedKeyIdInToken', 'credentials'],
  [403, 'BadEnvironmentKeyIdInToken', 'credentials'],
  [404, 'BadPath', 'retry'],
  [405, 'MethodNotAllowed', 'retry'],
  [410, 'Unregistered', 'stale-token'],
  [410, 'ExpiredToken', 'stale-token'],
  [413, 'PayloadTooLarge', 'retry'],
  [429, 'TooManyRequests', 'retry'],
  [429, 'TooManyProviderTokenUpdates', 'retry'],
  [500, 'InternalServerError', 'retry'],
  [503, 'ServiceUnavailable', 'retry'],
  [503, 'Shutdown', 'retry'],
]

describe('APNs reasons', () => {
  it.each(DOCUMENTED)('%i %s → %s, naming the status and reason', (status, reason, disposition) => {
    const c = classifyApns(status, reason)
    expect(c.disposition).toBe(disposition)
    expect(c.reason).toContain(`APNs ${status} ${reason}`)
  })

  it('classifies every documented reason explicitly', () => {
    expect(DOCUMENTED.every(([, r]) => r in APNS_REASONS)).toBe(true)
  })

  it.each([
    [410, 'stale-token'],
    [403, 'credentials'],
    [429, 'retry'],
    [502, 'retry'],
    [400, 'retry'],
  ])('falls back on the status for an unknown reason (%i → %s)', (status, disposition) => {
    expect(classifyApns(status, 'SomethingNew').disposition).toBe(disposition)
  })

  it('names the push certificate for a transport failure', () => {
    expect(classifyApns(null, 'stream ended unexpectedly with status null and empty body')).toEqual({
      disposition: 'retry',
      reason:
        'Could not reach APNs (stream ended unexpectedly with status null and empty body); check the network and the MDM push certificate',
    })
  })
})
