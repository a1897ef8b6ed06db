// The receiving end of the pipeline: a request the ingress read is authenticated against the
// subscription it claims to come from (the secret compared in constant time, by its SHA-256: only
// the hash is stored) and its changes are queued durably before the IdP gets its answer (Graph:
// "persist or queue the notification and return 202"; Okta: answer "immediately, before doing your
// own work"). Processing happens after the answer (processor.ts).
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Clock, IdSource, Log } from '../../ports'
import type { Store, SubscriptionRecord } from '../../store'
import {
  type AnnouncedChange,
  type GoogleMessage,
  type GraphItem,
  type LifecycleEvent,
  readGoogleMessage,
  readGraphNotifications,
  readOktaEvents,
} from './wire'

export const secretHash = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex')

/** Whether `presented` is the secret whose hash is stored, in time that does not depend on where they differ. */
export function secretMatches(presented: string | null, storedHash: string): boolean {
  if (presented === null) return false
  const a = Buffer.from(secretHash(presented), 'hex')
  const b = Buffer.from(storedHash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}

/** What the receiver answers; the route turns it into HTTP. */
export type Receipt =
  | { status: 200 | 202; contentType?: string; body?: string }
  | { status: 400 | 401 | 404; message: string }

export interface ReceiverDeps {
  store: Store
  clock: Clock
  ids: IdSource
  log: Log
  /** Something was queued: the processor should look. */
  wake(): void
  /** A Graph lifecycle notification for this subscription (renew, recreate, or sync: manager.ts). */
  lifecycle(sub: SubscriptionRecord, event: LifecycleEvent): void
}

export interface NotificationReceiver {
  /** Graph's POST: the validation handshake, or a batch of change and lifecycle notifications. */
  entra(query: URLSearchParams, body: unknown | undefined): Receipt
  /** Okta's one-time verification GET. */
  oktaVerify(query: URLSearchParams, headers: Record<string, string | string[] | undefined>): Receipt
  /** Okta's event delivery POST. */
  okta(headers: Record<string, string | string[] | undefined>, body: unknown): Receipt
  /** Google's push message POST. */
  google(headers: Record<string, string | string[] | undefined>, body: unknown): Receipt
}

const headerOf = (h: Record<string, string | string[] | undefined>, name: string): string | null => {
  const v = h[name]
  return (Array.isArray(v) ? v[0] : v) ?? null
}

export function createNotificationReceiver(deps: ReceiverDeps): NotificationReceiver {
  const { store, clock, log } = deps
  const notifications = store.notifications

  /** Queues the changes of one authenticated request in one transaction; how many were new. */
  const queue = (directoryId: string, changes: AnnouncedChange[]): number => {
    const at = clock.now().toISOString()
    const fresh = store.transaction(() => {
      let n = 0
      for (const c of changes)
        if (notifications.enqueue(directoryId, c.eventKey ?? `once:${deps.ids.next()}`, c.userKey, at)) n++
      notifications.heard(directoryId, at)
      return n
    })
    if (fresh > 0) deps.wake()
    return fresh
  }

  /** The directory a handshake is for (the `directory` query parameter of the URL we registered). */
  const directoryOf = (query: URLSearchParams): string | null => {
    const id = query.get('directory')
    return id && store.directories.get(id) ? id : null
  }

  const testArrived = (directoryId: string) => notifications.testArrived(directoryId, clock.now().toISOString())

  const refuse = (status: 400 | 401 | 404, message: string, fields: Record<string, unknown> = {}): Receipt => {
    log.warn('change notification refused', { status, message, ...fields })
    return { status, message }
  }

  return {
    entra(query, body) {
      const token = query.get('validationToken')
      if (token !== null) {
        // The handshake is answered with the decoded token (URLSearchParams decodes it), text/plain.
        const directoryId = directoryOf(query)
        if (directoryId) testArrived(directoryId)
        return { status: 200, contentType: 'text/plain; charset=utf-8', body: token }
      }
      let items: GraphItem[]
      try {
        items = readGraphNotifications(body)
      } catch (e) {
        return refuse(400, (e as Error).message)
      }
      const byDirectory = new Map<string, AnnouncedChange[]>()
      for (const item of items) {
        const sub = notifications.subscriptionByRemote('entra', item.subscriptionId)
        // A mismatch is not Graph (or not ours): dropped, and still answered 202 so a prober learns
        // nothing about the secret (webhooks guidance; Graph would otherwise retry it for 4 hours).
        if (!sub || !secretMatches(item.clientState, sub.secretHash)) {
          log.warn('Graph notification with an unknown subscription or a wrong clientState dropped', {
            subscriptionId: item.subscriptionId.slice(0, 100),
          })
          continue
        }
        if (item.lifecycle) {
          notifications.heard(sub.directoryId, clock.now().toISOString())
          deps.lifecycle(sub, item.lifecycle)
          continue
        }
        if (item.change) byDirectory.set(sub.directoryId, [...(byDirectory.get(sub.directoryId) ?? []), item.change])
      }
      for (const [directoryId, changes] of byDirectory) queue(directoryId, changes)
      return { status: 202 }
    },

    oktaVerify(query, headers) {
      const challenge = headerOf(headers, 'x-okta-verification-challenge')
      if (!challenge || challenge.length > 1024) return refuse(400, 'No x-okta-verification-challenge header.')
      // The directory named in the URL we registered; every Okta hook should Okta drop the query
      // string (its docs do not say it keeps it).
      const directoryId = directoryOf(query)
      const hooks = (
        directoryId ? notifications.subscriptionsOf(directoryId) : notifications.allSubscriptions()
      ).filter(s => s.kind === 'okta')
      // Okta's docs do not say the hook's auth header comes with the verification GET: a hook we
      // just created and have not verified yet is answered either way; a verified one only with it.
      const presented = headerOf(headers, 'authorization')
      const known = hooks.filter(h => h.state === 'pending' || secretMatches(presented, h.secretHash))
      if (known.length === 0) return refuse(401, 'The verification request does not carry the hook secret.')
      for (const id of new Set(known.map(h => h.directoryId))) testArrived(id)
      return { status: 200, contentType: 'application/json', body: JSON.stringify({ verification: challenge }) }
    },

    okta(headers, body) {
      let read: ReturnType<typeof readOktaEvents>
      try {
        read = readOktaEvents(body)
      } catch (e) {
        return refuse(400, (e as Error).message)
      }
      const hook = notifications.subscriptionByRemote('okta', read.hookId)
      // 4xx is not retried by Okta (event-hooks "Timeout and retry"): a stranger's request stays refused.
      if (!hook || !secretMatches(headerOf(headers, 'authorization'), hook.secretHash))
        return refuse(401, 'Unknown event hook or wrong secret.', { hookId: read.hookId.slice(0, 100) })
      queue(hook.directoryId, read.changes)
      return { status: 200 }
    },

    google(headers, body) {
      let message: GoogleMessage
      try {
        message = readGoogleMessage(headers, body)
      } catch (e) {
        return refuse(400, (e as Error).message)
      }
      const channel = notifications.subscriptionByRemote('google', message.channelId)
      if (!channel || !secretMatches(message.token, channel.secretHash))
        return refuse(401, 'Unknown channel or wrong channel token.', { channelId: message.channelId.slice(0, 100) })
      // The channel id and the resource id together name a channel we made (push guide); the sync
      // message may come before the watch call has answered with the resource id.
      if (channel.resourceId && message.resourceId && channel.resourceId !== message.resourceId)
        return refuse(401, 'The resource id does not match the channel.', { channelId: message.channelId })
      if (!message.change) {
        testArrived(channel.directoryId)
        notifications.heard(channel.directoryId, clock.now().toISOString())
        return { status: 200 }
      }
      queue(channel.directoryId, [message.change])
      return { status: 200 }
    },
  }
}
