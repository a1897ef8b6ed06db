// The Google Workspace connector: @googleapis/admin (directory_v1) with a service account and
// domain-wide delegation (a JWT client with `subject` = an admin to act as).
// - users.list with projection=full (custom schemas included), 500 per page, pageToken paging;
//   groups.list and members.list (200 per page) — admin-sdk/directory/v1/reference.
// - Dynamic groups live in the Cloud Identity API: groups.list (parent=customers/{C…},
//   view=FULL) gives dynamicGroupMetadata.queries[].query, the group's CEL membership query
//   (cloud.google.com/identity/docs/reference/rest/v1/groups/list). That needs its own scope and
//   Cloud Identity Premium or an Enterprise edition, so it is asked with a separate token and
//   skipped with a warning when refused: a tenant without it still syncs. A dynamic group's
//   members, Google's own evaluation of its query, are listed the documented way for dynamic
//   groups (cloud.google.com/identity/docs/how-to/retrieve-list-dynamic-groups):
//   groups.memberships.list (GET /v1/{parent=groups/*}/memberships, pageSize ≤ 1000 in the basic
//   view, nextPageToken paging), each membership naming its member by preferredMemberKey.id (the
//   email) with a type (USER, GROUP, …); they are kept only to compare with the app's evaluation.
// - The Directory API has no change feed a desktop app can use (only push channels), so every
//   Google sync is a full pull; the engine writes only what changed.
// - Every request (the token POST to oauth2.googleapis.com included) goes through our fetch:
//   gaxios takes a `fetchImplementation`, so retries, quota back-off (403 userRateLimitExceeded)
//   and loopback routing in tests are the same as for the other IdPs. The library's own retries
//   are off so attempts are not multiplied.
import { admin, auth, type admin_directory_v1 } from '@googleapis/admin'
import { AppError, errorMessage } from '../../shared/errors'
import { flatten, startPull, type Connector, type FetchedUser, type PulledUser } from './connector'
import type { IdpHttp } from './http'

export interface GoogleSettings {
  serviceAccountEmail: string
  /** The admin the service account acts as (domain-wide delegation). */
  subject: string
  /** Customer id, default my_customer (the subject's own account). */
  customer?: string
}

export interface GoogleSecrets {
  /** The service account's private key (PEM, from its JSON key file). */
  privateKey?: string
}

export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly',
]

export const CLOUD_IDENTITY_SCOPE = 'https://www.googleapis.com/auth/cloud-identity.groups.readonly'
const CLOUD_IDENTITY_ROOT = 'https://cloudidentity.googleapis.com/v1'
const CLOUD_IDENTITY_GROUPS = `${CLOUD_IDENTITY_ROOT}/groups`

const IDP = 'Google Workspace'

interface CloudIdentityGroup {
  /** groups/{group}: the resource name memberships are listed under. */
  name?: string
  groupKey?: { id?: string }
  dynamicGroupMetadata?: { queries?: { resourceType?: string; query?: string }[] }
}

interface CloudIdentityMembership {
  preferredMemberKey?: { id?: string }
  type?: string
}

interface GaxiosLikeError {
  status?: number
  response?: { status?: number; data?: unknown }
  message?: string
}

