// Recursive-descent parser for Entra dynamic membership rules on users (Microsoft Learn,
// "Dynamic membership rules for groups in Microsoft Entra ID").
// Grammar, loosest binding first (that page's precedence list: comparison > -not > -and > -or):
//
//   rule       := or END
//   or         := and ("-or" and)*
//   and        := not ("-and" not)*
//   not        := "-not" not | primary
//   primary    := "(" or ")" | comparison
//   comparison := user.<property> operator (value | list)
//
// Every failure is a RuleError value; the parser throws only internally to unwind.

import type {
  CompareOperator,
  Duration,
  NowValue,
  ParseResult,
  ParsedRule,
  QuantifierNode,
  RuleNode,
  Scalar,
  Span,
} from './ast'
import {
  COMPARE_OPERATORS,
  COMPARE_SPELLINGS,
  DATE_ARITHMETIC,
  LOGICAL_OPERATORS,
  type LogicalOperator,
  QUANTIFIERS,
  spell,
  suggestOperator,
} from './entra-operators'
import { BOOLEAN_ATTRIBUTES, attributeFor } from './entra-properties'
import { type Token, tokenize } from './entra-tokens'
import { lineColumn, ruleError } from './position'
import { compileRegex } from './regex'
import { GROUP_IDS, MANAGER_ID } from './reserved'
import type { RuleError } from './types'

/** groups-dynamic-membership.md: "The maximum length of a rule is 3,072 characters". */
const MAX_RULE_LENGTH = 3072
/** Ours, not Entra's: keeps parsing and evaluation far from the stack limit. */
const MAX_NESTING = 100

const CONDITION_START = ['user.<property>', '(', '-not']
const VALUES = ['"text"', 'number', 'true', 'false', 'null']
const LIST_ITEMS = ['"text"', 'number', 'true', 'false']
const PROPERTY = /^user\.([A-Za-z_][A-Za-z0-9_]*)$/i
const ITEM_FIELD = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/
/** ISO-8601 durations as Entra writes them after -plus/-minus (`p1d`, `P1DT12H`, `-P30D`). */
const DURATION =
  /^([+-])?p(?:([0-9]+)y)?(?:([0-9]+)m)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:t(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+(?:\.[0-9]+)?)s)?)?$/i
const DATE_VALUE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}/
/** An Entra object id, as the Direct Reports rule names the manager. */
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DIRECT_REPORTS_EXAMPLE = 'Direct Reports for "62e19b97-8b3d-4d4a-a106-4ce66896a863"'

/** Where conditions read from: the user, or the item of an -any/-all (`_` or `assignedPlan.<field>`). */
interface ItemScope {
  /** The name a field of the item is written with: assignedPlans → assignedPlan, memberOf → group. */
  name: string
  collection: string
}
const EXAMPLE = 'user.department -eq "Sales"'

export function parseEntra(text: string): ParseResult {
  if (text.length > MAX_RULE_LENGTH) {
    return {
      ok: false,
      error: ruleError(
        text,
        MAX_RULE_LENGTH,
        `The rule is ${text.length.toLocaleString('en-US')} characters long; Entra allows at most 3,072`,
        ['end of rule'],
        'Shorten the rule: a chain of -or comparisons on one property can become one -in ["a", "b", …].',
      ),
    }
  }
  try {
    return { ok: true, parsed: new EntraParser(text, tokenize(text)).parseRule() }
  } catch (failure) {
    if (failure instanceof ParseFailure) return { ok: false, error: failure.error }
    throw failure
  }
}

class ParseFailure {
  constructor(readonly error: RuleError) {}
}

/** An operand of -or: `chain` when it is an -and chain written without parentheses. */
interface Operand {
  node: RuleNode
  chain: boolean
}

class EntraParser {
  private index = 0
  private depth = 0
  private parens = 0
  private readonly hints: string[] = []
  private readonly mixed: Span[] = []
  private readonly restrictions: Array<{ span: Span; message: string }> = []
  private scope: ItemScope | null = null

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parseRule(): ParsedRule {
    const first = this.peek(CONDITION_START)
    if (first.kind === 'end') {
      this.fail(first.start, 'The rule is empty', CONDITION_START, `Write a condition such as ${EXAMPLE}.`)
    }
    if (first.kind === 'word' && first.text.toLowerCase() === 'direct') {
      return { root: this.parseDirectReports(first), hints: [], mixedLogic: [] }
    }
    const root = this.parseOr()
    this.expectEnd(null)
    return { root, hints: this.hints, mixedLogic: this.mixed, restrictions: this.restrictions }
  }

