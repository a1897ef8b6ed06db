// Okta Expression Language as a whole expression tree. Okta EL is "based on SpEL and uses a
// subset of functionalities offered by SpEL" (developer.okta.com, "Okta Expression Language"),
// and a group rule is one such expression that must come out true or false. This parser reads
// the language with SpEL's grammar and precedence (Spring Framework reference, "Operators"),
// from loosest to tightest:
//   cond ? a : b, a ?: b  <  OR ||  <  AND &&  <  == != < <= > >= matches (and eq ne lt le gt ge)
//   <  + -  <  * / % (div mod)  <  ^  <  ! not, unary - +  <  a.b, a[i], calls
// So `!user.a == "x"` is `(!user.a) == "x"`, as in SpEL. Keywords (and, or, not, true, false,
// null, eq, …) are read in any case, as SpEL does. Text quotes double to escape ('it''s'); SpEL
// has no backslash escapes, so Okta's own `"\"` is a backslash.
//
// What Okta documents as refused in group rules but evaluates elsewhere (Convert.*, the deprecated
// un-namespaced functions and `matches`) is parsed and evaluated, and reported as a note that
// lint shows as a warning with the documentation's reason. What JIT Mapper can't evaluate
// (Time.*, app and org attributes, linked objects) is refused at its position.

import { compileRegex } from './regex'
import { describeToken, type ExprToken, tokenizeExpr } from './expr-tokens'
import { lineColumn, ruleError, type Span } from './position'
import { INTERNAL_ID, INTERNAL_STATUS } from './reserved'
import type { RuleError } from '../../shared/domain'

export type OktaLiteral = string | number | boolean | null

export type BinaryOperator =
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'matches'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'

export type OktaExpr = Span &
  (
    | { kind: 'literal'; value: OktaLiteral }
    | { kind: 'list'; items: OktaExpr[] }
    /** `user.a.b` (path ["a", "b"]), or a reserved key (reserved.ts) for group functions and internal properties. */
    | { kind: 'attribute'; path: readonly string[]; attribute: string }
    /** A function by its documented name: String.len, Arrays.contains, Convert.toInt, isMemberOfGroupName, … */
    | { kind: 'call'; name: string; args: OktaExpr[] }
    | { kind: 'unary'; operator: '!' | '-' | '+'; operand: OktaExpr }
    | { kind: 'binary'; operator: BinaryOperator; left: OktaExpr; right: OktaExpr }
    | { kind: 'ternary'; test: OktaExpr; then: OktaExpr; otherwise: OktaExpr }
    | { kind: 'elvis'; value: OktaExpr; otherwise: OktaExpr }
    | { kind: 'index'; target: OktaExpr; index: OktaExpr }
  )

/** Something Okta's group-rule documentation restricts, found in an expression JIT Mapper still evaluates. */
export interface OktaNote {
  span: Span
  message: string
}

export type OktaSyntax = { ok: true; expr: OktaExpr; notes: OktaNote[] } | { ok: false; error: RuleError }

/** [fewest, most] arguments of each function (most -1: any number), from Okta's function tables. */
export const FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  'String.append': [2, 2],
  'String.join': [1, -1],
  'String.len': [1, 1],
  'String.removeSpaces': [1, 1],
  'String.replace': [3, 3],
  'String.replaceFirst': [3, 3],
  'String.startsWith': [2, 2],
  'String.stringContains': [2, 2],
  'String.stringSwitch': [2, -1],
  'String.substring': [3, 3],
  'String.substringAfter': [2, 2],
  'String.substringBefore': [2, 2],
  'String.toLowerCase': [1, 1],
  'String.toUpperCase': [1, 1],
  'Arrays.add': [2, 2],
  'Arrays.remove': [2, 2],
  'Arrays.clear': [1, 1],
  'Arrays.get': [2, 2],
  'Arrays.flatten': [0, -1],
  'Arrays.contains': [2, 2],
  'Arrays.size': [1, 1],
  'Arrays.isEmpty': [1, 1],
  'Arrays.toCsvString': [1, 1],
  'Convert.toInt': [1, 1],
  'Convert.toNum': [1, 1],
  isMemberOfGroupName: [1, 1],
  isMemberOfGroup: [1, 1],
  isMemberOfAnyGroup: [1, -1],
  isMemberOfGroupNameStartsWith: [1, 1],
  isMemberOfGroupNameContains: [1, 1],
  isMemberOfGroupNameRegex: [1, 1],
}

