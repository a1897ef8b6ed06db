// The Entra ID connector: tokens from @azure/msal-node (client credentials with a secret or a
// certificate), users and groups from Microsoft Graph delta queries.
// - /users/delta and /groups/delta: follow @odata.nextLink until @odata.deltaLink; keep both
//   delta links as the cursor; query parameters only on the first call, they travel inside
//   the tokens (learn.microsoft.com/graph/delta-query-overview).
// - members@delta lists members; removals carry @removed; a large group repeats across
//   entries and pages, so members merge (delta-query-groups.md).
// - An expired delta token answers 410 Gone / syncStateNotFound: start a full sync.
// - groupTypes containing "DynamicMembership" marks a rule-based group; membershipRule is
//   its rule (v1.0 group resource), and its members@delta are Entra's own evaluation of it
//   ("Changes to membership typically process within a few hours", manage-dynamic-group.md).
// - Each user's manager, which Entra's `Direct Reports for "<manager object id>"` rules read:
//   /users/delta takes no $expand, but "$select also supports manager … Selecting those
//   properties allows tracking of changes to user's manager" (delta-query-overview.md), and the
//   relationship comes back as an annotation, `manager@delta: [{ "@odata.type":
//   "#microsoft.graph.user", id }]` (Graph API design guidelines, change tracking example).
//   A removed manager is taken to carry @removed as members@delta entries do (inferred: the
//   docs show no example). One user is read with $expand=manager($select=…), which names the
//   manager too (user-list-manager.md). Either way the connector hands over the reserved
//   properties in rules/reserved.ts: the manager's object id as a list ([] for none).
// msal talks through our network client (a documented seam: system.networkClient), so its
// token request gets the same retries and the same loopback routing in tests as Graph calls.
import {
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node'
import { tokenFailureCode, underlyingAppError } from './token-errors'
import { AppError } from '../../shared/errors'
import { MANAGER, MANAGER_ID, managerLabel } from '../rules'
import {
  CursorExpired,
  flatten,
  startPull,
  type Connector,
  type Properties,
  type FetchedUser,
  type MemberChange,
  type PulledGroup,
  type PulledUser,
} from './connector'
import type { IdpHttp, IdpResponse } from './http'
import { JoinedIds } from '../store'

export interface EntraSettings {
  tenantId: string
  clientId: string
  /** Certificate credential: the SHA-256 thumbprint of the registered certificate (hex). */
  certificateThumbprint?: string
}

export interface EntraSecrets {
  clientSecret?: string
  /** PEM private key of the certificate credential. */
  privateKey?: string
}

export const LOGIN_ORIGIN = 'https://login.microsoftonline.com'
export const GRAPH_ORIGIN = 'https://graph.microsoft.com'
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default'
const IDP = 'Microsoft Graph'
export const GROUP_SELECT = 'displayName,description,groupTypes,membershipRule,membershipRuleProcessingState,members'
const ALWAYS_SELECTED = ['id', 'userPrincipalName', 'displayName']
const MANAGER_EXPAND = 'manager($select=id,userPrincipalName,displayName)'
/**
 * The cursor's format: version 2 links select the manager. Older links never deliver it (a delta
 * link keeps the $select it started with), so they are treated as expired: one full sync.
 */
const CURSOR_VERSION = 2

interface GraphPage {
  value: Record<string, unknown>[]
  '@odata.nextLink'?: string
  '@odata.deltaLink'?: string
}

interface EntraCursor {
  users: string
  groups: string
  v?: number
}

/** Graph `$select` names for mapped properties: nested paths select their top-level property. */
export function graphSelect(properties: string[]): string[] {
  const top = new Set(ALWAYS_SELECTED)
  for (const p of properties) top.add(p.split('.')[0] as string)
  return [...top]
}

const tenantPattern = /^[A-Za-z0-9.-]{1,100}$/

/** A token failure msal reported, as the admin should read it: refused credentials, or Entra unavailable. */
export function entraTokenError(e: unknown): AppError {
  const err = e as { errorCode?: string; errorMessage?: string; message?: string; status?: number; httpStatus?: number }
  const summary = (err.errorMessage ?? err.message ?? String(e)).split('\n')[0] ?? ''
  const code = tokenFailureCode({ error: err.errorCode, status: err.status ?? err.httpStatus })
  return new AppError(
    code,
    code === 'DIRECTORY_AUTH'
      ? `Entra ID refused the app's credentials (${err.errorCode ?? 'error'}): ${summary} Check the tenant, client id and secret or certificate.`
      : `Entra ID's sign-in service could not answer (${err.errorCode ?? 'error'}): ${summary} Nothing was changed; try again later.`,
    { idp: 'Entra ID', errorCode: err.errorCode },
  )
}

export function createEntraConnector({
  settings,
  secrets,
  http,
}: {
  settings: EntraSettings
  secrets: EntraSecrets
  http: IdpHttp
}): Connector {
  if (
    !tenantPattern.test(settings.tenantId) ||
    ['common', 'organizations', 'consumers'].includes(settings.tenantId.toLowerCase())
  ) {
    throw new AppError(
      'BAD_INPUT',
      `Entra tenant "${settings.tenantId}" is not a tenant id or domain; client credentials need your own tenant (not common/organizations).`,
      { field: 'tenantId' },
    )
  }
  const credential =
    secrets.privateKey && settings.certificateThumbprint
      ? { clientCertificate: { thumbprintSha256: settings.certificateThumbprint, privateKey: secrets.privateKey } }
      : secrets.clientSecret
        ? { clientSecret: secrets.clientSecret }
        : undefined
  if (!credential)
    throw new AppError(
      'DIRECTORY_AUTH',
      'The Entra directory has no client secret or certificate stored; enter one under Directories.',
      { field: 'clientSecret' },
    )

  const toMsal = (r: IdpResponse): NetworkResponse<never> => {
    const headers: Record<string, string> = {}
    r.headers.forEach((v, k) => (headers[k] = v))
    let body: unknown = {}
    try {
      body = JSON.parse(r.text)
    } catch {
      body = {
        error: 'invalid_response',
        error_description: `The token endpoint answered HTTP ${r.status} without JSON.`,
      }
    }
    return { headers, status: r.status, body: body as never }
  }
  // msal turns anything its network module throws into a bare `network_error` (msal-common
  // protocol/Token.ts sendPostRequest): the failure our HTTP layer reported (unreachable, kept
  // failing) is kept here so the admin reads it, not "refused the credentials".
  let unreachable: AppError | null = null
  const send = async (url: string, init: RequestInit): Promise<IdpResponse> => {
    try {
      return await http.request(url, init)
    } catch (e) {
      if (e instanceof AppError) unreachable = e
      throw e
    }
  }
  const networkClient: INetworkModule = {
    sendGetRequestAsync: async <T>(url: string, options?: NetworkRequestOptions) =>
      toMsal(await send(url, { method: 'GET', headers: options?.headers })) as NetworkResponse<T>,
    sendPostRequestAsync: async <T>(url: string, options?: NetworkRequestOptions) =>
      toMsal(await send(url, { method: 'POST', headers: options?.headers, body: options?.body })) as NetworkResponse<T>,
  }
  // With the login.microsoftonline.com authority msal uses its built-in metadata and sends only
  // the token POST (observed with @azure/msal-node 7.2.3 against a logging fake).
  const msal = new ConfidentialClientApplication({
    auth: { clientId: settings.clientId, authority: `${LOGIN_ORIGIN}/${settings.tenantId}`, ...credential },
    system: { networkClient },
  })

  const token = async (fresh = false): Promise<string> => {
    unreachable = null
    try {
      const r = await msal.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE], skipCache: fresh })
      if (!r?.accessToken)
        throw new AppError('DIRECTORY_AUTH', 'Entra ID returned no access token.', { idp: 'Entra ID' })
      return r.accessToken
    } catch (e) {
      const ours = underlyingAppError(e) ?? unreachable
      if (ours) throw ours
      throw entraTokenError(e)
    }
  }

  /** GET a Graph URL with a token; one fresh-token retry on 401 (a token may expire mid-sync). */
  const get = async (url: string, signal?: AbortSignal): Promise<IdpResponse> => {
    let r = await http.request(url, {
      headers: { authorization: `Bearer ${await token()}`, accept: 'application/json' },
      signal,
    })
    if (r.status === 401)
      r = await http.request(url, {
        headers: { authorization: `Bearer ${await token(true)}`, accept: 'application/json' },
        signal,
      })
    if (r.status === 401 || r.status === 403) {
      const code = graphErrorCode(r)
      throw new AppError(
        'DIRECTORY_AUTH',
        `Microsoft Graph refused the request (HTTP ${r.status} ${code}). Grant the app the User.Read.All and GroupMember.Read.All application permissions with admin consent.`,
        {
          idp: IDP,
          status: r.status,
          code,
          requestId: r.headers.get('request-id'),
        },
      )
    }
    return r
  }

  const graphErrorCode = (r: IdpResponse): string => {
    try {
      return String((JSON.parse(r.text) as { error?: { code?: string } }).error?.code ?? '')
    } catch {
      return ''
    }
  }

  /**
   * Asks for the page after this one before this one is read through, so Graph prepares it while
   * the connector maps this one; resolves (to the pending response) once the request is on its
   * way. Nothing to ask for after the last page. A failure surfaces when the response is awaited;
   * a pull that stops earlier never awaits it.
   */
  const prefetch = async (
    page: GraphPage,
    signal?: AbortSignal,
  ): Promise<{ response: Promise<IdpResponse> } | null> => {
    const next = page['@odata.deltaLink'] ? undefined : page['@odata.nextLink']
    if (!next) return null
    const r = get(next, signal)
    r.catch(() => {})
    // The token lookup and the request's dispatch need a turn of the event loop; mapping the page
    // first would hold them back until it is done.
    await new Promise<void>(resolve => setImmediate(resolve))
    return { response: r }
  }

  const readPage = (r: IdpResponse, url: string): GraphPage => {
    if (
      r.status !== 200 &&
      (r.status === 410 || ['syncStateNotFound', 'resyncRequired', 'syncStateInvalid'].includes(graphErrorCode(r)))
    ) {
      throw new CursorExpired(
        `Microsoft Graph no longer knows the delta token (HTTP ${r.status} ${graphErrorCode(r)}).`,
      )
    }
    if (r.status !== 200) {
      throw new AppError(
        'DIRECTORY_RESPONSE',
        `Microsoft Graph answered HTTP ${r.status} ${graphErrorCode(r)} to a delta query.`,
        { idp: IDP, status: r.status, requestId: r.headers.get('request-id') },
      )
    }
    const page = http.json<GraphPage>(r, url)
    if (
      !page ||
      !Array.isArray(page.value) ||
      page.value.some(v => typeof v !== 'object' || v === null || typeof v['id'] !== 'string')
    ) {
      throw new AppError(
        'DIRECTORY_RESPONSE',
        'Microsoft Graph sent a delta page without a value list of objects with ids. Nothing was changed; try the sync again.',
        { idp: IDP },
      )
    }
    if (!page['@odata.nextLink'] && !page['@odata.deltaLink']) {
      throw new AppError(
        'DIRECTORY_RESPONSE',
        'Microsoft Graph sent a delta page with neither a nextLink nor a deltaLink.',
        { idp: IDP },
      )
    }
    return page
  }

  const toUser = (v: Record<string, unknown>, partial: boolean): PulledUser => {
    const { id, userPrincipalName, displayName, manager: _manager, ...rest } = v
    const all = flatten(rest)
    // Records are always read with the manager selected (or expanded): in a complete record, no
    // manager said means none; in a partial one, that it didn't change.
    const manager = managerOf(v) ?? (partial ? undefined : { ids: [], label: null })
    if (manager !== undefined) {
      all[MANAGER_ID] = manager.ids
      all[MANAGER] = manager.label
    }
    // In a complete record null only means "unset", which an absent key says too; leaving them
    // out halves what a 100k-user pull holds in memory (Graph sends all 15 extension attributes).
    let properties = all
    if (!partial) {
      properties = {}
      for (const k in all) if (all[k] !== null) properties[k] = all[k] as NonNullable<Properties[string]>
    }
    const user: PulledUser = { externalId: id as string, properties }
    if (typeof userPrincipalName === 'string') user.userPrincipalName = userPrincipalName
    if (typeof displayName === 'string') user.displayName = displayName
    if (partial) {
      user.partial = true
      if (manager === undefined) user.newUserDefaults = { [MANAGER_ID]: [] }
    } else if (!user.userPrincipalName) {
      throw new AppError(
        'DIRECTORY_RESPONSE',
        `Microsoft Graph sent user ${String(id)} without a userPrincipalName; add it to the selected properties.`,
        { idp: IDP, userId: id },
      )
    }
    return user
  }

  const toGroup = (v: Record<string, unknown>): PulledGroup => {
    const g: PulledGroup = { externalId: v['id'] as string }
    if (typeof v['displayName'] === 'string') g.name = v['displayName']
    if ('description' in v) g.description = typeof v['description'] === 'string' ? v['description'] : ''
    if (Array.isArray(v['groupTypes'])) {
      const dynamic =
        (v['groupTypes'] as unknown[]).includes('DynamicMembership') && typeof v['membershipRule'] === 'string'
      g.rule = dynamic ? { dialect: 'entra', text: v['membershipRule'] as string } : null
    }
    return g
  }

  return {
    kind: 'entra',
    authorization: async () => `Bearer ${await token()}`,
    async test() {
      await token(true)
      const url = `${GRAPH_ORIGIN}/v1.0/users/delta?$select=id`
      readPage(await get(url), url)
      return `Connected to Entra tenant ${settings.tenantId}: token acquired and users readable.`
    },
    async pull({ cursor, properties, onPage, onUser, onGroups, signal }) {
      const previous = cursor ? (JSON.parse(cursor) as EntraCursor) : null
      if (previous !== null && previous.v !== CURSOR_VERSION) {
        throw new CursorExpired(
          "The last sync's delta links predate reading each user's manager (for Direct Reports rules).",
        )
      }
      const incremental = previous !== null
      const progress = { pages: 0, users: 0, groups: 0 }
      const { pull, take } = startPull(incremental ? 'incremental' : 'full', onUser)

      // Groups first: a first sync can then decide each user's rule groups as the user arrives (onGroups).
      let url = previous?.groups ?? `${GRAPH_ORIGIN}/v1.0/groups/delta?$select=${GROUP_SELECT}`
      const groups = new Map<string, PulledGroup>()
      // Each group's listing as its entries arrive, made a MemberChange once the groups are read
      // (fullListing).
      const listings = new Map<string, Listing>()
      let groupsLink = ''
      let response: Promise<IdpResponse> | null = get(url, signal)
      for (;;) {
        const page = readPage(await (response as Promise<IdpResponse>), url)
        response = (await prefetch(page, signal))?.response ?? null
        url = page['@odata.nextLink'] as string
        for (const v of page.value) {
          const id = v['id'] as string
          if (v['@removed']) {
            pull.removedGroupIds.push(id)
            continue
          }
          // The same group can appear more than once: later entries add to the earlier ones.
          const merged = { ...groups.get(id), ...toGroup(v) }
          groups.set(id, merged)
          const delta = v['members@delta']
          // A dynamic group's members are what Entra last computed from its rule. The app evaluates
          // the rule itself; the listing is kept only to compare with that (GROUP_RULE_FAIL).
          if (!Array.isArray(delta)) continue
          let listing = listings.get(id)
          if (!listing) {
            listing = emptyListing(incremental)
            listings.set(id, listing)
          }
          for (const m of delta as Record<string, unknown>[]) {
            if (
              typeof m?.['id'] !== 'string' ||
              (m['@odata.type'] !== undefined && m['@odata.type'] !== '#microsoft.graph.user')
            )
              continue
            listMember(listing, m['id'], !m['@removed'])
          }
          endEntry(listing)
        }
        releaseValues(page)
        progress.pages++
        progress.groups = groups.size
        await onPage({ ...progress })
        if (page['@odata.deltaLink']) {
          groupsLink = page['@odata.deltaLink']
          break
        }
      }
      for (const [id, listing] of listings) pull.members.set(id, 'ids' in listing ? fullListing(listing) : listing)
      listings.clear()
      pull.groups = [...groups.values()]
      onGroups?.(pull.groups, pull.members)

      url =
        previous?.users ??
        `${GRAPH_ORIGIN}/v1.0/users/delta?$select=${graphSelect([...properties, 'manager']).join(',')}`
      let usersLink = ''
      response = get(url, signal)
      for (;;) {
        const page = readPage(await (response as Promise<IdpResponse>), url)
        response = (await prefetch(page, signal))?.response ?? null
        url = page['@odata.nextLink'] as string
        for (const v of page.value) {
          if (v['@removed']) pull.removedUserIds.push(v['id'] as string)
          else take(toUser(v, incremental))
        }
        progress.pages++
        progress.users += page.value.length
        releaseValues(page)
        await onPage({ ...progress })
        if (page['@odata.deltaLink']) {
          usersLink = page['@odata.deltaLink']
          break
        }
      }

      pull.cursor = JSON.stringify({ users: usersLink, groups: groupsLink, v: CURSOR_VERSION } satisfies EntraCursor)
      return pull
    },
    async fetchUser(userPrincipalName, properties): Promise<FetchedUser | null> {
      const url = `${GRAPH_ORIGIN}/v1.0/users/${encodeURIComponent(userPrincipalName)}?$select=${graphSelect(properties).join(',')}&$expand=${MANAGER_EXPAND}`
      const r = await get(url)
      if (r.status === 404) return null
      if (r.status !== 200)
        throw new AppError(
          'DIRECTORY_RESPONSE',
          `Microsoft Graph answered HTTP ${r.status} for user ${userPrincipalName}.`,
          { idp: IDP, status: r.status },
        )
      const user = toUser(http.json<Record<string, unknown>>(r, url), false)
      const groupIds: string[] = []
      let next: string | undefined =
        `${GRAPH_ORIGIN}/v1.0/users/${encodeURIComponent(user.externalId)}/memberOf?$select=id,displayName`
      while (next) {
        const page: GraphPage = http.json<GraphPage>(await get(next), next)
        for (const g of page.value ?? [])
          if (g['@odata.type'] === '#microsoft.graph.group' && typeof g['id'] === 'string') groupIds.push(g['id'])
        next = page['@odata.nextLink']
      }
      return { user, groupIds }
    },
  }
}

