// Why notifications stopped reaching the app, from what is stored: a pure function, so each case
// is one row of a table test. The scheduled sync is the witness for silence: when it finds changes
// long after the last notification, the IdP stopped telling us (a subscription the IdP dropped, an
// endpoint it cannot reach). Entra's user notifications have no documented latency and lag 10–30 minutes in reports (msgraph-training-changenotifications #17, #29), so a
// change is only counted as unannounced when the sync ran SILENCE_MS after the last one heard.
import type { SyncRun } from '../../../shared/domain'
import type { NotificationProblem } from '../../../shared/notifications'
import type { NotificationDirectoryState, SubscriptionRecord } from '../../store'

export const SILENCE_MS = 60 * 60_000

export interface DiagnoseInput {
  state: NotificationDirectoryState
  subscriptions: Pick<SubscriptionRecord, 'state' | 'expiresAt' | 'createdAt' | 'lastError' | 'event'>[]
  /** The ingress's public URL; null while it is not running. */
  endpoint: string | null
  /** The directory's latest sync runs, newest first. */
  runs: Pick<SyncRun, 'status' | 'startedAt' | 'added' | 'changed' | 'removed'>[]
  now: Date
}

export function diagnoseNotifications(i: DiagnoseInput): NotificationProblem | null {
  if (!i.state.enabled) return null
  if (i.endpoint === null)
    return {
      code: 'NOTIFY_NO_ENDPOINT',
      message:
        'The ingress is not running, so the IdP has nowhere to send notifications. Start it under Settings → Ingress; the scheduled sync covers the changes meanwhile.',
    }
  if (i.state.lastError)
    return {
      code: 'NOTIFY_UNREACHABLE',
      message: `${i.state.lastError} Until this is fixed, changes wait for the scheduled sync.`,
    }
  const lapsed = i.subscriptions.find(
    s => s.state === 'lapsed' || (s.expiresAt !== null && Date.parse(s.expiresAt) <= i.now.getTime()),
  )
  if (lapsed || i.subscriptions.length === 0)
    return {
      code: 'NOTIFY_LAPSED',
      message: `The subscription${lapsed?.event ? ` to ${lapsed.event}` : ''} lapsed${lapsed?.lastError ? `: ${lapsed.lastError}` : ''}. Choose "Renew" (or turn notifications off and on); the scheduled sync covers the changes meanwhile.`,
    }
  const since = Math.max(
    Date.parse(i.state.lastEventAt ?? '') || 0,
    ...i.subscriptions.map(s => Date.parse(s.createdAt) || 0),
  )
  const unannounced = i.runs.find(
    r =>
      r.status === 'succeeded' && r.added + r.changed + r.removed > 0 && Date.parse(r.startedAt) - since > SILENCE_MS,
  )
  if (unannounced)
    return {
      code: 'NOTIFY_SILENT',
      message: `The sync of ${unannounced.startedAt} found ${unannounced.added + unannounced.changed + unannounced.removed} change(s) that no notification announced: the IdP has stopped sending. Choose "Send test" to check that it reaches the ingress's public URL.`,
    }
  return null
}
