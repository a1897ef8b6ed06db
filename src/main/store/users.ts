import type { Attributes, AttributeValue, DirectoryKind, UserSummary } from '../../shared/domain'
import type { Db } from './db'
import { containsPattern } from './like'

type Statement = ReturnType<Db['prepare']>

interface UserRow {
  id: string
  directory_id: string
  user_principal_name: string
  display_name: string
  department: string | null
  job_title: string | null
  country: string | null
}

// The list shows three attributes people scan for; they come straight from the attribute table.
const SUMMARY_COLUMNS = `u.id, u.directory_id, u.user_principal_name, u.display_name,
  (SELECT json_extract(value, '$') FROM user_attributes WHERE user_id = u.id AND name = 'department') AS department,
  (SELECT json_extract(value, '$') FROM user_attributes WHERE user_id = u.id AND name = 'jobTitle') AS job_title,
  (SELECT json_extract(value, '$') FROM user_attributes WHERE user_id = u.id AND name = 'country') AS country`

const toSummary = (r: UserRow): UserSummary => ({
  id: r.id,
  directoryId: r.directory_id,
  userPrincipalName: r.user_principal_name,
  displayName: r.display_name,
  department: r.department === null ? null : String(r.department),
  jobTitle: r.job_title === null ? null : String(r.job_title),
  country: r.country === null ? null : String(r.country),
})

export interface UserUpsert {
  id: string
  directoryId: string
  externalId: string
  userPrincipalName: string
  displayName: string
  attributes: Attributes
}

interface IdentityRow {
  id: string
  external_id: string
  user_principal_name: string
  display_name: string
}

export type UpsertOutcome = 'added' | 'changed' | 'unchanged'

/**
 * The identity fields of a user's rule input: the IdP id (Entra user.objectId reads `id`; Okta's
 * user.getInternalProperty("id") reads `$id`, INTERNAL_ID in rules/reserved.ts), the
 * userPrincipalName and the display name.
 */
export const identityFields = (externalId: string, userPrincipalName: string, displayName: string): Attributes => ({
  id: externalId,
  $id: externalId,
  userPrincipalName,
  displayName,
})