/**
 * Lets a read page's records go before the connector waits for the engine (onPage): held across
 * that wait, they would outlive V8's young generation, and 500 pages of them grow the heap by
 * hundreds of MB.
 */
function releaseValues(page: GraphPage): void {
  page.value = []
}

/**
 * The manager a Graph user record names: from manager@delta (a delta page) or an expanded
 * manager (one user); undefined when the record doesn't say (a delta record whose manager didn't
 * change, or a user read without the relationship).
 */
export function managerOf(v: Record<string, unknown>): { ids: string[]; label: string | null } | undefined {
  const delta = v['manager@delta']
  if (Array.isArray(delta)) {
    const current = delta.filter(
      (m): m is Record<string, unknown> =>
        typeof m === 'object' && m !== null && typeof m['id'] === 'string' && !m['@removed'],
    )
    const last = current[current.length - 1]
    return { ids: last ? [last['id'] as string] : [], label: null }
  }
  if (!('manager' in v)) return undefined
  const m = v['manager']
  if (typeof m !== 'object' || m === null || typeof (m as Record<string, unknown>)['id'] !== 'string')
    return { ids: [], label: null }
  const manager = m as Record<string, unknown>
  return { ids: [manager['id'] as string], label: managerLabel(manager['displayName'], manager['userPrincipalName']) }
}

