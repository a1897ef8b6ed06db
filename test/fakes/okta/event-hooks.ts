// Okta event hooks in the Okta fake (developer.okta.com event-hooks guide and Event Hooks API):
// - POST /api/v1/eventHooks {name, events: {type: EVENT_TYPE, items}, channel: {type: HTTP, version:
//   1.0.0, config: {uri (https), authScheme: {type: HEADER, key, value}}}} → the hook, ACTIVE and
//   UNVERIFIED; authScheme.value is never returned.
// - POST …/{id}/lifecycle/verify: Okta GETs the uri with `x-okta-verification-challenge` (and the
//   configured header: inferred, not documented) and expects `{"verification": <challenge>}`; it
//   waits 3 s and retries once, then answers 400. VERIFIED on success.
// - POST …/lifecycle/activate | deactivate; DELETE only when INACTIVE (else 400); GET lists.
// - Each change to a user is delivered to ACTIVE, VERIFIED hooks subscribed to its event type, as
//   `{eventType: com.okta.event_hook, eventTypeVersion, cloudEventsVersion, source, eventId,
//   eventTime, contentType, data: {events: [LogEvent]}}` with the secret in the configured header;
//   3 s timeout, one retry, 4xx not retried.
import { randomBytes, randomUUID } from 'node:crypto'
import type { Change, DirectoryData } from '../directory-data'
import type { FakeRequest, FakeResponse } from '../http'
import type { NotificationSender, RetryPolicy } from '../notification-sender'

export interface OktaHook {
  id: string
  name: string
  status: 'ACTIVE' | 'INACTIVE'
  verificationStatus: 'UNVERIFIED' | 'VERIFIED'
  events: string[]
  uri: string
  authKey: string
  authValue: string
}

export const OKTA_RETRY: RetryPolicy = {
  delaysMs: [50],
  retryOn: status => status === 0 || status >= 500,
  timeoutMs: 3000,
}

const oktaError = (status: number, errorCode: string, errorSummary: string, causes: string[] = []): FakeResponse => ({
  status,
  body: {
    errorCode,
    errorSummary,
    errorLink: errorCode,
    errorId: `oae${randomBytes(8).toString('hex')}`,
    errorCauses: causes.map(c => ({ errorSummary: c })),
  },
})

