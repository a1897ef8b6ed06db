// Creating, renewing and deleting each IdP's notification subscription, over the directory's own
// IdP HTTP client and credentials. Wire formats, from the vendors' docs:
// - Graph: POST /v1.0/subscriptions {changeType, notificationUrl, lifecycleNotificationUrl,
//   resource, expirationDateTime, clientState} → 201; PATCH /v1.0/subscriptions/{id}
//   {expirationDateTime} → 200, 404 when it is gone (create a new one); DELETE → 204. Users and
//   groups support only `updated` and `deleted` (subscription resource); at most 41,760 minutes.
// - Okta: POST /api/v1/eventHooks {name, events: {type: EVENT_TYPE, items}, channel: {type: HTTP,
//   version: 1.0.0, config: {uri, authScheme: {type: HEADER, key, value}}}}, then
//   POST …/{id}/lifecycle/verify (Okta sends the verification GET; 400 when it failed); no expiry.
//   Deleting needs …/lifecycle/deactivate first, then DELETE → 204.
// - Google: POST admin/directory/v1/users/watch?customer=…&event=… {id, type: web_hook, address,
//   token, expiration (ms)} → {id, resourceId, expiration}; no renewal: a new channel replaces the
//   old, which is stopped with POST admin/directory_v1/channels/stop {id, resourceId}. The
//   Directory API's longest channel is not published (Firezone reports 6 hours).
import { AppError } from '../../../shared/errors'
import type { IdpSession } from '../service'

export interface SubscriptionSpec {
  /** Graph: the resource ('/users', '/groups'); Google: the users.watch event; Okta: null. */
  event: string | null
  /** Where the IdP sends notifications. */
  url: string
  /** The shared secret (Graph clientState, Okta header value, Google channel token). */
  secret: string
  /** Google: the channel id we choose (the sync message may arrive before the answer). */
  channelId: string
}

export interface Created {
  remoteId: string
  resourceId: string | null
  expiresAt: string | null
}

export interface IdpSubscriptions {
  /** What to subscribe to: one subscription per entry. */
  readonly events: readonly (string | null)[]
  /** Renewal: Graph extends in place, Google replaces the channel, Okta hooks never expire. */
  readonly renewal: 'extend' | 'replace' | 'none'
  /** Renew this long before the expiry. */
  readonly renewAheadMs: number
  create(spec: SubscriptionSpec, now: Date): Promise<Created>
  /** Extends in place: the new expiry, or 'gone' when the IdP no longer has it. */
  extend(remoteId: string, now: Date): Promise<string | 'gone'>
  /** Asks the IdP to call the endpoint now (Okta re-verifies); false where the IdP has no such call. */
  verify(remoteId: string): Promise<boolean>
  remove(remoteId: string, resourceId: string | null): Promise<void>
}

const GRAPH = 'https://graph.microsoft.com/v1.0'
/** Graph's longest lifetime for users and groups (subscription resource, "Maximum length"), less an hour. */
export const GRAPH_LIFETIME_MS = (41_760 - 60) * 60_000
/** Asked of Google; its own limit may be shorter and is what the answer says. */
export const GOOGLE_LIFETIME_MS = 6 * 60 * 60_000
const GOOGLE_ADMIN = 'https://admin.googleapis.com'
/** The events that move a user between groups (user.lifecycle.*, profile, membership: the System Log event types Okta's docs list and open-source hooks use). */
export const OKTA_EVENT_TYPES = [
  'user.lifecycle.create',
  'user.lifecycle.activate',
  'user.lifecycle.deactivate',
  'user.lifecycle.suspend',
  'user.lifecycle.unsuspend',
  'user.lifecycle.reactivate',
  'user.lifecycle.delete.initiated',
  'user.account.update_profile',
  'group.user_membership.add',
  'group.user_membership.remove',
] as const
const OKTA_HOOKS_SCOPE = 'okta.eventHooks.manage'
/** users.watch events that can change what a user gets (makeAdmin does not). */
export const GOOGLE_EVENTS = ['add', 'update', 'delete', 'undelete'] as const