/**
 * A group's members as a pull reads them: a full pull's as the comma-joined ids of each entry
 * (`ids` holds the entry being read), with the ids an entry marked @removed since they were
 * listed; an incremental pull's as who joined and who left. 130 dynamic groups list 1.6 million
 * members for 100,000 users: a string, map entry or set entry per listed id cost a first sync
 * seconds before its first user (store/idp-rule-members.ts keeps them as text too).
 */
export type FullListing = { ids: string[]; entries: string[]; removed: Set<string> | null }
export type Listing = FullListing | { add: Set<string>; remove: Set<string> }

export const emptyListing = (incremental: boolean): Listing =>
  incremental ? { add: new Set(), remove: new Set() } : { ids: [], entries: [], removed: null }

export function listMember(listing: Listing, userId: string, present: boolean): void {
  if ('ids' in listing) {
    if (present) {
      listing.ids.push(userId)
      listing.removed?.delete(userId)
    } else {
      listing.removed ??= new Set()
      listing.removed.add(userId)
    }
  } else if (present) {
    listing.add.add(userId)
    listing.remove.delete(userId)
  } else {
    listing.remove.add(userId)
    listing.add.delete(userId)
  }
}

/** Ends a members@delta entry: a full listing joins its ids (Graph ids are GUIDs: no commas). */
export function endEntry(listing: Listing): void {
  if (!('ids' in listing) || listing.ids.length === 0) return
  listing.entries.push(listing.ids.join(','))
  listing.ids = []
}

/**
 * A full pull's listing of one group: every member listed and not removed after, each once (as
 * it iterates: JoinedIds). Only a listing that removed someone is read id by id. Entries are kept
 * as strings and the whole listing as bytes: a buffer per entry left most of 100 MB in the
 * process's malloc heap after they were freed (measured: peak memory ~460–520 MB, not ~420).
 */
export function fullListing(listing: FullListing): MemberChange {
  endEntry(listing)
  const joined = new JoinedIds(Buffer.from(listing.entries.join(',')))
  listing.entries = []
  const removed = listing.removed
  if (!removed || removed.size === 0) return { replace: joined }
  return { replace: [...joined].filter(id => !removed.has(id)) }
}