  /**
   * `Direct Reports for "<manager object id>"` (groups-dynamic-membership.md, "Create a Direct
   * reports rule"): users whose manager is that user, direct reports only, and "this rule can't be
   * combined with any other membership rules". It reads the user's manager (reserved.ts). Entra
   * writes the words capitalised; like its operators, they're read case-insensitively.
   */
  private parseDirectReports(direct: Token & { kind: 'word' }): RuleNode {
    this.index++
    for (const word of ['Reports', 'for']) {
      const token = this.peek([word])
      if (token.kind !== 'word' || token.text.toLowerCase() !== word.toLowerCase()) {
        this.fail(
          token.start,
          `Expected "${word}": a direct reports rule reads Direct Reports for "<manager object id>"`,
          [word],
          `Write ${DIRECT_REPORTS_EXAMPLE} with the manager's object id.`,
        )
      }
      this.index++
    }
    const id = this.peek(['"manager object id"'])
    if (id.kind !== 'string' || !OBJECT_ID.test(id.value)) {
      this.fail(
        id.start,
        id.kind === 'string'
          ? `${JSON.stringify(id.value)} isn't an object id: Direct Reports names the manager by their Entra object id`
          : `Expected the manager's object id in quotes, found ${describe(id)}`,
        ['"manager object id"'],
        `Copy the Object ID from the manager's profile: ${DIRECT_REPORTS_EXAMPLE}.`,
      )
    }
    this.index++
    const end = this.peek(['end of rule'])
    if (end.kind !== 'end') {
      this.fail(
        end.start,
        "A Direct Reports rule can't be combined with other conditions",
        ['end of rule'],
        'Entra allows the direct reports rule only on its own: put the other conditions in another group.',
      )
    }
    const value = id.kind === 'string' ? id.value : ''
    return {
      kind: 'compare',
      attribute: MANAGER_ID,
      path: [MANAGER_ID],
      operator: 'eq',
      value,
      ignoreCase: true,
      loose: true,
      emptyIsNull: true,
      span: { start: direct.start, end: id.end },
    }
  }

  private parseOr(): RuleNode {
    const operands = [this.parseAnd()]
    while (this.atLogical('or')) {
      this.index++
      operands.push(this.parseAnd())
    }
    const first = operands[0] as Operand
    if (operands.length === 1) return first.node
    const last = operands[operands.length - 1] as Operand
    const span = { start: first.node.span.start, end: last.node.span.end }
    if (operands.some(operand => operand.chain)) {
      this.hints.push(this.groupingHint(operands))
      this.mixed.push(span)
    }
    return { kind: 'or', children: operands.map(operand => operand.node), span }
  }

  private parseAnd(): Operand {
    const children = [this.parseNot()]
    while (this.atLogical('and')) {
      this.index++
      children.push(this.parseNot())
    }
    const first = children[0] as RuleNode
    if (children.length === 1) return { node: first, chain: false }
    const last = children[children.length - 1] as RuleNode
    return { node: { kind: 'and', children, span: { start: first.span.start, end: last.span.end } }, chain: true }
  }

  private parseNot(): RuleNode {
    const token = this.peek(CONDITION_START)
    if (logicalOf(token) !== 'not') return this.parsePrimary()
    this.index++
    this.enter(token)
    const child = this.parseNot()
    this.depth--
    return { kind: 'not', child, span: { start: token.start, end: child.span.end } }
  }

  private parsePrimary(): RuleNode {
    const token = this.peek(CONDITION_START)
    if (token.kind === 'word') return this.parseComparison(token)
    if (token.kind !== '(') return this.failCondition(token)
    this.index++
    this.enter(token)
    this.parens++
    const inner = this.parseOr()
    this.expectEnd(token)
    const close = this.peek([')'])
    this.index++
    this.parens--
    this.depth--
    // The parentheses belong to the clause, so explanations quote balanced text.
    inner.span = { start: token.start, end: close.end }
    return inner
  }

