// Directory API push notifications in the Google fake
// (developers.google.com/workspace/admin/directory/v1/guides/push; the discovery document for methods and paths):
// - POST /admin/directory/v1/users/watch?customer=…&event=add|delete|makeAdmin|undelete|update with
//   a Channel {id (≤ 64), type: web_hook, address (https), token (≤ 256), expiration (Unix ms)} →
//   200 {kind: api#channel, id, resourceId, resourceUri, token, expiration (ms, a string)}. The
//   expiration is the earlier of the one asked and the fake's limit (6 hours, as Firezone reports).
//   A `sync` message (X-Goog-Resource-State: sync, message number 1, no body) follows at once; it
//   may arrive before the answer.
// - POST /admin/directory_v1/channels/stop {id, resourceId} → 204 (404 for an unknown channel).
// - A user change goes to each live channel watching its event, with X-Goog-Channel-ID,
//   X-Goog-Channel-Token, X-Goog-Channel-Expiration (an HTTP date), X-Goog-Resource-ID,
//   X-Goog-Resource-URI, X-Goog-Resource-State and an increasing X-Goog-Message-Number, and the
//   body {kind: admin#directory#user, id, etag, primaryEmail}. 500/502/503/504 are retried with
//   back-off; any other non-success status is a failed message.
import { randomBytes } from 'node:crypto'
import type { Change, DirectoryData } from '../directory-data'
import type { FakeRequest, FakeResponse } from '../http'
import type { NotificationSender, RetryPolicy } from '../notification-sender'

export interface GoogleChannel {
  id: string
  resourceId: string
  event: string
  address: string
  token: string | null
  expiration: number
  resourceUri: string
  messages: number
}

export const GOOGLE_CHANNEL_MAX_MS = 6 * 60 * 60_000
const SUCCESS = new Set([200, 201, 202, 204, 102])
export const GOOGLE_RETRY: RetryPolicy = {
  delaysMs: [50, 100, 200],
  retryOn: status => [500, 502, 503, 504].includes(status),
  timeoutMs: 10_000,
}
const EVENTS = new Set(['add', 'delete', 'makeAdmin', 'undelete', 'update'])

const googleError = (code: number, reason: string, message: string): FakeResponse => ({
  status: code,
  body: { error: { code, message, errors: [{ message, domain: 'global', reason }] } },
})

export function googleChannels(opts: { data: DirectoryData; sender: NotificationSender }) {
  const channels = new Map<string, GoogleChannel>()
  const { data, sender } = opts

  const message = (c: GoogleChannel, state: string, body?: Record<string, unknown>) => {
    c.messages += state === 'sync' ? 1 : 1 + Math.floor(Math.random() * 3)
    return sender.send(
      {
        method: 'POST',
        url: c.address,
        headers: {
          'user-agent': 'APIs-Google (+https://developers.google.com/webmasters/APIs-Google.html)',
          'x-goog-channel-id': c.id,
          ...(c.token ? { 'x-goog-channel-token': c.token } : {}),
          'x-goog-channel-expiration': new Date(c.expiration).toUTCString(),
          'x-goog-resource-id': c.resourceId,
          'x-goog-resource-uri': c.resourceUri,
          'x-goog-resource-state': state,
          'x-goog-message-number': String(c.messages),
          ...(body ? { 'content-type': 'application/json; utf-8' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      },
      GOOGLE_RETRY,
    )
  }

  const watch = (req: FakeRequest): FakeResponse => {
    const event = req.url.searchParams.get('event') ?? ''
    const customer = req.url.searchParams.get('customer') ?? req.url.searchParams.get('domain')
    if (!customer) return googleError(400, 'badRequest', 'Bad Request')
    if (!EVENTS.has(event))
      return googleError(
        400,
        'invalidParameter',
        `Invalid value '${event}'. Values must match the following regular expression: 'add|delete|makeAdmin|undelete|update'`,
      )
    const b = JSON.parse(req.body || '{}') as Record<string, unknown>
    const id = typeof b['id'] === 'string' ? b['id'] : ''
    if (!id || id.length > 64) return googleError(400, 'required', 'Required: channel id (at most 64 characters)')
    if (channels.has(id)) return googleError(400, 'channelIdNotUnique', `Channel id ${id} not unique`)
    if (b['type'] !== 'web_hook') return googleError(400, 'invalid', 'Invalid channel type')
    const address = typeof b['address'] === 'string' ? b['address'] : ''
    if (!address.startsWith('https://'))
      return googleError(400, 'push.webhookUrlNotHttps', `WebHook callback must be HTTPS: ${address}`)
    const token = typeof b['token'] === 'string' ? b['token'] : null
    if (token && token.length > 256) return googleError(400, 'invalid', 'Channel token is too long')
    const asked = b['expiration'] === undefined ? Number.NaN : Number(b['expiration'])
    const limit = Date.now() + GOOGLE_CHANNEL_MAX_MS
    const c: GoogleChannel = {
      id,
      resourceId: randomBytes(12).toString('base64url'),
      event,
      address,
      token,
      expiration: Number.isFinite(asked) ? Math.min(asked, limit) : limit,
      resourceUri: `https://admin.googleapis.com/admin/directory/v1/users?customer=${customer}&event=${event}&alt=json`,
      messages: 0,
    }
    channels.set(id, c)
    // The sync message: sent now, answered whenever (it may beat the watch answer).
    void message(c, 'sync')
    return {
      status: 200,
      body: {
        kind: 'api#channel',
        id: c.id,
        resourceId: c.resourceId,
        resourceUri: c.resourceUri,
        token: c.token ?? undefined,
        expiration: String(c.expiration),
      },
    }
  }

  const stop = (req: FakeRequest): FakeResponse => {
    const b = JSON.parse(req.body || '{}') as { id?: string; resourceId?: string }
    const c = b.id ? channels.get(b.id) : undefined
    if (!c || c.resourceId !== b.resourceId)
      return googleError(404, 'notFound', `Channel '${b.id}' not found for project`)
    channels.delete(c.id)
    return { status: 204 }
  }

  const eventOf = (change: Change): string | null =>
    change.kind === 'user' ? 'update' : change.kind === 'userRemoved' ? 'delete' : null

  data.onChange(change => {
    const event = eventOf(change)
    if (!event || !('userId' in change)) return
    const u = data.users.get(change.userId) ?? data.removedUsers.get(change.userId)
    for (const c of channels.values()) {
      if (c.event !== event || c.expiration <= Date.now()) continue
      void message(c, event, {
        kind: 'admin#directory#user',
        id: change.userId,
        etag: `"${randomBytes(10).toString('base64url')}"`,
        primaryEmail: u?.userPrincipalName,
      })
    }
  })

  return {
    channels,
    successful: (status: number) => SUCCESS.has(status),
    /** Handles users/watch and channels/stop; undefined for other paths. */
    handle(req: FakeRequest): FakeResponse | undefined {
      if (req.method !== 'POST') return undefined
      if (req.url.pathname === '/admin/directory/v1/users/watch') return watch(req)
      if (req.url.pathname === '/admin/directory_v1/channels/stop') return stop(req)
      return undefined
    },
  }
}
