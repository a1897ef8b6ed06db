// The Google Workspace connector: @googleapis/admin (directory_v1) with a service account and
// domain-wide delegation (a JWT client with `subject` = an admin to act as).
// - users.list with projection=full (custom schemas included), 500 per page, pageToken paging;
//   groups.list and members.list (200 per page) — admin-sdk/directory/v1/reference.
// - The Directory API has no change feed a desktop app can use (only push channels), so every
//   Google sync is a full pull; the engine writes only what changed.
// - Every request (the token POST to oauth2.googleapis.com included) goes through our fetch:
//   gaxios takes a `fetchImplementation`, so retries, quota back-off (403 userRateLimitExceeded)
//   and loopback routing in tests are the same as for the other IdPs. The library's own retries
//   are off so attempts are not multiplied.
import { admin, auth, type admin_directory_v1 } from '@googleapis/admin'
import { AppError } from '../../shared/errors'
import { flatten, type Connector, type FetchedUser, type Pull, type PulledUser } from './connector'
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

const IDP = 'Google Workspace'

interface GaxiosLikeError {
  status?: number
  response?: { status?: number; data?: unknown }
  message?: string
}

export function createGoogleConnector({ settings, secrets, http }: { settings: GoogleSettings; secrets: GoogleSecrets; http: IdpHttp }): Connector {
  if (!secrets.privateKey) throw new AppError('DIRECTORY_AUTH', 'The Google directory has no service-account private key stored; enter it under Directories.', { field: 'privateKey' })
  const customer = settings.customer || 'my_customer'
  const jwt = new auth.JWT({
    email: settings.serviceAccountEmail,
    key: secrets.privateKey,
    // Without scopes the library sends no Authorization header at all (research/directory.md §7.2).
    scopes: GOOGLE_SCOPES,
    subject: settings.subject,
    transporterOptions: { fetchImplementation: http.fetch, retry: false },
  })
  const directory = admin({ version: 'directory_v1', auth: jwt, retry: false, fetchImplementation: http.fetch })

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
        throw new AppError('DIRECTORY_AUTH', `Google refused the service account (${message}). Check the key, that domain-wide delegation grants the directory read-only scopes, and that ${settings.subject} is an admin.`, { idp: IDP, status })
      }
      if (status === 401 || status === 403) {
        throw new AppError('DIRECTORY_AUTH', `Google refused to ${what} (HTTP ${status}: ${message}). Check domain-wide delegation and that ${settings.subject} may read the directory.`, { idp: IDP, status })
      }
      if (e instanceof SyntaxError || /JSON|Unexpected token|invalid json/i.test(message)) {
        throw new AppError('DIRECTORY_RESPONSE', `Google sent a response that is not valid JSON while trying to ${what}. Nothing was changed; try the sync again.`, { idp: IDP })
      }
      throw new AppError('DIRECTORY_RESPONSE', `Google failed to ${what}: ${message}`, { idp: IDP, status })
    }
  }

  const toUser = (u: admin_directory_v1.Schema$User): PulledUser => {
    if (!u.id || !u.primaryEmail) throw new AppError('DIRECTORY_RESPONSE', `Google sent a user without id or primaryEmail (${u.id ?? '?'}).`, { idp: IDP })
    const { id, primaryEmail, name, ...rest } = u
    return {
      externalId: id,
      userPrincipalName: primaryEmail,
      displayName: name?.fullName ?? primaryEmail,
      properties: flatten({ ...rest, name: name ?? {} } as Record<string, unknown>),
    }
  }

  const expectList = (what: string, list: unknown): void => {
    if (list !== undefined && !Array.isArray(list)) throw new AppError('DIRECTORY_RESPONSE', `Google sent ${what} that is not a list.`, { idp: IDP })
  }

  return {
    kind: 'google',
    async test() {
      const page = await call('list users', () => directory.users.list({ customer, maxResults: 1 }))
      expectList('users', page.users)
      return `Connected to Google Workspace as ${settings.subject}: users readable.`
    },
    async pull({ onPage, signal }) {
      const progress = { pages: 0, users: 0, groups: 0 }
      const pull: Pull = { mode: 'full', users: [], removedUserIds: [], groups: [], removedGroupIds: [], members: new Map(), cursor: null }
      let pageToken: string | undefined
      do {
        const page = await call('list users', () => directory.users.list({ customer, projection: 'full', maxResults: 500, pageToken }, { signal }))
        expectList('users', page.users)
        for (const u of page.users ?? []) pull.users.push(toUser(u))
        progress.pages++
        progress.users += page.users?.length ?? 0
        onPage({ ...progress })
        pageToken = page.nextPageToken ?? undefined
      } while (pageToken)

      pageToken = undefined
      const groups: admin_directory_v1.Schema$Group[] = []
      do {
        const page = await call('list groups', () => directory.groups.list({ customer, maxResults: 200, pageToken }, { signal }))
        expectList('groups', page.groups)
        groups.push(...(page.groups ?? []))
        progress.pages++
        onPage({ ...progress })
        pageToken = page.nextPageToken ?? undefined
      } while (pageToken)

      for (const g of groups) {
        if (!g.id) continue
        pull.groups.push({ externalId: g.id, name: g.name ?? g.email ?? g.id, description: g.description ?? '', rule: null })
        const members = new Set<string>()
        let token: string | undefined
        do {
          const page = await call(`list the members of ${g.email ?? g.id}`, () => directory.members.list({ groupKey: g.id as string, maxResults: 200, pageToken: token }, { signal }))
          expectList('members', page.members)
          for (const m of page.members ?? []) if (m.type === 'USER' && m.id) members.add(m.id)
          token = page.nextPageToken ?? undefined
        } while (token)
        pull.members.set(g.id, { replace: members })
        progress.pages++
        progress.groups++
        onPage({ ...progress })
      }
      return pull
    },
    async fetchUser(userPrincipalName): Promise<FetchedUser | null> {
      try {
        const u = await call(`read user ${userPrincipalName}`, () => directory.users.get({ userKey: userPrincipalName, projection: 'full' }))
        const user = toUser(u)
        const groupIds: string[] = []
        let pageToken: string | undefined
        do {
          const page = await call(`list the groups of ${userPrincipalName}`, () => directory.groups.list({ userKey: user.externalId, maxResults: 200, pageToken }))
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