export function createGoogleConnector({
  settings,
  secrets,
  http,
  warn = () => {},
}: {
  settings: GoogleSettings
  secrets: GoogleSecrets
  http: IdpHttp
  warn?: (message: string) => void
}): Connector {
  if (!secrets.privateKey)
    throw new AppError(
      'DIRECTORY_AUTH',
      'The Google directory has no service-account private key stored; enter it under Directories.',
      { field: 'privateKey' },
    )
  const customer = settings.customer || 'my_customer'
  const jwt = new auth.JWT({
    email: settings.serviceAccountEmail,
    key: secrets.privateKey,
    // Without scopes the library sends no Authorization header at all (observed with
    // google-auth-library 10.5.0).
    scopes: GOOGLE_SCOPES,
    subject: settings.subject,
    transporterOptions: { fetchImplementation: http.fetch, retry: false },
  })
  const directory = admin({ version: 'directory_v1', auth: jwt, retry: false, fetchImplementation: http.fetch })
  const cloudIdentity = new auth.JWT({
    email: settings.serviceAccountEmail,
    key: secrets.privateKey,
    scopes: [CLOUD_IDENTITY_SCOPE],
    subject: settings.subject,
    transporterOptions: { fetchImplementation: http.fetch, retry: false },
  })

  /** Group email (lower-cased) → the dynamic group's query and resource name; empty when Cloud Identity is out of reach. */
  const dynamicQueries = async (): Promise<Map<string, { query: string; name: string | null }>> => {
    const out = new Map<string, { query: string; name: string | null }>()
    try {
      let customerId = settings.customer && settings.customer.startsWith('C') ? settings.customer : undefined
      customerId ??=
        (await call('read the customer id', () => directory.customers.get({ customerKey: 'my_customer' }))).id ??
        undefined
      if (!customerId) return out
      let pageToken: string | undefined
      do {
        const params: Record<string, string | number> = {
          parent: `customers/${customerId}`,
          view: 'FULL',
          pageSize: 500,
        }
        if (pageToken) params['pageToken'] = pageToken
        const page = (
          await cloudIdentity.request<{ groups?: CloudIdentityGroup[]; nextPageToken?: string }>({
            url: CLOUD_IDENTITY_GROUPS,
            params,
          })
        ).data
        for (const g of page.groups ?? []) {
          const query = g.dynamicGroupMetadata?.queries?.find(q => q.resourceType === 'USER')?.query
          if (query && g.groupKey?.id) out.set(g.groupKey.id.toLowerCase(), { query, name: g.name ?? null })
        }
        pageToken = page.nextPageToken ?? undefined
      } while (pageToken)
    } catch (e) {
      const message = errorMessage(e).split('\n')[0]
      warn(
        `Google dynamic groups were not read (Cloud Identity: ${message}); they sync as plain groups. Grant ${CLOUD_IDENTITY_SCOPE} to read their queries.`,
      )
      out.clear()
    }
    return out
  }

  /**
   * A dynamic group's members (external user ids) as Google lists them, or null with a warning when
   * Cloud Identity refuses: the comparison is skipped, the sync goes on.
   */
  const dynamicMembers = async (
    name: string,
    byEmail: ReadonlyMap<string, string>,
    signal?: AbortSignal,
  ): Promise<Set<string> | null> => {
    const out = new Set<string>()
    try {
      let pageToken: string | undefined
      do {
        const params: Record<string, string | number> = { pageSize: 1000 }
        if (pageToken) params['pageToken'] = pageToken
        const page = (
          await cloudIdentity.request<{ memberships?: CloudIdentityMembership[]; nextPageToken?: string }>({
            url: `${CLOUD_IDENTITY_ROOT}/${name}/memberships`,
            params,
            signal,
          })
        ).data
        for (const m of page.memberships ?? []) {
          const id =
            m.type === 'USER' && m.preferredMemberKey?.id
              ? byEmail.get(m.preferredMemberKey.id.toLowerCase())
              : undefined
          if (id) out.add(id)
        }
        pageToken = page.nextPageToken || undefined
      } while (pageToken)
      return out
    } catch (e) {
      if (signal?.aborted) throw e
      warn(
        `The members Google lists in dynamic group ${name} were not read (Cloud Identity: ${errorMessage(e).split('\n')[0]}); they are not compared with JIT Mapper's evaluation.`,
      )
      return null
    }
  }

  /** Turns the library's errors into ours: credentials, or a response we cannot use. */
  const call = async <T>(what: string, fn: () => Promise<{ data: T }>): Promise<T> => {
    try {
      return (await fn()).data
    } catch (e) {
      if (e instanceof AppError) throw e
      const err = e as GaxiosLikeError
      const status = err.response?.status ?? err.status
      const message = (err.message ?? String(e)).split('\n')[0] ?? ''
      if (status === 404) throw new NotFound()
      if (status === 400 && /invalid_grant|unauthorized_client/.test(message)) {
        throw new AppError(
          'DIRECTORY_AUTH',
          `Google refused the service account (${message}). Check the key, that domain-wide delegation grants the directory read-only scopes, and that ${settings.subject} is an admin.`,
          { idp: IDP, status },
        )
      }
      if (status === 401 || status === 403) {
        throw new AppError(
          'DIRECTORY_AUTH',
          `Google refused to ${what} (HTTP ${status}: ${message}). Check domain-wide delegation and that ${settings.subject} may read the directory.`,
          { idp: IDP, status },
        )
      }
      if (e instanceof SyntaxError || /JSON|Unexpected token|invalid json/i.test(message)) {
        throw new AppError(
          'DIRECTORY_RESPONSE',
          `Google sent a response that is not valid JSON while trying to ${what}. Nothing was changed; try the sync again.`,
          { idp: IDP },
        )
      }
      throw new AppError('DIRECTORY_RESPONSE', `Google failed to ${what}: ${message}`, { idp: IDP, status })
    }
  }

  const toUser = (u: admin_directory_v1.Schema$User): PulledUser => {
    if (!u.id || !u.primaryEmail)
      throw new AppError('DIRECTORY_RESPONSE', `Google sent a user without id or primaryEmail (${u.id ?? '?'}).`, {
        idp: IDP,
      })
    const { id, primaryEmail, name, ...rest } = u
    return {
      externalId: id,
      userPrincipalName: primaryEmail,
      displayName: name?.fullName ?? primaryEmail,
      properties: flatten({ ...rest, name: name ?? {} } as Record<string, unknown>),
    }
  }

  const expectList = (what: string, list: unknown): void => {
    if (list !== undefined && !Array.isArray(list))
      throw new AppError('DIRECTORY_RESPONSE', `Google sent ${what} that is not a list.`, { idp: IDP })
  }

  return {
    kind: 'google',
    async authorization() {
      const { token } = await jwt.getAccessToken()
      if (!token)
        throw new AppError('DIRECTORY_AUTH', 'Google returned no access token for the service account.', { idp: IDP })
      return `Bearer ${token}`
    },
    async test() {
      const page = await call('list users', () => directory.users.list({ customer, maxResults: 1 }))
      expectList('users', page.users)
      return `Connected to Google Workspace as ${settings.subject}: users readable.`
    },
    async pull({ onPage, onUser, signal }) {
      const progress = { pages: 0, users: 0, groups: 0 }
      const started = startPull('full', onUser)
      const pull = started.pull
      // Cloud Identity names a dynamic group's members by email.
      const byEmail = new Map<string, string>()
      const take = (user: PulledUser): void => {
        if (user.userPrincipalName) byEmail.set(user.userPrincipalName.toLowerCase(), user.externalId)
        started.take(user)
      }
      let pageToken: string | undefined
      do {
        const page = await call('list users', () =>
          directory.users.list({ customer, projection: 'full', maxResults: 500, pageToken }, { signal }),
        )
        expectList('users', page.users)
        for (const u of page.users ?? []) take(toUser(u))
        progress.pages++
        progress.users += page.users?.length ?? 0
        await onPage({ ...progress })
        pageToken = page.nextPageToken ?? undefined
      } while (pageToken)

      pageToken = undefined
      const groups: admin_directory_v1.Schema$Group[] = []
      do {
        const page = await call('list groups', () =>
          directory.groups.list({ customer, maxResults: 200, pageToken }, { signal }),
        )
        expectList('groups', page.groups)
        groups.push(...(page.groups ?? []))
        progress.pages++
        await onPage({ ...progress })
        pageToken = page.nextPageToken ?? undefined
      } while (pageToken)

      const queries = await dynamicQueries()
      for (const g of groups) {
        if (!g.id) continue
        const dynamic = g.email ? queries.get(g.email.toLowerCase()) : undefined
        pull.groups.push({
          externalId: g.id,
          name: g.name ?? g.email ?? g.id,
          description: g.description ?? '',
          rule: dynamic ? { dialect: 'google', text: dynamic.query } : null,
        })
        // A dynamic group's members are Google's evaluation of its query; the app evaluates it itself
        // and keeps Google's only to compare (GROUP_RULE_FAIL).
        if (dynamic) {
          const listed = dynamic.name ? await dynamicMembers(dynamic.name, byEmail, signal) : null
          if (listed) pull.members.set(g.id, { replace: listed })
          progress.pages++
          progress.groups++
          await onPage({ ...progress })
          continue
        }
        const members = new Set<string>()
        let token: string | undefined
        do {
          const page = await call(`list the members of ${g.email ?? g.id}`, () =>
            directory.members.list({ groupKey: g.id as string, maxResults: 200, pageToken: token }, { signal }),
          )
          expectList('members', page.members)
          for (const m of page.members ?? []) if (m.type === 'USER' && m.id) members.add(m.id)
          token = page.nextPageToken ?? undefined
        } while (token)
        pull.members.set(g.id, { replace: members })
        progress.pages++
        progress.groups++
        await onPage({ ...progress })
      }
      return pull
    },
    async fetchUser(userPrincipalName): Promise<FetchedUser | null> {
      try {
        const u = await call(`read user ${userPrincipalName}`, () =>
          directory.users.get({ userKey: userPrincipalName, projection: 'full' }),
        )
        const user = toUser(u)
        const groupIds: string[] = []
        let pageToken: string | undefined
        do {
          const page = await call(`list the groups of ${userPrincipalName}`, () =>
            directory.groups.list({ userKey: user.externalId, maxResults: 200, pageToken }),
          )
          for (const g of page.groups ?? []) if (g.id) groupIds.push(g.id)
          pageToken = page.nextPageToken ?? undefined
        } while (pageToken)
        return { user, groupIds }
      } catch (e) {
        if (e instanceof NotFound) return null
        throw e
      }
    },
  }
}

class NotFound extends Error {}