  private parseComparison(property: Token & { kind: 'word' }): RuleNode {
    const { attribute, path } = this.attribute(property)
    this.index++
    const operatorToken = this.peek(COMPARE_SPELLINGS)
    const quantifier = operatorToken.kind === 'operator' ? QUANTIFIERS[operatorToken.word.toLowerCase()] : undefined
    if (quantifier !== undefined) return this.parseQuantifier(quantifier, property, operatorToken, attribute, path)
    const operator = this.compareOperator(operatorToken, property.text)
    this.index++
    if (BOOLEAN_ATTRIBUTES.has(attribute) && operator !== 'eq' && operator !== 'ne') {
      this.fail(
        operatorToken.start,
        `${spell(operator)} isn't supported on ${property.text}, which is true or false`,
        ['-eq', '-ne'],
        `Use ${property.text} -eq true or ${property.text} -eq false.`,
      )
    }
    const base = { kind: 'compare' as const, attribute, path, ignoreCase: true, loose: true, emptyIsNull: true }
    const start = property.start
    if (operator === 'in' || operator === 'notIn') {
      const { items, end } = this.parseList(operator, property.text)
      return { ...base, operator, value: items, span: { start, end } }
    }
    if (operator === 'le' || operator === 'ge') {
      const { value, end } = this.parseDate(operator, property.text)
      return { ...base, operator, value, span: { start, end } }
    }
    const valueToken = this.peek(VALUES)
    const value = this.parseScalar(valueToken, operator, property.text)
    this.index++
    const span = { start, end: valueToken.end }
    if (operator === 'eq' || operator === 'ne') return { ...base, operator, value, span }
    if (value === null) {
      return this.fail(
        valueToken.start,
        `null can only be compared with -eq or -ne, not ${spell(operator)}`,
        LIST_ITEMS,
        `To test for no value write ${property.text} -eq null; to test for any value, ${property.text} -ne null.`,
      )
    }
    if (operator === 'match' || operator === 'notMatch') {
      if (typeof value !== 'string') {
        return this.fail(
          valueToken.start,
          `${spell(operator)} needs a regular expression in quotes`,
          ['"pattern"'],
          `Write ${property.text} ${spell(operator)} "^Da.*".`,
        )
      }
      // .NET regular expressions, unanchored and case-insensitive like every Entra value (§1.8.2).
      const compiled = compileRegex(value, 'dotnet', true)
      if (!compiled.ok)
        this.fail(
          valueToken.start + (compiled.offset < 0 ? 0 : 1 + compiled.offset),
          compiled.message,
          ['"pattern"'],
          compiled.hint,
        )
      return { ...base, operator, value, flavour: 'dotnet', span }
    }
    return { ...base, operator, value: value as string, span }
  }

  /** `user.assignedPlans -any (assignedPlan.service -eq "SCO")`, `user.proxyAddresses -all (_ -endsWith "x")`. */
  private parseQuantifier(
    kind: 'any' | 'all',
    property: Token & { kind: 'word' },
    operatorToken: Token,
    attribute: string,
    path: readonly string[],
  ): QuantifierNode {
    if (this.scope !== null) {
      this.fail(
        operatorToken.start,
        `-${kind} can't be used inside another -any/-all`,
        COMPARE_SPELLINGS,
        'Write the condition on the item directly.',
      )
    }
    this.index++
    const open = this.peek(['('])
    if (open.kind !== '(') {
      this.fail(
        open.start,
        `-${kind} needs a condition on the item in parentheses`,
        ['('],
        `Write ${property.text} -${kind} (_ -startsWith "value").`,
      )
    }
    this.index++
    this.enter(open)
    this.parens++
    const collection = attribute === GROUP_IDS ? 'memberOf' : attribute
    this.scope = { name: collection === 'memberOf' ? 'group' : collection.replace(/s$/i, ''), collection }
    const child = this.parseOr()
    this.expectEnd(open)
    const close = this.peek([')'])
    this.index++
    this.parens--
    this.depth--
    this.scope = null
    return { kind, path, attribute, loose: true, item: '_', child, span: { start: property.start, end: close.end } }
  }

