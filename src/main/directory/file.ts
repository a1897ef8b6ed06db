// The `file` directory connector's parser: turns a CSV or JSON user export into directory
// user records, or refuses the whole file with every problem located (row and column for
// CSV, record and field — plus line and column — for JSON). Offices without an identity
// provider import their users this way, and the demo organisation is loaded the same way.
//
// Pure: no I/O, no clock, never throws. Fast enough for 100k rows: the CSV tokenizer walks
// the text once with indexOf/charCodeAt, and JSON goes through the native JSON.parse; the
// slower position-tracking JSON scanner only runs when there is an error to locate.

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

export type ParseUsersResult =
  | { ok: true; users: DirectoryUserRecord[] }
  | { ok: false; errors: FileImportError[] }

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
const GROUPS = 'groups'

const CANONICAL_NAMES = new Map<string, string>(
  [...GRAPH_USER_PROPERTIES, GROUPS].map((name) => [name.toLowerCase(), name]),
)

/** Graph string collections that a file writes as one `;`-separated cell. */
const LIST_PROPERTIES = new Set(['otherMails', 'proxyAddresses'])
/** Graph Boolean properties: stored as booleans so `user.accountEnabled -eq true` compares like Entra. */
const BOOLEAN_PROPERTIES = new Set(['accountEnabled', 'onPremisesSyncEnabled', 'showInAddressList'])

type FieldKind = 'upn' | 'displayName' | 'id' | 'groups' | 'list' | 'boolean' | 'string'

function canonicalName(name: string): string {
  return CANONICAL_NAMES.get(name.toLowerCase()) ?? name
}

function fieldKind(key: string): FieldKind {
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
const UPN_PATTERN = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/

// Names that would reach Object.prototype if used as a plain-object key.
const FORBIDDEN_KEYS = new Set(['__proto__'])

class ErrorList {
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
function show(value: string): string {
  const cut = value.length > 60 ? `${value.slice(0, 57)}...` : value
  return `'${cut.replace(/[\r\n\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))}'`
}

/** A `;`-separated cell as a list: items trimmed, empty ones and repeats dropped. */
function splitList(cell: string): string[] {
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

function defaultDisplayName(upn: string): string {
  return upn.slice(0, upn.indexOf('@'))
}

/** Tracks userPrincipalName and external-id uniqueness across rows (or JSON records). */
class UniquenessCheck {
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

export function parseUserFile(format: 'csv' | 'json', content: string): ParseUsersResult {
  try {
    if (typeof content !== 'string') {
      return { ok: false, errors: [{ message: 'The file content must be text.' }] }
    }
    // Excel and Notepad write a UTF-8 byte order mark; it is not part of the first header.
    const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content
    if (!/\S/.test(text)) {
      return { ok: false, errors: [{ message: 'The file is empty: it needs a header row and at least one user.' }] }
    }
    if (format === 'csv') return parseCsv(text)
    if (format === 'json') return parseJson(text)
    return { ok: false, errors: [{ message: `Unknown file format ${show(String(format))}: use 'csv' or 'json'.` }] }
  } catch (e) {
    // A bug, not bad input; still refuse the file rather than crash the import.
    const detail = e instanceof Error ? e.message : String(e)
    return { ok: false, errors: [{ message: `The file could not be read (internal error: ${detail}).` }] }
  }
}

// ---------------------------------------------------------------------------------------
// CSV (RFC 4180)

const COMMA = 0x2c
const QUOTE = 0x22
const CR = 0x0d
const LF = 0x0a
const SPACE = 0x20
const TAB = 0x09

/**
 * Streams records out of CSV text: each next() fills `fields` (reused, so a 100k-row file
 * does not keep 100k row arrays alive) and says where the record is.
 */
class CsvReader {
  private i = 0
  private nextLine = 1
  /** Spreadsheet row: every record counts, blank ones too; the header is row 1. */
  row = 0
  /** Physical line the record starts on (differs from row once a quoted value spans lines). */
  line = 1
  readonly fields: string[] = []
  /** The first field (0-based) with text after its closing quote, or -1. */
  textAfterQuote = -1
  /** Set when a quoted value runs to the end of the file; reading stops there. */
  unterminated: { row: number; line: number; field: number } | undefined

  constructor(private readonly text: string) {}

  /** Reads the next record; false at the end of the text or at an unterminated quote. */
  next(): boolean {
    const text = this.text
    const n = text.length
    const fields = this.fields
    let i = this.i
    if (i >= n || this.unterminated !== undefined) return false
    fields.length = 0
    this.row++
    this.line = this.nextLine
    this.textAfterQuote = -1
    let line = this.nextLine
    for (;;) {
      // Values are trimmed anyway, so a quote after leading blanks still opens a quoted value.
      let start = i
      while (start < n) {
        const c = text.charCodeAt(start)
        if (c === SPACE || c === TAB) start++
        else break
      }
      if (start < n && text.charCodeAt(start) === QUOTE) {
        let value = ''
        let k = start + 1
        for (;;) {
          const q = text.indexOf('"', k)
          if (q === -1) {
            this.unterminated = { row: this.row, line: this.line, field: fields.length }
            this.i = n
            return false
          }
          value += text.slice(k, q)
          line += countLineBreaks(text, k, q)
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"' // RFC 4180 §2.7: a doubled quote inside a quoted value is one quote
            k = q + 2
            continue
          }
          k = q + 1
          break
        }
        while (k < n && (text.charCodeAt(k) === SPACE || text.charCodeAt(k) === TAB)) k++
        if (k < n) {
          const c = text.charCodeAt(k)
          if (c !== COMMA && c !== CR && c !== LF) {
            if (this.textAfterQuote === -1) this.textAfterQuote = fields.length
            const end = nextDelimiter(text, k)
            value += text.slice(k, end)
            k = end
          }
        }
        fields.push(value)
        i = k
      } else {
        // Unquoted: a stray quote inside (5'11") is kept literally, as spreadsheets do.
        const end = nextDelimiter(text, i)
        fields.push(text.slice(i, end))
        i = end
      }
      if (i >= n) break
      const c = text.charCodeAt(i)
      if (c === COMMA) {
        i++
        continue
      }
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1
      line++
      break
    }
    this.i = i
    this.nextLine = line
    return true
  }

  /** Empty lines and ",,,," rows carry no user. */
  isBlank(): boolean {
    for (const field of this.fields) if (field.trim() !== '') return false
    return true
  }
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) count++
  }
  return count
}

/** Index of the next comma, CR or LF at or after `from` (text.length if none). */
function nextDelimiter(text: string, from: number): number {
  const n = text.length
  let i = from
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === COMMA || c === LF || c === CR) return i
    i++
  }
  return n
}