export function oktaEventHooks(opts: { data: DirectoryData; origin: string; sender: NotificationSender }) {
  const hooks = new Map<string, OktaHook>()
  const { sender, data } = opts

  const json = (h: OktaHook) => ({
    id: h.id,
    status: h.status,
    verificationStatus: h.verificationStatus,
    name: h.name,
    created: '2026-12-01T00:00:00.000Z',
    lastUpdated: '2026-12-01T00:00:00.000Z',
    events: { type: 'EVENT_TYPE', items: h.events },
    channel: {
      type: 'HTTP',
      version: '1.0.0',
      config: { uri: h.uri, headers: [], method: 'POST', authScheme: { type: 'HEADER', key: h.authKey } },
    },
    _links: {
      verify: { href: `${opts.origin}/api/v1/eventHooks/${h.id}/lifecycle/verify`, hints: { allow: ['POST'] } },
    },
  })

  const create = (req: FakeRequest): FakeResponse => {
    const b = JSON.parse(req.body || '{}') as {
      name?: string
      events?: { type?: string; items?: string[] }
      channel?: { type?: string; version?: string; config?: { uri?: string; authScheme?: Record<string, string> } }
    }
    const uri = b.channel?.config?.uri ?? ''
    const auth = b.channel?.config?.authScheme
    if (!b.name || b.events?.type !== 'EVENT_TYPE' || !b.events.items?.length)
      return oktaError(400, 'E0000001', 'Api validation failed: events', ['events: at least one event type'])
    if (b.channel?.type !== 'HTTP' || b.channel.version !== '1.0.0' || !/^https:\/\/\S{1,1016}$/.test(uri))
      return oktaError(400, 'E0000001', 'Api validation failed: channel', ['channel.config.uri: must be https'])
    if (auth && (auth['type'] !== 'HEADER' || !auth['key'] || !auth['value']))
      return oktaError(400, 'E0000001', 'Api validation failed: authScheme')
    const active = [...hooks.values()].filter(h => h.status === 'ACTIVE').length
    if (active >= 25) return oktaError(400, 'E0000001', 'Api validation failed: the org has 25 active event hooks')
    const h: OktaHook = {
      id: `who${randomBytes(8).toString('hex')}`,
      name: b.name,
      status: 'ACTIVE',
      verificationStatus: 'UNVERIFIED',
      events: b.events.items,
      uri,
      authKey: auth?.['key'] ?? 'Authorization',
      authValue: auth?.['value'] ?? '',
    }
    hooks.set(h.id, h)
    return { status: 200, body: json(h) }
  }

  const verify = async (h: OktaHook): Promise<FakeResponse> => {
    const challenge = randomBytes(24).toString('base64url')
    for (let attempt = 0; attempt < 2; attempt++) {
      const d = await sender.once(
        {
          method: 'GET',
          url: h.uri,
          headers: { 'x-okta-verification-challenge': challenge, [h.authKey.toLowerCase()]: h.authValue },
        },
        3000,
      )
      let answer: unknown
      try {
        answer = JSON.parse(d.body)
      } catch {
        answer = undefined
      }
      if (d.status === 200 && (answer as { verification?: unknown })?.verification === challenge) {
        h.verificationStatus = 'VERIFIED'
        return { status: 200, body: json(h) }
      }
    }
    return oktaError(400, 'E0000001', 'Api validation failed: Verification failed', [
      'Event hook verification failed: the endpoint did not answer the challenge',
    ])
  }

  /** The LogEvents a change makes (system-log LogEvent; targets of type User and UserGroup). */
  const eventsOf = (change: Change): { eventType: string; target: Record<string, unknown>[] }[] => {
    const userTarget = (id: string) => {
      const u = data.users.get(id) ?? data.removedUsers.get(id)
      return { id, type: 'User', alternateId: u?.userPrincipalName ?? id, displayName: u?.displayName ?? id }
    }
    if (change.kind === 'user')
      return [{ eventType: 'user.account.update_profile', target: [userTarget(change.userId)] }]
    if (change.kind === 'userRemoved')
      return [{ eventType: 'user.lifecycle.deactivate', target: [userTarget(change.userId)] }]
    if (change.kind === 'member') {
      const g = data.groups.get(change.groupId)
      return [
        {
          eventType: change.added ? 'group.user_membership.add' : 'group.user_membership.remove',
          target: [
            userTarget(change.userId),
            { id: change.groupId, type: 'UserGroup', alternateId: g?.name ?? change.groupId, displayName: g?.name },
          ],
        },
      ]
    }
    return []
  }

  const deliver = (h: OktaHook, events: { eventType: string; target: Record<string, unknown>[] }[]) => {
    const now = new Date().toISOString()
    return sender.send(
      {
        method: 'POST',
        url: h.uri,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          [h.authKey.toLowerCase()]: h.authValue,
        },
        body: JSON.stringify({
          eventType: 'com.okta.event_hook',
          eventTypeVersion: '1.0',
          cloudEventsVersion: '0.1',
          source: `${opts.origin}/api/v1/eventHooks/${h.id}`,
          eventId: randomUUID(),
          eventTime: now,
          contentType: 'application/json',
          data: {
            events: events.map(e => ({
              uuid: randomUUID(),
              published: now,
              eventType: e.eventType,
              version: '0',
              severity: 'INFO',
              displayMessage: e.eventType,
              actor: { id: '00uadmin', type: 'User', alternateId: `admin@${data.domain}`, displayName: 'Admin' },
              client: { ipAddress: '127.0.0.1' },
              outcome: { result: 'SUCCESS' },
              target: e.target,
              transaction: { type: 'WEB', id: randomBytes(8).toString('hex') },
              debugContext: { debugData: {} },
            })),
          },
        }),
      },
      OKTA_RETRY,
    )
  }

  data.onChange(change => {
    const events = eventsOf(change)
    if (events.length === 0) return
    for (const h of hooks.values()) {
      if (h.status !== 'ACTIVE' || h.verificationStatus !== 'VERIFIED') continue
      const wanted = events.filter(e => h.events.includes(e.eventType))
      if (wanted.length > 0) void deliver(h, wanted)
    }
  })

  return {
    hooks,
    /** Handles /api/v1/eventHooks…; undefined for other paths. */
    handle(req: FakeRequest): FakeResponse | Promise<FakeResponse> | undefined {
      const path = req.url.pathname
      if (path === '/api/v1/eventHooks') {
        if (req.method === 'POST') return create(req)
        if (req.method === 'GET') return { status: 200, body: [...hooks.values()].map(json) }
      }
      const m = /^\/api\/v1\/eventHooks\/([^/]+)(?:\/lifecycle\/(verify|activate|deactivate))?$/.exec(path)
      if (!m) return undefined
      const h = hooks.get(decodeURIComponent(m[1] as string))
      if (!h) return oktaError(404, 'E0000007', `Not found: Resource not found: ${m[1]} (EventHook)`)
      const action = m[2]
      if (action && req.method === 'POST') {
        if (action === 'verify') return verify(h)
        h.status = action === 'activate' ? 'ACTIVE' : 'INACTIVE'
        return { status: 200, body: json(h) }
      }
      if (!action && req.method === 'GET') return { status: 200, body: json(h) }
      if (!action && req.method === 'DELETE') {
        if (h.status !== 'INACTIVE')
          return oktaError(400, 'E0000001', 'Api validation failed: an ACTIVE event hook cannot be deleted')
        hooks.delete(h.id)
        return { status: 204 }
      }
      return oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method')
    },
  }
}
