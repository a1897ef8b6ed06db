// An Okta Management API fake on 127.0.0.1 serving a DirectoryData organisation
// (developer.okta.com reference: users, groups, group rules, core pagination, rate limits):
// - SSWS API-token auth; 401 E0000011 for a bad token; or an OAuth service app: POST
//   /oauth2/v1/token (client_credentials with an RS256 private-key JWT assertion) → Bearer token
// - GET /api/v1/users (limit ≤ 200, `after` cursor, `filter=lastUpdated gt "…"` which also
//   returns DEPROVISIONED users; a plain list omits them), /api/v1/users/{id|login},
//   /api/v1/users/{id}/groups
// - GET /api/v1/groups (filter on lastUpdated / lastMembershipUpdated), /api/v1/groups/{id}/users,
//   /api/v1/groups/rules (ACTIVE rules with an Okta Expression Language condition and the users
//   they exclude). A rule's target group lists every member: the rule's and those assigned by hand
//   (help.okta.com "Group rules"), as the organisation's `members` hold them.
// - GET /api/v1/logs, the System Log (./system-log.ts): events from the change log, polling and
//   bounded requests, `filter=eventType eq "…"`; `denyLogs` answers it 403 (E0000006, Okta's
//   "You do not have permission…") as for a token whose admin may not view the System Log, and so
//   does a service-app token issued without okta.logs.read
// - Link: <…>; rel="next" paging; X-Rate-Limit-Limit/-Remaining/-Reset on every answer and a 429
//   when the bucket is empty. The bucket refills when the fake's clock passes the reset time;
//   tests advance that clock through the client's sleep.
import { createPublicKey, createVerify, randomBytes } from 'node:crypto'
import type { DirectoryData, FakeGroup, FakeUser } from '../directory-data'
import { form, startFakeServer, unb64url, type FakeRequest, type FakeResponse, type FakeServer } from '../http'
import { createNotificationSender, type NotificationSender } from '../notification-sender'
import { oktaEventHooks } from './event-hooks'
import { logEvents, logsPage } from './system-log'

export const OKTA_ORIGIN = 'https://contoso.okta.com'

export interface OktaFakeOptions {
  data: DirectoryData
  apiToken: string
  /** Requests per rate-limit window (default 600, the /api/v1/users org default). */
  rateLimit?: number
  /**
   * A registered OAuth service app: its client id, the public key of its JWK and the scopes
   * granted to it (default okta.users.read, okta.groups.read, okta.logs.read).
   */
  serviceApp?: { clientId: string; publicKey: string; scopes?: string[] }
  /** The fake's clock in ms (default Date.now). */
  now?: () => number
  /** Most System Log events per page whatever `limit` asks (polling pages may be short), to exercise paging. */
  logPageSize?: number
}

export interface OktaFake extends FakeServer {
  data: DirectoryData
  /** When set, GET /api/v1/logs answers 403: the caller may not read the System Log. */
  denyLogs: boolean
  /** Event hooks (./event-hooks.ts) and what they sent. */
  eventHooks: ReturnType<typeof oktaEventHooks>
  notifications: NotificationSender
}

const oktaError = (status: number, errorCode: string, errorSummary: string): FakeResponse => ({
  status,
  body: {
    errorCode,
    errorSummary,
    errorLink: errorCode,
    errorId: `oae${randomBytes(8).toString('hex')}`,
    errorCauses: [],
  },
})

function userJson(u: FakeUser, status = 'ACTIVE'): Record<string, unknown> {
  return {
    id: u.id,
    status,
    created: '2026-01-01T00:00:00.000Z',
    activated: '2026-01-01T00:00:00.000Z',
    statusChanged: u.updatedAt,
    lastLogin: null,
    lastUpdated: u.updatedAt,
    passwordChanged: null,
    type: { id: 'oty1' },
    profile: {
      firstName: u.givenName,
      lastName: u.surname,
      login: u.userPrincipalName,
      email: u.userPrincipalName,
      mobilePhone: null,
      secondEmail: null,
      department: u.department,
      title: u.jobTitle,
      countryCode: u.country,
      city: u.city,
      costCenter: u.costCenter,
      userType: u.employeeType,
    },
    credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: { href: `${OKTA_ORIGIN}/api/v1/users/${u.id}` } },
  }
}

function groupJson(g: FakeGroup): Record<string, unknown> {
  return {
    id: g.id,
    created: '2026-01-01T00:00:00.000Z',
    lastUpdated: g.updatedAt,
    lastMembershipUpdated: g.updatedAt,
    objectClass: ['okta:user_group'],
    type: 'OKTA_GROUP',
    profile: { name: g.name, description: g.description },
    _links: { users: { href: `${OKTA_ORIGIN}/api/v1/groups/${g.id}/users` } },
  }
}

