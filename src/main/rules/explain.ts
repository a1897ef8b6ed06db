// Explains one user's evaluation clause by clause, for GROUP_RULE_FAIL and the rule tester.
// Every clause is explained, even the ones evaluation skipped (the admin wants to see each
// value), but `missing` and the per-user hints count only clauses evaluation actually read,
// so an explanation always agrees with evaluate().

import type { AttributeValue, Attributes, ClauseExplanation } from '../../shared/domain'
import type { CompareNode, ParsedRule, RuleNode, Scalar } from './ast'
import { attributeReader, isMissing } from './read'
import type { RuleExplanation } from './types'
import { matcher, textOf } from './values'

/** What evaluation would have read: missing attributes and per-user hints. */
interface Reading {
  missing: string[]
  hints: string[]
}
/** `reading` is null for a clause evaluation would have skipped (short-circuit). */
type ExplainNode = (user: Attributes, reading: Reading | null) => ClauseExplanation

export function createExplainer(parsed: ParsedRule, text: string): (user: Attributes) => RuleExplanation {
  const root = explainNode(parsed.root, text)
  return (user) => {
    const reading: Reading = { missing: [], hints: [] }
    const explanation = root(user, reading)
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
      return explainCompare(node, clause)
    case 'not': {
      const child = explainNode(node.child, text)
      return (user, reading) => {
        const inner = child(user, reading)
        return { text: clause, operator: 'not', result: !inner.result, children: [inner] }
      }
    }
    case 'and':
    case 'or': {
      const children = node.children.map((child) => explainNode(child, text))
      // -and is decided by the first false clause, -or by the first true one.
      const decisive = node.kind === 'or'
      return (user, reading) => {
        let result = !decisive
        const explained: ClauseExplanation[] = []
        for (const child of children) {
          const decided = result === decisive
          const inner = child(user, decided ? null : reading)
          explained.push(inner)
          if (!decided && inner.result === decisive) result = decisive
        }
        return { text: clause, operator: node.kind, result, children: explained }
      }
    }
  }
}

function explainCompare(node: CompareNode, clause: string): ExplainNode {
  const name = node.attribute
  const read = attributeReader(name)
  const match = matcher(node)
  const whenMissing = match(null)
  const expected = expectedOf(node.value)
  const trimmedValue = trimLiteral(node.value)
  const ruleHasWhitespace = JSON.stringify(trimmedValue) !== JSON.stringify(node.value)
  const matchTrimmed = matcher({ ...node, value: trimmedValue } as CompareNode)
  return (user, reading) => {
    const value = read(user)
    const absent = isMissing(value)
    const result = absent ? whenMissing : match(value)
    if (reading !== null) {
      if (absent && !reading.missing.includes(name)) reading.missing.push(name)
      if (!result && !absent) {
        const trimmed = trimActual(value)
        const userHasWhitespace = JSON.stringify(trimmed) !== JSON.stringify(value)
        if ((userHasWhitespace || ruleHasWhitespace) && matchTrimmed(trimmed)) {
          reading.hints.push(whitespaceHint(name, value, expected, clause, userHasWhitespace, ruleHasWhitespace))
        }
      }
    }
    return {
      text: clause,
      operator: node.operator,
      result,
      attribute: name,
      actual: value ?? null,
      expected,
      missing: absent,
    }
  }
}

/** Entra values are case-insensitive, so whitespace, not case, is the mistake worth pointing at. */
function whitespaceHint(
  name: string,
  actual: AttributeValue,
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
  const fix = userSide && ruleSide ? 'Remove it in the directory and in the rule.' : userSide ? 'Remove it in the directory.' : 'Remove it from the rule.'
  return `${clause} is false only because of whitespace around ${where}; without it the clause would be true. ${fix}`
}

function expectedOf(value: Scalar | null | Scalar[]): AttributeValue {
  return Array.isArray(value) ? value.map(textOf) : value
}

function trimLiteral(value: Scalar | null | Scalar[]): Scalar | null | Scalar[] {
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item.trim() : item))
  return typeof value === 'string' ? value.trim() : value
}

function trimActual(value: AttributeValue): AttributeValue {
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item.trim() : item))
  return typeof value === 'string' ? value.trim() : value
}
