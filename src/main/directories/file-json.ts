// The file connector's JSON reader: an array of flat user objects, or { "users": [...] }.
// Native JSON.parse first; the position-tracking scanner only runs to locate an error.

import type { AttributeValue, Attributes } from '../../shared/domain'
import {
  CR,
  LF,
  QUOTE,
  SPACE,
  TAB,
  CANONICAL_NAMES,
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
import { errorMessage } from '../../shared/errors'

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

export function parseJson(text: string): ParseUsersResult {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (e) {
    const scan = scanJson(text)
    if (!scan.ok) {
      const pos = lineAndColumn(text, scan.offset)
      return {
        ok: false,
        errors: [
          { message: `Line ${pos.line}, column ${pos.column}: ${scan.message}`, line: pos.line, column: pos.column },
        ],
      }
    }
    // The scanner accepted what JSON.parse refused; fall back to the engine's wording.
    return {
      ok: false,
      errors: [{ message: `The file is not valid JSON: ${errorMessage(e)}` }],
    }
  }

  let records: unknown[]
  if (Array.isArray(document)) {
    records = document
  } else if (isPlainObject(document) && Array.isArray(document.users)) {
    records = document.users
  } else {
    const found = isPlainObject(document) ? 'an object without a "users" array' : describeJson(document)
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
    const offset =
      typeof error.column === 'string' ? (location.keys.get(error.column) ?? location.offset) : location.offset
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
    errors.add({
      message: `${recordLabel(index)}: expected an object with a userPrincipalName, found ${describeJson(record)}.`,
      row,
    })
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
  let groupsColumn = 'groups'
  const attributes: Attributes = {}
  const given: string[] = []

  for (const name in record) {
    if (!Object.hasOwn(record, name)) continue
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
    if (kind === 'groups') groupsColumn = name
    if (kind !== 'upn') given.push(field.key)
    const raw = record[name]
    if (raw === null || raw === undefined) continue // null means "not set", like an empty cell

    const refused = (value: string | readonly string[]): boolean => {
      const problem =
        typeof value === 'string' ? textProblem(kind, value) : listProblem(kind === 'groups' ? 'groups' : 'list', value)
      if (problem) fail(name, problem)
      return problem !== null
    }
    switch (kind) {
      case 'upn':
        if (typeof raw !== 'string') fail(name, `expected a string, found ${describeJson(raw)}.`)
        else if (!refused(raw.trim())) upn = raw.trim()
        break
      case 'displayName':
        if (typeof raw !== 'string') fail(name, `expected a string, found ${describeJson(raw)}.`)
        else if (!refused(raw.trim())) displayName = raw.trim()
        break
      case 'id':
        if (typeof raw === 'string') {
          if (!refused(raw.trim())) id = raw.trim()
        } else if (typeof raw === 'number' && Number.isFinite(raw)) id = String(raw)
        else fail(name, `expected a string or number, found ${describeJson(raw)}.`)
        break
      case 'groups':
      case 'list': {
        const list = readJsonList(raw)
        if (list === undefined) {
          fail(name, `expected an array of strings or a ';'-separated string, found ${describeJson(raw)}.`)
        } else if (refused(list)) {
          break
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
          fail(
            name,
            `expected a string${field.known ? ' or number' : ', number, boolean or array of strings'}, found ${describeJson(raw)}.`,
          )
        } else if (
          value !== '' &&
          !(Array.isArray(value) && value.length === 0) &&
          !((typeof value === 'string' || Array.isArray(value)) && refused(value))
        ) {
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
    fail(
      upnName,
      `${show(upn)} is not a valid userPrincipalName; expected name@domain, e.g. alex.morgan@northwind.example.`,
    )
    return undefined
  }
  const earlierUpn = unique.upn(upn, row)
  if (earlierUpn !== undefined) {
    fail(
      upnName,
      `${show(upn)} is already used by record ${earlierUpn}; userPrincipalNames must be unique (ignoring case).`,
    )
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
    row,
    columns: given,
    groupsColumn,
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
      if (j >= n)
        return fail(`the string that starts at ${where(from)} is never closed; add the closing double quote.`, from)
      const c = s.charCodeAt(j)
      if (c === QUOTE) return j + 1
      if (c === 0x5c) {
        const e = s[j + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(j + 2, j + 6)))
            return fail('invalid \\u escape: expected four hexadecimal digits.', j)
          j += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          j += 2
        } else {
          return fail(`invalid escape '\\${e ?? ''}' in a string; write a backslash as \\\\.`, j)
        }
        continue
      }
      if (c === LF || c === CR) {
        return fail(
          'this string is not closed before the end of the line; add the closing double quote (a line break inside a string is written \\n).',
          from,
        )
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
          role === 'top' || role === 'records'
            ? kind === 'array'
              ? 'records'
              : role === 'top'
                ? 'top'
                : 'other'
            : role
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
