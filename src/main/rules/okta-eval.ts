// Evaluates an Okta expression tree (okta-syntax.ts) the way Okta's SpEL-based engine does, for
// the rules that don't reduce to the plain comparisons of the fast path (okta.ts lowers those).
//
// From SpEL (Spring reference, "Operators", and its operator classes):
// - == and != never fail: numbers compare by value, null equals only null, text never equals a
//   number ("5" != 5), lists compare item by item.
// - < <= > >= order numbers, text (by UTF-16 units, Java's compareTo) and true/false; any other
//   pair is an evaluation error.
// - AND, OR, !, and a ternary's test need true or false: anything else (null included) is an
//   evaluation error. AND and OR short-circuit.
// - + adds numbers and joins text when either side is text (null joins as "null", as Java's
//   string concatenation writes it); - * / % ^ need numbers; whole numbers divide as integers.
// - Elvis a ?: b is b when a is null or "".
// - matches is Java's String.matches: the whole text must match.
// - An evaluation error stops the whole expression. Okta then doesn't add the user, so here the
//   rule is false for that user, and the explanation says what failed.
//
// Where Okta's docs are silent, our choices (each pinned by test/unit/rules/okta-semantics.test.ts):
// - ordering a missing attribute (null) is an evaluation error, so a user missing the attribute
//   is never in the group (SpEL alone would sort null first); the attribute is reported missing;
// - String.* functions given null return null, except len (0), stringContains and startsWith
//   (false), and append and join, which write null as "null" as Java's concatenation does;
// - String.replace and replaceFirst replace text literally, not as a regular expression;
// - String.stringContains on a list is true when some item contains the text; stringContains and
//   startsWith find nothing in a number or true/false (other String functions write those as text);
// - String.substring outside the text is an evaluation error (Java's substring throws);
// - substringAfter of text without the separator is "", substringBefore is the whole text
//   (Apache Commons' StringUtils, which Okta's function names follow);
// - removeSpaces removes U+0020 spaces only;
// - Arrays.* read a comma-separated text as its items (Okta documents this), without trimming;
//   Arrays.get outside the list is null; Arrays.remove removes the first equal item.

import type { AttributeValue, ClauseExplanation } from '../../shared/domain'
import type { Span } from './ast'
import type { OktaExpr } from './okta-syntax'
import { isMissing } from './read'
import { compileRegex } from './regex'
import { GROUP_IDS, GROUP_NAMES } from './reserved'
import type { EvaluationError, RuleInput } from './types'

/** SpEL stops evaluating: a type it can't use, an index outside a list, a bad number. */
export class OktaEvalError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message)
  }
}

/** Evaluates to a value; `missing` (when given) collects attributes read that the user lacks. */
export type OktaEval = (user: RuleInput, missing: string[] | null) => unknown

/** The value an expression has for a user, or an OktaEvalError. */
export function compileOktaExpr(expr: OktaExpr, text: string): OktaEval {
  return compile(expr, text)
}

/**
 * The rule's answer: true only when the expression is true; false, non-boolean and errors are false.
 * With `report`, an evaluation error is also pushed onto `missing` as an EvaluationError (the
 * generated evaluators' scratch list, eval-errors.ts), the first one only.
 */
export function oktaCondition(
  expr: OktaExpr,
  text: string,
  report = false,
): (user: RuleInput, missing: string[] | null) => boolean {
  const run = compile(expr, text)
  return (user, missing) => {
    try {
      return run(user, missing) === true
    } catch (failure) {
      if (!(failure instanceof OktaEvalError)) throw failure
      if (report && missing?.every(x => typeof x === 'string')) {
        const { start, end } = failure.span
        const error: EvaluationError = {
          kind: 'evaluation',
          attribute: text.slice(start, end),
          span: { start, end },
          message: failure.message,
        }
        ;(missing as unknown[]).push(error)
      }
      return false
    }
  }
}

/** The outcome of evaluating, for explanations: the value, or why evaluation stopped. */
export function tryOkta(
  run: OktaEval,
  user: RuleInput,
  missing: string[] | null,
): { value: unknown } | { error: OktaEvalError } {
  try {
    return { value: run(user, missing) }
  } catch (failure) {
    if (failure instanceof OktaEvalError) return { error: failure }
    throw failure
  }
}

