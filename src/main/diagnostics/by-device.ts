// Diagnostics grouped by device, each device with its root cause: what the app already knows about
// why nothing reaches it (read from the local store and the push settings, so it works offline).
import type { Diagnostic, DiagnosticCode, Platform } from '../../shared/domain'
import { DEVICE_DIAGNOSTICS_SHOWN, type DeviceDiagnostics, type RootCause } from '../../shared/triage'
import type { Store } from '../store'

/** The push settings as the push room reports them (PushService.info has this shape). */
export interface PushStatus {
  info(): Promise<{ apns: { configured: boolean }; fcm: { configured: boolean } }>
}

/** A device not heard from for this long is called offline. */
export const OFFLINE_AFTER_MS = 24 * 3_600_000

export interface RootCauseInput {
  platform: Platform
  /** Whether the device has open or dead-lettered delivery diagnostics at all (PAYLOAD_LATENCY). */
  delivery: boolean
  checkedOutAt: string | null
  pushConfigured: boolean
  pushToken: boolean
  tokenStaleAt: string | null
  staleReason: string | null
  lastFailedPush: { at: string; reason: string | null } | null
  lastSeenAt: string | null
  now: Date
}

const PUSH_SERVICE = (p: Platform) => (p === 'android' ? 'FCM' : 'APNs')

/** The most decisive known cause first: a cause further down cannot matter while one above holds. */
export function rootCause(i: RootCauseInput): RootCause {
  if (!i.delivery)
    return {
      kind: 'not-delivery',
      text: 'Directory data, not delivery: fix the attribute, then Sync Now.',
      since: null,
    }
  if (i.checkedOutAt)
    return {
      kind: 'checked-out',
      text: 'The device checked out (its MDM profile was removed): nothing reaches it until it enrolls again.',
      since: i.checkedOutAt,
    }
  if (!i.pushConfigured)
    return {
      kind: 'push-not-configured',
      text: `${PUSH_SERVICE(i.platform)} is not configured, so no push can wake the device: add the push credentials in Settings, then Re-push.`,
      since: null,
    }
  if (i.tokenStaleAt)
    return {
      kind: 'stale-token',
      text: `Its push token is stale (${i.staleReason ?? 'refused by the push service'}): the device must check in with a new one; Re-push after that.`,
      since: i.tokenStaleAt,
    }
  if (!i.pushToken)
    return {
      kind: 'no-token',
      text: 'The device has never registered for push: its commands wait until it checks in by itself.',
      since: null,
    }
  const offline = i.lastSeenAt === null || i.now.getTime() - Date.parse(i.lastSeenAt) > OFFLINE_AFTER_MS
  if (i.lastFailedPush)
    return {
      kind: 'push-failed',
      text: `The last push failed (${i.lastFailedPush.reason ?? 'no reason given'}); the outbox retries with backoff.`,
      since: i.lastFailedPush.at,
    }
  if (offline)
    return {
      kind: 'offline',
      text:
        i.lastSeenAt === null
          ? 'The device has never checked in: check it is on and online.'
          : 'The device is offline: it has not checked in for over a day. Check it is on and online, then Re-push.',
      since: i.lastSeenAt,
    }
  return {
    kind: 'awaiting-answer',
    text: 'Pushed and online recently: the device has not answered yet. Scan Device shows whether it answers at all.',
    since: i.lastSeenAt,
  }
}

const REMEDIATIONS: Record<RootCause['kind'], string[]> = {
  'checked-out': ['devices/cancel'],
  'push-not-configured': ['devices/repush', 'devices/cancel'],
  'stale-token': ['devices/repush', 'devices/cancel'],
  'no-token': ['devices/scan', 'devices/cancel'],
  'push-failed': ['devices/repush', 'devices/cancel'],
  offline: ['devices/repush', 'devices/scan', 'devices/cancel'],
  'awaiting-answer': ['devices/scan', 'devices/repush', 'devices/cancel'],
  'not-delivery': ['directories/sync'],
}

/** Every device that has a diagnostic, most diagnostics first, each with its root cause. */
export async function diagnosticsByDevice(
  store: Store,
  all: readonly Diagnostic[],
  push: PushStatus,
  now: Date,
): Promise<DeviceDiagnostics[]> {
  const byDevice = new Map<string, Diagnostic[]>()
  for (const d of all) {
    if (!d.deviceId) continue
    const list = byDevice.get(d.deviceId)
    if (list) list.push(d)
    else byDevice.set(d.deviceId, [d])
  }
  if (byDevice.size === 0) return []
  const settings = await push.info()
  const failed = new Map(store.devices.latestFailedDeliveries().map(f => [f.deviceId, f]))
  const stale = new Map(store.outbox.staleTokens().map(t => [t.deviceId, t]))
  const out: DeviceDiagnostics[] = []
  for (const [deviceId, diagnostics] of byDevice) {
    const device = store.devices.get(deviceId)
    if (!device) continue
    const target = store.outbox.pushTarget(deviceId)
    const f = failed.get(deviceId)
    const cause = rootCause({
      platform: device.platform,
      delivery: diagnostics.some(d => d.code === 'PAYLOAD_LATENCY'),
      checkedOutAt: device.platform === 'android' ? null : store.apple.checkedOutAt(deviceId),
      pushConfigured: device.platform === 'android' ? settings.fcm.configured : settings.apns.configured,
      pushToken: Boolean(target?.pushToken),
      tokenStaleAt: target?.tokenStaleAt ?? null,
      staleReason: stale.get(deviceId)?.reason ?? null,
      lastFailedPush: f ? { at: f.at, reason: f.reason } : null,
      lastSeenAt: device.lastSeenAt,
      now,
    })
    const counts: Record<DiagnosticCode, number> = { SYNC_ATTR_MISSING: 0, GROUP_RULE_FAIL: 0, PAYLOAD_LATENCY: 0 }
    for (const d of diagnostics) counts[d.code]++
    out.push({
      deviceId,
      deviceName: device.name,
      serial: device.serial,
      platform: device.platform,
      userPrincipalName: device.userPrincipalName,
      lastSeenAt: device.lastSeenAt,
      rootCause: cause,
      count: diagnostics.length,
      counts,
      diagnostics: diagnostics.slice(0, DEVICE_DIAGNOSTICS_SHOWN),
      remediations: REMEDIATIONS[cause.kind],
    })
  }
  return out.sort(
    (a, b) => b.count - a.count || (a.deviceName < b.deviceName ? -1 : a.deviceName > b.deviceName ? 1 : 0),
  )
}
