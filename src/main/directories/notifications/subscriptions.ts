// A directory's subscriptions at its IdP, kept to one active per event: created (recorded as
// pending first, so the IdP's handshake finds it), deleted, renewed before they expire (Graph
// extends in place, Google replaces the channel), and repaired after a lifecycle notification.
import { randomBytes, randomUUID } from 'node:crypto'
import { AppError, errorMessage } from '../../../shared/errors'
import type { Clock, IdSource, Log } from '../../ports'
import type { Store, SubscriptionRecord } from '../../store'
import type { DirectoryService } from '../service'
import { idpSubscriptions, type IdpSubscriptions } from './idp-api'
import { secretHash } from './receiver'
import { NOTIFICATION_PATHS } from './routes'
import type { LifecycleEvent } from './wire'

export interface SubscriptionContext {
  store: Store
  clock: Clock
  ids: IdSource
  log: Log
  directories: Pick<DirectoryService, 'idpSession' | 'list'>
  /** The ingress's public URL; null while it is not running. */
  endpoint(): Promise<string | null>
  /** Queues an incremental sync of the directory (what passed while notifications did not arrive). */
  queueSync(directoryId: string, why: string): void
}

const newSecret = () => randomBytes(32).toString('base64url')

export function directoryOf(c: SubscriptionContext, directoryId: string) {
  const d = c.directories.list().find(x => x.id === directoryId)
  if (!d) throw new AppError('NOT_FOUND', `No directory with id ${directoryId}.`, { directoryId })
  return d
}

async function urlFor(
  c: SubscriptionContext,
  directoryId: string,
  kind: keyof typeof NOTIFICATION_PATHS,
): Promise<string> {
  const base = await c.endpoint()
  if (!base)
    throw new AppError(
      'INGRESS_NOT_CONFIGURED',
      'Notifications need the ingress running at a public HTTPS URL the IdP can reach: start it under Settings → Ingress first.',
      { field: 'ingress' },
    )
  // The query string is kept on every request (Graph: change-notifications-delivery-webhooks).
  return `${base.replace(/\/$/, '')}${NOTIFICATION_PATHS[kind]}?directory=${encodeURIComponent(directoryId)}`
}

export const apiFor = async (c: SubscriptionContext, directoryId: string): Promise<IdpSubscriptions> =>
  idpSubscriptions(await c.directories.idpSession(directoryId))

/** Creates one subscription: recorded as pending first, so the IdP's handshake finds it. */
export async function createOne(
  c: SubscriptionContext,
  directoryId: string,
  api: IdpSubscriptions,
  event: string | null,
): Promise<void> {
  const notifications = c.store.notifications
  const kind = directoryOf(c, directoryId).kind as SubscriptionRecord['kind']
  const url = await urlFor(c, directoryId, kind)
  const secret = newSecret()
  const id = c.ids.next()
  const channelId = randomUUID()
  const now = c.clock.now()
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
export async function removeOne(
  c: SubscriptionContext,
  api: IdpSubscriptions | null,
  sub: SubscriptionRecord,
): Promise<void> {
  // A pending row the IdP already named (the app stopped between the IdP's answer and recording it
  // active) exists there too: Graph would refuse a new one for the same resource and URL (409).
  if (api && !sub.remoteId.startsWith('pending:'))
    await api.remove(sub.remoteId, sub.resourceId).catch((e: unknown) =>
      c.log.warn('deleting a notification subscription at the IdP failed', {
        directoryId: sub.directoryId,
        remoteId: sub.remoteId,
        error: errorMessage(e),
      }),
    )
  c.store.notifications.deleteSubscription(sub.id)
}

/** Brings the directory's subscriptions to one active per event: creates what is missing. */
export async function ensure(c: SubscriptionContext, directoryId: string, api: IdpSubscriptions): Promise<void> {
  const have = c.store.notifications.subscriptionsOf(directoryId)
  for (const event of api.events) {
    if (have.some(s => s.event === event && s.state === 'active')) continue
    for (const stale of have.filter(s => s.event === event)) await removeOne(c, api, stale)
    await createOne(c, directoryId, api, event)
  }
  c.store.notifications.setDirectoryError(directoryId, null)
}

/** A Graph lifecycle notification: renew, subscribe again, or sync (change-notifications-lifecycle-events). */
export async function onLifecycle(c: SubscriptionContext, sub: SubscriptionRecord, event: LifecycleEvent) {
  const notifications = c.store.notifications
  c.log.info('notification lifecycle event', { directoryId: sub.directoryId, event, remoteId: sub.remoteId })
  if (event === 'missed') return c.queueSync(sub.directoryId, event)
  const api = await apiFor(c, sub.directoryId)
  if (event === 'reauthorizationRequired') {
    // A renewal reauthorizes too; one PATCH, never a reauthorize beside it.
    const renewed = await api.extend(sub.remoteId, c.clock.now())
    if (renewed !== 'gone')
      return notifications.activateSubscription(sub.id, { remoteId: sub.remoteId, expiresAt: renewed })
  }
  // Removed (or gone when renewed): a new subscription, and a sync for what passed meanwhile.
  notifications.lapseSubscription(
    sub.id,
    `Microsoft Graph ${event === 'subscriptionRemoved' ? 'removed' : 'no longer has'} the subscription.`,
  )
  await ensure(c, sub.directoryId, api)
  c.queueSync(sub.directoryId, event)
}

/** One directory's renewals: extend or replace what expires within the IdP's margin, recreate what lapsed. */
export async function renewDirectory(c: SubscriptionContext, directoryId: string): Promise<void> {
  const notifications = c.store.notifications
  const api = await apiFor(c, directoryId)
  const now = c.clock.now()
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
        c.queueSync(directoryId, 'subscription gone at renewal')
      } else {
        // Google channels cannot be renewed: a new one first (both deliver for a while), then the old one stops.
        await createOne(c, directoryId, api, sub.event)
        await removeOne(c, api, sub)
      }
    } catch (e) {
      notifications.lapseSubscription(sub.id, errorMessage(e))
      c.log.warn('renewing a notification subscription failed', { directoryId, error: errorMessage(e) })
    }
  }
  await ensure(c, directoryId, api)
}

/** Every enabled directory's renewals; a directory that fails keeps its error for the Settings page. */
export async function renewDue(c: SubscriptionContext): Promise<void> {
  for (const directoryId of c.store.notifications.enabledDirectories()) {
    try {
      await renewDirectory(c, directoryId)
    } catch (e) {
      c.store.notifications.setDirectoryError(directoryId, errorMessage(e))
      c.log.warn('notification subscriptions could not be renewed', { directoryId, error: errorMessage(e) })
    }
  }
}