function compile(expr: OktaExpr, text: string): OktaEval {
  const fail = (message: string, span: Span = expr): never => {
    throw new OktaEvalError(message, span)
  }
  const source = (node: OktaExpr): string => text.slice(node.start, node.end)
  switch (expr.kind) {
    case 'literal': {
      const value = expr.value
      return () => value
    }
    case 'list': {
      const items = expr.items.map(item => compile(item, text))
      return (user, missing) => items.map(item => item(user, missing))
    }
    case 'attribute':
      return readAttribute(expr.path, expr.attribute)
    case 'unary': {
      const operand = compile(expr.operand, text)
      const shown = source(expr.operand)
      if (expr.operator === '!')
        return (user, missing) => {
          const value = operand(user, missing)
          return typeof value === 'boolean' ? !value : fail(`! needs true or false, but ${shown} is ${describe(value)}`)
        }
      const sign = expr.operator === '-' ? -1 : 1
      return (user, missing) => {
        const value = operand(user, missing)
        return typeof value === 'number'
          ? sign * value
          : fail(`${expr.operator} needs a number, but ${shown} is ${describe(value)}`)
      }
    }
    case 'ternary': {
      const test = compile(expr.test, text)
      const then = compile(expr.then, text)
      const otherwise = compile(expr.otherwise, text)
      const shown = source(expr.test)
      return (user, missing) => {
        const value = test(user, missing)
        if (typeof value !== 'boolean')
          fail(`The condition before ? must be true or false, but ${shown} is ${describe(value)}`)
        return value ? then(user, missing) : otherwise(user, missing)
      }
    }
    case 'elvis': {
      const value = compile(expr.value, text)
      const otherwise = compile(expr.otherwise, text)
      return (user, missing) => {
        const first = value(user, missing)
        return first === null || first === undefined || first === '' ? otherwise(user, missing) : first
      }
    }
    case 'index': {
      const target = compile(expr.target, text)
      const index = compile(expr.index, text)
      const shown = source(expr.target)
      return (user, missing) => {
        const list = target(user, missing)
        const at = index(user, missing)
        if (typeof at !== 'number' || !Number.isInteger(at))
          return fail(`An index must be a whole number, not ${describe(at)}`)
        if (typeof list === 'string' || Array.isArray(list)) {
          if (at < 0 || at >= list.length)
            return fail(`Index ${at} is outside ${shown}, which has ${list.length} items`)
          return list[at]
        }
        return fail(`Can't index into ${shown}: it is ${describe(list)}`)
      }
    }
    case 'binary':
      return compileBinary(expr, text, fail)
    case 'call':
      return compileCall(expr, text, fail)
  }
}

function readAttribute(path: readonly string[], attribute: string): OktaEval {
  return (user, missing) => {
    let value: unknown = user
    for (const step of path) {
      value =
        typeof value === 'object' && value !== null && Object.hasOwn(value, step)
          ? (value as RuleInput)[step]
          : undefined
    }
    if (missing !== null && isMissing(value) && !missing.includes(attribute)) missing.push(attribute)
    return value === undefined ? null : value
  }
}

type Fail = (message: string, span?: Span) => never

