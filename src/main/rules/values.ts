// What each comparison operator means on a user's value. One matcher per comparison, built once
// at compile time, shared by evaluation and explanation so the two can never disagree.

import type { CompareNode, CompareOperator, Duration, NowValue, Scalar } from './ast'
import { isNowValue } from './ast'

/** `now` is the evaluation time in epoch milliseconds (NaN when the caller gave none). */
export type Matcher = (actual: unknown, now: number) => boolean

/** A test of one present value (a scalar attribute, or one item of a multi-value attribute). */
type ValueTest = (value: unknown, now: number) => boolean

/** Each negated operator is exactly "not" its positive twin, for missing and multi-value attributes too. */
const POSITIVE: Partial<Record<CompareOperator, CompareOperator>> = {
  ne: 'eq',
  notContains: 'contains',
  notStartsWith: 'startsWith',
  notEndsWith: 'endsWith',
  notIn: 'in',
  notMatch: 'match',
}

/** Entra compares values as text ("true" equals true, "5" equals 5). */
export function textOf(value: Scalar): string {
  return typeof value === 'string' ? value : String(value)
}

/** No value to compare: absent, null, "" or an empty list (Entra, Google). */
export function hasNoValue(actual: unknown): boolean {
  return actual === undefined || actual === null || actual === '' || (Array.isArray(actual) && actual.length === 0)
}

/** Okta: only a never-populated attribute is null; "" is a value. */
function isNull(actual: unknown): boolean {
  return actual === undefined || actual === null
}

export type MatcherSpec = Pick<CompareNode, 'operator' | 'value' | 'ignoreCase' | 'loose' | 'emptyIsNull' | 'transform'> & {
  /** The compiled pattern of a match operator (the parser has checked it). */
  regex?: RegExp
}

export function matcher(spec: MatcherSpec): Matcher {
  const positive = POSITIVE[spec.operator]
  if (positive !== undefined) {
    const match = matcher({ ...spec, operator: positive } as MatcherSpec)
    return (actual, now) => !match(actual, now)
  }
  const base = baseMatcher(spec)
  switch (spec.transform) {
    case undefined:
      return base
    case 'length':
      // Okta: Arrays.size(NULL) and String.len of nothing are 0.
      return (actual, now) =>
        base(typeof actual === 'string' || Array.isArray(actual) ? actual.length : actual === undefined || actual === null ? 0 : NaN, now)
    case 'lower':
      return (actual, now) => base(typeof actual === 'string' ? actual.toLowerCase() : actual, now)
    case 'upper':
      return (actual, now) => base(typeof actual === 'string' ? actual.toUpperCase() : actual, now)
  }
}

function baseMatcher(spec: MatcherSpec): Matcher {
  const noValue = spec.emptyIsNull ? hasNoValue : isNull
  // "" is no value where the dialect says so, so -eq "" is -eq null there.
  if (spec.operator === 'eq' && (spec.value === null || (spec.emptyIsNull && spec.value === ''))) return noValue
  const test = spec.loose ? looseTest(spec) : strictTest(spec)
  if (spec.loose) {
    // A multi-value attribute matches a positive operator when any item does, and a negated one
    // when no item does. Inferred: Entra documents `user.otherMails -startsWith "x"` but not what
    // a scalar operator means on a collection (directory.md §1.5).
    return (actual, now) => {
      // "" is no value in Entra, so it satisfies no comparison but -eq null.
      if (actual === undefined || actual === null || actual === '') return false
      if (Array.isArray(actual)) {
        for (const item of actual) if (item !== null && item !== undefined && test(item, now)) return true
        return false
      }
      return test(actual, now)
    }
  }
  // Okta and Google compare the whole value: a list never equals a text (lists are searched
  // with Arrays.contains or exists(), which are quantifiers).
  if (spec.emptyIsNull && spec.operator !== 'match' && !Array.isArray(spec.value) && !isNowValue(spec.value)) {
    // Google reads an absent proto3 field as its type's default.
    const fallback = typeof spec.value === 'string' ? '' : typeof spec.value === 'number' ? 0 : false
    return (actual, now) => test(actual === undefined || actual === null ? fallback : actual, now)
  }
  return (actual, now) => actual !== undefined && actual !== null && test(actual, now)
}

