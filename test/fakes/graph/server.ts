// A Microsoft Graph + Entra token endpoint fake on 127.0.0.1, serving a DirectoryData
// organisation in Graph's wire format:
// - POST /{tenant}/oauth2/v2.0/token (client credentials; what @azure/msal-node sends)
// - GET /v1.0/users/delta and /v1.0/groups/delta with @odata.nextLink ($skiptoken) and
//   @odata.deltaLink ($deltatoken), $select carried inside the tokens, members@delta with
//   @removed, and 410 Gone + syncStateNotFound for an expired delta token
//   (learn.microsoft.com/graph/delta-query-overview, user-delta, group-delta)
// - each user's manager: with `manager` in a users/delta $select, as the annotation
//   manager@delta (delta-query-overview.md: $select supports the manager navigation property;
//   the Graph API design guidelines' change tracking example shows its shape), in a full round
//   for users who have one and in later rounds when it changed (a removed manager with
//   @removed, as members@delta does); on one user with $expand=manager($select=…)
// - GET /v1.0/users/{id | userPrincipalName} and /v1.0/users/{id}/memberOf for one user.
// Links point at https://graph.microsoft.com like the real service; the client reaches the
// fake through a loopback router.
import { constants, createPublicKey, createVerify, randomBytes } from 'node:crypto'
import type { DirectoryData, FakeGroup, FakeUser } from '../directory-data'
import { b64url, form, startFakeServer, unb64url, type FakeRequest, type FakeResponse, type FakeServer } from '../http'
import { createNotificationSender, type NotificationSender } from '../notification-sender'
import { graphSubscriptions } from './subscriptions'

export const GRAPH_ORIGIN = 'https://graph.microsoft.com'
export const LOGIN_ORIGIN = 'https://login.microsoftonline.com'

export interface GraphFakeOptions {
  data: DirectoryData
  tenantId: string
  clientId: string
  clientSecret: string
  /**
   * A registered certificate credential: client assertions (RFC 7523, `client_assertion_type=
   * urn:ietf:params:oauth:client-assertion-type:jwt-bearer`) must be signed by its key and name
   * its SHA-256 thumbprint in the x5t#S256 header.
   */
  certificate?: { publicKey: string; thumbprintSha256: string }
  /** Objects per delta page (Graph chooses its own; real pages hold ~100-200 users). */
  pageSize?: number
  /** Members listed per group entry in a full group delta before the group repeats. */
  membersPerEntry?: number
}

export interface GraphFake extends FakeServer {
  data: DirectoryData
  /** Makes every delta token issued so far expired (410 syncStateNotFound on next use). */
  expireDeltaTokens(): void
  /** Access tokens issued by the token endpoint. */
  issuedTokens: number
  /**
   * Serializes every page of the current full round of a delta query (as the client will first
   * ask for it: `url` with its $select) ahead of time, so serving it costs this process almost
   * nothing. Benchmarks use it: a real IdP's work does not run on the client's machine.
   * Returns the pages prepared.
   */
  preparePages(url: string): number
  /** Change notifications (./subscriptions.ts): what was sent, and the CA to trust for the endpoint. */
  notifications: NotificationSender
  /** The subscriptions created, and a lifecycle notification on demand. */
  subscriptions: ReturnType<typeof graphSubscriptions>
}

interface DeltaState {
  /** Version the round started at: the deltaLink carries it. */
  v: number
  /** Changes after this version; null for a full round. */
  since: number | null
  offset: number
  select: string[] | null
}

const graphError = (status: number, code: string, message: string): FakeResponse => ({
  status,
  headers: { 'request-id': randomBytes(8).toString('hex') },
  body: {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': randomBytes(8).toString('hex') },
    },
  },
})

