// Microsoft Graph change notifications in the Graph fake (learn.microsoft.com/graph/change-notifications-delivery-webhooks, …-lifecycle-events, api/resources/subscription):
// - POST /v1.0/subscriptions validates the endpoint first: a POST to notificationUrl (and
//   lifecycleNotificationUrl) with `validationToken` added to the query string, Content-Type
//   text/plain; charset=utf-8, to be answered 200 text/plain with the decoded token within 10 s,
//   else 400 "Subscription validation request failed…". Then 201 with the subscription.
//   Only resources /users and /groups, changeType updated and/or deleted; a second subscription
//   with the same changeType, resource and URL is 409; expirationDateTime at most 41,760 minutes
//   ahead (below 45 minutes is raised to 45).
// - PATCH /v1.0/subscriptions/{id} sets a new expirationDateTime (404 once gone); DELETE → 204;
//   GET lists them.
// - A changed user is announced to every /users subscription as `{ value: [changeNotification] }`
//   with resource `Users/<id>` and resourceData (id, @odata.type, @odata.id, organizationId), no
//   property values (basic notifications); a membership change to /groups as `Groups/<id>`. A
//   non-2xx answer or none within 3 s is retried with back-off (Graph: for up to 4 hours; here
//   a few fast retries). lifecycle() sends a lifecycle notification.
import { randomBytes, randomUUID } from 'node:crypto'
import type { Change, DirectoryData } from '../directory-data'
import type { FakeRequest, FakeResponse } from '../http'
import type { NotificationSender, RetryPolicy } from '../notification-sender'

export interface GraphSubscription {
  id: string
  resource: '/users' | '/groups'
  changeType: string
  notificationUrl: string
  lifecycleNotificationUrl: string | null
  clientState: string | null
  expirationDateTime: string
}

const MAX_MINUTES = 41_760
/** Retries after a failed delivery: Graph backs off exponentially; the fake keeps it short. */
export const GRAPH_RETRY: RetryPolicy = {
  delaysMs: [50, 100, 200, 400],
  retryOn: status => status < 200 || status >= 300,
  timeoutMs: 3000,
}

const error = (status: number, code: string, message: string): FakeResponse => ({
  status,
  body: { error: { code, message, innerError: { 'request-id': randomBytes(8).toString('hex') } } },
})

const withQuery = (url: string, key: string, value: string) =>
  `${url}${url.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`