function looseTest(spec: MatcherSpec): ValueTest {
  const { operator, value, ignoreCase } = spec
  const fold = ignoreCase ? (text: string) => text.toLowerCase() : (text: string) => text
  const text = (item: unknown): string => (typeof item === 'string' ? item : String(item))
  if (operator === 'in') {
    const exact = new Set((value as Scalar[]).map(textOf))
    const folded = new Set([...exact].map(fold))
    return (item) => {
      const t = text(item)
      return exact.has(t) || (ignoreCase && folded.has(t.toLowerCase()))
    }
  }
  if (operator === 'match') {
    const regex = spec.regex as RegExp
    return (item) => regex.test(text(item))
  }
  if (operator === 'lt' || operator === 'le' || operator === 'gt' || operator === 'ge') return dateTest(operator, value as Scalar | NowValue)
  const exact = textOf(value as Scalar)
  const folded = fold(exact)
  switch (operator) {
    case 'eq':
      // Most directory values already have the rule's casing; skip lower-casing for them.
      return ignoreCase
        ? (item) => {
            const t = text(item)
            return t === exact || t.toLowerCase() === folded
          }
        : (item) => text(item) === exact
    case 'contains':
      return (item) => fold(text(item)).includes(folded)
    case 'startsWith':
      return (item) => fold(text(item)).startsWith(folded)
    default:
      return (item) => fold(text(item)).endsWith(folded)
  }
}

/** Typed comparison: text with text, numbers with numbers, true/false with true/false. */
function strictTest(spec: MatcherSpec): ValueTest {
  const { operator, value, ignoreCase } = spec
  const fold = ignoreCase ? (text: string) => text.toLowerCase() : (text: string) => text
  if (operator === 'in') {
    const items = value as Scalar[]
    const exact = new Set<unknown>(items.map((item) => (typeof item === 'string' ? fold(item) : item)))
    return ignoreCase ? (item) => exact.has(typeof item === 'string' ? item.toLowerCase() : item) : (item) => exact.has(item)
  }
  if (operator === 'match') {
    const regex = spec.regex as RegExp
    return (item) => typeof item === 'string' && regex.test(item)
  }
  if (operator === 'lt' || operator === 'le' || operator === 'gt' || operator === 'ge') {
    if (isNowValue(value)) return dateTest(operator, value)
    const order = ORDER[operator]
    // SpEL compares numbers by value and text by its characters (String.compareTo).
    return (item) => typeof item === typeof value && order(item as Scalar, value as Scalar)
  }
  if (typeof value !== 'string') return (item) => item === value
  const folded = fold(value)
  switch (operator) {
    case 'eq':
      return ignoreCase ? (item) => typeof item === 'string' && item.toLowerCase() === folded : (item) => item === value
    case 'contains':
      return (item) => typeof item === 'string' && fold(item).includes(folded)
    case 'startsWith':
      return (item) => typeof item === 'string' && fold(item).startsWith(folded)
    default:
      return (item) => typeof item === 'string' && fold(item).endsWith(folded)
  }
}

const ORDER: Record<'lt' | 'le' | 'gt' | 'ge', (a: Scalar, b: Scalar) => boolean> = {
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
}

/** Entra's -le/-ge compare date-times (employeeHireDate) with a date-time or system.now ± a duration. */
function dateTest(operator: 'lt' | 'le' | 'gt' | 'ge', value: Scalar | NowValue): ValueTest {
  const order = ORDER[operator]
  if (isNowValue(value)) {
    return (item, now) => {
      const at = typeof item === 'string' ? Date.parse(item) : NaN
      return !Number.isNaN(at) && order(at, shift(now, value))
    }
  }
  const target = Date.parse(textOf(value))
  return (item) => {
    const at = typeof item === 'string' ? Date.parse(item) : NaN
    return !Number.isNaN(at) && order(at, target)
  }
}

/** `now` moved by a calendar duration, in UTC (years and months keep the day of the month). */
export function shift(now: number, { sign, duration }: Pick<NowValue, 'sign' | 'duration'>): number {
  if (Number.isNaN(now)) throw new Error('This rule compares with system.now, so evaluate() needs the evaluation time')
  return addDuration(now, sign, duration)
}

function addDuration(now: number, sign: 1 | -1, d: Duration): number {
  const date = new Date(now)
  if (d.years !== 0 || d.months !== 0) date.setUTCMonth(date.getUTCMonth() + sign * (d.years * 12 + d.months))
  return date.getTime() + sign * (d.days * 86_400_000 + d.milliseconds)
}
