// The root cause the Diagnostics page names for a device: the most decisive known one first.
import { describe, expect, it } from 'vitest'
import { type RootCauseInput, rootCause } from '../../../src/main/diagnostics'

const NOW = new Date('2026-03-10T12:00:00.000Z')
const base: RootCauseInput = {
  platform: 'ios',
  delivery: true,
  checkedOutAt: null,
  pushConfigured: true,
  pushToken: true,
  tokenStaleAt: null,
  staleReason: null,
  lastFailedPush: null,
  lastSeenAt: '2026-03-10T11:00:00.000Z',
  now: NOW,
}

describe('root cause of a device that does not answer', () => {
  it.each([
    ['directory data only', { delivery: false }, 'not-delivery', /Sync Now/],
    [
      'checked out, whatever else holds',
      { checkedOutAt: '2026-03-01T00:00:00Z', pushConfigured: false },
      'checked-out',
      /checked out/,
    ],
    [
      'APNs not configured',
      { pushConfigured: false, tokenStaleAt: '2026-03-02T00:00:00Z' },
      'push-not-configured',
      /APNs is not configured/,
    ],
    [
      'FCM not configured',
      { platform: 'android', pushConfigured: false },
      'push-not-configured',
      /FCM is not configured/,
    ],
    [
      'a stale token',
      { tokenStaleAt: '2026-03-02T00:00:00Z', staleReason: 'Unregistered' },
      'stale-token',
      /Unregistered/,
    ],
    ['no token ever', { pushToken: false }, 'no-token', /never registered/],
    [
      'a failed push',
      { lastFailedPush: { at: '2026-03-10T10:00:00Z', reason: 'ECONNRESET' } },
      'push-failed',
      /ECONNRESET/,
    ],
    ['offline for two days', { lastSeenAt: '2026-03-08T12:00:00.000Z' }, 'offline', /offline/],
    ['never seen', { lastSeenAt: null }, 'offline', /never checked in/],
    ['online, not answering yet', {}, 'awaiting-answer', /Scan Device/],
  ] as const)('%s', (_name, patch, kind, text) => {
    const cause = rootCause({ ...base, ...patch })
    expect(cause.kind).toBe(kind)
    expect(cause.text).toMatch(text)
  })

  it('says since when a device is offline and since when its token is stale', () => {
    expect(rootCause({ ...base, lastSeenAt: '2026-03-01T00:00:00.000Z' }).since).toBe('2026-03-01T00:00:00.000Z')
    expect(rootCause({ ...base, tokenStaleAt: '2026-03-02T00:00:00Z' }).since).toBe('2026-03-02T00:00:00Z')
  })
})
