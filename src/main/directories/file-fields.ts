// Shared by the file connector's CSV and JSON readers: the record shapes, Graph property
// names and kinds, error collection, uniqueness checks and message helpers.

import type { AttributeValue, Attributes } from '../../shared/domain'

export interface DirectoryUserRecord {
  /** The file's id column, else the userPrincipalName lower-cased. */
  externalId: string
  userPrincipalName: string
  displayName: string
  /** Every other column, keyed by Microsoft Graph user property names. */
  attributes: Attributes
  /** Names of synced (static) groups the user belongs to. */
  groups: string[]
}

export interface FileImportError {
  message: string
  /** CSV: row number, 1-based, the header being row 1. JSON: record number (array index + 1). */
  row?: number
  /**
   * CSV: the column's header as written, or its 1-based number when it has none.
   * JSON: the field name as written; for a syntax error, the 1-based character column.
   */
  column?: number | string
  /** 1-based line where the row, record, field or syntax error is (CSV rows and lines differ once a quoted value spans lines). */
  line?: number
}

export type ParseUsersResult = { ok: true; users: DirectoryUserRecord[] } | { ok: false; errors: FileImportError[] }

/** A file with more problems than this is not worth listing further: fix these and retry. */
export const MAX_IMPORT_ERRORS = 50

// Microsoft Graph v1.0 user resource property names, in Graph's casing. Headers and JSON keys
// match these case-insensitively and are stored under this casing, so a rule on
// `user.department` finds a column headed "Department".
const GRAPH_USER_PROPERTIES = [
  'id',
  'userPrincipalName',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'mailNickname',
  'otherMails',
  'proxyAddresses',
  'accountEnabled',
  'department',
  'jobTitle',
  'companyName',
  'employeeId',
  'employeeType',
  'employeeHireDate',
  'employeeLeaveDateTime',
  'officeLocation',
  'city',
  'state',
  'country',
  'postalCode',
  'streetAddress',
  'usageLocation',
  'preferredLanguage',
  'preferredName',
  'mobilePhone',
  'businessPhones',
  'faxNumber',
  'imAddresses',
  'userType',
  'ageGroup',
  'consentProvidedForMinor',
  'legalAgeGroupClassification',
  'creationType',
  'externalUserState',
  'passwordPolicies',
  'showInAddressList',
  'onPremisesSyncEnabled',
  'onPremisesDistinguishedName',
  'onPremisesDomainName',
  'onPremisesImmutableId',
  'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier',
  'onPremisesUserPrincipalName',
  'securityIdentifier',
  'createdDateTime',
  'birthday',
  'hireDate',
  'aboutMe',
  'mySite',
  'interests',
  'pastProjects',
  'responsibilities',
  'schools',
  'skills',
] as const

/** Our own column: synced group memberships. Not a Graph user property (Graph has memberOf). */
export const GROUPS = 'groups'

export const CANONICAL_NAMES = new Map<string, string>(
  [...GRAPH_USER_PROPERTIES, GROUPS].map(name => [name.toLowerCase(), name]),
)

/** Graph string collections that a file writes as one `;`-separated cell. */
const LIST_PROPERTIES = new Set(['otherMails', 'proxyAddresses'])
/** Graph Boolean properties: stored as booleans so `user.accountEnabled -eq true` compares like Entra. */
const BOOLEAN_PROPERTIES = new Set(['accountEnabled', 'onPremisesSyncEnabled', 'showInAddressList'])

export type FieldKind = 'upn' | 'displayName' | 'id' | 'groups' | 'list' | 'boolean' | 'string'

export function canonicalName(name: string): string {
  return CANONICAL_NAMES.get(name.toLowerCase()) ?? name
}

export function fieldKind(key: string): FieldKind {
  switch (key) {
    case 'userPrincipalName':
      return 'upn'
    case 'displayName':
      return 'displayName'
    case 'id':
      return 'id'
    case GROUPS:
      return 'groups'
    default:
      if (LIST_PROPERTIES.has(key)) return 'list'
      if (BOOLEAN_PROPERTIES.has(key)) return 'boolean'
      return 'string'
  }
}

// "Looks like an email": one @, no whitespace, a dotted domain. Entra accepts more exotic
// local parts, but a UPN without a verified (dotted) domain is never valid there either.
export const UPN_PATTERN = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/

// Names that would reach Object.prototype if used as a plain-object key.
export const FORBIDDEN_KEYS = new Set(['__proto__'])

export class ErrorList {
  readonly items: FileImportError[] = []
  total = 0

  add(error: FileImportError): void {
    this.total++
    if (this.items.length < MAX_IMPORT_ERRORS) this.items.push(error)
  }

  get any(): boolean {
    return this.total > 0
  }

  /** At most MAX_IMPORT_ERRORS entries; when there were more, the last one says how many. */
  result(): FileImportError[] {
    if (this.total <= MAX_IMPORT_ERRORS) return this.items
    const shown = MAX_IMPORT_ERRORS - 1
    return [
      ...this.items.slice(0, shown),
      {
        message: `Too many problems: showing the first ${shown} of ${this.total}. Fix these and import the file again.`,
      },
    ]
  }
}

/** A value quoted for a message: single quotes, control characters escaped, long values cut. */
export function show(value: string): string {
  const cut = value.length > 60 ? `${value.slice(0, 57)}...` : value
  return `'${cut.replace(/[\r\n\t]/g, c => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))}'`
}

/** A `;`-separated cell as a list: items trimmed, empty ones and repeats dropped. */
export function splitList(cell: string): string[] {
  const out: string[] = []
  let from = 0
  for (;;) {
    const end = cell.indexOf(';', from)
    const item = (end === -1 ? cell.slice(from) : cell.slice(from, end)).trim()
    if (item !== '' && !out.includes(item)) out.push(item)
    if (end === -1) return out
    from = end + 1
  }
}

export function defaultDisplayName(upn: string): string {
  return upn.slice(0, upn.indexOf('@'))
}

/** Tracks userPrincipalName and external-id uniqueness across rows (or JSON records). */
export class UniquenessCheck {
  private readonly upns = new Map<string, number>()
  private readonly ids = new Map<string, number>()

  /** Returns the earlier row that already uses this UPN (ignoring case), if any. */
  upn(upn: string, row: number): number | undefined {
    const key = upn.toLowerCase()
    const earlier = this.upns.get(key)
    if (earlier === undefined) this.upns.set(key, row)
    return earlier
  }

  id(id: string, row: number): number | undefined {
    const earlier = this.ids.get(id)
    if (earlier === undefined) this.ids.set(id, row)
    return earlier
  }
}

// Character codes the readers compare with charCodeAt.
export const COMMA = 0x2c
export const QUOTE = 0x22
export const CR = 0x0d
export const LF = 0x0a
export const SPACE = 0x20
export const TAB = 0x09
