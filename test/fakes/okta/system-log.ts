// The Okta fake's System Log: GET /api/v1/logs as reference/api/system-log documents it
// (okta-developer-docs `reference/api/system-log/index.md`):
// - LogEvent objects (uuid, published, eventType, actor, outcome, target[] of {id, type,
//   alternateId, displayName}, …), derived from the seeded organisation's change log.
// - `since` / `until` (RFC 3339; since defaults to 7 days before until, until to now), `after`
//   (opaque, only from a next link; exclusive with `since`), `filter` (SCIM: here `eventType eq
//   "…"` clauses joined by `or`; anything else is a 400 E0000053), `limit` (0–1000, default 100),
//   `sortOrder` (ASCENDING default, or DESCENDING).
// - A polling request (no `until`, ASCENDING) always has a `next` link, even on an empty page;
//   a bounded one has a finite number of pages. `self` is always linked.
// - Data older than 90 days is not returned; a `since` over 180 days back is a 400.
import type { DirectoryData } from '../directory-data'

export interface LogEvent {
  uuid: string
  published: string
  eventType: string
  [key: string]: unknown
}

export type LogAnswer =
  | { status: 200; body: LogEvent[]; link: string }
  | { status: 400; errorCode: string; errorSummary: string }

const DAY = 86_400_000

/** A deterministic uuid-shaped id per event position. */
const uuidOf = (seq: number) =>
  `${seq.toString(16).padStart(8, '0')}-0f0f-4a4a-8b8b-${(seq * 7919).toString(16).padStart(12, '0')}`

const actor = {
  id: '00u0admin0000000001',
  type: 'User',
  alternateId: 'admin@contoso.example',
  displayName: 'Contoso Admin',
  detailEntry: null,
}

function event(
  seq: number,
  published: string,
  eventType: string,
  displayMessage: string,
  target: Record<string, unknown>[],
): LogEvent {
  return {
    uuid: uuidOf(seq),
    published,
    eventType,
    version: '0',
    severity: 'INFO',
    legacyEventType: null,
    displayMessage,
    actor,
    client: {
      userAgent: { rawUserAgent: 'jit-mapper-tests', os: 'Unknown', browser: 'UNKNOWN' },
      zone: 'null',
      device: 'Unknown',
      id: null,
      ipAddress: '198.51.100.7',
      geographicalContext: null,
    },
    device: null,
    authenticationContext: {
      authenticationProvider: null,
      credentialProvider: null,
      credentialType: null,
      issuer: null,
      interface: null,
      authenticationStep: 0,
      externalSessionId: 'trs-fake',
    },
    displayMessageDetails: null,
    outcome: { result: 'SUCCESS', reason: null },
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    debugContext: { debugData: { requestUri: `/api/v1/users/${String(target[0]?.['id'] ?? '')}` } },
    transaction: { type: 'WEB', id: `txn${seq}`, detail: {} },
    request: { ipChain: [] },
    target,
  }
}

/** Every log event the organisation's changes produce, oldest first. */
export function logEvents(data: DirectoryData): LogEvent[] {
  const out: LogEvent[] = []
  const deleted = new Map<string, { userPrincipalName: string; displayName: string }>()
  for (const c of data.changes) if (c.kind === 'userDeleted') deleted.set(c.userId, c)
  const userTarget = (id: string) => {
    const u = data.users.get(id) ?? data.removedUsers.get(id) ?? deleted.get(id)
    return {
      id,
      type: 'User',
      alternateId: u?.userPrincipalName ?? 'unknown',
      displayName: u?.displayName ?? 'unknown',
      detailEntry: null,
    }
  }
  for (const c of data.changes) {
    const at = data.at(c.version)
    if (c.kind === 'userRemoved')
      out.push(event(out.length, at, 'user.lifecycle.deactivate', 'Deactivate Okta user', [userTarget(c.userId)]))
    if (c.kind === 'userDeleted') {
      out.push(
        event(out.length, at, 'user.lifecycle.delete.initiated', 'Delete Okta user initiated', [userTarget(c.userId)]),
      )
      out.push(
        event(out.length, at, 'user.lifecycle.delete.completed', 'Delete Okta user completed', [userTarget(c.userId)]),
      )
    }
    if (c.kind === 'member') {
      const g = data.groups.get(c.groupId)
      const group = {
        id: c.groupId,
        type: 'UserGroup',
        alternateId: 'unknown',
        displayName: g?.name ?? 'unknown',
        detailEntry: null,
      }
      out.push(
        event(
          out.length,
          at,
          c.added ? 'group.user_membership.add' : 'group.user_membership.remove',
          c.added ? 'Add user to group membership' : 'Remove user from group membership',
          [userTarget(c.userId), group],
        ),
      )
    }
  }
  return out
}