/** Okta's deprecated functions without a namespace ("Okta Expression Language", String functions). */
const DEPRECATED: Readonly<Record<string, string>> = {
  toUpperCase: 'String.toUpperCase',
  toLowerCase: 'String.toLowerCase',
  substringBefore: 'String.substringBefore',
  substringAfter: 'String.substringAfter',
  substring: 'String.substring',
}

const GROUP_FUNCTIONS = Object.keys(FUNCTIONS).filter(name => name.startsWith('isMemberOf'))

/** Namespaces and words Okta has but a group rule can't read, with why. */
const UNAVAILABLE: Readonly<Record<string, string>> = {
  Time: "Time.* functions aren't allowed in Okta group rules, and JIT Mapper doesn't evaluate them",
  Iso3166Convert: "Iso3166Convert.* functions aren't allowed in Okta group rules, and JIT Mapper doesn't evaluate them",
  Groups: 'Groups.* functions work only in group claims, not in group rules (Okta, "Group functions")',
  appuser: 'App user attributes (appuser.…) are not available to group rules; they read user.… only',
  app: 'App properties (app.…) are not available to group rules; they read user.… only',
  org: 'Org properties (org.…) are not available to group rules; they read user.… only',
  idpuser: 'IdP user attributes (idpuser.…) exist only in username transforms, not in group rules',
  session: 'Session properties exist only in SAML attribute statements, not in group rules',
  getFilteredGroups: 'getFilteredGroups builds group claims; it is not a condition',
  getManagerUser: 'Manager functions are not available to group rules',
  getManagerAppUser: 'Manager functions are not available to group rules',
  getAssistantUser: 'Assistant functions are not available to group rules',
  getAssistantAppUser: 'Assistant functions are not available to group rules',
  hasDirectoryUser: 'Directory and Workday functions are not available to group rules',
  hasWorkdayUser: 'Directory and Workday functions are not available to group rules',
  findDirectoryUser: 'Directory and Workday functions are not available to group rules',
  findWorkdayUser: 'Directory and Workday functions are not available to group rules',
}

/** SpEL's relational operators and their word forms (case-insensitive). */
const RELATIONS: Readonly<Record<string, BinaryOperator>> = {
  '==': '==',
  '!=': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  eq: '==',
  ne: '!=',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
  matches: 'matches',
}

const CONDITION_START = ['user.<attribute>', 'String.…(…)', 'Arrays.…(…)', 'isMemberOf…(…)', '(', '!', 'value']
const EXAMPLE = 'user.department == "Sales"'
/** What can follow a complete value. */
const AFTER_VALUE = ['==', '!=', '<', '>', 'AND', 'OR', ')', 'end of rule']
/** Ours: keeps parsing and evaluation far from the stack limit. */
const MAX_NESTING = 100
const GROUP_RULES =
  'Okta, "Expressions in group rules": group rule conditions allow only String, Arrays and user expressions'

class ParseFailure {
  constructor(readonly error: RuleError) {}
}

export function parseOktaSyntax(text: string): OktaSyntax {
  const parser = new OktaSyntaxParser(text)
  try {
    return { ok: true, expr: parser.run(), notes: parser.notes }
  } catch (failure) {
    if (failure instanceof ParseFailure) return { ok: false, error: failure.error }
    throw failure
  }
}

class OktaSyntaxParser {
  readonly notes: OktaNote[] = []
  private readonly tokens: ExprToken[]
  private index = 0
  private depth = 0

  constructor(private readonly text: string) {
    this.tokens = tokenizeExpr(text, { name: 'Okta expressions', escapes: 'double', arithmetic: true })
  }

  run(): OktaExpr {
    const first = this.peek(CONDITION_START)
    if (first.kind === 'end')
      this.fail(first.start, 'The rule is empty', CONDITION_START, `Write a condition such as ${EXAMPLE}.`)
    const expr = this.expression()
    const end = this.peek(['AND', 'OR', 'end of rule'])
    if (end.kind !== 'end') this.failAfter(end, null)
    return expr
  }