function userJson(u: FakeUser, select: string[] | null): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    givenName: u.givenName,
    surname: u.surname,
    mail: u.userPrincipalName,
    department: u.department,
    jobTitle: u.jobTitle,
    country: u.country,
    city: u.city,
    employeeType: u.employeeType,
    accountEnabled: u.accountEnabled,
    businessPhones: [],
    onPremisesExtensionAttributes: Object.fromEntries(
      Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, i === 0 ? u.costCenter : null]),
    ),
  }
  if (!select) return all
  // `id` is always returned (user-delta.md: "the id property is always returned").
  const out: Record<string, unknown> = { id: u.id }
  userKeys ??= new Map(Object.keys(all).map(k => [k.toLowerCase(), k]))
  for (const name of select) {
    const key = userKeys.get(name.toLowerCase())
    if (key) out[key] = all[key]
  }
  return out
}

/** $select names are case-insensitive: lower-cased name → the property's spelling (every user has the same). */
let userKeys: Map<string, string> | undefined

function groupJson(g: FakeGroup, select: string[] | null): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: g.id,
    displayName: g.name,
    description: g.description,
    groupTypes: g.rule ? ['DynamicMembership'] : [],
    membershipRule: g.rule?.entra ?? null,
    membershipRuleProcessingState: g.rule ? 'On' : null,
    securityEnabled: true,
    mailEnabled: false,
  }
  if (!select) return all
  const out: Record<string, unknown> = { id: g.id }
  for (const name of select) if (name in all) out[name] = all[name]
  return out
}

/** Builds one delta entry when its page is served. */
type Entry = () => Record<string, unknown>

/** The manager part of a delta entry: in a full round, the current manager; after a change, what changed. */
function managerDelta(
  u: FakeUser,
  select: string[] | null,
  change: { previous: string | null } | undefined | 'full',
): Record<string, unknown> {
  if (!select?.some(name => name.toLowerCase() === 'manager')) return {}
  if (change === 'full') return u.managerId ? { 'manager@delta': [memberRef(u.managerId)] } : {}
  if (change === undefined) return {}
  if (u.managerId) return { 'manager@delta': [memberRef(u.managerId)] }
  return change.previous ? { 'manager@delta': [memberRef(change.previous, true)] } : {}
}

/** An expanded manager as `$expand=manager($select=a,b)` returns it: the selected properties (all when none). */
function expandedManager(data: DirectoryData, u: FakeUser, expand: string | null): Record<string, unknown> {
  const match = expand === null ? null : /^manager(?:\(\$select=([^)]*)\))?$/i.exec(expand.trim())
  if (!match || !u.managerId) return {}
  const manager = data.users.get(u.managerId)
  if (!manager) return {}
  const json = userJson(manager, match[1] ? match[1].split(',').map(s => s.trim()) : null)
  return { manager: { '@odata.type': '#microsoft.graph.user', ...json } }
}

const memberRef = (userId: string, removed = false) =>
  removed
    ? { '@odata.type': '#microsoft.graph.user', id: userId, '@removed': { reason: 'deleted' } }
    : { '@odata.type': '#microsoft.graph.user', id: userId }

