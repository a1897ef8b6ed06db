// What each IdP sends to a change-notification endpoint, read into one shape. Pure: no store, no
// clock. Sources, the vendors' docs:
// - Microsoft Graph: the validation handshake is a POST with `?validationToken=` answered 200
//   text/plain with the decoded token within 10 s (change-notifications-delivery-webhooks); a
//   notification is `{ value: [changeNotification] }`, each with subscriptionId, clientState,
//   changeType and resource `Users/<id>` (resourceData.id), or a `lifecycleEvent`
//   (reauthorizationRequired, subscriptionRemoved, missed) instead of changeType
//   (change-notifications-lifecycle-events). Users carry no property values: basic notifications.
// - Okta event hooks: a one-time GET with `x-okta-verification-challenge`, answered
//   `{"verification": <value>}`; events are POSTed as `{ source: …/eventHooks/<hookId>, data:
//   { events: [LogEvent] } }`, each LogEvent with a `uuid` and targets of type `User`
//   (developer.okta.com event-hooks; system-log LogEvent). The secret comes back in the header the
//   hook names (we name Authorization).
// - Google Directory push: headers X-Goog-Channel-ID, X-Goog-Channel-Token, X-Goog-Resource-ID,
//   X-Goog-Resource-State (`sync`, or the users.watch event) and X-Goog-Message-Number; the body of
//   a user event is `{ kind: "admin#directory#user", id, etag, primaryEmail }`
//   (developers.google.com/workspace/admin/directory/v1/guides/push).

/** One change the IdP announced: whose, and the key that makes a repeat of it recognisable. */
export interface AnnouncedChange {
  /**
   * De-duplicates: Okta's LogEvent uuid, Google's channel and message number, Graph's notification
   * id when it sends one (else null: a repeat costs one more fetch of the same user, which changes
   * nothing).
   */
  eventKey: string | null
  /** The user's IdP id; '*' when only a sync can tell what changed (a group changed, notifications were missed). */
  userKey: string
}

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed'

/** One Graph changeNotification, as far as we use it. */
export interface GraphItem {
  subscriptionId: string
  clientState: string | null
  change: AnnouncedChange | null
  lifecycle: LifecycleEvent | null
}

export class WireError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WireError'
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : null)

/** The most items one request may carry before it is refused (Graph batches; Okta batches events). */
export const MAX_ITEMS = 1000

const LIFECYCLE = new Set<string>(['reauthorizationRequired', 'subscriptionRemoved', 'missed'])

/** A user or group resource path as Graph writes it (`Users/<id>`, `users/<id>`, `Groups/<id>`). */
const RESOURCE = /^\/?(users|groups)\/([^/?]+)/i

export function readGraphNotifications(body: unknown): GraphItem[] {
  if (!isObject(body) || !Array.isArray(body['value']))
    throw new WireError('A Graph notification is a JSON object with a "value" array.')
  const value = body['value'] as unknown[]
  if (value.length > MAX_ITEMS) throw new WireError(`A Graph notification carries at most ${MAX_ITEMS} items.`)
  return value.map((raw, i) => {
    if (!isObject(raw)) throw new WireError(`value[${i}] is not an object.`)
    const subscriptionId = str(raw['subscriptionId'])
    if (!subscriptionId) throw new WireError(`value[${i}].subscriptionId is missing.`)
    const clientState = typeof raw['clientState'] === 'string' ? raw['clientState'] : null
    const lifecycleName = raw['lifecycleEvent']
    if (typeof lifecycleName === 'string') {
      // An unknown lifecycle event (Graph adds values) is read as "missed": a sync sets things right.
      const lifecycle = (LIFECYCLE.has(lifecycleName) ? lifecycleName : 'missed') as LifecycleEvent
      return { subscriptionId, clientState, change: null, lifecycle }
    }
    const resource = str(raw['resource'])
    const data = isObject(raw['resourceData']) ? raw['resourceData'] : {}
    const match = resource ? RESOURCE.exec(resource) : null
    if (!match) throw new WireError(`value[${i}].resource is not a user or group: ${String(resource).slice(0, 100)}.`)
    const isUser = (match[1] as string).toLowerCase() === 'users'
    const id = str(data['id']) ?? decodeURIComponent(match[2] as string)
    const notificationId = str(raw['id'])
    return {
      subscriptionId,
      clientState,
      change: { eventKey: notificationId ? `entra:${notificationId}` : null, userKey: isUser ? id : '*' },
      lifecycle: null,
    }
  })
}