  /** cond ? a : b, and Elvis a ?: b (SpEL: both branches are whole expressions). */
  private expression(): OktaExpr {
    const test = this.or()
    const token = this.peek([])
    if (!this.isOp(token, '?')) return test
    this.index++
    const next = this.peek([])
    if (this.isOp(next, ':') && next.start === token.end) {
      this.index++
      const otherwise = this.nested(next, () => this.expression())
      return { kind: 'elvis', value: test, otherwise, start: test.start, end: otherwise.end }
    }
    const then = this.nested(token, () => this.expression())
    const colon = this.peek([':'])
    if (!this.isOp(colon, ':'))
      this.fail(colon.start, `Expected : after ${this.slice(then)}`, [':'], 'Write condition ? value : other value.')
    this.index++
    const otherwise = this.nested(colon, () => this.expression())
    return { kind: 'ternary', test, then, otherwise, start: test.start, end: otherwise.end }
  }

  private or(): OktaExpr {
    let left = this.and()
    while (this.isWord(this.peek([]), 'or') || this.isOp(this.peek([]), '||')) {
      this.index++
      const right = this.and()
      left = { kind: 'binary', operator: '||', left, right, start: left.start, end: right.end }
    }
    return left
  }

  private and(): OktaExpr {
    let left = this.relation()
    while (this.isWord(this.peek([]), 'and') || this.isOp(this.peek([]), '&&')) {
      this.index++
      const right = this.relation()
      left = { kind: 'binary', operator: '&&', left, right, start: left.start, end: right.end }
    }
    return left
  }

  private relation(): OktaExpr {
    const left = this.sum()
    const token = this.peek([])
    const key = token.kind === 'op' ? token.text : token.kind === 'ident' ? token.text.toLowerCase() : ''
    if (!Object.hasOwn(RELATIONS, key)) {
      if (token.kind === 'ident' && ['instanceof', 'between'].includes(key))
        this.fail(token.start, `Okta expressions can't use ${token.text}`, ['==', '!='], 'Compare with == or !=.')
      return left
    }
    const op = RELATIONS[key] as BinaryOperator
    this.index++
    const right = this.sum()
    const node: OktaExpr = { kind: 'binary', operator: op, left, right, start: left.start, end: right.end }
    if (op === 'matches') {
      this.notes.push({
        span: node,
        message: `${this.slice(node)} uses matches, which Okta documents as deprecated; JIT Mapper evaluates it as Java's String.matches (the whole value must match).`,
      })
      if (right.kind === 'literal' && typeof right.value === 'string') this.checkPattern(right.value, right.start)
    }
    const after = this.peek([])
    const more = after.kind === 'op' ? after.text : after.kind === 'ident' ? after.text.toLowerCase() : ''
    if (Object.hasOwn(RELATIONS, more))
      this.fail(
        after.start,
        `Comparisons don't chain: ${this.slice(node)} is already compared`,
        ['AND', 'OR'],
        'Join two comparisons with AND.',
      )
    return node
  }

  private sum(): OktaExpr {
    let left = this.product()
    for (;;) {
      const token = this.peek([])
      if (!(this.isOp(token, '+') || this.isOp(token, '-'))) return left
      this.index++
      const right = this.product()
      const operator = (token as { text: '+' | '-' }).text
      left = { kind: 'binary', operator, left, right, start: left.start, end: right.end }
    }
  }

  private product(): OktaExpr {
    let left = this.power()
    for (;;) {
      const token = this.peek([])
      const operator =
        token.kind === 'op' && ['*', '/', '%'].includes(token.text)
          ? (token.text as '*' | '/' | '%')
          : this.isWord(token, 'div')
            ? '/'
            : this.isWord(token, 'mod')
              ? '%'
              : undefined
      if (operator === undefined) return left
      this.index++
      const right = this.power()
      left = { kind: 'binary', operator, left, right, start: left.start, end: right.end }
    }
  }

  private power(): OktaExpr {
    const left = this.unary()
    const token = this.peek([])
    if (!this.isOp(token, '^')) return left
    this.index++
    const right = this.unary()
    return { kind: 'binary', operator: '^', left, right, start: left.start, end: right.end }
  }

