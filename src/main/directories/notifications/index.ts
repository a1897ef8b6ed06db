// Change notifications, per directory: subscriptions at the IdP (created when the admin turns them
// on, renewed before they expire, deleted when turned off or the directory is removed), the
// receiver the ingress hands requests to, and the processor that turns a notified user into a
// fetch, an evaluation and a redeploy. The scheduled sync stays: it covers whatever a notification
// missed, and a lifecycle event that says notifications were lost runs one at once.
import type { DirectoryNotifications } from '../../../shared/notifications'
import { AppError, errorMessage } from '../../../shared/errors'
import { systemTimers, type Clock, type IdSource, type Log, type TimerPort } from '../../ports'
import type { Store } from '../../store'
import type { DirectoryService } from '../service'
import { createNotificationProcessor, type NotificationProcessor } from './processor'
import { createNotificationReceiver, type NotificationReceiver } from './receiver'
import { notificationStatus } from './status'
import {
  apiFor,
  createOne,
  directoryOf,
  ensure,
  onLifecycle,
  removeOne,
  renewDue,
  type SubscriptionContext,
} from './subscriptions'

export { notificationRoutes, NOTIFICATION_PATHS, MAX_NOTIFICATION_BODY, type IngressRoute } from './routes'
export type { NotificationReceiver } from './receiver'

export interface NotificationDeps {
  store: Store
  clock: Clock
  ids: IdSource
  log: Log
  directories: Pick<DirectoryService, 'refreshFromIdp' | 'idpSession' | 'list'>
  /** Redeploys users' devices (grace rule and circuit breaker: the sync's path). */
  redeploy(userIds: string[]): Promise<unknown>
  /** An incremental sync of the directory, as Sync Now runs it. */
  sync(directoryId: string): Promise<unknown>
  /** The ingress's public URL (https://host:port); null while it is not running. */
  endpoint(): Promise<string | null>
  timers?: TimerPort
  /** How often subscriptions are checked for renewal (default 10 minutes). */
  renewEveryMs?: number
  /** Users fetched at once (default 4). */
  concurrency?: number
  /** Notified users were applied: tell the admin UI (and other processes) what may have changed. */
  changed?(): void
}

export interface NotificationService {
  readonly receiver: NotificationReceiver
  status(): Promise<DirectoryNotifications[]>
  /** Turns notifications on: creates the directory's subscriptions at its IdP. */
  enable(directoryId: string): Promise<DirectoryNotifications>
  /** Turns them off: deletes the subscriptions at the IdP (best effort) and here. */
  disable(directoryId: string): Promise<DirectoryNotifications>
  /** Makes the IdP call the endpoint now (new Graph subscriptions and Google channels, Okta re-verified). */
  test(directoryId: string): Promise<DirectoryNotifications>
  /** Renews what expires soon and recreates what lapsed (the scheduler calls it). */
  renewDue(): Promise<void>
  /**
   * Before a directory is removed: what deletes its subscriptions at the IdP, to run once it is
   * removed (its rows, and so their IdP ids, go with it).
   */
  forget(directoryId: string): Promise<() => Promise<void>>
  /** Drains what was queued before a restart and arms the renewal timer. */
  start(): void
  stop(): void
  readonly processor: NotificationProcessor
}