  /** The value of -le/-ge: a date-time, or system.now optionally -plus/-minus a duration. */
  private parseDate(operator: 'le' | 'ge', property: string): { value: Scalar | NowValue; end: number } {
    const token = this.peek(['date-time', 'system.now'])
    const hint = `Compare with a date-time or system.now: ${property} ${spell(operator)} 2020-06-10T18:13:20Z, or ${property} ${spell(operator)} system.now -plus p1d.`
    const text = token.kind === 'word' ? token.text : token.kind === 'string' ? token.value : ''
    this.index++
    if (text.toLowerCase() === 'system.now') {
      const next = this.peek(['-plus', '-minus', '-and', '-or', 'end of rule'])
      const sign = next.kind === 'operator' ? DATE_ARITHMETIC[next.word.toLowerCase()] : undefined
      if (sign === undefined)
        return {
          value: { now: true, sign: 1, duration: { years: 0, months: 0, days: 0, milliseconds: 0 } },
          end: token.end,
        }
      this.index++
      const amount = this.peek(['duration such as p1d'])
      const duration = amount.kind === 'word' ? durationOf(amount.text) : undefined
      if (duration === undefined) {
        this.fail(
          amount.start,
          `Expected an ISO-8601 duration after ${describe(next)}`,
          ['duration such as p1d'],
          'Write a duration such as p1d (one day), p2w, pt12h or p1y.',
        )
      }
      this.index++
      const negative = amount.kind === 'word' && amount.text.startsWith('-')
      return { value: { now: true, sign: negative ? (-sign as 1 | -1) : sign, duration }, end: amount.end }
    }
    if (DATE_VALUE.test(text) && !Number.isNaN(Date.parse(text))) return { value: text, end: token.end }
    return this.fail(
      token.start,
      `${spell(operator)} compares date-times, and this isn't one`,
      ['date-time', 'system.now'],
      hint,
    )
  }

  private attribute(token: Token & { kind: 'word' }): { attribute: string; path: readonly string[] } {
    const text = token.text
    const lower = text.toLowerCase()
    const fail = (message: string, hint?: string): never => this.fail(token.start, message, CONDITION_START, hint)
    if (this.scope !== null) {
      const scope = this.scope
      const itemHint = `Inside -any/-all a condition reads the item: _ for a text item, or ${scope.name}.<field>.`
      if (text === '_') return { attribute: '_', path: [] }
      const field = ITEM_FIELD.exec(text)
      if (field !== null && (field[1] as string).toLowerCase() === scope.name.toLowerCase()) {
        // memberOf's items are group IDs: group.objectId is the item itself.
        if (scope.collection === 'memberOf' && (field[2] as string).toLowerCase() === 'objectid')
          return { attribute: '_', path: [] }
        return { attribute: field[2] as string, path: [field[2] as string] }
      }
      return fail(`${text} isn't an item of ${scope.collection}`, itemHint)
    }
    const match = PROPERTY.exec(text)
    if (match !== null) {
      const name = attributeFor(match[1] as string)
      // user.memberOf lists the user's groups; the caller passes their IDs under a reserved key.
      if (name.toLowerCase() === 'memberof') return { attribute: GROUP_IDS, path: [GROUP_IDS] }
      return { attribute: name, path: [name] }
    }
    if (lower === 'user' || lower === 'user.') {
      return fail('Expected a property name after "user."', 'Name the property, e.g. user.department.')
    }
    if (lower === '_' || lower.startsWith('assignedplan.') || lower.startsWith('group.')) {
      return fail(
        `${text} can only be used inside -any/-all`,
        'Write user.assignedPlans -any (assignedPlan.service -eq "SCO") or user.proxyAddresses -any (_ -startsWith "smtp:").',
      )
    }
    if (lower === 'direct') {
      return fail(
        'Direct Reports for "…" must be the whole rule: Entra doesn\'t combine it with other conditions',
        'Put the direct reports rule in a group of its own.',
      )
    }
    if (lower.startsWith('device.')) {
      // groups-dynamic-membership.md "Rules for devices": a device rule fills a group with devices.
      return fail(
        "Device rules aren't supported: a JIT Mapper group holds users, so this is a user rule and reads user properties",
        'Target devices through their users: write a user rule, e.g. user.department -eq "Sales".',
      )
    }
    if (lower.startsWith('user.')) {
      return fail(
        `"${text}" isn't a user property`,
        'A property is user. followed by one name, e.g. user.extensionAttribute15.',
      )
    }
    if (lower === 'true' || lower === 'false' || lower === 'null' || /^[0-9$]/.test(lower)) {
      return fail(`A condition must start with a property, not ${text}`, `Put the property first: ${EXAMPLE}.`)
    }
    return fail(`"${text}" isn't a property`, `Properties start with "user.": user.${text}.`)
  }