  private unary(): OktaExpr {
    const token = this.peek(CONDITION_START)
    const operator =
      this.isOp(token, '!') || this.isWord(token, 'not')
        ? '!'
        : this.isOp(token, '-')
          ? '-'
          : this.isOp(token, '+')
            ? '+'
            : undefined
    if (operator === undefined) return this.postfix(this.primary())
    this.index++
    const operand = this.nested(token, () => this.unary())
    return { kind: 'unary', operator, operand, start: token.start, end: operand.end }
  }

  /** Indexing after a value: user.list[0], {1, 2}[1]. */
  private postfix(target: OktaExpr): OktaExpr {
    let node = target
    for (;;) {
      const token = this.peek([])
      if (this.isOp(token, '[')) {
        this.index++
        const index = this.nested(token, () => this.expression())
        const close = this.expectOp(']', `Missing ] for the [ at ${this.where(token.start)}`)
        node = { kind: 'index', target: node, index, start: node.start, end: close.end }
        continue
      }
      if (this.isOp(token, '.') && node.kind !== 'attribute') {
        this.fail(
          token.start,
          'Okta group rules call functions by name, not on a value',
          ['==', 'AND', 'OR'],
          'Write String.toLowerCase(user.a) rather than user.a.toLowerCase().',
        )
      }
      return node
    }
  }

  private primary(): OktaExpr {
    const token = this.peek(CONDITION_START)
    switch (token.kind) {
      case 'string':
      case 'number':
        this.index++
        return { kind: 'literal', value: token.value, start: token.start, end: token.end }
      case 'op':
        if (token.text === '(') {
          this.index++
          const inner = this.nested(token, () => this.expression())
          const close = this.peek(['AND', 'OR', ')'])
          if (!this.isOp(close, ')')) this.failAfter(close, token)
          this.index++
          return { ...inner, start: token.start, end: close.end }
        }
        if (token.text === '{') return this.list(token)
        return this.failCondition(token)
      case 'ident':
        return this.word(token)
      default:
        return this.failCondition(token)
    }
  }

  private word(token: ExprToken & { kind: 'ident' }): OktaExpr {
    const word = token.text
    const lower = word.toLowerCase()
    if (lower === 'true' || lower === 'false') {
      this.index++
      return { kind: 'literal', value: lower === 'true', start: token.start, end: token.end }
    }
    if (lower === 'null') {
      this.index++
      return { kind: 'literal', value: null, start: token.start, end: token.end }
    }
    if (word === 'user') return this.user(token)
    if (word === 'String' || word === 'Arrays' || word === 'Convert') return this.namespaced(token)
    if (Object.hasOwn(FUNCTIONS, word) && GROUP_FUNCTIONS.includes(word)) return this.call(token, word, token.start)
    const modern = DEPRECATED[word]
    if (modern !== undefined) {
      const node = this.call(token, modern, token.start)
      this.notes.push({
        span: node,
        message: `${word}(…) is one of Okta's deprecated functions without a namespace; Okta documents ${modern}(…) instead.`,
      })
      return node
    }
    const unavailable = UNAVAILABLE[word]
    if (unavailable !== undefined)
      this.fail(
        token.start,
        unavailable,
        CONDITION_START,
        'Group rules read user.<attribute>, String.*, Arrays.* and the group functions.',
      )
    const group = GROUP_FUNCTIONS.find(name => name.toLowerCase() === lower)
    if (group !== undefined)
      this.fail(token.start, `Okta function names are case-sensitive: ${word}`, [group], `Write ${group}(…).`)
    return this.fail(
      token.start,
      `"${word}" isn't something an Okta group rule can read`,
      CONDITION_START,
      `Attributes start with "user.": user.${word}.`,
    )
  }

  private user(token: ExprToken): OktaExpr {
    this.index++
    this.expectOp('.', 'Expected . after user', 'Name the attribute: user.department.')
    const path: string[] = []
    for (;;) {
      const name = this.peek(['attribute name'])
      if (name.kind !== 'ident')
        this.fail(
          name.start,
          'Expected an attribute name after "."',
          ['attribute name'],
          'Name the attribute, e.g. user.department.',
        )
      this.index++
      const after = this.peek([])
      if (this.isOp(after, '(')) return this.userCall(token, path, name)
      path.push(name.text)
      if (!this.isOp(after, '.')) break
      this.index++
    }
    return { kind: 'attribute', path, attribute: path.join('.'), start: token.start, end: this.previousEnd() }
  }