function compileBinary(expr: OktaExpr & { kind: 'binary' }, text: string, fail: Fail): OktaEval {
  const left = compile(expr.left, text)
  const right = compile(expr.right, text)
  const leftText = text.slice(expr.left.start, expr.left.end)
  const rightText = text.slice(expr.right.start, expr.right.end)
  const needBoolean = (value: unknown, shown: string): boolean =>
    typeof value === 'boolean'
      ? value
      : fail(`${expr.operator === '&&' ? 'AND' : 'OR'} needs true or false, but ${shown} is ${describe(value)}`)
  switch (expr.operator) {
    case '&&':
      return (user, missing) =>
        needBoolean(left(user, missing), leftText) && needBoolean(right(user, missing), rightText)
    case '||':
      return (user, missing) =>
        needBoolean(left(user, missing), leftText) || needBoolean(right(user, missing), rightText)
    case '==':
      return (user, missing) => spelEquals(left(user, missing), right(user, missing))
    case '!=':
      return (user, missing) => !spelEquals(left(user, missing), right(user, missing))
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const test = ORDER[expr.operator]
      return (user, missing) => {
        const a = left(user, missing)
        const b = right(user, missing)
        const order = compare(a, b)
        if (order === undefined)
          return fail(
            a === null || b === null
              ? `${a === null ? leftText : rightText} has no value, so ${expr.operator} can't order it`
              : `${expr.operator} can't order ${describe(a)} and ${describe(b)}`,
          )
        return test(order)
      }
    }
    case 'matches': {
      const literal =
        expr.right.kind === 'literal' && typeof expr.right.value === 'string' ? patternOf(expr.right.value) : undefined
      return (user, missing) => {
        const value = left(user, missing)
        if (typeof value !== 'string')
          return fail(`matches needs text on its left, but ${leftText} is ${describe(value)}`)
        let regex = literal
        if (regex === undefined) {
          const pattern = right(user, missing)
          if (typeof pattern !== 'string')
            return fail(`matches needs a pattern in text, but ${rightText} is ${describe(pattern)}`)
          const compiled = compileRegex(pattern, 'java', false)
          if (!compiled.ok) return fail(`The pattern ${JSON.stringify(pattern)} can't be used: ${compiled.message}`)
          regex = compiled.regex
        }
        return regex.test(value)
      }
    }
    case '+':
      return (user, missing) => {
        const a = left(user, missing)
        const b = right(user, missing)
        if (typeof a === 'number' && typeof b === 'number') return a + b
        if (typeof a === 'string' || typeof b === 'string') {
          if (Array.isArray(a) || Array.isArray(b) || isObject(a) || isObject(b))
            return fail(`+ can't join a list with text`)
          return javaText(a) + javaText(b)
        }
        return fail(`+ can't add ${describe(a)} and ${describe(b)}`)
      }
    default: {
      const operator = expr.operator
      // SpEL divides two integers as integers; a literal written with a point is a double.
      const real = [expr.left, expr.right].some(
        side => side.kind === 'literal' && /[.eE]/.test(text.slice(side.start, side.end)),
      )
      return (user, missing) => {
        const a = left(user, missing)
        const b = right(user, missing)
        if (typeof a !== 'number' || typeof b !== 'number')
          return fail(`${operator} needs numbers, not ${describe(a)} and ${describe(b)}`)
        const integers = !real && Number.isInteger(a) && Number.isInteger(b)
        switch (operator) {
          case '-':
            return a - b
          case '*':
            return a * b
          case '^':
            return a ** b
          case '/':
            if (integers) return b === 0 ? fail('Division by zero') : Math.trunc(a / b)
            return a / b
          default:
            if (integers && b === 0) return fail('Division by zero')
            return a % b
        }
      }
    }
  }
}

const ORDER: Record<'<' | '<=' | '>' | '>=', (order: number) => boolean> = {
  '<': order => order < 0,
  '<=': order => order <= 0,
  '>': order => order > 0,
  '>=': order => order >= 0,
}

/** SpEL's ordering, or undefined where it raises an error (and, our choice, where a side is null). */
function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  return undefined
}

/** SpEL's equality: numbers by value, null only with null, lists item by item, no conversion between types. */
export function spelEquals(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null
  if (b === undefined) b = null
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => spelEquals(item, b[i]))
  if (isObject(a) && isObject(b)) return JSON.stringify(a) === JSON.stringify(b)
  return false
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** How Java's string concatenation writes a value. */
function javaText(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  return String(value)
}

/** A value as an error message names it. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null (no value)'
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'number') return `the number ${value}`
  if (typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `a list of ${value.length}`
  return 'an object'
}

/** A compiled pattern the parser has already checked. */
function patternOf(pattern: string): RegExp {
  const compiled = compileRegex(pattern, 'java', false)
  if (!compiled.ok) throw new Error(`The parser let through an invalid pattern: ${compiled.message}`)
  return compiled.regex
}

