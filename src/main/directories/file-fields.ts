// Shared by the file connector's CSV and JSON readers: the record shapes, Graph property
// names and kinds, error collection, uniqueness checks and message helpers.

import type { Attributes } from '../../shared/domain'

export interface DirectoryUserRecord {
  /** The file's id column, else the userPrincipalName lower-cased. */
  externalId: string
  userPrincipalName: string
  displayName: string
  /** Every other column, keyed by Microsoft Graph user property names. */
  attributes: Attributes
  /** Names of synced (static) groups the user belongs to. */
  groups: string[]
  /** CSV: the row number (the header is row 1). JSON: the record number (array index + 1). */
  row: number
  /**
   * The fields the file gives for this user, by canonical name (`id`, `displayName`, `groups` and
   * attribute names): a CSV's header columns, a JSON record's keys. A field given but empty (an
   * empty cell, null) is in the list but not in `attributes`: an update import clears it.
   */
  columns: readonly string[]
  /** How the file names the groups field (CSV header or JSON key as written), for errors. */
  groupsColumn: string
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

/** Lengths the contract allows for the same fields (src/shared/contract.ts). */
export const MAX_LENGTHS: Record<FieldKind, number> = {
  upn: 320,
  displayName: 256,
  id: 200,
  groups: 256,
  list: 4096,
  boolean: 5,
  string: 4096,
}
/** Items in one list cell, as the contract's attribute values allow. */
export const MAX_LIST_ITEMS = 1000

// C0 controls and DEL never belong in a name; NUL can't be written into an XML profile at all.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/
// Explicit directional formatting (Unicode UAX #9 §2): an override such as U+202E can make
// "alex‮moc.elpmaxe@" read as someone else's name in a list.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
// In free-text attributes, line breaks and tabs are allowed (an address); other controls are not.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/

/**
 * Why a value can't be stored in this field, or null. Identity fields (the principal name,
 * display name, id and group names) refuse control and bidi formatting characters; every
 * text refuses NUL and the other C0 controls but line breaks; lengths are capped as the
 * contract caps them.
 */
export function textProblem(kind: FieldKind, value: string): string | null {
  const identity = kind === 'upn' || kind === 'displayName' || kind === 'id' || kind === 'groups'
  if (value.length > MAX_LENGTHS[kind]) return `is ${value.length} characters long; the limit is ${MAX_LENGTHS[kind]}.`
  const control = (identity ? CONTROL : CONTROL_IN_TEXT).exec(value)
  if (control)
    return `contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at position ${control.index + 1}; remove it.`
  const bidi = identity ? BIDI.exec(value) : null
  if (bidi)
    return `contains the bidirectional formatting character U+${bidi[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at position ${bidi.index + 1}, which can make a name read as another; remove it.`
  return null
}

/** Why a name from an IdP can't identify anyone (control or bidi formatting characters), or null. */
export function identityProblem(value: string): string | null {
  return textProblem('upn', value)
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const FORMATTING = /[\u0000-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** A name without control and bidi formatting characters, for values the IdP lets users edit. */
export const plainName = (value: string): string => value.replace(FORMATTING, '')

/** textProblem for each item of a list cell, and the item count. */
export function listProblem(kind: 'groups' | 'list', items: readonly string[]): string | null {
  if (items.length > MAX_LIST_ITEMS) return `has ${items.length} items; the limit is ${MAX_LIST_ITEMS}.`
  for (const item of items) {
    const p = textProblem(kind, item)
    if (p) return `item ${show(item)} ${p}`
  }
  return null
}

/** A value quoted for a message: single quotes, control characters escaped, long values cut. */
export function show(value: string): string {
  const cut = value.length > 60 ? `${value.slice(0, 57)}...` : value
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are escaped for display
  return `'${cut.replace(/[\u0000-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, c =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )}'`
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
