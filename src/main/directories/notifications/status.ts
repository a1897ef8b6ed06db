// One directory's change notifications as the Settings page shows them (secrets and the IdP's
// resource ids left out), with the diagnosis of why they stopped arriving.
import type { DirectoryNotifications } from '../../../shared/notifications'
import type { Clock } from '../../ports'
import type { Store } from '../../store'
import type { DirectoryService } from '../service'
import { diagnoseNotifications } from './diagnose'
import { NOTIFICATION_PATHS } from './routes'

export function notificationStatus(
  c: { store: Store; clock: Clock; directories: Pick<DirectoryService, 'list'> },
  directoryId: string,
  endpoint: string | null,
): DirectoryNotifications {
  const notifications = c.store.notifications
  const d = c.directories.list().find(x => x.id === directoryId)
  if (!d) throw new Error(`notificationStatus: no directory ${directoryId}`)
  const state = notifications.directoryState(directoryId)
  const subs = notifications.subscriptionsOf(directoryId)
  const expiries = subs.flatMap(s => (s.state === 'active' && s.expiresAt ? [s.expiresAt] : [])).sort()
  const problem = diagnoseNotifications({
    state,
    subscriptions: subs,
    endpoint,
    runs: c.store.sync.runs(directoryId, 5),
    now: c.clock.now(),
  })
  const kind = d.kind === 'file' ? null : d.kind
  return {
    directoryId,
    directoryName: d.name,
    kind: d.kind,
    supported: kind !== null,
    enabled: state.enabled,
    active: state.enabled && subs.length > 0 && subs.every(s => s.state === 'active') && problem === null,
    endpoint: kind && endpoint ? `${endpoint.replace(/\/$/, '')}${NOTIFICATION_PATHS[kind]}` : null,
    subscriptions: subs.map(({ directoryId: _, kind: __, resourceId: ___, secretHash: ____, ...info }) => info),
    expiresAt: expiries[0] ?? null,
    lastEventAt: state.lastEventAt,
    lastTestAt: state.lastTestAt,
    lastTestOkAt: state.lastTestOkAt,
    queued: notifications.openCount(directoryId),
    problem,
  }
}
