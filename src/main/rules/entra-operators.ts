// Entra's operator words (the Entra rules doc's operator table): which we support, which exist but aren't
// supported yet, and what an admin probably meant by a word Entra doesn't know.

import type { CompareOperator } from './ast'

export type LogicalOperator = 'and' | 'or' | 'not'

/** Keyed by the lower-case word without hyphen: operators are case-insensitive and the hyphen is optional. */
export const COMPARE_OPERATORS: Readonly<Record<string, CompareOperator>> = {
  eq: 'eq',
  ne: 'ne',
  contains: 'contains',
  notcontains: 'notContains',
  startswith: 'startsWith',
  notstartswith: 'notStartsWith',
  endswith: 'endsWith',
  notendswith: 'notEndsWith',
  match: 'match',
  notmatch: 'notMatch',
  in: 'in',
  notin: 'notIn',
  le: 'le',
  ge: 'ge',
}

export const LOGICAL_OPERATORS: Readonly<Record<string, LogicalOperator>> = { and: 'and', or: 'or', not: 'not' }

/** -any/-all over a multi-value property: `user.proxyAddresses -any (_ -startsWith "smtp:")`. */
export const QUANTIFIERS: Readonly<Record<string, 'any' | 'all'>> = { any: 'any', all: 'all' }

/** Date arithmetic on system.now: `system.now -plus p1d` (the Entra rules doc's employeeHireDate examples). */
export const DATE_ARITHMETIC: Readonly<Record<string, 1 | -1>> = { plus: 1, minus: -1 }

export const COMPARE_SPELLINGS: readonly string[] = Object.values(COMPARE_OPERATORS).map(spell)

export function spell(operator: CompareOperator | LogicalOperator | 'any' | 'all'): string {
  return `-${operator}`
}

export function isOperatorWord(lower: string): boolean {
  return lower in COMPARE_OPERATORS || lower in LOGICAL_OPERATORS || lower in QUANTIFIERS || lower in DATE_ARITHMETIC
}

/** Words from other languages (PowerShell, SQL, JavaScript) that admins type for Entra operators. */
const LOOKALIKES: Readonly<Record<string, CompareOperator | LogicalOperator>> = {
  equals: 'eq',
  equal: 'eq',
  is: 'eq',
  ieq: 'eq',
  ceq: 'eq',
  neq: 'ne',
  notequals: 'ne',
  notequal: 'ne',
  isnot: 'ne',
  like: 'contains',
  notlike: 'notContains',
  contain: 'contains',
  includes: 'contains',
  has: 'contains',
  notcontain: 'notContains',
  startwith: 'startsWith',
  beginswith: 'startsWith',
  endwith: 'endsWith',
  notstartwith: 'notStartsWith',
  notendwith: 'notEndsWith',
  nin: 'notIn',
  andalso: 'and',
  orelse: 'or',
}

/** The operator an unknown word most likely meant, e.g. "equals" → "-eq", "startwith" → "-startsWith". */
export function suggestOperator(word: string): string | undefined {
  const lower = word.toLowerCase()
  const lookalike = LOOKALIKES[lower]
  if (lookalike !== undefined) return spell(lookalike)
  let best: { name: CompareOperator | LogicalOperator; distance: number } | undefined
  for (const [key, name] of [...Object.entries(COMPARE_OPERATORS), ...Object.entries(LOGICAL_OPERATORS)]) {
    const distance = editDistance(lower, key)
    if (distance <= Math.min(2, key.length - 1) && (best === undefined || distance < best.distance)) {
      best = { name, distance }
    }
  }
  return best === undefined ? undefined : spell(best.name)
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