export function graphSubscriptions(opts: { data: DirectoryData; tenantId: string; sender: NotificationSender }) {
  const subscriptions = new Map<string, GraphSubscription>()
  const { sender } = opts

  const json = (s: GraphSubscription) => ({
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity',
    id: s.id,
    resource: s.resource,
    applicationId: '00000000-0000-0000-0000-00000000app1',
    changeType: s.changeType,
    clientState: s.clientState,
    notificationUrl: s.notificationUrl,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl,
    expirationDateTime: s.expirationDateTime,
    creatorId: '00000000-0000-0000-0000-0000000000c1',
    latestSupportedTlsVersion: 'v1_2',
    notificationContentType: 'application/json',
  })

  /** The handshake: the decoded token back, 200 text/plain, within 10 s. */
  const validates = async (url: string): Promise<boolean> => {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`
    const d = await sender.once(
      {
        method: 'POST',
        url: withQuery(url, 'validationToken', token),
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '',
      },
      10_000,
    )
    return d.status === 200 && d.body === token && (d.contentType ?? '').startsWith('text/plain')
  }

  const expiry = (raw: unknown): string | FakeResponse => {
    const at = typeof raw === 'string' ? Date.parse(raw) : Number.NaN
    if (Number.isNaN(at)) return error(400, 'InvalidRequest', 'expirationDateTime is required.')
    const now = Date.now()
    if (at > now + MAX_MINUTES * 60_000)
      return error(
        400,
        'InvalidRequest',
        `Subscription expiration can only be ${MAX_MINUTES} minutes in the future for this resource.`,
      )
    return new Date(Math.max(at, now + 45 * 60_000)).toISOString()
  }

  const create = async (req: FakeRequest): Promise<FakeResponse> => {
    const b = JSON.parse(req.body || '{}') as Record<string, unknown>
    const resource = b['resource']
    if (resource !== '/users' && resource !== '/groups')
      return error(400, 'InvalidRequest', `Resource '${String(resource)}' is not supported by this fake.`)
    const changeType = String(b['changeType'] ?? '')
    if (!changeType || changeType.split(',').some(t => t !== 'updated' && t !== 'deleted'))
      return error(400, 'InvalidRequest', `changeType '${changeType}' is not supported for ${resource}.`)
    const url = b['notificationUrl']
    if (typeof url !== 'string' || !url.startsWith('https://'))
      return error(400, 'InvalidRequest', 'The notificationUrl must be an https URL.')
    const lifecycle = typeof b['lifecycleNotificationUrl'] === 'string' ? b['lifecycleNotificationUrl'] : null
    const clientState = typeof b['clientState'] === 'string' ? b['clientState'] : null
    if (clientState && clientState.length > 128)
      return error(400, 'InvalidRequest', 'clientState is longer than 128 characters.')
    const expires = expiry(b['expirationDateTime'])
    if (typeof expires !== 'string') return expires
    const same = [...subscriptions.values()].find(
      s => s.resource === resource && s.changeType === changeType && s.notificationUrl === url,
    )
    if (same)
      return error(409, 'ExtensionError', `Subscription Id ${same.id} already exists for the requested combination`)
    for (const endpoint of new Set([url, lifecycle ?? url]))
      if (!(await validates(endpoint)))
        return error(
          400,
          'ValidationError',
          'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
        )
    const s: GraphSubscription = {
      id: randomUUID(),
      resource,
      changeType,
      notificationUrl: url,
      lifecycleNotificationUrl: lifecycle,
      clientState,
      expirationDateTime: expires,
    }
    subscriptions.set(s.id, s)
    return { status: 201, body: json(s) }
  }

  const notify = (s: GraphSubscription, item: Record<string, unknown>) =>
    sender.send(
      {
        method: 'POST',
        url: s.notificationUrl,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          value: [
            {
              subscriptionId: s.id,
              subscriptionExpirationDateTime: s.expirationDateTime,
              clientState: s.clientState,
              tenantId: opts.tenantId,
              ...item,
            },
          ],
        }),
      },
      GRAPH_RETRY,
    )

  const live = (s: GraphSubscription) => Date.parse(s.expirationDateTime) > Date.now()

  const announce = (change: Change) => {
    if (change.kind === 'user' || change.kind === 'userRemoved' || change.kind === 'userDeleted') {
      const id = change.userId
      // A soft delete is "updated"; only a permanent delete is "deleted" (subscription resource).
      const changeType = change.kind === 'userDeleted' ? 'deleted' : 'updated'
      for (const s of subscriptions.values()) {
        if (s.resource !== '/users' || !live(s) || !s.changeType.includes(changeType)) continue
        void notify(s, {
          changeType,
          resource: `Users/${id}`,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.User',
            '@odata.id': `Users/${id}`,
            id,
            organizationId: opts.tenantId,
          },
        })
      }
    }
    if (change.kind === 'member' || change.kind === 'group' || change.kind === 'groupRemoved') {
      for (const s of subscriptions.values()) {
        if (s.resource !== '/groups' || !live(s)) continue
        void notify(s, {
          changeType: change.kind === 'groupRemoved' ? 'deleted' : 'updated',
          resource: `Groups/${change.groupId}`,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.Group',
            '@odata.id': `Groups/${change.groupId}`,
            id: change.groupId,
            organizationId: opts.tenantId,
          },
        })
      }
    }
  }
  opts.data.onChange(announce)

  return {
    subscriptions,
    /** Handles /v1.0/subscriptions…; undefined for any other path. */
    handle(req: FakeRequest): FakeResponse | Promise<FakeResponse> | undefined {
      const path = req.url.pathname
      if (path === '/v1.0/subscriptions') {
        if (req.method === 'POST') return create(req)
        if (req.method === 'GET') return { status: 200, body: { value: [...subscriptions.values()].map(json) } }
      }
      const one = /^\/v1\.0\/subscriptions\/([^/]+)$/.exec(path)
      if (!one) return undefined
      const s = subscriptions.get(decodeURIComponent(one[1] as string))
      if (!s || !live(s)) return error(404, 'ResourceNotFound', 'The object was not found.')
      if (req.method === 'DELETE') {
        subscriptions.delete(s.id)
        return { status: 204 }
      }
      if (req.method === 'PATCH') {
        const expires = expiry((JSON.parse(req.body || '{}') as Record<string, unknown>)['expirationDateTime'])
        if (typeof expires !== 'string') return expires
        s.expirationDateTime = expires
        return { status: 200, body: json(s) }
      }
      return error(405, 'MethodNotAllowed', `${req.method} is not allowed.`)
    },
    /** Sends a lifecycle notification (reauthorizationRequired, subscriptionRemoved, missed) for a subscription. */
    lifecycle(subscriptionId: string, lifecycleEvent: string) {
      const s = subscriptions.get(subscriptionId)
      if (!s) throw new Error(`graph fake: no subscription ${subscriptionId}`)
      if (lifecycleEvent === 'subscriptionRemoved') subscriptions.delete(s.id)
      return sender.send(
        {
          method: 'POST',
          url: s.lifecycleNotificationUrl ?? s.notificationUrl,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({
            value: [
              {
                subscriptionId: s.id,
                subscriptionExpirationDateTime: s.expirationDateTime,
                tenantId: opts.tenantId,
                clientState: s.clientState,
                lifecycleEvent,
              },
            ],
          }),
        },
        GRAPH_RETRY,
      )
    },
  }
}
