// The Okta connector: the Management API with an API token (Authorization: SSWS …) or as an
// OAuth 2.0 service app: a client-credentials token (scopes okta.users.read okta.groups.read)
// obtained with a private-key JWT client assertion (RFC 7523; Okta "Implement OAuth for Okta
// with a service app": iss = sub = client id, aud = the org's /oauth2/v1/token URL).
// - Users: GET /api/v1/users, 200 per page, cursor paging through `Link: <…>; rel="next"`.
//   Incremental syncs use `filter=lastUpdated gt "…"`, which — unlike a plain list — also
//   returns DEPROVISIONED users, so leavers are seen (reference/api/users, "List users
//   updated after a timestamp … for a background synchronization job").
// - Groups: GET /api/v1/groups (incremental: `lastUpdated` or `lastMembershipUpdated` after
//   the cursor) and each group's members from /api/v1/groups/{id}/users.
// - Group rules: GET /api/v1/groups/rules; an ACTIVE rule's expression (Okta Expression
//   Language) becomes the rule of the group it assigns users to.
// - X-Rate-Limit-Remaining / -Reset pace the client before it is throttled.
import { createSign, randomUUID } from 'node:crypto'
import { AppError } from '../../shared/errors'
import type { Sleep } from '../ports'
import { flatten, type Connector, type FetchedUser, type Pull, type PulledGroup, type PulledUser } from './connector'
import { rateLimitResetMs, type IdpHttp, type IdpResponse } from './http'

export interface OktaSettings {
  /** https://<your-org>.okta.com */
  orgUrl: string
  /** OAuth service app's client id (with `privateKey`), instead of an API token. */
  clientId?: string
}

export interface OktaSecrets {
  apiToken?: string
  /** PEM private key whose public JWK is registered on the service app. */
  privateKey?: string
}

export const OKTA_SCOPES = 'okta.users.read okta.groups.read'

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url')

/** An RS256 client assertion for Okta's token endpoint. */
export function oktaClientAssertion(clientId: string, audience: string, privateKey: string, nowSeconds: number): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))
  const payload = b64url(JSON.stringify({ iss: clientId, sub: clientId, aud: audience, iat: nowSeconds, exp: nowSeconds + 300, jti: randomUUID() }))
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey)
  return `${header}.${payload}.${b64url(signature)}`
}

interface OktaUser {
  id: string
  status: string
  lastUpdated: string
  profile: Record<string, unknown>
}

interface OktaGroup {
  id: string
  type: string
  lastUpdated: string
  lastMembershipUpdated?: string
  profile: { name: string; description?: string | null }
}

interface OktaRule {
  id: string
  status: string
  conditions?: { expression?: { value?: string; type?: string } }
  actions?: { assignUserToGroups?: { groupIds?: string[] } }
}

interface OktaCursor {
  /** Latest lastUpdated seen on users / groups (Okta's own clock, so no skew). */
  users: string
  groups: string
}

const IDP = 'Okta'