function compileCall(expr: OktaExpr & { kind: 'call' }, text: string, fail: Fail): OktaEval {
  const args = expr.args.map(arg => compile(arg, text))
  const shown = expr.args.map(arg => text.slice(arg.start, arg.end))
  const name = expr.name
  /** Text input: numbers and true/false become text (SpEL converts them); lists and objects fail. */
  const textArg = (value: unknown, i: number): string | null => {
    if (value === null || value === undefined) return null
    if (typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'boolean') return String(value)
    return fail(`${name} needs text, but ${shown[i]} is ${describe(value)}`)
  }
  const intArg = (value: unknown, i: number): number =>
    typeof value === 'number' && Number.isInteger(value)
      ? value
      : fail(`${name} needs a whole number, but ${shown[i]} is ${describe(value)}`)
  const listArg = (value: unknown): unknown[] | null => {
    if (value === null || value === undefined) return null
    if (Array.isArray(value)) return value
    if (typeof value === 'string') return value === '' ? [] : value.split(',')
    return [value]
  }
  const groups = (key: string): ((user: RuleInput, missing: string[] | null) => unknown[]) => {
    const read = readAttribute([key], key)
    return (user, missing) => {
      const value = read(user, missing)
      return Array.isArray(value) ? value : value === null ? [] : [value]
    }
  }
  switch (name) {
    case 'isMemberOfGroupName':
    case 'isMemberOfGroup':
    case 'isMemberOfAnyGroup':
    case 'isMemberOfGroupNameStartsWith':
    case 'isMemberOfGroupNameContains':
    case 'isMemberOfGroupNameRegex': {
      const wanted = expr.args.map(arg => (arg as { value: string }).value)
      const first = wanted[0] as string
      const read = groups(name === 'isMemberOfGroup' || name === 'isMemberOfAnyGroup' ? GROUP_IDS : GROUP_NAMES)
      const regex = name === 'isMemberOfGroupNameRegex' ? patternOf(first) : undefined
      const test: (group: string) => boolean =
        name === 'isMemberOfGroupNameStartsWith'
          ? group => group.startsWith(first)
          : name === 'isMemberOfGroupNameContains'
            ? group => group.includes(first)
            : regex !== undefined
              ? group => regex.test(group)
              : group => wanted.includes(group)
      return (user, missing) => read(user, missing).some(group => typeof group === 'string' && test(group))
    }
  }
  const [a, b, c] = args as [OktaEval, OktaEval, OktaEval]
  switch (name) {
    case 'String.append':
      return (user, missing) => javaText(textArg(a(user, missing), 0)) + javaText(textArg(b(user, missing), 1))
    case 'String.join':
      return (user, missing) => {
        const separator = javaText(textArg(a(user, missing), 0))
        const parts: string[] = []
        args.slice(1).forEach((arg, i) => {
          const value = arg(user, missing)
          for (const item of Array.isArray(value) ? value : [value]) parts.push(javaText(textArg(item, i + 1)))
        })
        return parts.join(separator)
      }
    case 'String.len':
      return (user, missing) => {
        const value = a(user, missing)
        if (Array.isArray(value)) return value.length
        return textArg(value, 0)?.length ?? 0
      }
    case 'String.removeSpaces':
      return (user, missing) => textArg(a(user, missing), 0)?.replaceAll(' ', '') ?? null
    case 'String.replace':
    case 'String.replaceFirst': {
      const all = name === 'String.replace'
      return (user, missing) => {
        const input = textArg(a(user, missing), 0)
        const match = javaText(textArg(b(user, missing), 1))
        const replacement = javaText(textArg(c(user, missing), 2))
        if (input === null) return null
        return all ? input.split(match).join(replacement) : input.replace(match, () => replacement)
      }
    }
    case 'String.startsWith':
      // Our choice: only text starts with anything; a number, list or true/false doesn't.
      return (user, missing) => {
        const input = a(user, missing)
        const prefix = textArg(b(user, missing), 1)
        return typeof input === 'string' && prefix !== null && input.startsWith(prefix)
      }
    case 'String.stringContains':
      // Our choice: a list contains the text when some item does; a number or true/false contains nothing.
      return (user, missing) => {
        const input = a(user, missing)
        const search = textArg(b(user, missing), 1)
        if (search === null) return false
        if (Array.isArray(input)) return input.some(item => typeof item === 'string' && item.includes(search))
        return typeof input === 'string' && input.includes(search)
      }
    case 'String.stringSwitch':
      return (user, missing) => {
        if (args.length % 2 !== 0)
          return fail(`${name} takes key and value pairs after the default, but one key has no value`)
        const input = textArg(a(user, missing), 0)
        for (let i = 2; i < args.length; i += 2) {
          const key = textArg((args[i] as OktaEval)(user, missing), i)
          if (input !== null && key !== null && input.includes(key)) return (args[i + 1] as OktaEval)(user, missing)
        }
        return b(user, missing)
      }
    case 'String.substring':
      return (user, missing) => {
        const input = textArg(a(user, missing), 0)
        const start = intArg(b(user, missing), 1)
        const end = intArg(c(user, missing), 2)
        if (input === null) return null
        if (start < 0 || end > input.length || start > end)
          return fail(
            `${name}(${shown.join(', ')}) is outside the text ${JSON.stringify(input)} (length ${input.length})`,
          )
        return input.slice(start, end)
      }
    case 'String.substringAfter':
    case 'String.substringBefore': {
      const after = name === 'String.substringAfter'
      return (user, missing) => {
        const input = textArg(a(user, missing), 0)
        const separator = textArg(b(user, missing), 1)
        if (input === null) return null
        if (separator === null) return after ? '' : input
        const at = input.indexOf(separator)
        if (at < 0) return after ? '' : input
        return after ? input.slice(at + separator.length) : input.slice(0, at)
      }
    }
    case 'String.toLowerCase':
      return (user, missing) => textArg(a(user, missing), 0)?.toLowerCase() ?? null
    case 'String.toUpperCase':
      return (user, missing) => textArg(a(user, missing), 0)?.toUpperCase() ?? null
    case 'Arrays.add':
      return (user, missing) => [...(listArg(a(user, missing)) ?? []), b(user, missing)]
    case 'Arrays.remove':
      return (user, missing) => {
        const list = [...(listArg(a(user, missing)) ?? [])]
        const value = b(user, missing)
        const at = list.findIndex(item => spelEquals(item, value))
        if (at >= 0) list.splice(at, 1)
        return list
      }
    case 'Arrays.clear':
      return (user, missing) => {
        a(user, missing)
        return []
      }
    case 'Arrays.get':
      return (user, missing) => {
        const list = listArg(a(user, missing))
        const at = intArg(b(user, missing), 1)
        return list === null || at < 0 || at >= list.length ? null : list[at]
      }
    case 'Arrays.flatten':
      return (user, missing) => args.map(arg => arg(user, missing)).flat(Number.POSITIVE_INFINITY)
    case 'Arrays.contains':
      return (user, missing) => {
        const list = listArg(a(user, missing))
        const value = b(user, missing)
        return list?.some(item => spelEquals(item, value)) ?? false
      }
    case 'Arrays.size':
      return (user, missing) => listArg(a(user, missing))?.length ?? 0
    case 'Arrays.isEmpty':
      return (user, missing) => (listArg(a(user, missing))?.length ?? 0) === 0
    case 'Arrays.toCsvString':
      return (user, missing) => {
        const list = listArg(a(user, missing))
        return list === null ? null : list.map(javaText).join(',')
      }
    case 'Convert.toInt':
      return (user, missing) => {
        const value = a(user, missing)
        if (typeof value === 'number') return Math.round(value)
        if (typeof value === 'string' && /^[+-]?[0-9]+$/.test(value)) return Number.parseInt(value, 10)
        return fail(`${name} can't read ${describe(value)} as a whole number`)
      }
    case 'Convert.toNum':
      return (user, missing) => {
        const value = a(user, missing)
        if (typeof value === 'number') return value
        if (typeof value === 'string' && /^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$/.test(value))
          return Number(value)
        return fail(`${name} can't read ${describe(value)} as a number`)
      }
    default:
      throw new Error(`No evaluation for the Okta function ${name}`)
  }
}

