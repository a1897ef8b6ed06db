// A Google Admin SDK Directory API + OAuth token endpoint fake on 127.0.0.1 serving a
// DirectoryData organisation (developers.google.com/admin-sdk/directory/v1/reference):
// - POST /token: the service-account JWT bearer grant google-auth-library sends
//   (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer); the RS256 assertion is verified
//   with the service account's public key, and `sub` (domain-wide delegation) must be an admin
// - GET /admin/directory/v1/users (customer, projection=full with customSchemas, maxResults
//   ≤ 500, pageToken), /users/{userKey}, /groups (customer or userKey), /groups/{key}/members
// - GET /admin/directory/v1/customers/my_customer, and Cloud Identity's GET /v1/groups
//   (parent=customers/C…, view=FULL) with dynamicGroupMetadata for the rule-based groups, when
//   the service account may use the cloud-identity.groups.readonly scope, and
//   GET /v1/groups/{group}/memberships (pageSize ≤ 1000, pageToken): each member as
//   { name, preferredMemberKey: { id: email }, roles: [{ name: 'MEMBER' }], type: 'USER' }
//   (cloud.google.com/identity/docs/reference/rest/v1/groups.memberships)
// - errors in Google's shape {error:{code,message,errors:[{reason}],status}}.
import { createPublicKey, createVerify, randomBytes, type KeyObject } from 'node:crypto'
import type { DirectoryData, FakeGroup, FakeUser } from '../directory-data'
import { b64url, form, startFakeServer, unb64url, type FakeRequest, type FakeResponse, type FakeServer } from '../http'
import { createNotificationSender, type NotificationSender } from '../notification-sender'
import { googleChannels } from './channels'

export const GOOGLE_OAUTH_ORIGIN = 'https://oauth2.googleapis.com'
export const GOOGLE_ADMIN_ORIGIN = 'https://admin.googleapis.com'
export const CLOUD_IDENTITY_ORIGIN = 'https://cloudidentity.googleapis.com'
export const FAKE_CUSTOMER_ID = 'C0fake123'

export interface GoogleFakeOptions {
  data: DirectoryData
  serviceAccountEmail: string
  /** PEM public key of the service account. */
  publicKey: string
  /** Admins the service account may act as. */
  admins: string[]
  /** Whether domain-wide delegation grants the Cloud Identity groups scope (default true). */
  cloudIdentity?: boolean
}

export interface GoogleFake extends FakeServer {
  data: DirectoryData
  /** Decoded JWT assertions the token endpoint accepted. */
  assertions: Record<string, unknown>[]
  /** users.watch channels (./channels.ts) and what they sent. */
  channels: ReturnType<typeof googleChannels>
  notifications: NotificationSender
}

const googleError = (code: number, reason: string, message: string, status: string): FakeResponse => ({
  status: code,
  body: { error: { code, message, errors: [{ message, domain: 'global', reason }], status } },
})

function userJson(u: FakeUser, projection: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    kind: 'admin#directory#user',
    id: u.id,
    etag: `"${u.version}"`,
    primaryEmail: u.userPrincipalName,
    name: { givenName: u.givenName, familyName: u.surname, fullName: u.displayName },
    isAdmin: false,
    isDelegatedAdmin: false,
    suspended: !u.accountEnabled,
    archived: false,
    orgUnitPath: u.department ? `/${u.department}` : '/',
    organizations: u.department
      ? [
          {
            title: u.jobTitle,
            department: u.department,
            costCenter: u.costCenter ?? undefined,
            primary: true,
            customType: '',
          },
        ]
      : [{ title: u.jobTitle, primary: true, customType: '' }],
    locations: [{ type: 'desk', area: 'desk', buildingId: `${u.city}-HQ` }],
    addresses: [{ type: 'work', locality: u.city, country: u.country, primary: true }],
  }
  if (projection === 'full')
    out['customSchemas'] = {
      Employment: { employeeType: u.employeeType, ...(u.costCenter ? { costCenter: u.costCenter } : {}) },
    }
  return out
}

const groupJson = (g: FakeGroup, domain: string) => ({
  kind: 'admin#directory#group',
  id: g.id,
  etag: `"${g.version}"`,
  email: `${g.name.toLowerCase().replace(/\s+/g, '-')}@${domain}`,
  name: g.name,
  description: g.description,
  directMembersCount: String(g.members.size),
})