/** Sends one JSON call; the parsed answer, or an AppError naming the IdP, the call and its status. */
async function call(
  s: IdpSession,
  method: string,
  url: string,
  body?: unknown,
  scope?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await s.http.request(url, {
    method,
    headers: {
      authorization: await s.authorization(scope),
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  let json: Record<string, unknown> = {}
  try {
    json = r.text ? (JSON.parse(r.text) as Record<string, unknown>) : {}
  } catch {
    json = {}
  }
  return { status: r.status, json }
}

/** Graph's `error.message`, or ''. */
const graphMessage = (json: Record<string, unknown>): string => {
  const e = json['error']
  return typeof e === 'object' && e !== null ? String((e as Record<string, unknown>)['message'] ?? '') : ''
}

const refused = (idp: string, what: string, r: { status: number; json: Record<string, unknown> }) => {
  const detail = graphMessage(r.json) || String(r.json['errorSummary'] ?? r.json['error_description'] ?? '')
  return new AppError(
    r.status === 401 || r.status === 403 ? 'DIRECTORY_AUTH' : 'DIRECTORY_RESPONSE',
    `${idp} refused to ${what} (HTTP ${r.status}${detail ? `: ${detail}` : ''}).`,
    { idp, status: r.status },
  )
}

function graphSubscriptions(s: IdpSession): IdpSubscriptions {
  const idp = 'Microsoft Graph'
  return {
    events: ['/users', '/groups'],
    renewal: 'extend',
    renewAheadMs: 2 * 24 * 60 * 60_000,
    async create(spec, now) {
      const post = () =>
        call(s, 'POST', `${GRAPH}/subscriptions`, {
          changeType: 'updated,deleted',
          notificationUrl: spec.url,
          // The lifecycle URL can only be set at creation; it may be the same endpoint.
          lifecycleNotificationUrl: spec.url,
          resource: spec.event,
          expirationDateTime: new Date(now.getTime() + GRAPH_LIFETIME_MS).toISOString(),
          clientState: spec.secret,
        })
      let r = await post()
      // "Subscription Id <id> already exists for the requested combination" (409): one this app made
      // and no longer knows the secret of (a restored workspace). It goes, and ours replaces it.
      const existing = r.status === 409 ? /Subscription Id (\S+) already exists/.exec(graphMessage(r.json)) : null
      if (existing) {
        await call(s, 'DELETE', `${GRAPH}/subscriptions/${encodeURIComponent(existing[1] as string)}`)
        r = await post()
      }
      if (r.status !== 201) throw refused(idp, `create a subscription to ${spec.event}`, r)
      const id = r.json['id']
      if (typeof id !== 'string') throw refused(idp, 'name the new subscription', r)
      return { remoteId: id, resourceId: null, expiresAt: String(r.json['expirationDateTime'] ?? '') || null }
    },
    async extend(remoteId, now) {
      const r = await call(s, 'PATCH', `${GRAPH}/subscriptions/${encodeURIComponent(remoteId)}`, {
        expirationDateTime: new Date(now.getTime() + GRAPH_LIFETIME_MS).toISOString(),
      })
      // 404: expired or deleted; do not retry the PATCH, create a new one (subscription-update).
      if (r.status === 404) return 'gone'
      if (r.status !== 200) throw refused(idp, 'renew the subscription', r)
      return String(r.json['expirationDateTime'])
    },
    verify: async () => false,
    async remove(remoteId) {
      const r = await call(s, 'DELETE', `${GRAPH}/subscriptions/${encodeURIComponent(remoteId)}`)
      if (r.status !== 204 && r.status !== 200 && r.status !== 404) throw refused(idp, 'delete the subscription', r)
    },
  }
}

function oktaSubscriptions(s: IdpSession): IdpSubscriptions {
  const idp = 'Okta'
  const base = `${new URL(s.settings['orgUrl'] ?? '').origin}/api/v1/eventHooks`
  const send = (method: string, url: string, body?: unknown) => call(s, method, url, body, OKTA_HOOKS_SCOPE)
  const verify = async (id: string): Promise<boolean> => {
    const r = await send('POST', `${base}/${encodeURIComponent(id)}/lifecycle/verify`)
    if (r.status !== 200 || r.json['verificationStatus'] !== 'VERIFIED')
      throw new AppError(
        'DIRECTORY_RESPONSE',
        `Okta could not verify the event hook: it did not get the expected answer from this app's endpoint (HTTP ${r.status}${r.json['errorSummary'] ? `: ${String(r.json['errorSummary'])}` : ''}). Check that the ingress's public URL is reachable from the internet.`,
        { idp, status: r.status, unreachable: true },
      )
    return true
  }
  return {
    events: [null],
    renewal: 'none',
    renewAheadMs: 0,
    async create(spec) {
      const r = await send('POST', base, {
        name: 'JIT Mapper change notifications',
        events: { type: 'EVENT_TYPE', items: OKTA_EVENT_TYPES },
        channel: {
          type: 'HTTP',
          version: '1.0.0',
          config: { uri: spec.url, authScheme: { type: 'HEADER', key: 'Authorization', value: spec.secret } },
        },
      })
      if (r.status !== 200 || typeof r.json['id'] !== 'string') throw refused(idp, 'create the event hook', r)
      return { remoteId: r.json['id'], resourceId: null, expiresAt: null }
    },
    extend: async () => 'gone',
    verify,
    async remove(remoteId) {
      const hook = `${base}/${encodeURIComponent(remoteId)}`
      // Only an INACTIVE hook can be deleted (event-hooks API).
      const off = await send('POST', `${hook}/lifecycle/deactivate`)
      if (off.status === 404) return
      if (off.status !== 200) throw refused(idp, 'deactivate the event hook', off)
      const r = await send('DELETE', hook)
      if (r.status !== 204 && r.status !== 200 && r.status !== 404) throw refused(idp, 'delete the event hook', r)
    },
  }
}

function googleSubscriptions(s: IdpSession): IdpSubscriptions {
  const idp = 'Google Workspace'
  const customer = s.settings['customer'] || 'my_customer'
  return {
    events: GOOGLE_EVENTS,
    renewal: 'replace',
    renewAheadMs: 60 * 60_000,
    async create(spec, now) {
      const q = new URLSearchParams({ customer, event: spec.event ?? 'update' })
      const r = await call(s, 'POST', `${GOOGLE_ADMIN}/admin/directory/v1/users/watch?${q}`, {
        id: spec.channelId,
        type: 'web_hook',
        address: spec.url,
        token: spec.secret,
        expiration: String(now.getTime() + GOOGLE_LIFETIME_MS),
      })
      if (r.status !== 200 || typeof r.json['resourceId'] !== 'string') throw refused(idp, 'watch users', r)
      // The API answers expiration in Unix milliseconds, typed as a string (discovery document).
      const ms = Number(r.json['expiration'])
      return {
        remoteId: spec.channelId,
        resourceId: r.json['resourceId'],
        expiresAt: Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null,
      }
    },
    extend: async () => 'gone',
    verify: async () => false,
    async remove(remoteId, resourceId) {
      if (!resourceId) return
      const r = await call(s, 'POST', `${GOOGLE_ADMIN}/admin/directory_v1/channels/stop`, {
        id: remoteId,
        resourceId,
      })
      if (r.status !== 204 && r.status !== 200 && r.status !== 404) throw refused(idp, 'stop the channel', r)
    },
  }
}

export function idpSubscriptions(s: IdpSession): IdpSubscriptions {
  switch (s.kind) {
    case 'entra':
      return graphSubscriptions(s)
    case 'okta':
      return oktaSubscriptions(s)
    case 'google':
      return googleSubscriptions(s)
  }
}