export function createNotificationService(deps: NotificationDeps): NotificationService {
  const { store, clock, ids, log } = deps
  const notifications = store.notifications
  const timers = deps.timers ?? systemTimers
  const renewEveryMs = deps.renewEveryMs ?? 10 * 60_000
  let timer: unknown = null
  let started = false

  const processor = createNotificationProcessor({
    store,
    clock,
    log,
    readUser: (directoryId, userKey) => deps.directories.refreshFromIdp(directoryId, userKey),
    sync: directoryId => deps.sync(directoryId),
    redeploy: userIds => deps.redeploy(userIds),
    concurrency: deps.concurrency,
    changed: deps.changed,
    setTimer: (fn, ms) => timers.setTimeout(fn, ms),
    clearTimer: h => timers.clearTimeout(h),
  })

  /** Asks for an incremental sync through the queue (one per directory while one waits). */
  const queueSync = (directoryId: string, why: string) => {
    notifications.enqueue(directoryId, `sync:${ids.next()}`, '*', clock.now().toISOString())
    log.info('incremental sync queued by a notification lifecycle event', { directoryId, why })
    processor.wake()
  }

  const c: SubscriptionContext = {
    store,
    clock,
    ids,
    log,
    directories: deps.directories,
    endpoint: deps.endpoint,
    queueSync,
  }

  const receiver = createNotificationReceiver({
    store,
    clock,
    ids,
    log,
    wake: () => processor.wake(),
    lifecycle: (sub, event) => {
      void onLifecycle(c, sub, event).catch((e: unknown) =>
        log.warn('handling a lifecycle notification failed', { directoryId: sub.directoryId, error: errorMessage(e) }),
      )
    },
  })

  /** Records a failure the admin must see (an IdP that cannot reach us, refused credentials). */
  const failed = (directoryId: string, e: unknown): never => {
    notifications.setDirectoryError(directoryId, errorMessage(e))
    throw e
  }

  const arm = () => {
    if (!started) return
    timer = timers.setTimeout(() => {
      void renewDue(c).finally(arm)
    }, renewEveryMs)
  }

  const one = async (directoryId: string) => notificationStatus(deps, directoryId, await deps.endpoint())

  return {
    receiver,
    processor,
    async status() {
      const endpoint = await deps.endpoint()
      return deps.directories.list().map(d => notificationStatus(deps, d.id, endpoint))
    },
    async enable(directoryId) {
      const d = directoryOf(c, directoryId)
      if (d.kind === 'file')
        throw new AppError('NOT_EDITABLE', `${d.name} is a file directory; it sends no change notifications.`, {
          directoryId,
        })
      notifications.setEnabled(directoryId, true)
      store.audit.append({
        at: clock.now().toISOString(),
        actor: 'admin',
        action: 'notifications/enable',
        subject: directoryId,
        details: {},
      })
      try {
        await ensure(c, directoryId, await apiFor(c, directoryId))
      } catch (e) {
        failed(directoryId, e)
      }
      return one(directoryId)
    },
    async disable(directoryId) {
      directoryOf(c, directoryId)
      notifications.setEnabled(directoryId, false)
      const subs = notifications.subscriptionsOf(directoryId)
      const api = subs.length > 0 ? await apiFor(c, directoryId).catch(() => null) : null
      for (const sub of subs) await removeOne(c, api, sub)
      notifications.setDirectoryError(directoryId, null)
      store.audit.append({
        at: clock.now().toISOString(),
        actor: 'admin',
        action: 'notifications/disable',
        subject: directoryId,
        details: { subscriptions: subs.length },
      })
      return one(directoryId)
    },
    async test(directoryId) {
      const d = directoryOf(c, directoryId)
      if (!notifications.directoryState(directoryId).enabled)
        throw new AppError('CONFLICT', `Notifications from ${d.name} are off; turn them on first.`, { directoryId })
      notifications.tested(directoryId, clock.now().toISOString())
      try {
        const api = await apiFor(c, directoryId)
        if (api.renewal === 'none') {
          for (const sub of notifications.subscriptionsOf(directoryId)) await api.verify(sub.remoteId)
        } else if (api.renewal === 'extend') {
          // Graph refuses a second subscription to the same resource and URL (409): the old one goes
          // first, and a sync covers the moment between.
          for (const sub of notifications.subscriptionsOf(directoryId)) {
            await removeOne(c, api, sub)
            await createOne(c, directoryId, api, sub.event)
          }
          queueSync(directoryId, 'test')
        } else {
          // A new subscription makes the IdP call the endpoint (Graph's validation, Google's sync message).
          for (const sub of notifications.subscriptionsOf(directoryId)) {
            await createOne(c, directoryId, api, sub.event)
            await removeOne(c, api, sub)
          }
        }
        await ensure(c, directoryId, api)
      } catch (e) {
        failed(directoryId, e)
      }
      return one(directoryId)
    },
    renewDue: () => renewDue(c),
    async forget(directoryId) {
      const subs = notifications.subscriptionsOf(directoryId)
      if (subs.length === 0) return async () => {}
      const api = await apiFor(c, directoryId).catch(() => null)
      return async () => {
        for (const sub of subs) await removeOne(c, api, sub)
      }
    },
    start() {
      if (started) return
      started = true
      processor.wake()
      arm()
    },
    stop() {
      started = false
      if (timer !== null) timers.clearTimeout(timer)
      processor.stop()
    },
  }
}