  /** user.getInternalProperty("id" | "status") and user.isMemberOf({…}); no other method of user is readable here. */
  private userCall(token: ExprToken, path: string[], name: ExprToken & { kind: 'ident' }): OktaExpr {
    if (path.length > 0 || (name.text !== 'getInternalProperty' && name.text !== 'isMemberOf'))
      this.fail(
        name.start,
        `Okta group rules can't call user.${[...path, name.text].join('.')}(…)`,
        ['=='],
        'Group rules read attributes (user.department), user.getInternalProperty("id" | "status") and user.isMemberOf({…}).',
      )
    if (name.text === 'isMemberOf') return this.isMemberOf(token)
    const args = this.args(name.text)
    const property = args.length === 1 ? args[0] : undefined
    const value = property?.kind === 'literal' ? property.value : undefined
    const key = value === 'id' ? INTERNAL_ID : value === 'status' ? INTERNAL_STATUS : undefined
    if (key === undefined)
      this.fail(
        property?.start ?? name.end,
        'user.getInternalProperty reads "id" or "status"',
        ['"id"', '"status"'],
        'Write user.getInternalProperty("status") == "ACTIVE".',
      )
    return { kind: 'attribute', path: [key], attribute: key, start: token.start, end: this.previousEnd() }
  }

  /**
   * user.isMemberOf({'group.profile.name': 'West Coast Users', 'operator': 'EXACT'}) and
   * user.isMemberOf({'group.id': '00gjitX9HqABSoqTB0g3'}) ("Examples of Okta Expression
   * Language"). A name without an operator is STARTS_WITH, Okta's documented default.
   */
  private isMemberOf(token: ExprToken): OktaExpr {
    const open = this.expectOp('(', 'Expected ( after user.isMemberOf', "Write user.isMemberOf({'group.id': '00g…'}).")
    this.expectOp(
      '{',
      'user.isMemberOf takes an object in braces',
      "Write user.isMemberOf({'group.profile.name': 'Sales', 'operator': 'EXACT'}).",
    )
    const keys = ["'group.id'", "'group.profile.name'", "'operator'"]
    const fields = new Map<string, { value: string; at: number }>()
    for (;;) {
      const key = this.peek(keys)
      if (key.kind !== 'string') this.fail(key.start, 'Expected a key in quotes', keys)
      const name = (key as { value: string }).value
      if (!['group.id', 'group.profile.name', 'operator'].includes(name))
        this.fail(key.start, `user.isMemberOf doesn't take ${JSON.stringify(name)}`, keys)
      this.index++
      this.expectOp(':', `Expected : after ${JSON.stringify(name)}`)
      const value = this.peek(["'text'"])
      if (value.kind !== 'string') this.fail(value.start, `${JSON.stringify(name)} takes text in quotes`, ["'text'"])
      this.index++
      fields.set(name, { value: (value as { value: string }).value, at: value.start })
      const next = this.peek([',', '}'])
      if (this.isOp(next, ',')) {
        this.index++
        continue
      }
      if (this.isOp(next, '}')) break
      this.fail(next.start, 'Expected , or } in the object', [',', '}'])
    }
    this.index++
    this.expectOp(')', `Missing ) for the ( at ${this.where(open.start)}`, 'Close the call with ).')
    const span = { start: token.start, end: this.previousEnd() }
    const operator = fields.get('operator')
    if (operator !== undefined && operator.value !== 'EXACT' && operator.value !== 'STARTS_WITH')
      this.fail(operator.at, `user.isMemberOf's operator is EXACT or STARTS_WITH, not ${operator.value}`, [
        "'EXACT'",
        "'STARTS_WITH'",
      ])
    const id = fields.get('group.id')
    const name = fields.get('group.profile.name')
    if ((id === undefined) === (name === undefined))
      this.fail(token.start, "user.isMemberOf takes either 'group.id' or 'group.profile.name'", [
        "'group.id'",
        "'group.profile.name'",
      ])
    const found = (id ?? name) as { value: string; at: number }
    const arg: OktaExpr = {
      kind: 'literal',
      value: found.value,
      start: found.at,
      end: found.at + found.value.length + 2,
    }
    const fn =
      id !== undefined
        ? 'isMemberOfGroup'
        : operator?.value === 'EXACT'
          ? 'isMemberOfGroupName'
          : 'isMemberOfGroupNameStartsWith'
    return { kind: 'call', name: fn, args: [arg], ...span }
  }