  private compareOperator(token: Token, property: string): CompareOperator {
    const fail = (message: string, hint?: string): never => this.fail(token.start, message, COMPARE_SPELLINGS, hint)
    if (token.kind === 'operator' || token.kind === 'word') {
      const word = token.kind === 'operator' ? token.word : token.text
      const lower = word.toLowerCase()
      const operator = COMPARE_OPERATORS[lower]
      if (operator !== undefined) return operator
      if (DATE_ARITHMETIC[lower] !== undefined) {
        return fail(`${describe(token)} only follows system.now`, `Write ${property} -ge system.now -plus p1d.`)
      }
      const logical = LOGICAL_OPERATORS[lower]
      if (logical === 'not') {
        return fail(
          `-not can't follow ${property}; it goes before a condition`,
          `To test that ${property} has a value write ${property} -ne null; to negate a comparison write -not (${property} -eq "value").`,
        )
      }
      if (logical !== undefined) {
        return fail(
          `Expected a comparison operator after ${property}, found ${describe(token)}`,
          `Each condition needs an operator and a value: ${EXAMPLE}.`,
        )
      }
      const suggestion = suggestOperator(word)
      if (token.kind === 'operator' || suggestion !== undefined) {
        return fail(
          `Unknown operator ${describe(token)}`,
          suggestion !== undefined
            ? `Did you mean ${suggestion}?`
            : `Entra compares with ${COMPARE_SPELLINGS.join(', ')}.`,
        )
      }
    }
    if (token.kind === 'end')
      return fail(
        `The rule ends after ${property}, where a comparison operator was expected`,
        `Complete the condition: ${EXAMPLE}.`,
      )
    return fail(
      `Expected a comparison operator after ${property}, found ${describe(token)}`,
      `Each condition needs an operator and a value: ${EXAMPLE}.`,
    )
  }

  private parseScalar(token: Token, operator: CompareOperator, property: string): Scalar | null {
    const fail = (message: string, hint?: string): never => this.fail(token.start, message, VALUES, hint)
    const equality = operator === 'eq' || operator === 'ne'
    switch (token.kind) {
      case 'string':
        // "Use quotes around the word null only if you want it to be interpreted as a literal
        // string value" (groups-dynamic-membership.md): evaluated as text, with a lint warning.
        if (equality && token.value.trim().toLowerCase() === 'null') {
          this.restrictions.push({
            span: { start: token.start, end: token.end },
            message: `"null" in quotes is the text null, not an empty value: to test for no value write ${property} ${spell(operator)} null, without quotes.`,
          })
        }
        return token.value
      case 'number':
        return numberValue(token.text)
      case 'word': {
        const lower = token.text.toLowerCase()
        if (lower === 'true') return true
        if (lower === 'false') return false
        if (lower === 'null') return null
        if (lower === '$null')
          return fail('Entra writes null without a $', `Write ${property} ${spell(operator)} null.`)
        return fail(`Text values need quotes: ${token.text}`, `Write "${token.text}" in double quotes.`)
      }
      case '[':
        return fail(
          `${spell(operator)} can't compare with a list`,
          operator === 'ne'
            ? `Use -notIn to test that the value is none of a list: ${property} -notIn ["a", "b"].`
            : operator === 'eq'
              ? `Use -in to test whether the value is in a list: ${property} -in ["a", "b"].`
              : `Use -in for whole values, or join several ${spell(operator)} conditions with -or.`,
        )
      case 'end':
        return fail(
          `The rule ends after ${spell(operator)}, where a value was expected`,
          `Add a value, e.g. ${property} ${spell(operator)} "Sales".`,
        )
      default:
        return fail(
          `Expected a value after ${spell(operator)}, found ${describe(token)}`,
          `Add a value, e.g. ${property} ${spell(operator)} "Sales".`,
        )
    }
  }