export function userQueries(db: Db) {
  const byExternal = db.prepare(
    'SELECT id, user_principal_name, display_name FROM users WHERE directory_id = ? AND external_id = ?',
  )
  const insert =
    db.prepare(`INSERT INTO users (id, directory_id, external_id, user_principal_name, display_name, updated_at)
    VALUES (?, ?, ?, ?, ?, ?)`)
  const updateNames = db.prepare(
    'UPDATE users SET user_principal_name = ?, display_name = ?, updated_at = ? WHERE id = ?',
  )
  const attrsOf = db.prepare('SELECT name, value FROM user_attributes WHERE user_id = ?')
  const deleteAttrs = db.prepare('DELETE FROM user_attributes WHERE user_id = ?')
  const deleteAttr = db.prepare('DELETE FROM user_attributes WHERE user_id = ? AND name = ?')
  const putAttr = db.prepare(`INSERT INTO user_attributes (user_id, name, value) VALUES (?, ?, ?)
    ON CONFLICT (user_id, name) DO UPDATE SET value = excluded.value`)
  const touch = db.prepare('UPDATE users SET updated_at = ? WHERE id = ?')
  const summaryById = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM users u WHERE u.id = ?`)
  const kindOf = db.prepare('SELECT d.kind FROM users u JOIN directories d ON d.id = u.directory_id WHERE u.id = ?')
  const upnsByExternal = db.prepare('SELECT user_principal_name FROM users WHERE external_id = ? ORDER BY id LIMIT 2')
  const byUpn = db.prepare('SELECT id FROM users WHERE user_principal_name = ? COLLATE NOCASE ORDER BY id LIMIT 1')
  const count = db.prepare('SELECT COUNT(*) AS n FROM users')
  const ids = db.prepare('SELECT id FROM users ORDER BY display_name COLLATE NOCASE, id LIMIT ?')
  const MATCHES = `(@q IS NULL OR u.user_principal_name LIKE @q ESCAPE '\\' OR u.display_name LIKE @q ESCAPE '\\'
      OR EXISTS (SELECT 1 FROM user_attributes a WHERE a.user_id = u.id AND a.name IN ('department', 'jobTitle', 'country') AND a.value LIKE @q ESCAPE '\\'))`
  // One statement per order: by display name or principal name, each walking its index.
  const ORDERS = {
    name: 'u.display_name COLLATE NOCASE',
    userPrincipalName: 'u.user_principal_name COLLATE NOCASE',
  } as const
  const searches = new Map<string, Statement>()
  const searchIn = (sort: keyof typeof ORDERS, dir: 'asc' | 'desc'): Statement => {
    const key = `${sort} ${dir}`
    let s = searches.get(key)
    if (!s) {
      s = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM users u WHERE ${MATCHES}
        ORDER BY ${ORDERS[sort]} ${dir}, u.id ${dir} LIMIT @limit OFFSET @offset`)
      searches.set(key, s)
    }
    return s
  }
  const searchCount = db.prepare(`SELECT COUNT(*) AS n FROM users u WHERE ${MATCHES}`)
  const directoryOf = db.prepare('SELECT directory_id FROM users WHERE id = ?').pluck()
  const directoriesAll = db.prepare('SELECT id, directory_id FROM users').raw(true)
  const principalNamesAll = db.prepare('SELECT id, user_principal_name FROM users').raw(true)
  const identityOf = db.prepare('SELECT id, external_id, user_principal_name, display_name FROM users WHERE id = ?')

  const readAttributes = (userId: string): Attributes => {
    const out: Attributes = {}
    for (const r of attrsOf.all(userId) as { name: string; value: string }[])
      out[r.name] = JSON.parse(r.value) as AttributeValue
    return out
  }

  // Rules read the identity fields too (user.userPrincipalName, user.objectId, and Okta's
  // user.getInternalProperty("id") under the reserved key of rules/reserved.ts), which live on the
  // user row rather than in the attribute table.
  const identityAttributes = (r: IdentityRow): Attributes =>
    identityFields(r.external_id, r.user_principal_name, r.display_name)

  const sameAttributes = (a: Attributes, b: Attributes): boolean => {
    const ka = Object.keys(a)
    if (ka.length !== Object.keys(b).length) return false
    return ka.every(k => k in b && JSON.stringify(a[k]) === JSON.stringify(b[k]))
  }

  return {
    /** Inserts or updates one user by its directory identity; says whether anything changed. */
    upsert(u: UserUpsert, at: string): { id: string; outcome: UpsertOutcome } {
      const existing = byExternal.get(u.directoryId, u.externalId) as
        | { id: string; user_principal_name: string; display_name: string }
        | undefined
      if (!existing) {
        insert.run(u.id, u.directoryId, u.externalId, u.userPrincipalName, u.displayName, at)
        for (const [name, value] of Object.entries(u.attributes)) putAttr.run(u.id, name, JSON.stringify(value))
        return { id: u.id, outcome: 'added' }
      }
      const namesSame = existing.user_principal_name === u.userPrincipalName && existing.display_name === u.displayName
      if (namesSame && sameAttributes(readAttributes(existing.id), u.attributes))
        return { id: existing.id, outcome: 'unchanged' }
      updateNames.run(u.userPrincipalName, u.displayName, at, existing.id)
      deleteAttrs.run(existing.id)
      for (const [name, value] of Object.entries(u.attributes)) putAttr.run(existing.id, name, JSON.stringify(value))
      return { id: existing.id, outcome: 'changed' }
    },
    /** Merges attribute edits; a null value removes the attribute. */
    patchAttributes(userId: string, patch: Attributes, at: string): void {
      for (const [name, value] of Object.entries(patch)) {
        if (value === null) deleteAttr.run(userId, name)
        else putAttr.run(userId, name, JSON.stringify(value))
      }
      touch.run(at, userId)
    },
    attributes: readAttributes,
    /** What rules evaluate: the attributes plus the identity fields. */
    ruleInput(userId: string): Attributes {
      const r = identityOf.get(userId) as IdentityRow | undefined
      return r ? { ...readAttributes(userId), ...identityAttributes(r) } : readAttributes(userId)
    },
    summary(userId: string): UserSummary | undefined {
      const r = summaryById.get(userId) as UserRow | undefined
      return r ? toSummary(r) : undefined
    },
    /** The directory a user belongs to (null for a user no directory owns). */
    directoryOf(userId: string): string | null {
      return (directoryOf.get(userId) as string | null | undefined) ?? null
    },
    /** Every user's directory, keyed by user id. */
    directories(): Map<string, string | null> {
      return new Map(directoriesAll.all() as [string, string | null][])
    },
    /** Every user's principal name, keyed by user id. */
    principalNames(): Map<string, string> {
      return new Map(principalNamesAll.all() as [string, string][])
    },
    directoryKind(userId: string): DirectoryKind | undefined {
      return (kindOf.get(userId) as { kind: DirectoryKind } | undefined)?.kind
    },
    /** The principal names of the users (in any directory) with this IdP id; at most two. */
    principalNamesByExternalId(externalId: string): string[] {
      return (upnsByExternal.all(externalId) as { user_principal_name: string }[]).map(r => r.user_principal_name)
    },
    idByPrincipalName(upn: string): string | undefined {
      return (byUpn.get(upn.trim()) as { id: string } | undefined)?.id
    },
    count(): number {
      return (count.get() as { n: number }).n
    },
    /** User ids in display order, at most `limit` (rule previews and lint read every user). */
    ids(limit: number): string[] {
      return (ids.all(limit) as { id: string }[]).map(r => r.id)
    },
    list(
      query: string | undefined,
      limit: number,
      offset: number,
      order: { sort?: keyof typeof ORDERS; dir?: 'asc' | 'desc' } = {},
    ): { rows: UserSummary[]; total: number } {
      const q = containsPattern(query)
      const rows = (searchIn(order.sort ?? 'name', order.dir ?? 'asc').all({ q, limit, offset }) as UserRow[]).map(
        toSummary,
      )
      return { rows, total: (searchCount.get({ q }) as { n: number }).n }
    },
  }
}
