// Explains one user's evaluation clause by clause, for GROUP_RULE_FAIL and the rule tester.
// Every clause is explained, even the ones evaluation skipped (the admin wants to see each
// value), but `missing` and the per-user hints count only clauses evaluation actually read,
// so an explanation always agrees with evaluate().

import type { AttributeValue, ClauseExplanation } from '../../shared/domain'
import {
  isNowValue,
  type CompareNode,
  type NowValue,
  type ParsedRule,
  type QuantifierNode,
  type RuleNode,
  type Scalar,
} from './ast'
import { matcherOf } from './compile'
import { explainOkta } from './okta-eval'
import { isMissing, pathReader } from './read'
import { MANAGER, MANAGER_ID } from './reserved'
import type { RuleExplanation, RuleInput } from './types'
import { shift, textOf } from './values'

/** What evaluation would have read: missing attributes and per-user hints. */
interface Reading {
  missing: string[]
  hints: string[]
}
/** `reading` is null for a clause evaluation would have skipped (short-circuit) or an item's field. */
type ExplainNode = (from: unknown, reading: Reading | null, now: number) => ClauseExplanation

/** Items of a list shown one by one; the rest are summed up in the clause's result. */
const MAX_ITEMS = 20

export function createExplainer(
  parsed: ParsedRule,
  text: string,
  readsClock: boolean,
): (user: RuleInput, now?: Date) => RuleExplanation {
  const root = explainNode(parsed.root, text)
  return (user, now) => {
    if (readsClock && now === undefined)
      throw new Error('This rule compares with system.now, so explain() needs the evaluation time')
    const reading: Reading = { missing: [], hints: [] }
    const explanation = root(user, reading, now?.getTime() ?? NaN)
    return {
      result: explanation.result,
      missing: reading.missing,
      root: explanation,
      hints: [...new Set([...parsed.hints, ...reading.hints])],
    }
  }
}

function explainNode(node: RuleNode, text: string): ExplainNode {
  const clause = text.slice(node.span.start, node.span.end)
  switch (node.kind) {
    case 'compare':
      return node.attribute === MANAGER_ID ? explainDirectReports(node, clause) : explainCompare(node, clause)
    case 'any':
    case 'all':
      return explainQuantifier(node, clause, text)
    case 'expr': {
      const explain = explainOkta(node.expr, node.text)
      return (from, reading) => explain(from as RuleInput, reading ?? { missing: [], hints: [] })
    }
    case 'not': {
      const child = explainNode(node.child, text)
      return (from, reading, now) => {
        const inner = child(from, reading, now)
        return { text: clause, operator: 'not', result: !inner.result, children: [inner] }
      }
    }
    case 'and':
    case 'or': {
      const children = node.children.map(child => explainNode(child, text))
      // -and is decided by the first false clause, -or by the first true one.
      const decisive = node.kind === 'or'
      return (from, reading, now) => {
        let result = !decisive
        const explained: ClauseExplanation[] = []
        for (const child of children) {
          const decided = result === decisive
          const inner = child(from, decided ? null : reading, now)
          explained.push(inner)
          if (!decided && inner.result === decisive) result = decisive
        }
        return { text: clause, operator: node.kind, result, children: explained }
      }
    }
  }
}

function explainQuantifier(node: QuantifierNode, clause: string, text: string): ExplainNode {
  const read = pathReader(node.path, node.loose)
  const child = explainNode(node.child, text)
  const all = node.kind === 'all'
  return (from, reading, now) => {
    const value = read(from)
    const absent = isMissing(value)
    if (absent && reading !== null && !reading.missing.includes(node.attribute)) reading.missing.push(node.attribute)
    const list = node.splitText === true && typeof value === 'string' ? value.split(',') : value
    const items = absent ? [] : Array.isArray(list) ? list : [list]
    const explained = items.map(item => child(item, null, now))
    const result = all ? explained.every(e => e.result) : explained.some(e => e.result)
    return {
      text: clause,
      operator: node.kind,
      result,
      attribute: node.attribute,
      missing: absent,
      children: explained.slice(0, MAX_ITEMS),
    }
  }
}

