// The overview's health board: what needs attention, each item linked to where it is fixed.
// Read from the local store and the secrets port only (works offline).
import type { ActivityDay, HealthBoard, HealthItem } from '../../shared/admin'
import type { DiagnosticCode, PushCredentialsInfo } from '../../shared/domain'
import type { DirectoryNotifications } from '../../shared/notifications'
import type { Store } from '../store'

export const ACTIVITY_DAYS = 14
export const DEFAULT_STALE_DAYS = 7
const DAY_MS = 86_400_000

export interface HealthInput {
  store: Store
  now: Date
  push: PushCredentialsInfo
  /** Open diagnostics by code (the diagnostics room's counts: none rendered). */
  diagnostics: Readonly<Record<DiagnosticCode, number>>
  staleDays: number
  /** Each directory's change notifications (directories/notifications): a stopped one is named. */
  notifications: readonly DirectoryNotifications[]
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en')} ${n === 1 ? one : many}`

/** Where each thing is fixed (the renderer's hash routes). */
export const FIX_AT = {
  push: '#/settings',
  directories: '#/directories',
  policies: '#/policies',
  /** Change notifications per directory are switched on, tested and renewed on Settings. */
  notifications: '#/settings',
  /** The grace rule and the breaker that decide when a withdrawal goes out. */
  withdrawals: '#/settings',
  devices: '#/devices',
  diagnostics: '#/diagnostics',
  audit: '#/audit',
} as const

function pushItems(push: PushCredentialsInfo, apple: number, android: number, now: Date): HealthItem[] {
  const items: HealthItem[] = []
  if (!push.apns.configured)
    items.push({
      key: 'apns',
      tone: apple > 0 ? 'bad' : 'neutral',
      title: 'APNs is not configured',
      detail:
        apple > 0
          ? `${plural(apple, 'Apple device')} cannot be woken: their commands wait until each checks in on its own. Add the MDM push certificate.`
          : 'Apple devices cannot be woken until the MDM push certificate is added.',
      href: FIX_AT.push,
    })
  else if (push.apns.notAfter) {
    const days = Math.floor((Date.parse(push.apns.notAfter) - now.getTime()) / DAY_MS)
    items.push({
      key: 'apns',
      tone: days < 0 ? 'bad' : push.apns.expiresSoon ? 'warn' : 'good',
      title: days < 0 ? 'The APNs certificate has expired' : `APNs certificate valid for ${plural(days, 'day')}`,
      detail:
        days < 0
          ? `It expired on ${push.apns.notAfter.slice(0, 10)}: no Apple device can be woken. Renew it at Apple and upload it (same topic).`
          : `Expires ${push.apns.notAfter.slice(0, 10)}${push.apns.topic ? ` (topic ${push.apns.topic})` : ''}.`,
      href: FIX_AT.push,
    })
  }
  if (!push.fcm.configured)
    items.push({
      key: 'fcm',
      tone: android > 0 ? 'bad' : 'neutral',
      title: 'FCM is not configured',
      detail:
        android > 0
          ? `${plural(android, 'Android device')} cannot be woken. Add the Firebase service account.`
          : 'Android devices cannot be woken until the Firebase service account is added.',
      href: FIX_AT.push,
    })
  else
    items.push({
      key: 'fcm',
      tone: 'good',
      title: 'FCM is configured',
      detail: push.fcm.projectId ?? '',
      href: FIX_AT.push,
    })
  return items
}

export function healthBoard(input: HealthInput): HealthBoard {
  const { store, now, push, diagnostics, staleDays, notifications } = input
  const devices = store.devices.list()
  const apple = devices.filter(d => d.platform !== 'android').length
  const android = devices.length - apple
  const items: HealthItem[] = pushItems(push, apple, android, now)

  const directories = store.directories.list().map(d => {
    const runs = store.sync.runs(d.id, 50)
    const lastOk = runs.findIndex(r => r.status === 'succeeded')
    const failures = (lastOk < 0 ? runs : runs.slice(0, lastOk)).filter(r => r.status === 'failed').length
    return {
      id: d.id,
      name: d.name,
      kind: d.kind,
      lastSync: d.lastSync,
      lastSucceededAt: lastOk < 0 ? null : (runs[lastOk]?.finishedAt ?? null),
      failuresSinceSuccess: failures,
    }
  })
  for (const d of directories) {
    if (d.lastSync?.status === 'failed')
      items.push({
        key: `sync-failed:${d.id}`,
        tone: 'bad',
        title: `${d.name}: the last sync failed`,
        detail: `${d.lastSync.error ?? 'No reason recorded.'} ${plural(d.failuresSinceSuccess, 'failed run')} since the last success${d.lastSucceededAt ? ` (${d.lastSucceededAt.slice(0, 16).replace('T', ' ')} UTC)` : ''}.`,
        href: FIX_AT.directories,
        count: d.failuresSinceSuccess,
      })
    if (d.lastSync?.status === 'held')
      items.push({
        key: `sync-held:${d.id}`,
        tone: 'warn',
        title: `${d.name}: a sync is held for approval`,
        detail: `It would remove ${plural(d.lastSync.removed, 'user')}; nothing was written. Confirm and apply it in the sync history.`,
        href: FIX_AT.directories,
      })
  }

  // A move then waits for the next scheduled sync: worse when the IdP can no longer reach us.
  for (const n of notifications)
    if (n.enabled && n.problem)
      items.push({
        key: `notifications:${n.directoryId}`,
        tone: n.problem.code === 'NOTIFY_SILENT' ? 'warn' : 'bad',
        title: `${n.directoryName}: change notifications stopped`,
        detail: `${n.problem.message} Moves wait for the next scheduled sync meanwhile.`,
        href: FIX_AT.notifications,
      })

  const held = store.heldChanges.list().filter(h => h.status === 'held')
  if (held.length > 0)
    items.push({
      key: 'held-changes',
      tone: 'warn',
      title: `${plural(held.length, 'held change')} awaiting approval`,
      detail: held.map(h => h.summary).join(' '),
      href: FIX_AT.policies,
      count: held.length,
    })
  const rebinds = store.activity.heldRebinds()
  if (rebinds > 0)
    items.push({
      key: 'held-rebinds',
      tone: 'warn',
      title: `${plural(rebinds, 'device move')} awaiting approval`,
      detail: 'Someone enrolled a device that belongs to another user without proof from the device.',
      href: FIX_AT.devices,
      count: rebinds,
    })
  const withdrawals = store.withdrawals.all().length
  if (withdrawals > 0)
    items.push({
      key: 'withdrawals',
      tone: 'neutral',
      title: `${plural(withdrawals, 'pending withdrawal')}`,
      detail: 'Users who left a group keep its policies until the next sync confirms it (the grace rule).',
      href: FIX_AT.withdrawals,
      count: withdrawals,
    })
  const overdue = store.devices.overdueCount(now.toISOString())
  if (overdue > 0)
    items.push({
      key: 'overdue',
      tone: 'bad',
      title: `${plural(overdue, 'overdue command')}`,
      detail: 'Devices have not acknowledged them within the deadline (PAYLOAD_LATENCY).',
      href: FIX_AT.diagnostics,
      count: overdue,
    })
  const staleBefore = new Date(now.getTime() - staleDays * DAY_MS).toISOString()
  const stale = devices.filter(d => (d.lastSeenAt ?? d.enrolledAt) < staleBefore)
  if (stale.length > 0)
    items.push({
      key: 'stale-devices',
      tone: 'warn',
      title: `${plural(stale.length, 'device')} not seen for ${staleDays} days`,
      detail: stale
        .slice(0, 5)
        .map(d => d.name)
        .join(', '),
      href: FIX_AT.devices,
      count: stale.length,
    })

  return {
    generatedAt: now.toISOString(),
    items,
    directories,
    diagnostics: (Object.entries(diagnostics) as [DiagnosticCode, number][])
      .filter(([, count]) => count > 0)
      .map(([code, count]) => ({ code, count }))
      .sort((a, b) => a.code.localeCompare(b.code)),
    activity: activity(store, now),
    staleDays,
  }
}

/** The last ACTIVITY_DAYS UTC days, oldest first, every day present (zero when nothing happened). */
function activity(store: Store, now: Date): ActivityDay[] {
  const first = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (ACTIVITY_DAYS - 1) * DAY_MS,
  )
  const { enrollments, deliveries } = store.activity.perDay(first.toISOString())
  return Array.from({ length: ACTIVITY_DAYS }, (_, i) => {
    const day = new Date(first.getTime() + i * DAY_MS).toISOString().slice(0, 10)
    return { day, enrollments: enrollments.get(day) ?? 0, deliveries: deliveries.get(day) ?? 0 }
  })
}
