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
//   Language), minus the users it excludes, becomes the rule of the group it assigns users to.
//   The group keeps its listed members too: Okta lists the ones assigned by hand with the rule's.
// - Deleted users: a user deactivated and then deleted between two syncs is in no listing any
//   more, so incremental syncs also read the System Log (reference/api/system-log) for the
//   user.lifecycle.delete.initiated / .completed events ("Delete Okta user initiated." /
//   "… completed.", event-types catalog) since the last sync, as a polling request: no `until`,
//   ASCENDING, following `Link: rel="next"` until a page comes back empty ("a next link is always
//   present" in polling; "always follow the next links" rather than crafting since/after). The
//   last next link is kept in the cursor. Reading it needs okta.logs.read for a service app
//   (Implement OAuth for Okta, scopes table) or, for an API token, an admin who can view the
//   System Log (help.okta.com: read-only admins can; a token has its creator's permissions).
//   When Okta refuses it, the sync becomes a full one (which sees deletions by absence) and says so.
// - X-Rate-Limit-Remaining / -Reset pace the client before it is throttled.
import { tokenFailureCode } from './token-errors'
import { createSign, randomUUID } from 'node:crypto'
import { AppError } from '../../shared/errors'
import type { Sleep } from '../ports'
import {
  CursorExpired,
  flatten,
  startPull,
  type Connector,
  type FetchedUser,
  type PulledGroup,
  type PulledUser,
} from './connector'
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
/** Asked for in a token of its own, so a service app without it still syncs (fully). */
export const OKTA_LOGS_SCOPE = 'okta.logs.read'

/** System Log event types of a user's deletion (Okta event-types catalog). */
export const USER_DELETE_EVENTS: readonly string[] = [
  'user.lifecycle.delete.initiated',
  'user.lifecycle.delete.completed',
]
const LOG_FILTER = USER_DELETE_EVENTS.map(t => `eventType eq "${t}"`).join(' or ')
/**
 * "Log data older than 90 days isn't returned" (reference/api/system-log, Data retention): a log
 * position older than this may have lost deletions, so the sync after it is a full one.
 */
const LOG_POSITION_MAX_AGE_DAYS = 80

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url')

/** An RS256 client assertion for Okta's token endpoint. */
export function oktaClientAssertion(
  clientId: string,
  audience: string,
  privateKey: string,
  nowSeconds: number,
): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))
  const payload = b64url(
    JSON.stringify({
      iss: clientId,
      sub: clientId,
      aud: audience,
      iat: nowSeconds,
      exp: nowSeconds + 300,
      jti: randomUUID(),
    }),
  )
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

export interface OktaRule {
  id: string
  status: string
  conditions?: {
    people?: { users?: { exclude?: string[] } }
    expression?: { value?: string; type?: string }
  }
  actions?: { assignUserToGroups?: { groupIds?: string[] } }
}

/**
 * A group rule's condition as the app evaluates it: its expression, and not for the users it
 * excludes (`conditions.people.users.exclude`, Okta user ids; at most 100: "Group rule
 * restrictions"). Okta never adds an excluded user by the rule; one an admin assigned by hand is
 * still a member (listed with the group's members, kept as such: PulledGroup.assignedMembers).
 */
export function ruleCondition(rule: OktaRule): string | null {
  const text = rule.conditions?.expression?.value
  if (!text) return null
  const excluded = rule.conditions?.people?.users?.exclude ?? []
  if (excluded.length === 0) return text
  return [`(${text})`, ...excluded.map(id => `user.getInternalProperty("id") != ${JSON.stringify(id)}`)].join(' AND ')
}

export interface OktaCursor {
  /** Latest lastUpdated seen on users / groups (Okta's own clock, so no skew). */
  users: string
  groups: string
  /**
   * The System Log `next` link to poll from for deletions; null when Okta refused to let the
   * last sync read the log. Absent in cursors written before deletions were read there.
   */
  logs?: string | null
  /** When the log was last read up to `logs` (this machine's clock): it keeps 90 days only. */
  logsAt?: string
}

