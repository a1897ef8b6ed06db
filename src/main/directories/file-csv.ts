// The file connector's CSV reader (RFC 4180): one pass over the text with indexOf/charCodeAt.

import type { Attributes } from '../../shared/domain'
import {
  COMMA,
  CR,
  LF,
  QUOTE,
  SPACE,
  TAB,
  ErrorList,
  FORBIDDEN_KEYS,
  UPN_PATTERN,
  UniquenessCheck,
  canonicalName,
  defaultDisplayName,
  fieldKind,
  show,
  splitList,
  type DirectoryUserRecord,
  type FieldKind,
  type ParseUsersResult,
  listProblem,
  textProblem,
} from './file-fields'

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

const TEXT_AFTER_QUOTE =
  'unexpected text after the closing quote; to put a quote inside a quoted value, double it ("").'
const UNTERMINATED = 'a quoted value is never closed; add the missing closing quote (").'

export function parseCsv(text: string): ParseUsersResult {
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
        : {
            message: `${rowLabel(open)}, column ${open.field + 1}: ${UNTERMINATED}`,
            row: open.row,
            line: open.line,
            column: open.field + 1,
          },
    )
    return { ok: false, errors: errors.result() }
  }

  // Header
  const header = { row: reader.row, line: reader.line }
  const columns: CsvColumn[] = []
  const seen = new Map<string, CsvColumn>()
  if (reader.textAfterQuote !== -1) {
    errors.add({
      message: `${rowLabel(header)}, column ${reader.textAfterQuote + 1}: ${TEXT_AFTER_QUOTE}`,
      ...header,
      column: reader.textAfterQuote + 1,
    })
  }
  reader.fields.forEach((raw, index) => {
    const name = raw.trim()
    const key = canonicalName(name)
    const column: CsvColumn = { index, header: name, key, kind: fieldKind(key) }
    columns.push(column)
    if (name === '') return // allowed while every value in it is empty (spreadsheets export such columns)
    if (FORBIDDEN_KEYS.has(key)) {
      errors.add({
        message: `${rowLabel(header)}, column ${index + 1}: ${show(name)} cannot be used as a column name.`,
        ...header,
        column: name,
      })
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
    const names = columns.filter(c => c.header !== '').map(c => show(c.header))
    errors.add({
      message: `${rowLabel(header)}: the header has no 'userPrincipalName' column; every user needs one (found: ${names.join(', ') || 'no names'}).`,
      ...header,
    })
  }

  const columnLabel = (index: number): { text: string; column: string | number } => {
    const column = columns[index]
    if (column !== undefined && column.header !== '')
      return { text: `column ${show(column.header)}`, column: column.header }
    return { text: `column ${index + 1}`, column: index + 1 }
  }
  const cellError = (index: number, problem: string) => {
    const label = columnLabel(index)
    errors.add({
      message: `${rowLabel(reader)}, ${label.text}: ${problem}`,
      row: reader.row,
      line: reader.line,
      column: label.column,
    })
  }
  const finish = (users: DirectoryUserRecord[]): ParseUsersResult => {
    const open = reader.unterminated
    if (open !== undefined) {
      const label = columnLabel(open.field)
      errors.add({
        message: `${rowLabel(open)}, ${label.text}: ${UNTERMINATED}`,
        row: open.row,
        line: open.line,
        column: label.column,
      })
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
  const kinds = columns.map(c => c.kind)
  const keys = columns.map(c => c.key)
  const fields = reader.fields
  const given = keys.filter((_, i) => columns[i]!.header !== '' && kinds[i] !== 'upn')
  const groupsColumn = columns.find(c => c.kind === 'groups')?.header ?? 'groups'
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
      const problem =
        kind === 'groups' || kind === 'list'
          ? listProblem(kind, splitList(value))
          : kind === 'boolean' || kind === undefined
            ? null
            : textProblem(kind, value)
      if (problem) {
        cellError(c, problem)
        continue
      }
      switch (kind) {
        case 'upn':
          if (value === '') cellError(c, 'is empty; every user needs a userPrincipalName.')
          else if (!UPN_PATTERN.test(value))
            cellError(
              c,
              `${show(value)} is not a valid userPrincipalName; expected name@domain, e.g. alex.morgan@northwind.example.`,
            )
          else {
            const earlier = unique.upn(value, reader.row)
            if (earlier !== undefined)
              cellError(
                c,
                `${show(value)} is already used on row ${earlier}; userPrincipalNames must be unique (ignoring case).`,
              )
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
          if (columns[c]!.header === '')
            cellError(c, `has the value ${show(value)} but the column has no header; name the column or delete it.`)
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
      row: reader.row,
      columns: given,
      groupsColumn,
    })
  }
  return finish(users)
}