  private namespaced(token: ExprToken & { kind: 'ident' }): OktaExpr {
    this.index++
    this.expectOp(
      '.',
      `Expected . after ${token.text}`,
      `Call a function: ${token.text}.${token.text === 'Arrays' ? 'contains' : 'stringContains'}(…).`,
    )
    const name = this.peek(['function name'])
    if (name.kind !== 'ident')
      return this.fail(name.start, `Expected a function name after ${token.text}.`, ['function name'])
    const full = `${token.text}.${name.text}`
    if (!Object.hasOwn(FUNCTIONS, full)) {
      const known = Object.keys(FUNCTIONS).filter(k => k.startsWith(`${token.text}.`))
      const close = known.find(k => k.toLowerCase() === full.toLowerCase())
      this.fail(
        name.start,
        `Okta has no ${full}`,
        known,
        close !== undefined
          ? `Function names are case-sensitive: ${close}.`
          : full === 'String.endsWith'
            ? 'Okta has no String.endsWith; compare String.substring(…) or use String.stringContains.'
            : undefined,
      )
    }
    this.index++
    const node = this.call(token, full, name.start, true)
    if (token.text === 'Convert')
      this.notes.push({
        span: node,
        message: `${this.slice(node)}: ${GROUP_RULES} (its example "Convert.toInt("2018") == user.yearJoined" is not allowed); JIT Mapper evaluates it anyway.`,
      })
    return node
  }

  /** A call of a known function: its arguments and their count. `nameAt` is where the name starts (after `String.`). */
  private call(token: ExprToken, name: string, nameAt: number, named = false): OktaExpr {
    if (!named) this.index++
    const args = this.args(name)
    const [fewest, most] = FUNCTIONS[name] as readonly [number, number]
    if (args.length < fewest || (most !== -1 && args.length > most)) {
      const count = most === -1 ? `at least ${fewest}` : fewest === most ? String(fewest) : `${fewest} to ${most}`
      this.fail(nameAt, `${name} takes ${count} argument${count === '1' ? '' : 's'}, not ${args.length}`, ['argument'])
    }
    if (name === 'isMemberOfGroupNameRegex' || name.startsWith('isMemberOf')) {
      for (const arg of args)
        if (arg.kind !== 'literal' || typeof arg.value !== 'string')
          this.fail(arg.start, `${name} takes text in quotes`, ['"text"'], `Write ${name}("Sales").`)
      if (name === 'isMemberOfGroupNameRegex')
        this.checkPattern((args[0] as { value: string }).value, (args[0] as OktaExpr).start)
    }
    return { kind: 'call', name, args, start: token.start, end: this.previousEnd() }
  }

  private checkPattern(pattern: string, at: number): void {
    const compiled = compileRegex(pattern, 'java', false)
    if (!compiled.ok)
      this.fail(
        at + (compiled.offset < 0 ? 0 : 1 + compiled.offset),
        compiled.message,
        ['"regular expression"'],
        compiled.hint,
      )
  }

  private args(name: string): OktaExpr[] {
    const open = this.expectOp('(', `Expected ( after ${name}`, `Call it: ${name}(…).`)
    const args: OktaExpr[] = []
    if (this.isOp(this.peek(['argument', ')']), ')')) {
      this.index++
      return args
    }
    for (;;) {
      args.push(this.nested(open, () => this.expression()))
      const token = this.peek([',', ')'])
      if (this.isOp(token, ',')) {
        this.index++
        continue
      }
      if (this.isOp(token, ')')) {
        this.index++
        return args
      }
      if (token.kind === 'end')
        this.fail(
          token.start,
          `Missing ) for the ( at ${this.where(open.start)}`,
          [',', ')'],
          'Add ) after the last argument.',
        )
      this.fail(token.start, `Expected , or ) in the arguments of ${name}`, [',', ')'])
    }
  }