/** A stored cursor; null when there is none or it is not one of ours (a full pull then). */
export function parseOktaCursor(text: string | null): OktaCursor | null {
  if (!text) return null
  try {
    const c = JSON.parse(text) as Partial<OktaCursor> | null
    if (!c || typeof c.users !== 'string' || typeof c.groups !== 'string') return null
    if (c.logs !== undefined && c.logs !== null && typeof c.logs !== 'string') return null
    if (c.logsAt !== undefined && (typeof c.logsAt !== 'string' || Number.isNaN(Date.parse(c.logsAt)))) return null
    const out: OktaCursor = { users: c.users, groups: c.groups }
    if (c.logs !== undefined) out.logs = c.logs
    if (c.logsAt !== undefined) out.logsAt = c.logsAt
    return out
  } catch {
    return null
  }
}

/**
 * External ids of the users that a page of System Log events says were deleted: user deletion
 * events whose outcome is not a failure, their targets of type "User" (LogEvent target: id, type,
 * alternateId, displayName). Null when the page is not a list of log events.
 */
export function deletedUserIds(events: unknown): string[] | null {
  if (!Array.isArray(events)) return null
  const out: string[] = []
  for (const e of events) {
    if (typeof e !== 'object' || e === null || typeof (e as { eventType?: unknown }).eventType !== 'string') return null
    const { eventType, outcome, target } = e as {
      eventType: string
      outcome?: { result?: unknown } | null
      target?: unknown
    }
    if (!USER_DELETE_EVENTS.includes(eventType)) continue
    if (outcome && outcome.result !== undefined && outcome.result !== 'SUCCESS') continue
    if (!Array.isArray(target)) continue
    for (const t of target as unknown[]) {
      if (typeof t !== 'object' || t === null) continue
      const { id, type } = t as { id?: unknown; type?: unknown }
      if (type === 'User' && typeof id === 'string' && id !== '' && !out.includes(id)) out.push(id)
    }
  }
  return out
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

/**
 * Why an Okta org URL can't be used, or null. Only HTTPS: the API token (SSWS) rides in every
 * request's Authorization header, so a plain-http URL would send it in clear. Not the admin
 * console host (<org>-admin.okta.com): the API lives on the org host (Okta, "Find your Okta
 * domain"). Checked at connect, before the token is stored, and again by the connector.
 */
export function oktaOrgUrlProblem(orgUrl: string): string | null {
  let org: URL
  try {
    org = new URL(orgUrl)
  } catch {
    return `"${orgUrl}" is not a URL; enter your Okta org URL, e.g. https://example.okta.com.`
  }
  if (org.protocol !== 'https:' || /-admin\./.test(org.host) || org.username || org.password)
    return `Use your Okta org URL over HTTPS without "-admin" (e.g. https://example.okta.com), not ${orgUrl}.`
  return null
}

export function createOktaConnector({
  settings,
  secrets,
  http,
  sleep,
  now = Date.now,
  warn = () => {},
}: {
  settings: OktaSettings
  secrets: OktaSecrets
  http: IdpHttp
  sleep: Sleep
  now?: () => number
  /** Said when a sync goes on with less than it should have (the System Log refused). */
  warn?: (message: string) => void
}): Connector {
  const problem = oktaOrgUrlProblem(settings.orgUrl)
  if (problem) throw new AppError('BAD_INPUT', problem, { field: 'orgUrl' })
  const org = new URL(settings.orgUrl)
  const apiToken = secrets.apiToken
  const oauth =
    settings.clientId && secrets.privateKey ? { clientId: settings.clientId, privateKey: secrets.privateKey } : null
  if (!apiToken && !oauth)
    throw new AppError(
      'DIRECTORY_AUTH',
      'The Okta directory has no API token (or service-app client id and private key) stored; enter one under Directories.',
      { field: 'apiToken' },
    )
  const base = org.origin
  /** Access tokens by the scopes they were asked for. */
  const bearers = new Map<string, { token: string; expiresAt: number }>()

  const authorization = async (scope = OKTA_SCOPES): Promise<string> => {
    if (!oauth) return `SSWS ${apiToken}`
    const bearer = bearers.get(scope)
    if (bearer && bearer.expiresAt - 60_000 > now()) return `Bearer ${bearer.token}`
    const tokenUrl = `${base}/oauth2/v1/token`
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: oktaClientAssertion(oauth.clientId, tokenUrl, oauth.privateKey, Math.floor(now() / 1000)),
    })
    const r = await http.request(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    })
    let answer: { access_token?: string; expires_in?: number; error?: string; error_description?: string } = {}
    try {
      answer = JSON.parse(r.text) as typeof answer
    } catch {
      answer = {}
    }
    if (r.status !== 200 || !answer.access_token) {
      const reason = `${answer.error ?? `HTTP ${r.status}`}: ${answer.error_description ?? 'no description'}`
      const code = tokenFailureCode({ status: r.status, error: answer.error })
      throw new AppError(
        code,
        code === 'DIRECTORY_AUTH'
          ? `Okta refused the service app's token request (${reason}). Check the client id, the registered public key and the granted scopes ${scope}.`
          : `Okta's token endpoint could not answer (${reason}). Nothing was changed; try again later.`,
        { idp: IDP, status: r.status, reason },
      )
    }
    bearers.set(scope, { token: answer.access_token, expiresAt: now() + (answer.expires_in ?? 3600) * 1000 })
    return `Bearer ${answer.access_token}`
  }

  /** Okta's errorCode and errorSummary, for messages. */
  const errorSummary = (r: IdpResponse): string => {
    try {
      const body = JSON.parse(r.text) as { errorCode?: string; errorSummary?: string }
      return `${body.errorCode ?? ''} ${body.errorSummary ?? ''}`.trim() || `HTTP ${r.status}`
    } catch {
      return `HTTP ${r.status}`
    }
  }

  /** One GET with the token for `scope`, paced on the rate-limit headers; refusals are the caller's to read. */
  const send = async (url: string, signal?: AbortSignal, scope?: string): Promise<IdpResponse> => {
    const r = await http.request(url, {
      headers: { authorization: await authorization(scope), accept: 'application/json' },
      signal,
    })
    // Pace before being throttled: with the bucket empty, wait for its reset.
    const remaining = r.headers.get('x-rate-limit-remaining')
    if (remaining !== null && Number(remaining) <= 1) {
      const wait = rateLimitResetMs(r.headers)
      if (wait !== undefined) await sleep(wait)
    }
    return r
  }

  /** A refused credential: stops the sync with what to do about it. */
  const refusedCredential = (r: IdpResponse): AppError => {
    const summary = errorSummary(r)
    return new AppError(
      'DIRECTORY_AUTH',
      oauth
        ? `Okta refused the service app's token (${summary}). Grant it the scopes ${OKTA_SCOPES} and an admin role that can read users and groups.`
        : `Okta refused the API token (${summary}). Create a token as an admin who can read users and groups, and enter it again.`,
      {
        idp: IDP,
        status: r.status,
        requestId: r.headers.get('x-okta-request-id'),
      },
    )
  }

  const get = async (url: string, signal?: AbortSignal): Promise<IdpResponse> => {
    const r = await send(url, signal)
    if (r.status === 401 || r.status === 403) throw refusedCredential(r)
    return r
  }

  const grantLogs = oauth
    ? `Grant the service app the ${OKTA_LOGS_SCOPE} scope and an admin role that can view the System Log (a read-only admin can).`
    : 'Use an API token created by an admin who can view the System Log (a read-only admin can).'
  const logsRefused = (summary: string) =>
    `Okta did not let ${oauth ? 'the service app' : 'the API token'} read the System Log (${summary}), so users deleted in Okta are only found by a full sync. ${grantLogs}`

  /** The service app's token request for okta.logs.read alone is refused when the scope is not granted. */
  const tokenRefusal = (e: unknown): string | undefined =>
    e instanceof AppError && e.code === 'DIRECTORY_AUTH' && oauth
      ? `token request: ${String(e.details?.['reason'] ?? e.message)}`
      : undefined

  /** A stored log position we may follow: a System Log URL on this org (anything else is not ours). */
  const ownLogUrl = (url: string): boolean => {
    try {
      const u = new URL(url)
      return u.origin === base && u.pathname === '/api/v1/logs'
    } catch {
      return false
    }
  }

  /**
   * Polls the System Log from `start` until a page comes back empty: the deleted users' ids and
   * the next link to poll from next time, or Okta's refusal. Repeated events do no harm (a removal
   * is idempotent and Okta never reuses an id), so without a next link the last page is read again.
   */
  const readLog = async (
    start: string,
    onPage: () => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<{ deleted: string[]; position: string } | { refused: string }> => {
    const deleted = new Set<string>()
    let url = start
    for (;;) {
      let r: IdpResponse
      try {
        r = await send(url, signal, OKTA_LOGS_SCOPE)
      } catch (e) {
        const refused = tokenRefusal(e)
        if (refused) return { refused }
        throw e
      }
      // 401 is a credential Okta does not accept at all; 403 one that may not read the log.
      if (r.status === 401) throw refusedCredential(r)
      if (r.status === 403) return { refused: errorSummary(r) }
      if (r.status === 400 && url === start && start.includes('after=')) {
        // The stored position is past the log's retention (90 days) or otherwise refused.
        throw new CursorExpired(`Okta no longer accepts the stored System Log position (${errorSummary(r)}).`)
      }
      if (r.status !== 200)
        throw new AppError(
          'DIRECTORY_RESPONSE',
          `Okta answered HTTP ${r.status} (${errorSummary(r)}) to /api/v1/logs.`,
          { idp: IDP, status: r.status },
        )
      const events = http.json<unknown>(r, url)
      const ids = deletedUserIds(events)
      if (ids === null)
        throw new AppError(
          'DIRECTORY_RESPONSE',
          'Okta sent a System Log page that is not a list of log events. Nothing was changed; try the sync again.',
          { idp: IDP },
        )
      for (const id of ids) deleted.add(id)
      await onPage()
      const next = nextLink(r.headers.get('link'))
      if (!next || (events as unknown[]).length === 0) return { deleted: [...deleted], position: next ?? url }
      url = next
    }
  }

  /** Null when the System Log can be read; otherwise why not. */
  const readLogAccess = async (): Promise<string | null> => {
    try {
      const r = await send(`${base}/api/v1/logs?limit=1&filter=${q(LOG_FILTER)}`, undefined, OKTA_LOGS_SCOPE)
      return r.status === 401 || r.status === 403 ? errorSummary(r) : null
    } catch (e) {
      const refused = tokenRefusal(e)
      if (refused) return refused
      throw e
    }
  }

  /** Hands over every page of a list, following Link rel="next"; nothing is kept here. */
  const pages = async <T>(
    first: string,
    onPage: (items: T[]) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> => {
    let url: string | undefined = first
    while (url) {
      const r = await get(url, signal)
      if (r.status !== 200)
        throw new AppError('DIRECTORY_RESPONSE', `Okta answered HTTP ${r.status} to ${new URL(url).pathname}.`, {
          idp: IDP,
          status: r.status,
        })
      const items = http.json<T[]>(r, url)
      if (
        !Array.isArray(items) ||
        items.some(i => typeof i !== 'object' || i === null || typeof (i as { id?: unknown }).id !== 'string')
      ) {
        throw new AppError(
          'DIRECTORY_RESPONSE',
          `Okta sent a page from ${new URL(url).pathname} that is not a list of objects with ids. Nothing was changed; try the sync again.`,
          { idp: IDP },
        )
      }
      await onPage(items)
      url = nextLink(r.headers.get('link'))
    }
  }

  /** Every item of a list. */
  const list = async <T>(
    first: string,
    onPage?: (items: T[]) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<T[]> => {
    const out: T[] = []
    await pages<T>(
      first,
      items => {
        out.push(...items)
        return onPage?.(items)
      },
      signal,
    )
    return out
  }

  const toUser = (u: OktaUser): PulledUser => {
    const login = u.profile['login']
    if (typeof login !== 'string')
      throw new AppError('DIRECTORY_RESPONSE', `Okta sent user ${u.id} without a profile.login.`, {
        idp: IDP,
        userId: u.id,
      })
    const first = typeof u.profile['firstName'] === 'string' ? u.profile['firstName'] : ''
    const last = typeof u.profile['lastName'] === 'string' ? u.profile['lastName'] : ''
    const displayName =
      typeof u.profile['displayName'] === 'string' ? u.profile['displayName'] : `${first} ${last}`.trim() || login
    return {
      externalId: u.id,
      userPrincipalName: login,
      displayName,
      properties: flatten({ status: u.status, profile: u.profile }),
    }
  }

  const q = (s: string) => encodeURIComponent(s)

  return {
    kind: 'okta',
    authorization: scope => authorization(scope),
    async test() {
      const r = await get(`${base}/api/v1/users?limit=1`)
      if (r.status !== 200)
        throw new AppError('DIRECTORY_RESPONSE', `Okta answered HTTP ${r.status} to a user list.`, {
          idp: IDP,
          status: r.status,
        })
      http.json(r, base)
      const who = oauth ? 'the service app' : 'the API token'
      // The System Log is optional (without it every sync is a full one): say so now, not at the first sync.
      const log = await readLogAccess()
      if (log !== null)
        return `Connected to ${org.host}: ${who} can read users, but not the System Log (${log}), so every sync will be a full sync. ${grantLogs}`
      return `Connected to ${org.host}: ${who} can read users and the System Log.`
    },
    async pull({ cursor, onPage, onUser, signal }) {
      const stored = parseOktaCursor(cursor)
      if (stored?.logs === null) {
        throw new CursorExpired(
          `Okta's System Log could not be read at the last sync, so users deleted in Okta since then are only found by a full sync. ${grantLogs}`,
        )
      }
      // A cursor without a log position (written before deletions were read from the System Log,
      // or for another org URL) gets one full pull: it also drops users deleted in the meantime.
      const previous = stored?.logs && ownLogUrl(stored.logs) ? { ...stored, logs: stored.logs } : null
      const age = previous?.logsAt ? (now() - Date.parse(previous.logsAt)) / 86_400_000 : 0
      if (age > LOG_POSITION_MAX_AGE_DAYS) {
        throw new CursorExpired(
          `The last Okta sync was ${Math.floor(age)} days ago and Okta's System Log keeps only 90 days, so it may no longer list every user deleted since.`,
        )
      }
      const progress = { pages: 0, users: 0, groups: 0 }
      const { pull, take } = startPull(previous ? 'incremental' : 'full', onUser)
      let usersMark = previous?.users ?? ''
      let groupsMark = previous?.groups ?? ''
      const logPage = () => {
        progress.pages++
        return onPage({ ...progress })
      }

      // The users-and-groups token first: a refused service app stops here, before its narrower
      // okta.logs.read token request could be mistaken for a missing scope.
      await authorization()
      let logPosition: string | null = null
      // Read up to now: what the log loses after 90 days is counted from here.
      const logsAt = new Date(now()).toISOString()
      // A full pull takes its System Log position before listing users: a deletion after it is
      // either missing from the listing already or read by the next sync. Okta's default `since`
      // (7 days back on its own clock) is enough to reach the log's end.
      if (!previous) {
        const opened = await readLog(
          `${base}/api/v1/logs?filter=${q(LOG_FILTER)}&sortOrder=ASCENDING&limit=1000`,
          logPage,
          signal,
        )
        if ('refused' in opened) warn(`${logsRefused(opened.refused)} Every Okta sync is a full sync until then.`)
        else logPosition = opened.position
      }

      const usersUrl = previous
        ? `${base}/api/v1/users?limit=200&filter=${q(`lastUpdated gt "${previous.users}"`)}`
        : `${base}/api/v1/users?limit=200`
      // Users are handed over page by page, never all held (a large org's records are most of a pull).
      await pages<OktaUser>(
        usersUrl,
        items => {
          for (const u of items) {
            if (u.lastUpdated > usersMark) usersMark = u.lastUpdated
            if (u.status === 'DEPROVISIONED') pull.removedUserIds.push(u.id)
            else take(toUser(u))
          }
          progress.pages++
          progress.users += items.length
          return onPage({ ...progress })
        },
        signal,
      )

      const groupsUrl = previous
        ? `${base}/api/v1/groups?limit=200&filter=${q(`lastUpdated gt "${previous.groups}" or lastMembershipUpdated gt "${previous.groups}"`)}`
        : `${base}/api/v1/groups?limit=200`
      const groups = await list<OktaGroup>(
        groupsUrl,
        () => {
          progress.pages++
          return onPage({ ...progress })
        },
        signal,
      )
      const pulled = new Map<string, PulledGroup>()
      for (const g of groups) {
        for (const mark of [g.lastUpdated, g.lastMembershipUpdated ?? '']) if (mark > groupsMark) groupsMark = mark
        pulled.set(g.id, {
          externalId: g.id,
          name: g.profile.name,
          description: g.profile.description ?? '',
          rule: null,
          assignedMembers: true,
        })
        const members = await list<OktaUser>(`${base}/api/v1/groups/${q(g.id)}/users?limit=200`, undefined, signal)
        pull.members.set(g.id, { replace: new Set(members.map(m => m.id)) })
        progress.pages++
        progress.groups++
        await onPage({ ...progress })
      }
      // Rules have no change filter: read them every time (an org holds at most 2,000).
      const rules = await list<OktaRule>(`${base}/api/v1/groups/rules?limit=200`, undefined, signal)
      const ruleOf = new Map<string, string[]>()
      for (const rule of rules) {
        const text = ruleCondition(rule)
        if (rule.status !== 'ACTIVE' || !text) continue
        for (const groupId of rule.actions?.assignUserToGroups?.groupIds ?? [])
          ruleOf.set(groupId, [...(ruleOf.get(groupId) ?? []), text])
      }
      for (const [groupId, texts] of ruleOf) {
        // Several rules may fill one group: a user is in when any of them matches.
        const text = texts.length === 1 ? (texts[0] as string) : texts.map(t => `(${t})`).join(' OR ')
        pulled.set(groupId, {
          ...(pulled.get(groupId) ?? { externalId: groupId, assignedMembers: true }),
          rule: { dialect: 'okta', text },
        })
      }
      // Groups that lost their last active rule become synced groups again (full pulls list every group anyway).
      pull.groups = [...pulled.values()]

      // Deleted users, read after the users: a user deleted and re-created with the same login (a
      // new id in Okta) that this listing already shows has its old id's deletion in the log too.
      if (previous) {
        const read = await readLog(previous.logs, logPage, signal)
        if ('refused' in read) throw new CursorExpired(logsRefused(read.refused))
        const removed = new Set(pull.removedUserIds)
        for (const id of read.deleted) if (!removed.has(id)) pull.removedUserIds.push(id)
        logPosition = read.position
      }
      pull.cursor = JSON.stringify({
        users: usersMark || new Date(0).toISOString(),
        groups: groupsMark || new Date(0).toISOString(),
        logs: logPosition,
        logsAt,
      } satisfies OktaCursor)
      return pull
    },
    async fetchUser(userPrincipalName): Promise<FetchedUser | null> {
      // Okta accepts the login in place of the id (reference/api/users: "id, login, or login shortname").
      const url = `${base}/api/v1/users/${q(userPrincipalName)}`
      const r = await get(url)
      if (r.status === 404) return null
      if (r.status !== 200)
        throw new AppError('DIRECTORY_RESPONSE', `Okta answered HTTP ${r.status} for user ${userPrincipalName}.`, {
          idp: IDP,
          status: r.status,
        })
      const u = http.json<OktaUser>(r, url)
      if (u.status === 'DEPROVISIONED') return null
      const groups = await list<OktaGroup>(`${base}/api/v1/users/${q(u.id)}/groups`)
      return { user: toUser(u), groupIds: groups.map(g => g.id) }
    },
  }
}