/** `eventType eq "a" or eventType eq "b"` → the event types; null for no filter; 'bad' otherwise. */
export function parseLogFilter(filter: string | null): Set<string> | null | 'bad' {
  if (filter === null) return null
  const types = new Set<string>()
  for (const clause of filter.split(/\s+or\s+/i)) {
    const m = /^\s*\(?\s*eventType\s+eq\s+"([^"]+)"\s*\)?\s*$/.exec(clause)
    if (!m) return 'bad'
    types.add(m[1] as string)
  }
  return types
}

const bad = (errorCode: string, errorSummary: string): LogAnswer => ({ status: 400, errorCode, errorSummary })
const token = (o: { n?: number; d?: number }) => Buffer.from(JSON.stringify(o)).toString('base64url')
const untoken = (s: string): { n?: number; d?: number } | null => {
  try {
    const o = JSON.parse(Buffer.from(s, 'base64url').toString()) as { n?: unknown; d?: unknown }
    if (typeof o.n === 'number' && Number.isInteger(o.n) && o.n >= 0) return { n: o.n }
    if (typeof o.d === 'number' && Number.isInteger(o.d) && o.d >= 0) return { d: o.d }
  } catch {
    // falls through
  }
  return null
}

/** One page of GET /api/v1/logs; `self` is the request's URL on the org's origin; `pageSize` caps a page. */
export function logsPage(
  all: LogEvent[],
  query: URLSearchParams,
  self: URL,
  nowMs: number,
  pageSize = 1000,
): LogAnswer {
  const limitText = query.get('limit')
  const asked = limitText === null ? 100 : Number(limitText)
  if (!Number.isInteger(asked) || asked < 0 || asked > 1000)
    return bad('E0000001', "Api validation failed: 'limit': must be an integer between 0 and 1000.")
  const limit = Math.min(asked, pageSize)
  const sortOrder = query.get('sortOrder') ?? 'ASCENDING'
  if (sortOrder !== 'ASCENDING' && sortOrder !== 'DESCENDING')
    return bad('E0000001', "Api validation failed: 'sortOrder': must be ASCENDING or DESCENDING.")
  const time = (name: 'since' | 'until'): number | undefined | 'bad' => {
    const v = query.get(name)
    if (v === null) return undefined
    const t = Date.parse(v)
    return Number.isNaN(t) ? 'bad' : t
  }
  const sinceQ = time('since')
  const untilQ = time('until')
  for (const [name, v] of [
    ['since', sinceQ],
    ['until', untilQ],
  ] as const) {
    if (v === 'bad')
      return bad(
        'E0000001',
        `Api validation failed: '${name}': The date format in your query is not recognized. Please enter dates using ISO8601 string format.`,
      )
  }
  const afterText = query.get('after')
  if (afterText !== null && sinceQ !== undefined)
    return bad('E0000001', "Api validation failed: 'since' and 'after' can't be specified together.")
  const after = afterText === null ? null : untoken(afterText)
  if (afterText !== null && after === null)
    return bad('E0000001', "Api validation failed: 'after': not a valid page token.")
  const types = parseLogFilter(query.get('filter'))
  if (types === 'bad') return bad('E0000053', `Invalid filter '${query.get('filter')}'`)
  const until = (untilQ as number | undefined) ?? nowMs
  const since = (sinceQ as number | undefined) ?? until - 7 * DAY
  if (since < nowMs - 180 * DAY)
    return bad('E0000053', 'Invalid parameter: The since parameter is over 180 days prior to the current day.')
  // Retention: nothing older than 90 days; nothing later than now has been persisted yet.
  const oldest = Math.max(since, nowMs - 90 * DAY)
  const visible = (e: LogEvent) => {
    const t = Date.parse(e.published)
    return t <= Math.min(until, nowMs)
  }
  const matches = (e: LogEvent) => (types === null || types.has(e.eventType)) && Date.parse(e.published) >= oldest
  const links = [`<${self.href}>; rel="self"`]
  const nextWith = (t: string) => {
    const next = new URL(self.href)
    next.searchParams.delete('since')
    next.searchParams.set('after', t)
    return `<${next.href}>; rel="next"`
  }

  if (sortOrder === 'DESCENDING') {
    const list = all.filter(e => visible(e) && matches(e)).reverse()
    const from = after?.d ?? 0
    const page = list.slice(from, from + limit)
    if (from + limit < list.length) links.push(nextWith(token({ d: from + limit })))
    return { status: 200, body: page, link: links.join(', ') }
  }
  // ASCENDING: `n` is how many events of the whole log have been passed.
  let n = after?.n ?? all.findIndex(e => Date.parse(e.published) >= since)
  if (n === -1) n = all.length
  const page: LogEvent[] = []
  while (n < all.length && page.length < limit && visible(all[n] as LogEvent)) {
    const e = all[n] as LogEvent
    if (matches(e)) page.push(e)
    n++
  }
  const polling = untilQ === undefined
  const more = all.slice(n).some(e => visible(e) && matches(e))
  // A polling request always links the next page: new events may arrive there.
  if (polling || more) links.push(nextWith(token({ n })))
  return { status: 200, body: page, link: links.join(', ') }
}