/** The URL of `rel="next"` in a Link header (RFC 8288), if any. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim())
    if (m) return m[1]
  }
  return undefined
}

export function createOktaConnector({ settings, secrets, http, sleep, now = Date.now }: { settings: OktaSettings; secrets: OktaSecrets; http: IdpHttp; sleep: Sleep; now?: () => number }): Connector {
  let org: URL
  try {
    org = new URL(settings.orgUrl)
  } catch {
    throw new AppError('BAD_INPUT', `"${settings.orgUrl}" is not a URL; enter your Okta org URL, e.g. https://example.okta.com.`, { field: 'orgUrl' })
  }
  if (org.protocol !== 'https:' || /-admin\./.test(org.host)) {
    throw new AppError('BAD_INPUT', `Use your Okta org URL over HTTPS without "-admin" (e.g. https://example.okta.com), not ${settings.orgUrl}.`, { field: 'orgUrl' })
  }
  const apiToken = secrets.apiToken
  const oauth = settings.clientId && secrets.privateKey ? { clientId: settings.clientId, privateKey: secrets.privateKey } : null
  if (!apiToken && !oauth) throw new AppError('DIRECTORY_AUTH', 'The Okta directory has no API token (or service-app client id and private key) stored; enter one under Directories.', { field: 'apiToken' })
  const base = org.origin
  let bearer: { token: string; expiresAt: number } | null = null

  const authorization = async (): Promise<string> => {
    if (!oauth) return `SSWS ${apiToken}`
    if (bearer && bearer.expiresAt - 60_000 > now()) return `Bearer ${bearer.token}`
    const tokenUrl = `${base}/oauth2/v1/token`
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: OKTA_SCOPES,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: oktaClientAssertion(oauth.clientId, tokenUrl, oauth.privateKey, Math.floor(now() / 1000)),
    })
    const r = await http.request(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: body.toString() })
    let answer: { access_token?: string; expires_in?: number; error?: string; error_description?: string } = {}
    try {
      answer = JSON.parse(r.text) as typeof answer
    } catch {
      answer = {}
    }
    if (r.status !== 200 || !answer.access_token) {
      throw new AppError('DIRECTORY_AUTH', `Okta refused the service app's token request (${answer.error ?? `HTTP ${r.status}`}: ${answer.error_description ?? 'no description'}). Check the client id, the registered public key and the granted scopes ${OKTA_SCOPES}.`, { idp: IDP, status: r.status })
    }
    bearer = { token: answer.access_token, expiresAt: now() + (answer.expires_in ?? 3600) * 1000 }
    return `Bearer ${bearer.token}`
  }

  const get = async (url: string, signal?: AbortSignal): Promise<IdpResponse> => {
    const r = await http.request(url, { headers: { authorization: await authorization(), accept: 'application/json' }, signal })
    if (r.status === 401 || r.status === 403) {
      let summary = ''
      try {
        const body = JSON.parse(r.text) as { errorCode?: string; errorSummary?: string }
        summary = `${body.errorCode ?? ''} ${body.errorSummary ?? ''}`.trim()
      } catch {
        summary = `HTTP ${r.status}`
      }
      throw new AppError('DIRECTORY_AUTH', oauth
        ? `Okta refused the service app's token (${summary}). Grant it the scopes ${OKTA_SCOPES} and an admin role that can read users and groups.`
        : `Okta refused the API token (${summary}). Create a token as an admin who can read users and groups, and enter it again.`, {
        idp: IDP,
        status: r.status,
        requestId: r.headers.get('x-okta-request-id'),
      })
    }
    // Pace before being throttled: with the bucket empty, wait for its reset.
    const remaining = r.headers.get('x-rate-limit-remaining')
    if (remaining !== null && Number(remaining) <= 1) {
      const wait = rateLimitResetMs(r.headers)
      if (wait !== undefined) await sleep(wait)
    }
    return r
  }

  /** Every page of a list, following Link rel="next". */
  const list = async <T>(first: string, onPage?: (items: T[]) => void, signal?: AbortSignal): Promise<T[]> => {
    const out: T[] = []
    let url: string | undefined = first
    while (url) {
      const r = await get(url, signal)
      if (r.status !== 200) throw new AppError('DIRECTORY_RESPONSE', `Okta answered HTTP ${r.status} to ${new URL(url).pathname}.`, { idp: IDP, status: r.status })
      const items = http.json<T[]>(r, url)
      if (!Array.isArray(items) || items.some((i) => typeof i !== 'object' || i === null || typeof (i as { id?: unknown }).id !== 'string')) {
        throw new AppError('DIRECTORY_RESPONSE', `Okta sent a page from ${new URL(url).pathname} that is not a list of objects with ids. Nothing was changed; try the sync again.`, { idp: IDP })
      }
      out.push(...items)
      onPage?.(items)
      url = nextLink(r.headers.get('link'))
    }
    return out
  }

  const toUser = (u: OktaUser): PulledUser => {
    const login = u.profile['login']
    if (typeof login !== 'string') throw new AppError('DIRECTORY_RESPONSE', `Okta sent user ${u.id} without a profile.login.`, { idp: IDP, userId: u.id })
    const first = typeof u.profile['firstName'] === 'string' ? u.profile['firstName'] : ''
    const last = typeof u.profile['lastName'] === 'string' ? u.profile['lastName'] : ''
    const displayName = typeof u.profile['displayName'] === 'string' ? u.profile['displayName'] : `${first} ${last}`.trim() || login
    return { externalId: u.id, userPrincipalName: login, displayName, properties: flatten({ status: u.status, profile: u.profile }) }
  }

  const q = (s: string) => encodeURIComponent(s)

  return {
    kind: 'okta',
    async test() {
      const r = await get(`${base}/api/v1/users?limit=1`)
      if (r.status !== 200) throw new AppError('DIRECTORY_RESPONSE', `Okta answered HTTP ${r.status} to a user list.`, { idp: IDP, status: r.status })
      http.json(r, base)
      return `Connected to ${org.host}: the API token can read users.`
    },
    async pull({ cursor, onPage, signal }) {
      const previous = cursor ? (JSON.parse(cursor) as OktaCursor) : null
      const progress = { pages: 0, users: 0, groups: 0 }
      const pull: Pull = { mode: previous ? 'incremental' : 'full', users: [], removedUserIds: [], groups: [], removedGroupIds: [], members: new Map(), cursor: null }
      let usersMark = previous?.users ?? ''
      let groupsMark = previous?.groups ?? ''

      const usersUrl = previous ? `${base}/api/v1/users?limit=200&filter=${q(`lastUpdated gt "${previous.users}"`)}` : `${base}/api/v1/users?limit=200`
      await list<OktaUser>(usersUrl, (items) => {
        for (const u of items) {
          if (u.lastUpdated > usersMark) usersMark = u.lastUpdated
          if (u.status === 'DEPROVISIONED') pull.removedUserIds.push(u.id)
          else pull.users.push(toUser(u))
        }
        progress.pages++
        progress.users += items.length
        onPage({ ...progress })
      }, signal)

      const groupsUrl = previous
        ? `${base}/api/v1/groups?limit=200&filter=${q(`lastUpdated gt "${previous.groups}" or lastMembershipUpdated gt "${previous.groups}"`)}`
        : `${base}/api/v1/groups?limit=200`
      const groups = await list<OktaGroup>(groupsUrl, () => {
        progress.pages++
        onPage({ ...progress })
      }, signal)
      const pulled = new Map<string, PulledGroup>()
      for (const g of groups) {
        for (const mark of [g.lastUpdated, g.lastMembershipUpdated ?? '']) if (mark > groupsMark) groupsMark = mark
        pulled.set(g.id, { externalId: g.id, name: g.profile.name, description: g.profile.description ?? '', rule: null })
        const members = await list<OktaUser>(`${base}/api/v1/groups/${q(g.id)}/users?limit=200`, undefined, signal)
        pull.members.set(g.id, { replace: new Set(members.map((m) => m.id)) })
        progress.pages++
        progress.groups++
        onPage({ ...progress })
      }
      // Rules have no change filter: read them every time (an org holds at most 2,000).
      const rules = await list<OktaRule>(`${base}/api/v1/groups/rules?limit=200`, undefined, signal)
      const ruleOf = new Map<string, string[]>()
      for (const rule of rules) {
        const text = rule.conditions?.expression?.value
        if (rule.status !== 'ACTIVE' || !text) continue
        for (const groupId of rule.actions?.assignUserToGroups?.groupIds ?? []) ruleOf.set(groupId, [...(ruleOf.get(groupId) ?? []), text])
      }
      for (const [groupId, texts] of ruleOf) {
        // Several rules may fill one group: a user is in when any of them matches.
        const text = texts.length === 1 ? (texts[0] as string) : texts.map((t) => `(${t})`).join(' OR ')
        pulled.set(groupId, { ...(pulled.get(groupId) ?? { externalId: groupId }), rule: { dialect: 'okta', text } })
      }
      // Groups that lost their last active rule become synced groups again (full pulls list every group anyway).
      pull.groups = [...pulled.values()]
      pull.cursor = JSON.stringify({ users: usersMark || new Date(0).toISOString(), groups: groupsMark || new Date(0).toISOString() } satisfies OktaCursor)
      return pull
    },
    async fetchUser(userPrincipalName): Promise<FetchedUser | null> {
      // Okta accepts the login in place of the id (reference/api/users: "id, login, or login shortname").
      const url = `${base}/api/v1/users/${q(userPrincipalName)}`
      const r = await get(url)
      if (r.status === 404) return null
      if (r.status !== 200) throw new AppError('DIRECTORY_RESPONSE', `Okta answered HTTP ${r.status} for user ${userPrincipalName}.`, { idp: IDP, status: r.status })
      const u = http.json<OktaUser>(r, url)
      if (u.status === 'DEPROVISIONED') return null
      const groups = await list<OktaGroup>(`${base}/api/v1/users/${q(u.id)}/groups`)
      return { user: toUser(u), groupIds: groups.map((g) => g.id) }
    },
  }
}
