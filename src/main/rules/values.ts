// What each comparison operator means on a user's value. One matcher per comparison, built once
// at compile time, shared by evaluation and explanation so the two can never disagree.

import type { AttributeValue } from '../../shared/domain'
import type { CompareNode, CompareOperator, Scalar } from './ast'

export type Matcher = (actual: AttributeValue | undefined) => boolean

/** A test of one text value (a scalar attribute, or one item of a multi-value attribute). */
type TextTest = (text: string) => boolean

/** Each negated operator is exactly "not" its positive twin, for missing and multi-value attributes too. */
const POSITIVE: Partial<Record<CompareOperator, CompareOperator>> = {
  ne: 'eq',
  notContains: 'contains',
  notStartsWith: 'startsWith',
  notEndsWith: 'endsWith',
  notIn: 'in',
}

/** Entra compares values as text ("true" equals true, "5" equals 5). */
export function textOf(value: Scalar): string {
  return typeof value === 'string' ? value : String(value)
}

/** No value to compare: absent, null, "" or an empty list. `-eq null` is true exactly for these. */
export function hasNoValue(actual: AttributeValue | undefined): boolean {
  return (
    actual === undefined ||
    actual === null ||
    actual === '' ||
    (Array.isArray(actual) && actual.length === 0)
  )
}

type MatcherSpec = Pick<CompareNode, 'operator' | 'value' | 'ignoreCase'>

/**
 * A multi-value attribute (string[]) matches a positive operator when any item does, and a
 * negated one when no item does. Inferred: Entra documents `user.otherMails -startsWith "x"`
 * but not what a scalar operator means on a collection (directory.md §1.5).
 */
export function matcher(spec: MatcherSpec): Matcher {
  const positive = POSITIVE[spec.operator]
  if (positive !== undefined) {
    const match = matcher({ ...spec, operator: positive } as MatcherSpec)
    return (actual) => !match(actual)
  }
  // "" is no value, like null (a missing attribute is absent, null or ""), so -eq "" is -eq null.
  if (spec.value === null || (spec.operator === 'eq' && spec.value === '')) return hasNoValue
  const test = textTest(spec)
  return (actual) => {
    if (actual === undefined || actual === null) return false
    if (Array.isArray(actual)) {
      for (const item of actual) if (test(typeof item === 'string' ? item : String(item))) return true
      return false
    }
    return test(typeof actual === 'string' ? actual : String(actual))
  }
}

function textTest({ operator, value, ignoreCase }: MatcherSpec): TextTest {
  const fold = ignoreCase ? (text: string) => text.toLowerCase() : (text: string) => text
  if (Array.isArray(value)) {
    const exact = new Set(value.map(textOf))
    const folded = new Set([...exact].map(fold))
    return ignoreCase ? (text) => exact.has(text) || folded.has(text.toLowerCase()) : (text) => exact.has(text)
  }
  if (value === null) return () => false
  const exact = textOf(value)
  const folded = fold(exact)
  switch (operator) {
    case 'eq':
      // Most directory values already have the rule's casing; skip lower-casing for them.
      return ignoreCase ? (text) => text === exact || text.toLowerCase() === folded : (text) => text === exact
    case 'contains':
      return (text) => fold(text).includes(folded)
    case 'startsWith':
      return (text) => fold(text).startsWith(folded)
    case 'endsWith':
      return (text) => fold(text).endsWith(folded)
    default:
      // Negated operators are handled by matcher(); a list value with a scalar operator never parses.
      return (text) => fold(text) === folded
  }
}