/** The Okta hook a request comes from (its `source` URL ends with the hook id), and the users its events name. */
export function readOktaEvents(body: unknown): { hookId: string; changes: AnnouncedChange[] } {
  if (!isObject(body)) throw new WireError('An Okta event hook request is a JSON object.')
  const source = str(body['source'])
  const hookId = source ? /\/eventHooks\/([^/?#]+)/.exec(source)?.[1] : undefined
  if (!hookId) throw new WireError('The Okta event hook request names no hook in "source".')
  const data = body['data']
  if (!isObject(data) || !Array.isArray(data['events']))
    throw new WireError('An Okta event hook request carries "data.events", an array of System Log events.')
  const events = data['events'] as unknown[]
  if (events.length > MAX_ITEMS) throw new WireError(`An Okta request carries at most ${MAX_ITEMS} events.`)
  const changes: AnnouncedChange[] = []
  events.forEach((raw, i) => {
    if (!isObject(raw)) throw new WireError(`data.events[${i}] is not an object.`)
    // Dedupe per LogEvent uuid: one request batches several events (event-hooks docs: at-least-once delivery; the current text names eventId, the older one data.events.uuid).
    const uuid = str(raw['uuid'])
    if (!uuid) throw new WireError(`data.events[${i}].uuid is missing.`)
    const targets = Array.isArray(raw['target']) ? (raw['target'] as unknown[]) : []
    const users = targets.filter(isObject).filter(t => t['type'] === 'User')
    const eventType = str(raw['eventType']) ?? ''
    // A group event without a user (a group renamed or deleted): only a sync can tell whom it moves.
    if (users.length === 0 && eventType.startsWith('group.')) changes.push({ eventKey: `okta:${uuid}`, userKey: '*' })
    for (const u of users) {
      const id = str(u['id'])
      if (id) changes.push({ eventKey: `okta:${uuid}:${id}`, userKey: id })
    }
  })
  return { hookId: decodeURIComponent(hookId), changes }
}

/** What the Google headers and body say. */
export interface GoogleMessage {
  channelId: string
  token: string | null
  resourceId: string | null
  state: string
  messageNumber: string | null
  /** Null for the `sync` message that opens a channel. */
  change: AnnouncedChange | null
}

type Headers = Record<string, string | string[] | undefined>
const header = (h: Headers, name: string): string | null => {
  const v = h[name]
  return str(Array.isArray(v) ? v[0] : v)
}

export function readGoogleMessage(headers: Headers, body: unknown): GoogleMessage {
  const channelId = header(headers, 'x-goog-channel-id')
  const state = header(headers, 'x-goog-resource-state')
  if (!channelId || !state)
    throw new WireError('A Google push message has X-Goog-Channel-ID and X-Goog-Resource-State.')
  const base = {
    channelId,
    token: header(headers, 'x-goog-channel-token'),
    resourceId: header(headers, 'x-goog-resource-id'),
    state,
    messageNumber: header(headers, 'x-goog-message-number'),
  }
  if (state === 'sync') return { ...base, change: null }
  if (!isObject(body) || !str(body['id']))
    throw new WireError(`A Google "${state}" message carries the user's id in its JSON body.`)
  return {
    ...base,
    change: {
      eventKey: base.messageNumber ? `google:${channelId}:${base.messageNumber}` : null,
      userKey: body['id'] as string,
    },
  }
}