  private parseList(operator: 'in' | 'notIn', property: string): { items: Scalar[]; end: number } {
    const open = this.peek(['['])
    if (open.kind !== '[') {
      const shown = open.kind === 'end' ? '"a", "b"' : this.slice(open)
      return this.fail(
        open.start,
        `${spell(operator)} needs a list in brackets`,
        ['['],
        `Put the values in brackets: ${property} ${spell(operator)} [${shown}].`,
      )
    }
    this.index++
    const items: Scalar[] = []
    let token = this.peek([...LIST_ITEMS, ']'])
    while (token.kind !== ']') {
      const item = this.listItem(token, open, items.length > 0)
      items.push(item)
      this.index++
      token = this.peek([',', ']'])
      if (token.kind === ',') {
        this.index++
        token = this.peek(LIST_ITEMS)
        if (token.kind === ']')
          this.fail(token.start, 'A list ends with a comma', LIST_ITEMS, 'Remove the comma before ].')
      } else if (token.kind !== ']') {
        this.failListSeparator(token, open)
      }
    }
    this.index++
    return { items, end: token.end }
  }

  private listItem(token: Token, open: Token, afterComma: boolean): Scalar {
    const expected = afterComma ? LIST_ITEMS : [...LIST_ITEMS, ']']
    const fail = (message: string, hint?: string): never => this.fail(token.start, message, expected, hint)
    if (token.kind === 'string') return token.value
    if (token.kind === 'number') return numberValue(token.text)
    if (token.kind === 'word') {
      const lower = token.text.toLowerCase()
      if (lower === 'true') return true
      if (lower === 'false') return false
      if (lower === 'null' || lower === '$null')
        return fail("null can't be in a list", 'To test for no value, add a separate -eq null condition with -or.')
      return fail(`Text values need quotes: ${token.text}`, `Write "${token.text}" in double quotes.`)
    }
    if (token.kind === 'end') return fail(this.unclosed('list', open), 'Add ] after the last value.')
    return fail(`Expected a list value, found ${describe(token)}`)
  }

  private failListSeparator(token: Token, open: Token): never {
    const expected = [',', ']']
    if (token.kind === 'end')
      return this.fail(token.start, this.unclosed('list', open), expected, 'Add ] after the last value.')
    if (token.kind === 'string' || token.kind === 'number' || token.kind === 'word') {
      return this.fail(
        token.start,
        'Missing comma between list values',
        expected,
        'Separate values with commas: ["a", "b"].',
      )
    }
    return this.fail(token.start, `Expected , or ] in the list, found ${describe(token)}`, expected)
  }

  /** After a complete condition: the end of the rule (open === null) or the ) closing `open`. */
  private expectEnd(open: Token | null): void {
    const expected = ['-and', '-or', open === null ? 'end of rule' : ')']
    const token = this.peek(expected)
    if (token.kind === (open === null ? 'end' : ')')) return
    const fail = (message: string, hint?: string): never => this.fail(token.start, message, expected, hint)
    if (startsCondition(token)) {
      fail(
        'Missing -and or -or between two conditions',
        'Join conditions with -and or -or, e.g. (user.department -eq "Sales") -or (user.department -eq "Marketing").',
      )
    }
    if (open !== null && token.kind === 'end') fail(this.unclosed('(', open), 'Add ) where the group ends.')
    if (token.kind === ')') fail('This ) has no matching (', 'Remove the ) or add the ( it closes.')
    if (token.kind === ',') fail('Unexpected comma', 'To compare with several values, use -in ["a", "b"].')
    if (token.kind === 'operator' && COMPARE_OPERATORS[token.word.toLowerCase()] !== undefined) {
      fail(
        `Unexpected ${describe(token)}: a condition has one operator`,
        'Start a new condition with -and or -or and a property.',
      )
    }
    fail(`Unexpected ${describe(token)} after a complete condition`)
  }