/** A value as explanations show it. */
export function shownValue(value: unknown): AttributeValue {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (Array.isArray(value) && value.every(item => typeof item === 'string')) return value as string[]
  return JSON.stringify(value)
}

/** The attributes an expression reads, in order of first appearance (group functions read the reserved keys). */
export function oktaAttributes(expr: OktaExpr): string[] {
  const seen = new Set<string>()
  const visit = (node: OktaExpr): void => {
    switch (node.kind) {
      case 'attribute':
        seen.add(node.attribute)
        return
      case 'literal':
        return
      case 'list':
        node.items.forEach(visit)
        return
      case 'unary':
        visit(node.operand)
        return
      case 'binary':
        visit(node.left)
        visit(node.right)
        return
      case 'ternary':
        visit(node.test)
        visit(node.then)
        visit(node.otherwise)
        return
      case 'elvis':
        visit(node.value)
        visit(node.otherwise)
        return
      case 'index':
        visit(node.target)
        visit(node.index)
        return
      case 'call':
        if (node.name.startsWith('isMemberOf'))
          seen.add(node.name === 'isMemberOfGroup' || node.name === 'isMemberOfAnyGroup' ? GROUP_IDS : GROUP_NAMES)
        node.args.forEach(visit)
    }
  }
  visit(expr)
  return [...seen]
}