interface CsvColumn {
  index: number
  /** The header as written (trimmed). */
  header: string
  key: string
  kind: FieldKind
}

function rowLabel(at: { row: number; line: number }): string {
  return at.row === at.line ? `Row ${at.row}` : `Row ${at.row} (line ${at.line})`
}

const TEXT_AFTER_QUOTE = 'unexpected text after the closing quote; to put a quote inside a quoted value, double it ("").'
const UNTERMINATED = 'a quoted value is never closed; add the missing closing quote (").'

function parseCsv(text: string): ParseUsersResult {
  const errors = new ErrorList()
  const reader = new CsvReader(text)

  let found = false
  while (reader.next()) {
    if (!reader.isBlank()) {
      found = true
      break
    }
  }
  if (!found) {
    const open = reader.unterminated
    errors.add(
      open === undefined
        ? { message: 'The file has no header row.' }
        : { message: `${rowLabel(open)}, column ${open.field + 1}: ${UNTERMINATED}`, row: open.row, line: open.line, column: open.field + 1 },
    )
    return { ok: false, errors: errors.result() }
  }

  // Header
  const header = { row: reader.row, line: reader.line }
  const columns: CsvColumn[] = []
  const seen = new Map<string, CsvColumn>()
  if (reader.textAfterQuote !== -1) {
    errors.add({ message: `${rowLabel(header)}, column ${reader.textAfterQuote + 1}: ${TEXT_AFTER_QUOTE}`, ...header, column: reader.textAfterQuote + 1 })
  }
  reader.fields.forEach((raw, index) => {
    const name = raw.trim()
    const key = canonicalName(name)
    const column: CsvColumn = { index, header: name, key, kind: fieldKind(key) }
    columns.push(column)
    if (name === '') return // allowed while every value in it is empty (spreadsheets export such columns)
    if (FORBIDDEN_KEYS.has(key)) {
      errors.add({ message: `${rowLabel(header)}, column ${index + 1}: ${show(name)} cannot be used as a column name.`, ...header, column: name })
      return
    }
    const earlier = seen.get(key.toLowerCase())
    if (earlier !== undefined) {
      errors.add({
        message: `${rowLabel(header)}, column ${index + 1} ${show(name)}: duplicate of column ${earlier.index + 1} ${show(earlier.header)}; column names must be unique (ignoring case).`,
        ...header,
        column: name,
      })
      return
    }
    seen.set(key.toLowerCase(), column)
  })
  const upnColumn = seen.get('userprincipalname')
  if (upnColumn === undefined) {
    const names = columns.filter((c) => c.header !== '').map((c) => show(c.header))
    errors.add({
      message: `${rowLabel(header)}: the header has no 'userPrincipalName' column; every user needs one (found: ${names.join(', ') || 'no names'}).`,
      ...header,
    })
  }

  const columnLabel = (index: number): { text: string; column: string | number } => {
    const column = columns[index]
    if (column !== undefined && column.header !== '') return { text: `column ${show(column.header)}`, column: column.header }
    return { text: `column ${index + 1}`, column: index + 1 }
  }
  const cellError = (index: number, problem: string) => {
    const label = columnLabel(index)
    errors.add({ message: `${rowLabel(reader)}, ${label.text}: ${problem}`, row: reader.row, line: reader.line, column: label.column })
  }
  const finish = (users: DirectoryUserRecord[]): ParseUsersResult => {
    const open = reader.unterminated
    if (open !== undefined) {
      const label = columnLabel(open.field)
      errors.add({ message: `${rowLabel(open)}, ${label.text}: ${UNTERMINATED}`, row: open.row, line: open.line, column: label.column })
    }
    if (!errors.any && users.length === 0) errors.add({ message: 'The file has a header row but no users.', ...header })
    return errors.any ? { ok: false, errors: errors.result() } : { ok: true, users }
  }

  // Without a usable header the rows cannot be read column by column; still look for an
  // unterminated quote, which would swallow the rest of the file.
  if (errors.any || upnColumn === undefined) {
    while (reader.next());
    return finish([])
  }

  // Rows
  const users: DirectoryUserRecord[] = []
  const unique = new UniquenessCheck()
  const upnIndex = upnColumn.index
  const idIndex = seen.get('id')?.index ?? -1
  const width = columns.length
  const kinds = columns.map((c) => c.kind)
  const keys = columns.map((c) => c.key)
  const fields = reader.fields
  while (reader.next()) {
    if (reader.textAfterQuote !== -1) {
      cellError(reader.textAfterQuote, TEXT_AFTER_QUOTE)
      continue
    }
    if (fields.length !== width) {
      if (reader.isBlank()) continue
      errors.add({
        message: `${rowLabel(reader)}: has ${fields.length} values but the header has ${width} columns; a value containing a comma must be in double quotes.`,
        row: reader.row,
        line: reader.line,
      })
      continue
    }
    const upn = fields[upnIndex]!.trim()
    if (upn === '' && reader.isBlank()) continue

    const errorsBefore = errors.total
    let displayName = ''
    let id = ''
    let groups: string[] = []
    const attributes: Attributes = {}
    for (let c = 0; c < width; c++) {
      const kind = kinds[c]
      const value = kind === 'upn' ? upn : fields[c]!.trim()
      if (value === '' && kind !== 'upn') continue // an empty cell means "not set"
      switch (kind) {
        case 'upn':
          if (value === '') cellError(c, 'is empty; every user needs a userPrincipalName.')
          else if (!UPN_PATTERN.test(value)) cellError(c, `${show(value)} is not a valid userPrincipalName; expected name@domain, e.g. alex.morgan@northwind.example.`)
          else {
            const earlier = unique.upn(value, reader.row)
            if (earlier !== undefined) cellError(c, `${show(value)} is already used on row ${earlier}; userPrincipalNames must be unique (ignoring case).`)
          }
          break
        case 'displayName':
          displayName = value
          break
        case 'id':
          id = value
          break
        case 'groups':
          groups = splitList(value)
          break
        case 'list': {
          const list = splitList(value)
          if (list.length > 0) attributes[keys[c]!] = list
          break
        }
        case 'boolean':
          if (value.length === 4 && value.toLowerCase() === 'true') attributes[keys[c]!] = true
          else if (value.length === 5 && value.toLowerCase() === 'false') attributes[keys[c]!] = false
          else cellError(c, `expected true or false, got ${show(value)}.`)
          break
        case 'string':
          if (columns[c]!.header === '') cellError(c, `has the value ${show(value)} but the column has no header; name the column or delete it.`)
          else attributes[keys[c]!] = value
          break
      }
    }
    if (errors.total !== errorsBefore) continue

    // An explicit id is checked as written; a missing one defaults to the lower-cased UPN,
    // which may still collide with another row's explicit id.
    const externalId = id !== '' ? id : upn.toLowerCase()
    const earlier = unique.id(externalId, reader.row)
    if (earlier !== undefined) {
      if (id !== '') {
        cellError(idIndex, `${show(id)} is already used on row ${earlier}; ids must be unique.`)
      } else {
        errors.add({
          message: `${rowLabel(reader)}: the user has no id, so it defaults to the lower-cased userPrincipalName ${show(externalId)}, which row ${earlier} already uses as its id.`,
          row: reader.row,
          line: reader.line,
        })
      }
      continue
    }
    if (errors.any) continue // once the file is refused, stop building users
    users.push({
      externalId,
      userPrincipalName: upn,
      displayName: displayName !== '' ? displayName : defaultDisplayName(upn),
      attributes,
      groups,
    })
  }
  return finish(users)
}

