// Change notifications, per directory: subscriptions at the IdP (created when the admin turns them
// on, renewed before they expire, deleted when turned off or the directory is removed), the
// receiver the ingress hands requests to, and the processor that turns a notified user into a
// fetch, an evaluation and a redeploy. The scheduled sync stays: it covers whatever a notification
// missed, and a lifecycle event that says notifications were lost runs one at once.
import { randomBytes, randomUUID } from 'node:crypto'
import type { DirectoryNotifications } from '../../../shared/notifications'
import { AppError, errorMessage } from '../../../shared/errors'
import { systemTimers, type Clock, type IdSource, type Log, type TimerPort } from '../../ports'
import type { Store, SubscriptionRecord } from '../../store'
import type { DirectoryService } from '../service'
import { diagnoseNotifications } from './diagnose'
import { idpSubscriptions, type IdpSubscriptions } from './idp-api'
import { createNotificationProcessor, type NotificationProcessor } from './processor'
import { createNotificationReceiver, type NotificationReceiver, secretHash } from './receiver'
import { NOTIFICATION_PATHS } from './routes'
import type { LifecycleEvent } from './wire'

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

const newSecret = () => randomBytes(32).toString('base64url')

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

  const receiver = createNotificationReceiver({
    store,
    clock,
    ids,
    log,
    wake: () => processor.wake(),
    lifecycle: (sub, event) => {
      void onLifecycle(sub, event).catch((e: unknown) =>
        log.warn('handling a lifecycle notification failed', { directoryId: sub.directoryId, error: errorMessage(e) }),
      )
    },
  })

  const kindOf = (directoryId: string) => {
    const d = deps.directories.list().find(x => x.id === directoryId)
    if (!d) throw new AppError('NOT_FOUND', `No directory with id ${directoryId}.`, { directoryId })
    return d
  }

  const urlFor = async (directoryId: string, kind: keyof typeof NOTIFICATION_PATHS): Promise<string> => {
    const base = await deps.endpoint()
    if (!base)
      throw new AppError(
        'INGRESS_NOT_CONFIGURED',
        'Notifications need the ingress running at a public HTTPS URL the IdP can reach: start it under Settings → Ingress first.',
        { field: 'ingress' },
      )
    // The query string is kept on every request (Graph: change-notifications-delivery-webhooks).
    return `${base.replace(/\/$/, '')}${NOTIFICATION_PATHS[kind]}?directory=${encodeURIComponent(directoryId)}`
  }

  const apiFor = async (directoryId: string): Promise<IdpSubscriptions> =>
    idpSubscriptions(await deps.directories.idpSession(directoryId))

  /** Creates one subscription: recorded as pending first, so the IdP's handshake finds it. */
  const createOne = async (directoryId: string, api: IdpSubscriptions, event: string | null): Promise<void> => {
    const kind = kindOf(directoryId).kind as SubscriptionRecord['kind']
    const url = await urlFor(directoryId, kind)
    const secret = newSecret()
    const id = ids.next()
    const channelId = randomUUID()
    const now = clock.now()
    notifications.addSubscription({
      id,
      directoryId,
      kind,
      remoteId: kind === 'google' ? channelId : `pending:${id}`,
      resourceId: null,
      event,
      secretHash: secretHash(secret),
      createdAt: now.toISOString(),
      expiresAt: null,
      state: 'pending',
    })
    try {
      const created = await api.create({ event, url, secret, channelId }, now)
      // Okta delivers once it has verified, which is before verify() answers: the hook is known by its id first.
      notifications.nameSubscription(id, created.remoteId)
      if (api.renewal === 'none')
        await api.verify(created.remoteId).catch(async (e: unknown) => {
          await api.remove(created.remoteId, created.resourceId).catch(() => {})
          throw e
        })
      notifications.activateSubscription(id, created)
    } catch (e) {
      notifications.deleteSubscription(id)
      throw e
    }
  }

  /** Deletes one subscription at the IdP (a failure is logged: it lapses there by itself) and here. */
  const removeOne = async (api: IdpSubscriptions | null, sub: SubscriptionRecord): Promise<void> => {
    if (api && sub.state !== 'pending')
      await api.remove(sub.remoteId, sub.resourceId).catch((e: unknown) =>
        log.warn('deleting a notification subscription at the IdP failed', {
          directoryId: sub.directoryId,
          remoteId: sub.remoteId,
          error: errorMessage(e),
        }),
      )
    notifications.deleteSubscription(sub.id)
  }

  /** Records a failure the admin must see (an IdP that cannot reach us, refused credentials). */
  const failed = (directoryId: string, e: unknown): never => {
    notifications.setDirectoryError(directoryId, errorMessage(e))
    throw e
  }

  /** Brings the directory's subscriptions to one active per event: creates what is missing. */
  const ensure = async (directoryId: string, api: IdpSubscriptions): Promise<void> => {
    const have = notifications.subscriptionsOf(directoryId)
    for (const event of api.events) {
      if (have.some(s => s.event === event && s.state === 'active')) continue
      for (const stale of have.filter(s => s.event === event)) await removeOne(api, stale)
      await createOne(directoryId, api, event)
    }
    notifications.setDirectoryError(directoryId, null)
  }

  async function onLifecycle(sub: SubscriptionRecord, event: LifecycleEvent): Promise<void> {
    log.info('notification lifecycle event', { directoryId: sub.directoryId, event, remoteId: sub.remoteId })
    if (event === 'missed') return queueSync(sub.directoryId, event)
    const api = await apiFor(sub.directoryId)
    if (event === 'reauthorizationRequired') {
      // A renewal reauthorizes too (lifecycle events); one PATCH, never a reauthorize beside it.
      const renewed = await api.extend(sub.remoteId, clock.now())
      if (renewed !== 'gone')
        return notifications.activateSubscription(sub.id, { remoteId: sub.remoteId, expiresAt: renewed })
    }
    // Removed (or gone when renewed): a new subscription, and a sync for what passed meanwhile.
    notifications.lapseSubscription(
      sub.id,
      `Microsoft Graph ${event === 'subscriptionRemoved' ? 'removed' : 'no longer has'} the subscription.`,
    )
    await ensure(sub.directoryId, api)
    queueSync(sub.directoryId, event)
  }

  /** One directory's renewals: extend or replace what expires within the IdP's margin, recreate what lapsed. */
  const renewDirectory = async (directoryId: string): Promise<void> => {
    const api = await apiFor(directoryId)
    const now = clock.now()
    for (const sub of notifications.subscriptionsOf(directoryId)) {
      if (sub.state !== 'active' || sub.expiresAt === null) continue
      if (Date.parse(sub.expiresAt) - now.getTime() > api.renewAheadMs) continue
      try {
        if (api.renewal === 'extend') {
          const renewed = await api.extend(sub.remoteId, now)
          if (renewed !== 'gone') {
            notifications.activateSubscription(sub.id, { remoteId: sub.remoteId, expiresAt: renewed })
            continue
          }
          notifications.lapseSubscription(sub.id, 'The IdP no longer had the subscription when it was renewed.')
          queueSync(directoryId, 'subscription gone at renewal')
        } else {
          // Google channels cannot be renewed: a new one first (both deliver for a while), then the old one stops.
          await createOne(directoryId, api, sub.event)
          await removeOne(api, sub)
        }
      } catch (e) {
        notifications.lapseSubscription(sub.id, errorMessage(e))
        log.warn('renewing a notification subscription failed', { directoryId, error: errorMessage(e) })
      }
    }
    await ensure(directoryId, api)
  }

  const renewDue = async (): Promise<void> => {
    for (const directoryId of notifications.enabledDirectories()) {
      try {
        await renewDirectory(directoryId)
      } catch (e) {
        notifications.setDirectoryError(directoryId, errorMessage(e))
        log.warn('notification subscriptions could not be renewed', { directoryId, error: errorMessage(e) })
      }
    }
  }

  const arm = () => {
    if (!started) return
    timer = timers.setTimeout(() => {
      void renewDue().finally(arm)
    }, renewEveryMs)
  }

  const statusOf = async (directoryId: string, endpoint: string | null): Promise<DirectoryNotifications> => {
    const d = kindOf(directoryId)
    const state = notifications.directoryState(directoryId)
    const subs = notifications.subscriptionsOf(directoryId)
    const active = subs.filter(s => s.state === 'active')
    const expiries = active.flatMap(s => (s.expiresAt ? [s.expiresAt] : [])).sort()
    const problem = diagnoseNotifications({
      state,
      subscriptions: subs,
      endpoint,
      runs: store.sync.runs(directoryId, 5),
      now: clock.now(),
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

  const one = async (directoryId: string) => statusOf(directoryId, await deps.endpoint())

  return {
    receiver,
    processor,
    async status() {
      const endpoint = await deps.endpoint()
      return Promise.all(deps.directories.list().map(d => statusOf(d.id, endpoint)))
    },
    async enable(directoryId) {
      const d = kindOf(directoryId)
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
        await ensure(directoryId, await apiFor(directoryId))
      } catch (e) {
        failed(directoryId, e)
      }
      return one(directoryId)
    },
    async disable(directoryId) {
      kindOf(directoryId)
      notifications.setEnabled(directoryId, false)
      const subs = notifications.subscriptionsOf(directoryId)
      const api = subs.length > 0 ? await apiFor(directoryId).catch(() => null) : null
      for (const sub of subs) await removeOne(api, sub)
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
      const d = kindOf(directoryId)
      if (!notifications.directoryState(directoryId).enabled)
        throw new AppError('CONFLICT', `Notifications from ${d.name} are off; turn them on first.`, { directoryId })
      notifications.tested(directoryId, clock.now().toISOString())
      try {
        const api = await apiFor(directoryId)
        if (api.renewal === 'none') {
          for (const sub of notifications.subscriptionsOf(directoryId)) await api.verify(sub.remoteId)
        } else if (api.renewal === 'extend') {
          // Graph refuses a second subscription to the same resource and URL (409): the old one goes
          // first, and a sync covers the moment between.
          for (const sub of notifications.subscriptionsOf(directoryId)) {
            await removeOne(api, sub)
            await createOne(directoryId, api, sub.event)
          }
          queueSync(directoryId, 'test')
        } else {
          // A new subscription makes the IdP call the endpoint (Graph's validation, Google's sync message).
          for (const sub of notifications.subscriptionsOf(directoryId)) {
            await createOne(directoryId, api, sub.event)
            await removeOne(api, sub)
          }
        }
        await ensure(directoryId, api)
      } catch (e) {
        failed(directoryId, e)
      }
      return one(directoryId)
    },
    renewDue,
    async forget(directoryId) {
      const subs = notifications.subscriptionsOf(directoryId)
      if (subs.length === 0) return async () => {}
      const api = await apiFor(directoryId).catch(() => null)
      return async () => {
        for (const sub of subs) await removeOne(api, sub)
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