const pageOf = <T>(req: FakeRequest, all: T[], max: number, kind: string, key: string): FakeResponse => {
  const size = Math.min(Number(req.url.searchParams.get('maxResults') ?? max), max)
  const token = req.url.searchParams.get('pageToken')
  const from = token ? Number(unb64url(token)) : 0
  if (!Number.isInteger(from) || from < 0) return googleError(400, 'invalid', 'Invalid page token', 'INVALID_ARGUMENT')
  const body: Record<string, unknown> = { kind, etag: '"e"', [key]: all.slice(from, from + size) }
  if (from + size < all.length) body['nextPageToken'] = b64url(String(from + size))
  return { status: 200, body }
}

function verifyAssertion(assertion: string, key: KeyObject): Record<string, unknown> | null {
  const [h, p, sig] = assertion.split('.')
  if (!h || !p || !sig) return null
  const header = JSON.parse(unb64url(h)) as { alg?: string }
  if (header.alg !== 'RS256') return null
  const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(key, Buffer.from(sig, 'base64url'))
  return ok ? (JSON.parse(unb64url(p)) as Record<string, unknown>) : null
}

export async function startGoogleFake(opts: GoogleFakeOptions): Promise<GoogleFake> {
  const { data } = opts
  const key = createPublicKey(opts.publicKey)
  const tokens = new Set<string>()
  const cloudTokens = new Set<string>()
  const assertions: Record<string, unknown>[] = []

  const token = (req: FakeRequest): FakeResponse => {
    const f = form(req.body)
    if (f.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' } }
    const claims = verifyAssertion(f.get('assertion') ?? '', key)
    if (!claims) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } }
    if (claims['aud'] !== `${GOOGLE_OAUTH_ORIGIN}/token` || claims['iss'] !== opts.serviceAccountEmail)
      return {
        status: 400,
        body: {
          error: 'invalid_grant',
          error_description: 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.',
        },
      }
    const scopes = String(claims['scope'] ?? '').split(' ')
    const refusedScope = opts.cloudIdentity === false && scopes.some(s => s.includes('cloud-identity'))
    if (typeof claims['sub'] !== 'string' || !opts.admins.includes(claims['sub']) || refusedScope) {
      return {
        status: 401,
        body: {
          error: 'unauthorized_client',
          error_description:
            'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
        },
      }
    }
    assertions.push(claims)
    const t = `ya29.fake-${randomBytes(12).toString('hex')}`
    tokens.add(t)
    if (scopes.some(s => s.includes('cloud-identity'))) cloudTokens.add(t)
    return { status: 200, body: { access_token: t, expires_in: 3599, token_type: 'Bearer' } }
  }

  const findUser = (k: string) =>
    data.users.get(k) ?? [...data.users.values()].find(u => u.userPrincipalName.toLowerCase() === k.toLowerCase())

  const sender = createNotificationSender()
  const channels = googleChannels({ data, sender })
  const server = await startFakeServer(req => {
    const path = req.url.pathname
    if (req.method === 'POST' && path === '/token') return token(req)
    const auth = req.headers.authorization ?? ''
    if (path === '/v1/groups') {
      if (!auth.startsWith('Bearer ') || !cloudTokens.has(auth.slice(7)))
        return googleError(403, 'forbidden', 'Request had insufficient authentication scopes.', 'PERMISSION_DENIED')
      if (req.url.searchParams.get('parent') !== `customers/${FAKE_CUSTOMER_ID}`)
        return googleError(400, 'badRequest', 'Invalid parent', 'INVALID_ARGUMENT')
      const full = req.url.searchParams.get('view') === 'FULL'
      const groups = [...data.groups.values()]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map(g => ({
          name: `groups/${g.id}`,
          groupKey: { id: groupJson(g, data.domain).email },
          parent: `customers/${FAKE_CUSTOMER_ID}`,
          displayName: g.name,
          labels: { 'cloudidentity.googleapis.com/groups.discussion_forum': '' },
          ...(full && g.rule
            ? {
                dynamicGroupMetadata: {
                  queries: [{ resourceType: 'USER', query: g.rule.google }],
                  status: { status: 'UP_TO_DATE', statusTime: g.updatedAt },
                },
              }
            : {}),
        }))
      return { status: 200, body: { groups, nextPageToken: '' } }
    }
    const memberships = /^\/v1\/groups\/([^/]+)\/memberships$/.exec(path)
    if (memberships) {
      if (!auth.startsWith('Bearer ') || !cloudTokens.has(auth.slice(7)))
        return googleError(403, 'forbidden', 'Request had insufficient authentication scopes.', 'PERMISSION_DENIED')
      const g = data.groups.get(decodeURIComponent(memberships[1] as string))
      if (!g) return googleError(404, 'notFound', 'Not found', 'NOT_FOUND')
      const all = [...g.members].sort().flatMap(id => {
        const u = data.users.get(id)
        return u
          ? [
              {
                name: `groups/${g.id}/memberships/${u.id}`,
                preferredMemberKey: { id: u.userPrincipalName },
                roles: [{ name: 'MEMBER' }],
                type: 'USER',
              },
            ]
          : []
      })
      const size = Math.min(Number(req.url.searchParams.get('pageSize') ?? 200), 1000)
      const token = req.url.searchParams.get('pageToken')
      const from = token ? Number(unb64url(token)) : 0
      const body: Record<string, unknown> = { memberships: all.slice(from, from + size) }
      body['nextPageToken'] = from + size < all.length ? b64url(String(from + size)) : ''
      return { status: 200, body }
    }
    if (!path.startsWith('/admin/directory/v1/') && !path.startsWith('/admin/directory_v1/'))
      return googleError(404, 'notFound', `No route ${path}`, 'NOT_FOUND')
    if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7)))
      return googleError(401, 'authError', 'Invalid Credentials', 'UNAUTHENTICATED')
    const channelAnswer = channels.handle(req)
    if (channelAnswer) return channelAnswer
    const rest = path.slice('/admin/directory/v1/'.length)
    if (rest === 'customers/my_customer')
      return {
        status: 200,
        body: { kind: 'admin#directory#customer', id: FAKE_CUSTOMER_ID, customerDomain: data.domain },
      }
    if (rest === 'users') {
      if (!req.url.searchParams.get('customer') && !req.url.searchParams.get('domain'))
        return googleError(400, 'badRequest', 'Bad Request', 'INVALID_ARGUMENT')
      const projection = req.url.searchParams.get('projection') ?? 'basic'
      const users = [...data.users.values()].sort((a, b) => a.id.localeCompare(b.id)).map(u => userJson(u, projection))
      return pageOf(req, users, 500, 'admin#directory#users', 'users')
    }
    const oneUser = /^users\/([^/]+)$/.exec(rest)
    if (oneUser) {
      const u = findUser(decodeURIComponent(oneUser[1] as string))
      return u
        ? { status: 200, body: userJson(u, req.url.searchParams.get('projection') ?? 'basic') }
        : googleError(404, 'notFound', 'Resource Not Found: userKey', 'NOT_FOUND')
    }
    if (rest === 'groups') {
      const userKey = req.url.searchParams.get('userKey')
      const user = userKey ? findUser(userKey) : undefined
      if (userKey && !user) return googleError(404, 'notFound', 'Resource Not Found: userKey', 'NOT_FOUND')
      const groups = (user ? data.groupsOf(user.id) : [...data.groups.values()])
        .sort((a, b) => a.id.localeCompare(b.id))
        .map(g => groupJson(g, data.domain))
      return pageOf(req, groups, 200, 'admin#directory#groups', 'groups')
    }
    const members = /^groups\/([^/]+)\/members$/.exec(rest)
    if (members) {
      const g = data.groups.get(decodeURIComponent(members[1] as string))
      if (!g) return googleError(404, 'notFound', 'Resource Not Found: groupKey', 'NOT_FOUND')
      const list = [...g.members].sort().map(id => ({
        kind: 'admin#directory#member',
        id,
        email: data.users.get(id)?.userPrincipalName,
        role: 'MEMBER',
        type: 'USER',
        status: 'ACTIVE',
      }))
      return pageOf(req, list, 200, 'admin#directory#members', 'members')
    }
    return googleError(404, 'notFound', `No route ${path}`, 'NOT_FOUND')
  })
  return Object.assign(server, { data, assertions, channels, notifications: sender })
}