// ---------------------------------------------------------------------------------------
// JSON: an array of flat user objects, or { "users": [...] }

function describeJson(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`
    case 'number':
      return `the number ${value}`
    case 'boolean':
      return String(value)
    case 'object':
      return 'an object'
    default:
      return typeof value
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Where a record and its fields start, found by scanning the text (only when reporting errors). */
interface RecordLocation {
  offset: number
  keys: Map<string, number>
}

function parseJson(text: string): ParseUsersResult {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (e) {
    const scan = scanJson(text)
    if (!scan.ok) {
      const pos = lineAndColumn(text, scan.offset)
      return {
        ok: false,
        errors: [{ message: `Line ${pos.line}, column ${pos.column}: ${scan.message}`, line: pos.line, column: pos.column }],
      }
    }
    // The scanner accepted what JSON.parse refused; fall back to the engine's wording.
    return { ok: false, errors: [{ message: `The file is not valid JSON: ${e instanceof Error ? e.message : String(e)}` }] }
  }

  let records: unknown[]
  if (Array.isArray(document)) {
    records = document
  } else if (isPlainObject(document) && Array.isArray(document.users)) {
    records = document.users
  } else {
    const found = isPlainObject(document)
      ? 'an object without a "users" array'
      : describeJson(document)
    return {
      ok: false,
      errors: [{ message: `Expected an array of users, or an object with a "users" array; found ${found}.`, line: 1 }],
    }
  }

  const errors = new ErrorList()
  const users: DirectoryUserRecord[] = []
  const unique = new UniquenessCheck()
  const fields = new JsonFields()
  for (let index = 0; index < records.length; index++) {
    const user = readJsonRecord(records[index], index, errors, unique, fields)
    if (user !== undefined && !errors.any) users.push(user)
  }
  if (!errors.any && users.length === 0) errors.add({ message: 'The file contains no users.' })
  if (!errors.any) return { ok: true, users }

  // Point each error at its line: the field's key, else the record's opening brace.
  const scan = scanJson(text)
  const locations = scan.ok ? scan.records : []
  for (const error of errors.items) {
    if (error.row === undefined) continue
    const location = locations[error.row - 1]
    if (location === undefined) continue
    const offset = typeof error.column === 'string' ? (location.keys.get(error.column) ?? location.offset) : location.offset
    error.line = lineAndColumn(text, offset).line
  }
  return { ok: false, errors: errors.result() }
}

/** What a JSON field name means, worked out once per distinct name rather than per record. */
interface JsonField {
  key: string
  kind: FieldKind
  /** A Graph property (or groups), as opposed to a custom attribute. */
  known: boolean
  usable: boolean
  /** Same slot for names equal ignoring case, to find "department" next to "Department". */
  slot: number
}

class JsonFields {
  private readonly byName = new Map<string, JsonField>()
  private readonly slots = new Map<string, number>()
  private readonly lastRecord: number[] = []
  private readonly lastName: string[] = []

  get(name: string): JsonField {
    let field = this.byName.get(name)
    if (field === undefined) {
      const trimmed = name.trim()
      const key = canonicalName(trimmed)
      const lower = key.toLowerCase()
      let slot = this.slots.get(lower)
      if (slot === undefined) {
        slot = this.slots.size
        this.slots.set(lower, slot)
        this.lastRecord.push(-1)
        this.lastName.push('')
      }
      field = {
        key,
        kind: fieldKind(key),
        known: CANONICAL_NAMES.has(lower),
        usable: trimmed !== '' && !FORBIDDEN_KEYS.has(key),
        slot,
      }
      this.byName.set(name, field)
    }
    return field
  }

  /** Marks the field as present in record `index`; returns the name it already appeared under there. */
  claim(field: JsonField, name: string, index: number): string | undefined {
    if (this.lastRecord[field.slot] === index) return this.lastName[field.slot]
    this.lastRecord[field.slot] = index
    this.lastName[field.slot] = name
    return undefined
  }
}

function recordLabel(index: number): string {
  return `Record ${index + 1} (index ${index})`
}

function fieldError(errors: ErrorList, index: number, field: string, problem: string): void {
  errors.add({ message: `${recordLabel(index)}, field ${show(field)}: ${problem}`, row: index + 1, column: field })
}

function readJsonRecord(
  record: unknown,
  index: number,
  errors: ErrorList,
  unique: UniquenessCheck,
  fields: JsonFields,
): DirectoryUserRecord | undefined {
  const row = index + 1
  if (!isPlainObject(record)) {
    errors.add({ message: `${recordLabel(index)}: expected an object with a userPrincipalName, found ${describeJson(record)}.`, row })
    return undefined
  }
  const errorsBefore = errors.total
  const fail = (name: string, problem: string) => fieldError(errors, index, name, problem)

  let upnName: string | undefined
  let idName = 'id'
  let upn = ''
  let displayName = ''
  let id = ''
  let groups: string[] = []
  const attributes: Attributes = {}

  for (const name in record) {
    if (!Object.prototype.hasOwnProperty.call(record, name)) continue
    const field = fields.get(name)
    if (!field.usable) {
      fail(name, 'is not a usable field name.')
      continue
    }
    const earlier = fields.claim(field, name, index)
    if (earlier !== undefined) {
      fail(name, `duplicates field ${show(earlier)}; field names must be unique (ignoring case).`)
      continue
    }
    const kind = field.kind
    if (kind === 'upn') upnName = name
    else if (kind === 'id') idName = name
    const raw = record[name]
    if (raw === null || raw === undefined) continue // null means "not set", like an empty cell

    switch (kind) {
      case 'upn':
        if (typeof raw !== 'string') fail(name, `expected a string, found ${describeJson(raw)}.`)
        else upn = raw.trim()
        break
      case 'displayName':
        if (typeof raw !== 'string') fail(name, `expected a string, found ${describeJson(raw)}.`)
        else displayName = raw.trim()
        break
      case 'id':
        if (typeof raw === 'string') id = raw.trim()
        else if (typeof raw === 'number' && Number.isFinite(raw)) id = String(raw)
        else fail(name, `expected a string or number, found ${describeJson(raw)}.`)
        break
      case 'groups':
      case 'list': {
        const list = readJsonList(raw)
        if (list === undefined) {
          fail(name, `expected an array of strings or a ';'-separated string, found ${describeJson(raw)}.`)
        } else if (kind === 'groups') {
          groups = list
        } else if (list.length > 0) {
          attributes[field.key] = list
        }
        break
      }
      case 'boolean':
        if (typeof raw === 'boolean') attributes[field.key] = raw
        else fail(name, `expected true or false, found ${describeJson(raw)}.`)
        break
      case 'string': {
        const value = readJsonScalar(raw, !field.known)
        if (value === undefined) {
          fail(name, `expected a string${field.known ? ' or number' : ', number, boolean or array of strings'}, found ${describeJson(raw)}.`)
        } else if (value !== '' && !(Array.isArray(value) && value.length === 0)) {
          attributes[field.key] = value
        }
        break
      }
    }
  }

  if (upnName === undefined) {
    errors.add({ message: `${recordLabel(index)}: has no 'userPrincipalName' field; every user needs one.`, row })
    return undefined
  }
  if (errors.total !== errorsBefore) return undefined
  if (upn === '') {
    fail(upnName, 'is empty; every user needs a userPrincipalName.')
    return undefined
  }
  if (!UPN_PATTERN.test(upn)) {
    fail(upnName, `${show(upn)} is not a valid userPrincipalName; expected name@domain, e.g. alex.morgan@northwind.example.`)
    return undefined
  }
  const earlierUpn = unique.upn(upn, row)
  if (earlierUpn !== undefined) {
    fail(upnName, `${show(upn)} is already used by record ${earlierUpn}; userPrincipalNames must be unique (ignoring case).`)
    return undefined
  }
  const externalId = id !== '' ? id : upn.toLowerCase()
  const earlierId = unique.id(externalId, row)
  if (earlierId !== undefined) {
    if (id !== '') fail(idName, `${show(id)} is already used by record ${earlierId}; ids must be unique.`)
    else
      errors.add({
        message: `${recordLabel(index)}: the user has no id, so it defaults to the lower-cased userPrincipalName ${show(externalId)}, which record ${earlierId} already uses as its id.`,
        row,
      })
    return undefined
  }
  return {
    externalId,
    userPrincipalName: upn,
    displayName: displayName !== '' ? displayName : defaultDisplayName(upn),
    attributes,
    groups,
  }
}

function readJsonList(raw: unknown): string[] | undefined {
  if (typeof raw === 'string') return splitList(raw)
  if (!Array.isArray(raw)) return undefined
  const out: string[] = []
  for (const item of raw) {
    if (typeof item !== 'string') return undefined
    const value = item.trim()
    if (value !== '' && !out.includes(value)) out.push(value)
  }
  return out
}

/**
 * Known Graph properties are strings (a number such as an employeeId is kept as its text);
 * other fields are custom attributes and may also be booleans or string lists.
 */
function readJsonScalar(raw: unknown, custom: boolean): AttributeValue | undefined {
  if (typeof raw === 'string') return raw.trim()
  if (typeof raw === 'number' && Number.isFinite(raw)) return custom ? raw : String(raw)
  if (custom && typeof raw === 'boolean') return raw
  if (custom && Array.isArray(raw)) return readJsonList(raw)
  return undefined
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === LF) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: end - lineStart + 1 }
}

type JsonScan = { ok: true; records: RecordLocation[] } | { ok: false; message: string; offset: number }

interface JsonFrame {
  kind: 'array' | 'object'
  /** 'records': the users array; 'record': one user object. */
  role: 'top' | 'records' | 'record' | 'other'
  start: number
  key?: string
  location?: RecordLocation
}

const NUMBER_PATTERN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/**
 * A JSON recognizer (RFC 8259) that reports the offset of the first syntax error with a
 * message a person can act on, and otherwise where each user record and its keys start.
 * Iterative, so deeply nested input cannot overflow the stack.
 */
function scanJson(s: string): JsonScan {
  const n = s.length
  const records: RecordLocation[] = []
  const stack: JsonFrame[] = []
  let i = 0
  let expect: 'value' | 'key' | 'after' = 'value'
  let afterComma = false
  const fail = (message: string, offset = i): JsonScan => ({ ok: false, message, offset })
  const where = (offset: number) => {
    const p = lineAndColumn(s, offset)
    return `line ${p.line}, column ${p.column}`
  }

  // Returns the index after the closing quote, or a failure.
  const readString = (from: number): number | JsonScan => {
    let j = from + 1
    for (;;) {
      if (j >= n) return fail(`the string that starts at ${where(from)} is never closed; add the closing double quote.`, from)
      const c = s.charCodeAt(j)
      if (c === QUOTE) return j + 1
      if (c === 0x5c) {
        const e = s[j + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(j + 2, j + 6))) return fail('invalid \\u escape: expected four hexadecimal digits.', j)
          j += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          j += 2
        } else {
          return fail(`invalid escape '\\${e ?? ''}' in a string; write a backslash as \\\\.`, j)
        }
        continue
      }
      if (c === LF || c === CR) {
        return fail('this string is not closed before the end of the line; add the closing double quote (a line break inside a string is written \\n).', from)
      }
      if (c < 0x20) return fail('control character inside a string; escape it (e.g. \\t).', j)
      j++
    }
  }

  const skipWhitespace = () => {
    while (i < n) {
      const c = s.charCodeAt(i)
      if (c === SPACE || c === TAB || c === LF || c === CR) i++
      else break
    }
  }

  const unexpected = (what: string): JsonScan => {
    if (i >= n) {
      const open = stack[stack.length - 1]
      return open !== undefined
        ? fail(`unexpected end of file: the ${open.kind} opened at ${where(open.start)} is not closed.`)
        : fail(`unexpected end of file; expected ${what}.`)
    }
    const c = s[i]!
    if (c === "'") return fail(`strings must be in double quotes, not single quotes; expected ${what}.`)
    if (c === '/') return fail('comments are not allowed in JSON.')
    return fail(`expected ${what}, found '${c}'.`)
  }

  for (;;) {
    skipWhitespace()
    if (expect === 'value') {
      const parent = stack[stack.length - 1]
      if (afterComma && parent !== undefined && s[i] === (parent.kind === 'array' ? ']' : '}')) {
        return fail(`a comma before '${s[i]}' is not allowed in JSON; remove it.`)
      }
      afterComma = false
      const role: JsonFrame['role'] =
        parent === undefined
          ? 'top'
          : parent.role === 'records'
            ? 'record'
            : parent.role === 'top' && parent.kind === 'object' && parent.key === 'users'
              ? 'records'
              : 'other'
      let location: RecordLocation | undefined
      if (role === 'record') {
        location = { offset: i, keys: new Map() }
        records.push(location)
      }
      const c = s[i]
      if (c === '{' || c === '[') {
        const kind = c === '{' ? 'object' : 'array'
        // The users array: the document itself, or the top-level object's "users" member.
        const frameRole =
          role === 'top' || role === 'records' ? (kind === 'array' ? 'records' : role === 'top' ? 'top' : 'other') : role
        if (frameRole === 'records') records.length = 0 // a repeated "users" key: JSON.parse keeps the last
        stack.push({ kind, role: frameRole, start: i, location })
        i++
        skipWhitespace()
        if (s[i] === (kind === 'object' ? '}' : ']')) {
          i++
          stack.pop()
          expect = 'after'
        } else {
          expect = kind === 'object' ? 'key' : 'value'
        }
        continue
      }
      if (c === '"') {
        const end = readString(i)
        if (typeof end !== 'number') return end
        i = end
      } else if (c === 't' || c === 'f' || c === 'n') {
        const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null'
        if (!s.startsWith(word, i)) return unexpected('a value')
        i += word.length
      } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
        NUMBER_PATTERN.lastIndex = i
        const m = NUMBER_PATTERN.exec(s)
        if (m === null || m[0] === '-') return fail('invalid number.')
        i += m[0].length
      } else {
        return unexpected('a value')
      }
      expect = 'after'
    } else if (expect === 'key') {
      const frame = stack[stack.length - 1]!
      if (afterComma && s[i] === '}') return fail("a comma before '}' is not allowed in JSON; remove it.")
      afterComma = false
      if (s[i] !== '"') return unexpected('a property name in double quotes')
      const start = i
      const end = readString(i)
      if (typeof end !== 'number') return end
      const key = JSON.parse(s.slice(start, end)) as string
      frame.key = key
      if (frame.location !== undefined && !frame.location.keys.has(key)) frame.location.keys.set(key, start)
      i = end
      skipWhitespace()
      if (s[i] !== ':') return unexpected(`':' after the property name ${JSON.stringify(key)}`)
      i++
      expect = 'value'
    } else {
      const frame = stack[stack.length - 1]
      if (frame === undefined) {
        if (i < n) return fail('unexpected text after the end of the JSON document.')
        return { ok: true, records }
      }
      const close = frame.kind === 'array' ? ']' : '}'
      if (s[i] === ',') {
        i++
        afterComma = true
        expect = frame.kind === 'object' ? 'key' : 'value'
      } else if (s[i] === close) {
        i++
        stack.pop()
        expect = 'after'
      } else {
        return unexpected(`',' or '${close}'`)
      }
    }
  }
}