export async function startGraphFake(opts: GraphFakeOptions): Promise<GraphFake> {
  const { data } = opts
  const pageSize = opts.pageSize ?? 200
  const membersPerEntry = opts.membersPerEntry ?? 500
  const tokens = new Set<string>()
  let expiredBefore = 0
  // A round's entries as builders: each page builds only its own slice, so the first page of a
  // 100k-user round answers as fast as any other (Graph does not make clients wait for the whole round).
  const rounds = new Map<string, Entry[]>()
  // Pages serialized by preparePages, by query and delta state; a changed directory has a new version, so they are never stale.
  const prepared = new Map<string, string>()
  let fake: GraphFake
  const sender = createNotificationSender()
  const subscriptions = graphSubscriptions({ data, tenantId: opts.tenantId, sender })

  const authorized = (req: FakeRequest): boolean => {
    const h = req.headers.authorization ?? ''
    return h.startsWith('Bearer ') && tokens.has(h.slice(7))
  }

  const token = (req: FakeRequest): FakeResponse => {
    const f = form(req.body)
    if (f.get('grant_type') !== 'client_credentials') {
      return {
        status: 400,
        body: {
          error: 'unsupported_grant_type',
          error_description: 'AADSTS70003: The app requested an unsupported grant type.',
          error_codes: [70003],
        },
      }
    }
    if (f.get('client_id') !== opts.clientId) {
      return {
        status: 400,
        body: {
          error: 'unauthorized_client',
          error_description: `AADSTS700016: Application with identifier '${f.get('client_id')}' was not found in the directory.`,
          error_codes: [700016],
        },
      }
    }
    const assertion = f.get('client_assertion')
    if (assertion !== null) {
      const problem = checkAssertion(assertion, `${LOGIN_ORIGIN}/${opts.tenantId}/oauth2/v2.0/token`)
      if (problem)
        return {
          status: 401,
          body: {
            error: 'invalid_client',
            error_description: `AADSTS700027: Client assertion failed signature validation. ${problem}`,
            error_codes: [700027],
          },
        }
    } else if (f.get('client_secret') !== opts.clientSecret) {
      return {
        status: 401,
        body: {
          error: 'invalid_client',
          error_description:
            'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
          error_codes: [7000215],
        },
      }
    }
    const t = `fake-graph-${randomBytes(12).toString('hex')}`
    tokens.add(t)
    fake.issuedTokens++
    return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: t } }
  }

  /** Why a client assertion is refused, or null when it is good. */
  const checkAssertion = (jwt: string, audience: string): string | null => {
    if (!opts.certificate) return 'No certificate is registered for this application.'
    const [h, p, sig] = jwt.split('.')
    if (!h || !p || !sig) return 'Not a JWT.'
    const header = JSON.parse(unb64url(h)) as { alg?: string; 'x5t#S256'?: string }
    const payload = JSON.parse(unb64url(p)) as { aud?: string; iss?: string; sub?: string; exp?: number }
    if (header['x5t#S256'] !== Buffer.from(opts.certificate.thumbprintSha256, 'hex').toString('base64url'))
      return 'Unknown certificate thumbprint.'
    const key = createPublicKey(opts.certificate.publicKey)
    const verifier = createVerify('RSA-SHA256').update(`${h}.${p}`)
    const ok =
      header.alg === 'PS256'
        ? verifier.verify(
            { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
            Buffer.from(sig, 'base64url'),
          )
        : header.alg === 'RS256' && verifier.verify(key, Buffer.from(sig, 'base64url'))
    if (!ok) return 'Bad signature.'
    if (payload.aud !== audience || payload.iss !== opts.clientId || payload.sub !== opts.clientId)
      return 'Wrong audience, issuer or subject.'
    if (!payload.exp || payload.exp * 1000 < Date.now()) return 'Expired.'
    return null
  }

  const readState = (url: URL): DeltaState | 'expired' | 'bad' => {
    const skip = url.searchParams.get('$skiptoken')
    const delta = url.searchParams.get('$deltatoken')
    try {
      if (skip) return JSON.parse(unb64url(skip)) as DeltaState
      if (delta) {
        const d = JSON.parse(unb64url(delta)) as { v: number; select: string[] | null }
        if (d.v < expiredBefore) return 'expired'
        return { v: data.version, since: d.v, offset: 0, select: d.select }
      }
    } catch {
      return 'bad'
    }
    const select = url.searchParams.get('$select')
    return {
      v: data.version,
      since: null,
      offset: 0,
      select: select
        ? select
            .split(',')
            .map(s => s.trim())
            .filter(Boolean)
        : null,
    }
  }

  const page = (path: string, entries: Entry[], state: DeltaState): FakeResponse => {
    const slice = entries.slice(state.offset, state.offset + pageSize).map(entry => entry())
    const body: Record<string, unknown> = {
      '@odata.context': `${GRAPH_ORIGIN}/v1.0/$metadata#${path.includes('users') ? 'users' : 'groups'}(${(state.select ?? []).join(',')})`,
    }
    if (state.offset + pageSize < entries.length) {
      body['@odata.nextLink'] =
        `${GRAPH_ORIGIN}/v1.0/${path}?$skiptoken=${b64url(JSON.stringify({ ...state, offset: state.offset + pageSize }))}`
    } else {
      body['@odata.deltaLink'] =
        `${GRAPH_ORIGIN}/v1.0/${path}?$deltatoken=${b64url(JSON.stringify({ v: state.v, select: state.select }))}`
    }
    body['value'] = slice
    return { status: 200, body }
  }

  const userEntries = (state: DeltaState): Entry[] => {
    if (state.since === null)
      return [...data.users.values()].map(u => () => ({
        ...userJson(u, state.select),
        ...managerDelta(u, state.select, 'full'),
      }))
    const latest = new Map<string, boolean>()
    // The manager before the first change in this round, for users whose manager changed.
    const managers = new Map<string, { previous: string | null }>()
    for (const c of data.changesSince(state.since)) {
      if (c.version > state.v) continue
      if (c.kind === 'user') latest.set(c.userId, true)
      if (c.kind === 'user' && c.manager && !managers.has(c.userId)) managers.set(c.userId, c.manager)
      if (c.kind === 'userRemoved') latest.set(c.userId, false)
    }
    return [...latest].map(([id]) => {
      const u = data.users.get(id)
      const entry = u
        ? { ...userJson(u, state.select), ...managerDelta(u, state.select, managers.get(id)) }
        : { id, '@removed': { reason: 'deleted' } }
      return () => entry
    })
  }

  const groupEntries = (state: DeltaState): Entry[] => {
    const withMembers = !state.select || state.select.includes('members')
    if (state.since === null) {
      const out: Entry[] = []
      for (const g of data.groups.values()) {
        const members = [...g.members]
        // Large groups span several entries; clients must merge (delta-query-groups.md).
        for (let i = 0; i === 0 || i < members.length; i += membersPerEntry) {
          out.push(() => {
            const entry = groupJson(g, state.select)
            if (withMembers) entry['members@delta'] = members.slice(i, i + membersPerEntry).map(m => memberRef(m))
            return entry
          })
        }
      }
      return out
    }
    const touched = new Map<string, Map<string, boolean>>()
    const removed = new Set<string>()
    for (const c of data.changesSince(state.since)) {
      if (c.version > state.v) continue
      if (c.kind === 'group' && !touched.has(c.groupId)) touched.set(c.groupId, new Map())
      if (c.kind === 'member') {
        const m = touched.get(c.groupId) ?? new Map<string, boolean>()
        m.set(c.userId, c.added)
        touched.set(c.groupId, m)
      }
      if (c.kind === 'groupRemoved') removed.add(c.groupId)
    }
    const out: Entry[] = []
    for (const [groupId, members] of touched) {
      const g = data.groups.get(groupId)
      if (!g) continue
      const entry = groupJson(g, state.select)
      if (withMembers) entry['members@delta'] = [...members].map(([userId, added]) => memberRef(userId, !added))
      out.push(() => entry)
    }
    for (const id of removed) out.push(() => ({ id, '@removed': { reason: 'deleted' } }))
    return out
  }

  const delta = (req: FakeRequest, kind: 'users' | 'groups'): FakeResponse => {
    const state = readState(req.url)
    const ready = typeof state === 'object' ? prepared.get(`${kind}|${JSON.stringify(state)}`) : undefined
    if (ready !== undefined) return { status: 200, body: ready }
    if (state === 'bad') return graphError(400, 'BadRequest', 'The $skiptoken or $deltatoken is not valid.')
    if (state === 'expired') {
      // Expired or unknown sync state: the client must start over with a full sync.
      return {
        ...graphError(
          410,
          'syncStateNotFound',
          'The sync state generated from the delta token is not found. Start a full sync.',
        ),
        headers: { location: `${GRAPH_ORIGIN}/v1.0/${kind}/delta` },
      }
    }
    // A round's entries are built once and paged from the cache: rebuilding 100k users per page is quadratic.
    const key = `${kind}|${state.v}|${state.since}|${(state.select ?? []).join(',')}`
    let entries = rounds.get(key)
    if (!entries) {
      if (rounds.size > 8) rounds.clear()
      entries = kind === 'users' ? userEntries(state) : groupEntries(state)
      rounds.set(key, entries)
    }
    return page(`${kind}/delta`, entries, state)
  }

  const findUser = (key: string): FakeUser | undefined => {
    const k = key.toLowerCase()
    return data.users.get(key) ?? [...data.users.values()].find(u => u.userPrincipalName.toLowerCase() === k)
  }

  const server = await startFakeServer(req => {
    const path = req.url.pathname
    if (req.method === 'POST' && path === `/${opts.tenantId}/oauth2/v2.0/token`) return token(req)
    if (req.method === 'POST' && path.endsWith('/oauth2/v2.0/token')) {
      return {
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: `AADSTS90002: Tenant '${path.split('/')[1]}' not found.`,
          error_codes: [90002],
        },
      }
    }
    if (!path.startsWith('/v1.0/')) return graphError(404, 'Request_ResourceNotFound', `No route ${path}`)
    if (!authorized(req)) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.')
    const subscriptionAnswer = subscriptions.handle(req)
    if (subscriptionAnswer) return subscriptionAnswer
    if (path === '/v1.0/users/delta') return delta(req, 'users')
    if (path === '/v1.0/groups/delta') return delta(req, 'groups')
    const memberOf = /^\/v1\.0\/users\/([^/]+)\/memberOf$/.exec(path)
    if (memberOf) {
      const u = findUser(decodeURIComponent(memberOf[1] as string))
      if (!u) return graphError(404, 'Request_ResourceNotFound', `Resource '${memberOf[1]}' does not exist.`)
      return {
        status: 200,
        body: {
          value: data
            .groupsOf(u.id)
            .map(g => ({ '@odata.type': '#microsoft.graph.group', ...groupJson(g, ['displayName']) })),
        },
      }
    }
    const one = /^\/v1\.0\/users\/([^/]+)$/.exec(path)
    if (one) {
      const u = findUser(decodeURIComponent(one[1] as string))
      if (!u)
        return graphError(
          404,
          'Request_ResourceNotFound',
          `Resource '${one[1]}' does not exist or one of its queried reference-property objects are not present.`,
        )
      const select = req.url.searchParams.get('$select')
      return {
        status: 200,
        body: {
          ...userJson(u, select ? select.split(',') : null),
          ...expandedManager(data, u, req.url.searchParams.get('$expand')),
        },
      }
    }
    return graphError(404, 'Request_ResourceNotFound', `No route ${path}`)
  })

  fake = Object.assign(server, {
    data,
    issuedTokens: 0,
    notifications: sender,
    subscriptions,
    expireDeltaTokens() {
      expiredBefore = data.version + 1
    },
    preparePages(url: string): number {
      let next: URL | null = new URL(url)
      let pages = 0
      while (next) {
        const kind = next.pathname.endsWith('/users/delta') ? 'users' : 'groups'
        const state = readState(next)
        if (typeof state !== 'object' || state.since !== null)
          throw new Error(`graph fake: ${url} does not start a full round`)
        const r = delta({ method: 'GET', url: next, headers: {}, body: '' }, kind)
        const body = r.body as Record<string, string>
        prepared.set(`${kind}|${JSON.stringify(state)}`, JSON.stringify(body))
        pages++
        const link = body['@odata.nextLink']
        next = link ? new URL(link) : null
      }
      return pages
    },
  })
  return fake
}