  private failCondition(token: Token): never {
    const fail = (message: string, hint?: string): never => this.fail(token.start, message, CONDITION_START, hint)
    const previous = this.tokens[this.index - 1]
    switch (token.kind) {
      case 'end':
        return fail(
          'The rule ends where a condition was expected',
          previous !== undefined ? `Add a condition after ${describe(previous)}, or remove it.` : undefined,
        )
      case ')':
        return fail(
          previous?.kind === '(' ? 'Empty parentheses' : 'Expected a condition before )',
          `Write a condition such as ${EXAMPLE}.`,
        )
      case 'operator':
        return fail(
          `Expected a condition, found ${describe(token)}`,
          `Start each condition with a property: ${EXAMPLE}.`,
        )
      default:
        return fail(
          `A condition must start with a property, not ${describe(token)}`,
          `Put the property first: ${EXAMPLE}.`,
        )
    }
  }

  private groupingHint(operands: Operand[]): string {
    const parts = operands.map(operand =>
      operand.chain ? `(${this.slice(operand.node.span)})` : this.slice(operand.node.span),
    )
    return `-and binds tighter than -or: read as ${parts.join(' -or ')}. Add parentheses if you meant another grouping.`
  }

  /** Called after a complete condition, where only -and, -or, ) or the end may follow. */
  private atLogical(operator: LogicalOperator): boolean {
    return logicalOf(this.peek(['-and', '-or', this.parens > 0 ? ')' : 'end of rule'])) === operator
  }

  /** The next token; reaching a token the tokenizer couldn't read is the error. */
  private peek(expected: readonly string[]): Token {
    const token = this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token
    if (token.kind === 'invalid') this.fail(token.start, token.message, expected, token.hint)
    return token
  }

  private enter(token: Token): void {
    if (++this.depth > MAX_NESTING) {
      this.fail(
        token.start,
        `The rule nests parentheses and -not more than ${MAX_NESTING} deep`,
        ['user.<property>'],
        'Simplify the rule.',
      )
    }
  }

  private unclosed(what: '(' | 'list', open: Token): string {
    const { line, column } = lineColumn(this.text, open.start)
    return what === '('
      ? `Missing ) for the ( at line ${line}, column ${column}`
      : `Missing ] for the list opened at line ${line}, column ${column}`
  }

  private slice(span: { start: number; end: number }): string {
    return this.text.slice(span.start, span.end)
  }

  private fail(offset: number, message: string, expected: readonly string[], hint?: string): never {
    throw new ParseFailure(ruleError(this.text, offset, message, expected, hint))
  }
}

function logicalOf(token: Token): LogicalOperator | undefined {
  return token.kind === 'operator' ? LOGICAL_OPERATORS[token.word.toLowerCase()] : undefined
}

function startsCondition(token: Token): boolean {
  return token.kind === '(' || logicalOf(token) === 'not' || (token.kind === 'word' && /^user\./i.test(token.text))
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'operator': {
      const lower = token.word.toLowerCase()
      const known = COMPARE_OPERATORS[lower] ?? LOGICAL_OPERATORS[lower]
      return known !== undefined ? spell(known) : `-${token.word}`
    }
    case 'word':
    case 'number':
      return token.text
    case 'string':
      return JSON.stringify(token.value.length > 40 ? `${token.value.slice(0, 40)}…` : token.value)
    case 'end':
      return 'the end of the rule'
    case 'invalid':
      return 'an invalid character'
    default:
      return token.kind
  }
}

/** Entra compares values as text, so keep what was typed ("007", long IDs) when a JS number would change it. */
function durationOf(text: string): Duration | undefined {
  const match = DURATION.exec(text)
  if (match === null || match.slice(2).every(part => part === undefined)) return undefined
  const n = (i: number): number => Number(match[i] ?? 0)
  return { years: n(2), months: n(3), days: n(4) * 7 + n(5), milliseconds: ((n(6) * 60 + n(7)) * 60 + n(8)) * 1000 }
}

function numberValue(text: string): Scalar {
  const value = Number(text)
  return String(value) === text ? value : text
}
