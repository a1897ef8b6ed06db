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
function hasNoValue(actual: unknown): boolean {
  return actual === undefined || actual === null || actual === '' || (Array.isArray(actual) && actual.length === 0)
}

/** Okta: only a never-populated attribute is null; "" is a value. */
function isNull(actual: unknown): boolean {
  return actual === undefined || actual === null
}

export type MatcherSpec = Pick<
  CompareNode,
  'operator' | 'value' | 'ignoreCase' | 'loose' | 'emptyIsNull' | 'transform'
> & {
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
      // Okta's String.len: of nothing 0, of a list its size, of a number or true/false its text's length.
      return (actual, now) =>
        base(
          typeof actual === 'string' || Array.isArray(actual)
            ? actual.length
            : actual === undefined || actual === null
              ? 0
              : typeof actual === 'number' || typeof actual === 'boolean'
                ? String(actual).length
                : NaN,
          now,
        )
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
    // a scalar operator means on a collection (Microsoft Learn, "Dynamic membership rules for groups in Microsoft Entra ID").
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
  const typed = Array.isArray(spec.value) ? spec.value[0] : spec.value
  if (spec.emptyIsNull && spec.operator !== 'match' && typed !== undefined && !isNowValue(typed)) {
    // Google reads an absent proto3 field as its type's default (a list's items give the type).
    const fallback = typeof typed === 'string' ? '' : typeof typed === 'number' ? 0 : false
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
    return item => {
      const t = text(item)
      return exact.has(t) || (ignoreCase && folded.has(t.toLowerCase()))
    }
  }
  if (operator === 'match') {
    const regex = spec.regex as RegExp
    return item => regex.test(text(item))
  }
  if (operator === 'lt' || operator === 'le' || operator === 'gt' || operator === 'ge')
    return dateTest(operator, value as Scalar | NowValue)
  const exact = textOf(value as Scalar)
  const folded = fold(exact)
  switch (operator) {
    case 'eq':
      // Most directory values already have the rule's casing; skip lower-casing for them.
      return ignoreCase
        ? item => {
            const t = text(item)
            return t === exact || t.toLowerCase() === folded
          }
        : item => text(item) === exact
    case 'contains':
      return item => fold(text(item)).includes(folded)
    case 'startsWith':
      return item => fold(text(item)).startsWith(folded)
    default:
      return item => fold(text(item)).endsWith(folded)
  }
}

/** Typed comparison: text with text, numbers with numbers, true/false with true/false. */
function strictTest(spec: MatcherSpec): ValueTest {
  const { operator, value, ignoreCase } = spec
  const fold = ignoreCase ? (text: string) => text.toLowerCase() : (text: string) => text
  if (operator === 'in') {
    const items = value as Scalar[]
    const exact = new Set<unknown>(items.map(item => (typeof item === 'string' ? fold(item) : item)))
    return ignoreCase
      ? item => exact.has(typeof item === 'string' ? item.toLowerCase() : item)
      : item => exact.has(item)
  }
  if (operator === 'match') {
    const regex = spec.regex as RegExp
    return item => typeof item === 'string' && regex.test(item)
  }
  if (operator === 'lt' || operator === 'le' || operator === 'gt' || operator === 'ge') {
    if (isNowValue(value)) return dateTest(operator, value)
    const order = ORDER[operator]
    // SpEL compares numbers by value and text by its characters (String.compareTo).
    return item => typeof item === typeof value && order(item as Scalar, value as Scalar)
  }
  if (typeof value !== 'string') return item => item === value
  const folded = fold(value)
  switch (operator) {
    case 'eq':
      return ignoreCase ? item => typeof item === 'string' && item.toLowerCase() === folded : item => item === value
    case 'contains':
      return item => typeof item === 'string' && fold(item).includes(folded)
    case 'startsWith':
      return item => typeof item === 'string' && fold(item).startsWith(folded)
    default:
      return item => typeof item === 'string' && fold(item).endsWith(folded)
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
    // Every user of one evaluation pass shares `now`, so the shifted time is computed once per pass.
    let lastNow = NaN
    let target = NaN
    return (item, now) => {
      const at = typeof item === 'string' ? parseTime(item) : NaN
      if (Number.isNaN(at)) return false
      if (now !== lastNow) {
        target = shift(now, value)
        lastNow = now
      }
      return order(at, target)
    }
  }
  const target = parseTime(textOf(value))
  return item => {
    const at = typeof item === 'string' ? parseTime(item) : NaN
    return !Number.isNaN(at) && order(at, target)
  }
}

/**
 * Epoch milliseconds of a date-time. Graph writes them as 2020-06-10T18:13:20Z (or with
 * milliseconds), which is read here digit by digit, many times faster than Date.parse; any other
 * form, and days past the 28th (whose validity depends on the month), go to Date.parse.
 */
export function parseTime(text: string): number {
  const n = text.length
  if (
    (n === 20 || (n === 24 && text.charCodeAt(19) === 46)) &&
    text.charCodeAt(n - 1) === 90 &&
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 84 &&
    text.charCodeAt(13) === 58 &&
    text.charCodeAt(16) === 58
  ) {
    const year = digits(text, 0, 4)
    const month = digits(text, 5, 2)
    const day = digits(text, 8, 2)
    const hour = digits(text, 11, 2)
    const minute = digits(text, 14, 2)
    const second = digits(text, 17, 2)
    const ms = n === 24 ? digits(text, 20, 3) : 0
    // Date.UTC reads years 0–99 as 1900–1999, so those go to Date.parse too.
    if (
      year >= 100 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 28 &&
      hour >= 0 &&
      hour < 24 &&
      minute >= 0 &&
      minute < 60 &&
      second >= 0 &&
      second < 60 &&
      ms >= 0
    ) {
      return Date.UTC(year, month - 1, day, hour, minute, second, ms)
    }
  }
  return Date.parse(text)
}

/** The number written by `length` digits at `from`, or -1 if any isn't a digit. */
function digits(text: string, from: number, length: number): number {
  let value = 0
  for (let i = from; i < from + length; i++) {
    const code = text.charCodeAt(i) - 48
    if (code < 0 || code > 9) return -1
    value = value * 10 + code
  }
  return value
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