/**
 * Explains an expression clause by clause: AND, OR, ! and ternaries are broken down; every
 * other part is one clause with its value. `reading` collects what evaluation of the whole rule
 * read (missing attributes, and why evaluation stopped).
 */
export function explainOkta(
  expr: OktaExpr,
  text: string,
): (user: RuleInput, reading: { missing: string[]; hints: string[] }) => ClauseExplanation {
  const whole = compile(expr, text)
  const explainPart = partExplainer(expr, text)
  return (user, reading) => {
    const outcome = tryOkta(whole, user, reading.missing)
    const explained = explainPart(user)
    if ('error' in outcome) {
      const failed = text.slice(outcome.error.span.start, outcome.error.span.end)
      reading.hints.push(
        `Evaluating ${failed} failed: ${outcome.error.message}. Okta stops evaluating the rule there, so the user isn't added to the group.`,
      )
    } else if (typeof outcome.value !== 'boolean') {
      reading.hints.push(
        `The rule evaluates to ${describe(outcome.value)}, not true or false, so Okta doesn't add the user.`,
      )
    }
    return { ...explained, result: 'value' in outcome && outcome.value === true }
  }
}

function partExplainer(expr: OktaExpr, text: string): (user: RuleInput) => ClauseExplanation {
  const clause = text.slice(expr.start, expr.end)
  const boolean = (value: unknown): boolean => value === true
  if (expr.kind === 'binary' && (expr.operator === '&&' || expr.operator === '||')) {
    const left = partExplainer(expr.left, text)
    const right = partExplainer(expr.right, text)
    const run = compile(expr, text)
    const operator = expr.operator === '&&' ? 'and' : 'or'
    return user => {
      const outcome = tryOkta(run, user, null)
      return {
        text: clause,
        operator,
        result: 'value' in outcome && boolean(outcome.value),
        children: [left(user), right(user)],
      }
    }
  }
  if (expr.kind === 'unary' && expr.operator === '!') {
    const child = partExplainer(expr.operand, text)
    const run = compile(expr, text)
    return user => {
      const outcome = tryOkta(run, user, null)
      return {
        text: clause,
        operator: 'not',
        result: 'value' in outcome && boolean(outcome.value),
        children: [child(user)],
      }
    }
  }
  const run = compile(expr, text)
  const side = expr.kind === 'binary' ? expr.left : expr.kind === 'call' ? expr.args[0] : expr
  const sideRun = side === undefined ? undefined : compile(side, text)
  const attributes = oktaAttributes(expr)
  const expected = expr.kind === 'binary' && expr.right.kind === 'literal' ? expr.right.value : undefined
  return user => {
    const outcome = tryOkta(run, user, null)
    const actual = sideRun === undefined ? undefined : tryOkta(sideRun, user, null)
    const explanation: ClauseExplanation = {
      text: clause,
      operator: expr.kind === 'binary' ? expr.operator : expr.kind === 'call' ? expr.name : 'value',
      result: 'value' in outcome && boolean(outcome.value),
    }
    if (attributes.length > 0) explanation.attribute = attributes[0] as string
    if (actual !== undefined && 'value' in actual) explanation.actual = shownValue(actual.value)
    if (expected !== undefined) explanation.expected = expected
    if ('error' in outcome) explanation.missing = attributes.some(name => isMissing(readPath(user, name)))
    return explanation
  }
}

function readPath(user: RuleInput, attribute: string): unknown {
  let value: unknown = user
  for (const step of attribute.startsWith('$') ? [attribute] : attribute.split('.'))
    value =
      typeof value === 'object' && value !== null && Object.hasOwn(value, step) ? (value as RuleInput)[step] : undefined
  return value
}