/** `lastUpdated gt "…" or lastMembershipUpdated gt "…"`: the (field, time) pairs of the filter. */
function parseFilter(filter: string | null): [string, string][] | 'bad' | null {
  if (filter === null) return null
  const clauses = filter
    .split(/\s+or\s+/i)
    .map(c => /^\s*(lastUpdated|lastMembershipUpdated)\s+gt\s+"([^"]+)"\s*$/.exec(c))
  if (clauses.some(c => !c)) return 'bad'
  return clauses.map(c => [c![1] as string, c![2] as string])
}

export async function startOktaFake(opts: OktaFakeOptions): Promise<OktaFake> {
  const { data } = opts
  const now = opts.now ?? (() => Date.now())
  const limit = opts.rateLimit ?? 600
  let remaining = limit
  let resetAt = Math.ceil(now() / 1000) + 60
  /** Access tokens → their scopes. */
  const bearers = new Map<string, string[]>()
  let fake: Pick<OktaFake, 'denyLogs'> = { denyLogs: false }

  const token = (req: FakeRequest): FakeResponse => {
    const f = form(req.body)
    const app = opts.serviceApp
    const deny = (description: string): FakeResponse => ({
      status: 401,
      body: { error: 'invalid_client', error_description: description },
    })
    if (f.get('grant_type') !== 'client_credentials')
      return {
        status: 400,
        body: {
          error: 'unsupported_grant_type',
          error_description: 'The authorization grant type is not supported by the authorization server.',
        },
      }
    if (!app || f.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      return deny('Client authentication failed.')
    const [h, p, sig] = (f.get('client_assertion') ?? '').split('.')
    if (!h || !p || !sig) return deny('The client_assertion is not a JWT.')
    if (
      !createVerify('RSA-SHA256')
        .update(`${h}.${p}`)
        .verify(createPublicKey(app.publicKey), Buffer.from(sig, 'base64url'))
    )
      return deny('The client_assertion signature is invalid.')
    const claims = JSON.parse(unb64url(p)) as { iss?: string; sub?: string; aud?: string; exp?: number }
    if (claims.iss !== app.clientId || claims.sub !== app.clientId || claims.aud !== `${OKTA_ORIGIN}/oauth2/v1/token`)
      return deny('The client_assertion iss, sub or aud claim is invalid.')
    if (!claims.exp || claims.exp * 1000 < now()) return deny('The client_assertion token is expired.')
    const scopes = (f.get('scope') ?? '').split(' ').filter(Boolean)
    const granted = app.scopes ?? ['okta.users.read', 'okta.groups.read', 'okta.logs.read']
    if (scopes.length === 0 || scopes.some(x => !granted.includes(x)))
      return {
        status: 400,
        body: { error: 'invalid_scope', error_description: 'The requested scope is invalid, unknown, or malformed.' },
      }
    const t = `okta-at-${randomBytes(12).toString('hex')}`
    bearers.set(t, scopes)
    return { status: 200, body: { token_type: 'Bearer', expires_in: 3600, access_token: t, scope: scopes.join(' ') } }
  }

  const page = (req: FakeRequest, all: Record<string, unknown>[], max: number): FakeResponse => {
    const size = Math.min(Number(req.url.searchParams.get('limit') ?? max), max)
    const after = req.url.searchParams.get('after')
    const start = after ? all.findIndex(x => (x['id'] as string) > after) : 0
    const from = start === -1 ? all.length : start
    const slice = all.slice(from, from + size)
    const self = `${OKTA_ORIGIN}${req.url.pathname}${req.url.search}`
    const links = [`<${self}>; rel="self"`]
    if (from + size < all.length) {
      const next = new URL(self)
      next.searchParams.set('after', slice.at(-1)?.['id'] as string)
      next.searchParams.set('limit', String(size))
      links.push(`<${next.href}>; rel="next"`)
    }
    return { status: 200, headers: { link: links.join(', ') }, body: slice }
  }

  const byId = <T extends { id: string }>(list: T[]) => list.sort((a, b) => a.id.localeCompare(b.id))

  const findUser = (key: string) => {
    const k = key.toLowerCase()
    return data.users.get(key) ?? [...data.users.values()].find(u => u.userPrincipalName.toLowerCase() === k)
  }

  const route = (req: FakeRequest): FakeResponse => {
    const path = req.url.pathname
    if (req.method !== 'GET')
      return oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method')
    if (path === '/api/v1/logs') {
      const auth = req.headers.authorization ?? ''
      const scoped = !auth.startsWith('Bearer ') || (bearers.get(auth.slice(7)) ?? []).includes('okta.logs.read')
      if (fake.denyLogs || !scoped)
        return oktaError(403, 'E0000006', 'You do not have permission to perform the requested action')
      const answer = logsPage(
        logEvents(data),
        req.url.searchParams,
        new URL(`${OKTA_ORIGIN}${path}${req.url.search}`),
        now(),
        opts.logPageSize,
      )
      if (answer.status === 400) return oktaError(400, answer.errorCode, answer.errorSummary)
      return { status: 200, headers: { link: answer.link }, body: answer.body }
    }
    if (path === '/api/v1/users') {
      const filter = parseFilter(req.url.searchParams.get('filter'))
      if (filter === 'bad') return oktaError(400, 'E0000031', 'Invalid search criteria.')
      if (filter === null)
        return page(
          req,
          byId([...data.users.values()]).map(u => userJson(u)),
          200,
        )
      const since = filter[0]![1]
      const changed = [...data.users.values()].filter(u => u.updatedAt > since).map(u => userJson(u))
      const gone = [...data.removedUsers.values()]
        .filter(u => u.updatedAt > since)
        .map(u => userJson(u, 'DEPROVISIONED'))
      return page(req, byId([...changed, ...gone] as { id: string }[]) as Record<string, unknown>[], 200)
    }
    if (path === '/api/v1/groups') {
      const filter = parseFilter(req.url.searchParams.get('filter'))
      if (filter === 'bad') return oktaError(400, 'E0000031', 'Invalid search criteria.')
      const groups = byId([...data.groups.values()]).filter(
        g => filter === null || filter.some(([, t]) => g.updatedAt > t),
      )
      return page(req, groups.map(groupJson), 10_000)
    }
    if (path === '/api/v1/groups/rules') {
      const rules = byId([...data.groups.values()].filter(g => g.rule !== null)).map(g => ({
        type: 'group_rule',
        id: `0pr${g.id.slice(-12)}`,
        status: 'ACTIVE',
        name: `Assign ${g.name}`.slice(0, 50),
        created: '2026-01-01T00:00:00.000Z',
        lastUpdated: g.updatedAt,
        conditions: {
          people: { users: { exclude: g.excludedUsers ?? [] }, groups: { exclude: [] } },
          expression: { value: g.rule?.okta, type: 'urn:okta:expression:1.0' },
        },
        actions: { assignUserToGroups: { groupIds: [g.id] } },
      }))
      return page(req, rules, 200)
    }
    const members = /^\/api\/v1\/groups\/([^/]+)\/users$/.exec(path)
    if (members) {
      const g = data.groups.get(decodeURIComponent(members[1] as string))
      if (!g) return oktaError(404, 'E0000007', `Not found: Resource not found: ${members[1]} (UserGroup)`)
      return page(
        req,
        byId([...g.members].map(id => data.users.get(id)).filter((u): u is FakeUser => u !== undefined)).map(u =>
          userJson(u),
        ),
        1000,
      )
    }
    const userGroups = /^\/api\/v1\/users\/([^/]+)\/groups$/.exec(path)
    if (userGroups) {
      const u = findUser(decodeURIComponent(userGroups[1] as string))
      if (!u) return oktaError(404, 'E0000007', `Not found: Resource not found: ${userGroups[1]} (User)`)
      return page(req, byId(data.groupsOf(u.id)).map(groupJson), 10_000)
    }
    const one = /^\/api\/v1\/users\/([^/]+)$/.exec(path)
    if (one) {
      const key = decodeURIComponent(one[1] as string)
      const u = findUser(key)
      if (u) return { status: 200, body: userJson(u) }
      const gone = [...data.removedUsers.values()].find(
        x => x.id === key || x.userPrincipalName.toLowerCase() === key.toLowerCase(),
      )
      if (gone) return { status: 200, body: userJson(gone, 'DEPROVISIONED') }
      return oktaError(404, 'E0000007', `Not found: Resource not found: ${key} (User)`)
    }
    return oktaError(404, 'E0000007', `Not found: Resource not found: ${path}`)
  }

  const sender = createNotificationSender()
  const eventHooks = oktaEventHooks({ data, origin: OKTA_ORIGIN, sender })
  const server = await startFakeServer(req => {
    const t = now()
    if (t >= resetAt * 1000) {
      remaining = limit
      resetAt = Math.ceil(t / 1000) + 60
    }
    const rateHeaders = () => ({
      'x-rate-limit-limit': String(limit),
      'x-rate-limit-remaining': String(remaining),
      'x-rate-limit-reset': String(resetAt),
      date: new Date(t).toUTCString(),
      'x-okta-request-id': randomBytes(8).toString('hex'),
    })
    if (remaining <= 0)
      return {
        ...oktaError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'),
        headers: rateHeaders(),
      }
    remaining--
    if (req.method === 'POST' && req.url.pathname === '/oauth2/v1/token')
      return { ...token(req), headers: rateHeaders() }
    const auth = req.headers.authorization ?? ''
    if (auth !== `SSWS ${opts.apiToken}` && !(auth.startsWith('Bearer ') && bearers.has(auth.slice(7))))
      return { ...oktaError(401, 'E0000011', 'Invalid token provided'), headers: rateHeaders() }
    const hookAnswer = eventHooks.handle(req)
    if (hookAnswer)
      return Promise.resolve(hookAnswer).then(r => ({ ...r, headers: { ...rateHeaders(), ...(r.headers ?? {}) } }))
    const r = route(req)
    return { ...r, headers: { ...rateHeaders(), ...(r.headers ?? {}) } }
  })
  // The switch lives on the returned object, so a test flips it between syncs.
  const out: OktaFake = Object.assign(server, { data, denyLogs: false, eventHooks, notifications: sender })
  fake = out
  return out
}