  /** SpEL's inline list {a, b, c}; {} is the empty list. */
  private list(open: ExprToken): OktaExpr {
    this.index++
    const items: OktaExpr[] = []
    if (this.isOp(this.peek(['value', '}']), '}')) {
      this.index++
      return { kind: 'list', items, start: open.start, end: this.previousEnd() }
    }
    for (;;) {
      items.push(this.nested(open, () => this.expression()))
      const token = this.peek([',', '}'])
      if (this.isOp(token, ',')) {
        this.index++
        continue
      }
      if (this.isOp(token, '}')) {
        this.index++
        return { kind: 'list', items, start: open.start, end: token.end }
      }
      if (this.isOp(token, ':'))
        this.fail(token.start, 'Okta group rules have no maps', [',', '}'], 'A list is {"a", "b"}.')
      this.fail(token.start, `Missing } for the { at ${this.where(open.start)}`, [',', '}'])
    }
  }

  private nested<T>(token: ExprToken, parse: () => T): T {
    if (++this.depth > MAX_NESTING)
      this.fail(token.start, `The rule nests more than ${MAX_NESTING} deep`, CONDITION_START, 'Simplify the rule.')
    const result = parse()
    this.depth--
    return result
  }

  private isOp(token: ExprToken, op: string): boolean {
    return token.kind === 'op' && token.text === op
  }

  private isWord(token: ExprToken, word: string): boolean {
    return token.kind === 'ident' && token.text.toLowerCase() === word
  }

  private expectOp(op: string, message: string, hint?: string): ExprToken {
    const token = this.peek([op])
    if (!this.isOp(token, op)) this.fail(token.start, message, [op], hint)
    this.index++
    return token
  }

  private failCondition(token: ExprToken): never {
    if (token.kind === 'end')
      this.fail(
        token.start,
        'The rule ends where a value was expected',
        CONDITION_START,
        `Write a condition such as ${EXAMPLE}.`,
      )
    if (this.isOp(token, ')')) this.fail(token.start, 'Expected a value before )', CONDITION_START)
    return this.fail(
      token.start,
      `Expected a value, found ${describeToken(token)}`,
      CONDITION_START,
      `Write a condition such as ${EXAMPLE}.`,
    )
  }

  private failAfter(token: ExprToken, open: ExprToken | null): never {
    const expected = ['AND', 'OR', open === null ? 'end of rule' : ')']
    if (open !== null && token.kind === 'end')
      this.fail(
        token.start,
        `Missing ) for the ( at ${this.where(open.start)}`,
        expected,
        'Add ) where the group ends.',
      )
    if (this.isOp(token, ')'))
      this.fail(token.start, 'This ) has no matching (', expected, 'Remove the ) or add the ( it closes.')
    if (this.isOp(token, ':'))
      this.fail(token.start, 'This : has no ? before it', expected, 'Write condition ? value : other value.')
    if (
      token.kind === 'ident' ||
      token.kind === 'string' ||
      token.kind === 'number' ||
      this.isOp(token, '(') ||
      this.isOp(token, '!')
    )
      this.fail(
        token.start,
        'Missing AND / OR between two conditions',
        expected,
        `Join conditions, e.g. ${EXAMPLE} OR user.department == "Marketing".`,
      )
    return this.fail(token.start, `Unexpected ${describeToken(token)} after a complete condition`, expected)
  }

  private peek(expected: readonly string[]): ExprToken {
    const token = this.tokens[Math.min(this.index, this.tokens.length - 1)] as ExprToken
    if (token.kind === 'invalid')
      this.fail(token.start, token.message, expected.length > 0 ? expected : AFTER_VALUE, token.hint)
    return token
  }

  private previousEnd(): number {
    return (this.tokens[this.index - 1] as ExprToken).end
  }

  private slice(span: Span): string {
    return this.text.slice(span.start, span.end)
  }

  private where(offset: number): string {
    const { line, column } = lineColumn(this.text, offset)
    return `line ${line}, column ${column}`
  }

  private fail(offset: number, message: string, expected: readonly string[], hint?: string): never {
    throw new ParseFailure(ruleError(this.text, offset, message, expected, hint))
  }
}