function explainCompare(node: CompareNode, clause: string): ExplainNode {
  const name = node.attribute
  const read = pathReader(node.path, node.loose)
  const match = matcherOf(node)
  const trimmedValue = trimLiteral(node.value)
  const ruleHasWhitespace = JSON.stringify(trimmedValue) !== JSON.stringify(node.value)
  const matchTrimmed = matcherOf({ ...node, value: trimmedValue } as CompareNode)
  return (from, reading, now) => {
    const value = read(from)
    const absent = isMissing(value)
    const result = match(value, now)
    if (reading !== null) {
      if (absent && !reading.missing.includes(name)) reading.missing.push(name)
      if (!result && !absent) {
        const trimmed = trimActual(value)
        const userHasWhitespace = JSON.stringify(trimmed) !== JSON.stringify(value)
        if ((userHasWhitespace || ruleHasWhitespace) && matchTrimmed(trimmed, now)) {
          reading.hints.push(
            whitespaceHint(name, value, expectedOf(node.value, now), clause, userHasWhitespace, ruleHasWhitespace),
          )
        }
        if (!node.ignoreCase && (node.operator === 'eq' || node.operator === 'in') && caseOnly(value, node.value)) {
          reading.hints.push(
            `${clause} is false only because of upper/lower case: the user's ${name} is ${JSON.stringify(value)}. This dialect compares case-sensitively.`,
          )
        }
      }
    }
    return {
      text: clause,
      operator: node.operator,
      result,
      attribute: name,
      actual: shown(value),
      expected: expectedOf(node.value, now),
      missing: absent,
    }
  }
}

/**
 * Entra's Direct Reports rule: the clause compares manager ids; the hint says whose reports the
 * user is, naming the manager as the directory gave them (MANAGER) when it did.
 */
function explainDirectReports(node: CompareNode, clause: string): ExplainNode {
  const compare = explainCompare(node, clause)
  const readIds = pathReader([MANAGER_ID], true)
  const readName = pathReader([MANAGER], true)
  const wanted = String(node.value)
  return (from, reading, now) => {
    const explained = compare(from, reading, now)
    if (reading === null) return explained
    const ids = readIds(from)
    const name = readName(from)
    const manager = (id: string): string => (typeof name === 'string' && name !== '' ? `${name}, object id ${id}` : id)
    const actual = Array.isArray(ids)
      ? ids.filter((id): id is string => typeof id === 'string')
      : isMissing(ids)
        ? null
        : [String(ids)]
    if (actual === null) {
      reading.hints.push(
        `The user's manager isn't known: the directory sync didn't deliver it. Run a full sync of the directory so the manager relationship is read.`,
      )
    } else if (actual.length === 0) {
      reading.hints.push(`The user has no manager in the directory, so they aren't a direct report of ${wanted}.`)
    } else if (explained.result) {
      const id = actual.find(a => a.toLowerCase() === wanted.toLowerCase()) ?? wanted
      reading.hints.push(`The user reports to ${manager(id)}: they are one of that manager's direct reports.`)
    } else {
      reading.hints.push(
        `The user reports to ${manager(actual[0] as string)}, not to ${wanted}: only ${wanted}'s direct reports are members.`,
      )
    }
    return explained
  }
}

function caseOnly(actual: unknown, expected: Scalar | null | Scalar[] | NowValue): boolean {
  if (typeof actual !== 'string') return false
  const wanted = Array.isArray(expected) ? expected : [expected]
  return wanted.some(w => typeof w === 'string' && w !== actual && w.toLowerCase() === actual.toLowerCase())
}

/** A value as explanations show it: objects (a Google organization) as JSON text. */
function shown(value: unknown): AttributeValue {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (Array.isArray(value) && value.every(item => typeof item === 'string')) return value as string[]
  return JSON.stringify(value)
}

/** Entra values are case-insensitive, so whitespace, not case, is the mistake worth pointing at. */
function whitespaceHint(
  name: string,
  actual: unknown,
  expected: AttributeValue,
  clause: string,
  userSide: boolean,
  ruleSide: boolean,
): string {
  const where = [
    userSide ? `the user's ${name} ${JSON.stringify(actual)}` : '',
    ruleSide ? `the rule's value ${JSON.stringify(expected)}` : '',
  ]
    .filter(Boolean)
    .join(' and ')
  const fix =
    userSide && ruleSide
      ? 'Remove it in the directory and in the rule.'
      : userSide
        ? 'Remove it in the directory.'
        : 'Remove it from the rule.'
  return `${clause} is false only because of whitespace around ${where}; without it the clause would be true. ${fix}`
}

function expectedOf(value: Scalar | null | Scalar[] | NowValue, now: number): AttributeValue {
  if (isNowValue(value)) return Number.isNaN(now) ? 'system.now' : new Date(shift(now, value)).toISOString()
  return Array.isArray(value) ? value.map(textOf) : value
}

function trimLiteral(value: Scalar | null | Scalar[] | NowValue): Scalar | null | Scalar[] | NowValue {
  if (Array.isArray(value)) return value.map(item => (typeof item === 'string' ? item.trim() : item))
  return typeof value === 'string' ? value.trim() : value
}

function trimActual(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(item => (typeof item === 'string' ? item.trim() : item))
  return typeof value === 'string' ? value.trim() : value
}
