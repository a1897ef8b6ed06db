// Why a clause could not be evaluated for a user whose attribute is there (Evaluation.error).
// The generated evaluators (codegen.ts) stay as fast as before: a clause that comes out true never
// looks here, and one that comes out false runs only the guard below, a typeof test or two inlined
// next to the comparison. Only a value that fails the guard (rare: a number where the rule compares
// text, a value too long for a regular expression) calls the reporter, which pushes the error
// onto the evaluation's scratch list beside the missing attribute names (strings), so the common
// "nothing to report" path still returns the shared frozen result.
//
// What counts (each is what the comparison's matcher in values.ts already answers false for):
// - typed dialects (Okta, Google): a present value whose type is not the rule value's type — text
//   compared with a number, true/false written as text ("true"), a list compared with == (Okta
//   compares lists with Arrays.contains, Google with exists());
// - ordering and Entra's date comparisons (-ge, -le, …): a present value that is not a date-time;
// - regular expressions: a value longer than MAX_MATCH_LENGTH, which is never matched (regex.ts).
// A value the dialect treats as no value (absent, null, and "" where it says so) is a missing
// attribute (SYNC_ATTR_MISSING), never an error.

import type { CompareNode, Scalar } from './ast'
import { isNowValue } from './ast'
import { MAX_MATCH_LENGTH } from './regex'
import type { Evaluation, EvaluationError } from './types'
import { parseTime } from './values'

const PRESENT = 'v !== undefined && v !== null'

/**
 * An inline expression over `v` that is true when the clause can't compare the value, or
 * undefined when the comparison takes every present value (Entra's text comparisons).
 */
export function mismatchGuard(node: CompareNode): string | undefined {
  if (node.transform !== undefined) return undefined
  const op = node.operator
  if (op === 'match' || op === 'notMatch') {
    const tooLong = `v.length > ${MAX_MATCH_LENGTH}`
    return node.loose ? `(typeof v === 'string' && ${tooLong})` : `(typeof v === 'string' ? ${tooLong} : ${PRESENT})`
  }
  if (op === 'lt' || op === 'le' || op === 'gt' || op === 'ge') {
    if (node.loose || isNowValue(node.value)) return `(${PRESENT} && v !== '' && NOT_DATE(v))`
    return typedGuard([node.value as Scalar])
  }
  if (node.loose) return undefined
  if (op === 'eq' || op === 'ne') {
    if (node.value === null || (node.emptyIsNull && node.value === '')) return undefined
    return typedGuard([node.value as Scalar])
  }
  if (op === 'in' || op === 'notIn') return typedGuard(node.value as Scalar[])
  return typedGuard([node.value as Scalar])
}

/** True when the values share one type: a present value of another type can't be compared. */
function typedGuard(values: readonly Scalar[]): string | undefined {
  const types = new Set(values.map(v => typeof v))
  if (types.size !== 1) return undefined
  const [type] = types
  return `(typeof v !== '${type}' && ${PRESENT})`
}

/** The guard's helper for date-times: Graph's format and anything Date.parse reads are dates. */
export function notDate(value: unknown): boolean {
  if (Array.isArray(value)) return false
  return typeof value !== 'string' || Number.isNaN(parseTime(value))
}

const describe = (value: unknown): string => {
  if (Array.isArray(value)) return `a list (${JSON.stringify(value).slice(0, 80)})`
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}…` : value)}`
  if (typeof value === 'number') return `the number ${value}`
  if (typeof value === 'boolean') return `${value} (true/false)`
  return 'an object'
}

const wanted = (node: CompareNode): string => {
  const value = Array.isArray(node.value) ? node.value[0] : node.value
  if (node.loose || isNowValue(value) || node.operator === 'match' || node.operator === 'notMatch')
    return node.operator === 'match' || node.operator === 'notMatch' ? 'text' : 'a date-time'
  if (typeof value === 'number') return 'a number'
  if (typeof value === 'boolean') return 'true or false'
  return 'text'
}

/** The error of a compare clause for a value its guard refused. */
export function compareError(node: CompareNode, value: unknown): EvaluationError {
  const span = { start: node.span.start, end: node.span.end }
  if ((node.operator === 'match' || node.operator === 'notMatch') && typeof value === 'string')
    return {
      kind: 'regex-limit',
      attribute: node.attribute,
      span,
      message: `${node.attribute} is ${value.length} characters long; regular expressions are only run on values of up to ${MAX_MATCH_LENGTH} characters, so it never matches`,
    }
  return {
    kind: 'type',
    attribute: node.attribute,
    span,
    message: `${node.attribute} is ${describe(value)}, but this comparison needs ${wanted(node)}`,
  }
}

/** For the generated code: records the clause's error (the first one wins) and answers false. */
export function reporter(node: CompareNode): (scratch: unknown[], value: unknown) => false {
  return (scratch, value) => {
    for (const x of scratch) if (typeof x !== 'string') return false
    scratch.push(compareError(node, value))
    return false
  }
}

/** An evaluation from a scratch list holding missing names and (at most one) error. */
export function fromScratch(scratch: readonly unknown[], result: boolean): Evaluation {
  const missing: string[] = []
  let error: EvaluationError | undefined
  for (const x of scratch) {
    if (typeof x === 'string') missing.push(x)
    else error ??= x as EvaluationError
  }
  return error ? { result, missing, error } : { result, missing }
}
