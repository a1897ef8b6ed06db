// Properties every dialect keeps, checked over many users: negation inverts, each negated
// operator is the negation of its twin, and printing a rule then parsing it gives the same tree.

import { describe, expect, it } from 'vitest'
import { type Evaluation, type RuleInput, parseRule, printRule } from '../../../src/main/rules'
import type { Dialect } from '../../../src/shared/domain'
import { checkRoundTrip, fuzzer, shape } from './fuzz-helpers'
import { rule } from './helpers'

const f = fuzzer(99)
const NOW = new Date('2026-03-10T12:00:00Z')
const VALUES: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'Sales',
  'sales',
  'SALES ',
  'x',
  'Lagos',
  3,
  0,
  true,
  false,
  [],
  ['Sales', 'a@contoso.com'],
  ['x'],
  '2021-01-01T00:00:00Z',
]
const USERS: RuleInput[] = Array.from({ length: 400 }, () => {
  const user: Record<string, unknown> = {}
  for (const key of ['department', 'city', 'otherMails', 'level', 'hasBadge', 'employeeHireDate']) {
    const value = f.pick(VALUES)
    if (value !== undefined) user[key] = value
  }
  return user
})

const CONDITIONS: Record<Dialect, string[]> = {
  entra: [
    'user.department -eq "Sales"',
    'user.department -eq null',
    'user.city -contains "ago"',
    'user.city -startsWith "La"',
    'user.city -endsWith "os"',
    'user.department -in ["Sales", "x"]',
    'user.city -match "^La"',
    'user.otherMails -any (_ -endsWith "@contoso.com")',
    'user.otherMails -all (_ -eq "x")',
    'user.employeeHireDate -le system.now -minus p1y',
    'user.department -eq "Sales" -and user.city -ne null',
  ],
  okta: [
    'user.department == "Sales"',
    'user.department == null',
    'user.department == ""',
    'user.level > 2',
    'user.hasBadge',
    'String.stringContains(user.city, "ago")',
    'Arrays.contains(user.otherMails, "x")',
    'Arrays.isEmpty(user.otherMails)',
    'String.toLowerCase(user.department) == "sales"',
    'user.department == "Sales" OR user.level <= 0',
  ],
  google: [
    "user.department == 'Sales'",
    "user.department.equalsIgnoreCase('sales')",
    "user.city.startsWith('La')",
    "user.city.matches('ag')",
    "user.department in ['Sales', 'x']",
    "'x' in user.department",
    'user.level == 3',
    "user.city.contains('o') && user.department != ''",
  ],
}

const NOT: Record<Dialect, (text: string) => string> = {
  entra: text => `-not (${text})`,
  okta: text => `!(${text})`,
  google: text => `!(${text})`,
}

describe('negation inverts', () => {
  for (const dialect of ['entra', 'okta', 'google'] as const) {
    it.each(CONDITIONS[dialect])(`${dialect}: %s`, text => {
      const positive = rule(dialect, text)
      const negative = rule(dialect, NOT[dialect](text))
      for (const user of USERS) {
        const a = positive.evaluate(user, NOW)
        const b = negative.evaluate(user, NOW)
        // Okta stops evaluating on a type error (ordering a missing value, ! of a non-boolean), and
        // then neither the rule nor its negation adds the user.
        // A ternary is always evaluated whole, so its explanation says when Okta stops.
        const stopped =
          dialect === 'okta' &&
          rule('okta', `(${NOT.okta(text)}) ? true : false`)
            .explain(user, NOW)
            .hints.some(hint => hint.includes('stops evaluating'))
        expect(b.result).toBe(stopped ? false : !a.result)
        if (stopped) expect(a.result).toBe(false)
        expect(b.missing).toEqual(a.missing)
      }
    })
  }
})

describe('each negated operator is -not of its twin', () => {
  it.each([
    ['-ne', '-eq', '"Sales"'],
    ['-ne', '-eq', 'null'],
    ['-notContains', '-contains', '"ago"'],
    ['-notStartsWith', '-startsWith', '"La"'],
    ['-notEndsWith', '-endsWith', '"os"'],
    ['-notIn', '-in', '["Sales", "x"]'],
    ['-notMatch', '-match', '"^la"'],
  ])('user.city %s %s', (negated, positive, value) => {
    for (const attribute of ['city', 'otherMails', 'department']) {
      const a = rule('entra', `user.${attribute} ${negated} ${value}`)
      const b = rule('entra', `-not (user.${attribute} ${positive} ${value})`)
      for (const user of USERS) expect(a.evaluate(user)).toEqual(b.evaluate(user))
    }
  })

  it.each([
    ['okta', 'user.department != "Sales"', '!(user.department == "Sales")'],
    ['okta', 'user.department != null', '!(user.department == null)'],
    ['google', "user.department != 'Sales'", "!(user.department == 'Sales')"],
    ['google', "user.department != ''", "!(user.department == '')"],
  ] as const)('%s: %s', (dialect, negated, twin) => {
    const a = rule(dialect, negated)
    const b = rule(dialect, twin)
    // The same answer and the same error (a type mismatch), which only points at its own clause.
    const withoutSpan = ({ error, ...rest }: Evaluation) =>
      error ? { ...rest, error: { kind: error.kind, message: error.message } } : rest
    for (const user of USERS) expect(withoutSpan(a.evaluate(user))).toEqual(withoutSpan(b.evaluate(user)))
  })
})

describe('parse → print → parse', () => {
  for (const dialect of ['entra', 'okta', 'google'] as const) {
    it.each(CONDITIONS[dialect])(`${dialect}: %s`, text => {
      checkRoundTrip(dialect, text)
      checkRoundTrip(dialect, NOT[dialect](text))
    })
  }

  it('prints each dialect in its own syntax', () => {
    const print = (dialect: Dialect, text: string): string => {
      const parsed = parseRule(dialect, text)
      if (!parsed.ok) throw new Error(parsed.error.message)
      return printRule(dialect, parsed.parsed.root)
    }
    expect(print('entra', 'user.department -eq "Sales" and (user.mobile -ne null or not user.city -in ["a"])')).toBe(
      "user.department -eq 'Sales' -and (user.mobilePhone -ne null -or (-not user.city -in ['a']))",
    )
    expect(print('entra', 'user.employeeHireDate -ge system.now -plus P1DT12H')).toBe(
      'user.employeeHireDate -ge system.now -plus p1dt12h',
    )
    expect(print('okta', 'isMemberOfAnyGroup("a","b") AND !user.hasBadge')).toBe(
      'isMemberOfAnyGroup("a", "b") AND user.hasBadge == false',
    )
    expect(print('google', "user.organizations.exists(org, org.department=='x') || 'y' in user.keywords")).toBe(
      "user.organizations.exists(org, org.department == 'x') || 'y' in user.keywords",
    )
    const parsed = parseRule('entra', '(user.a -eq "x")')
    if (parsed.ok) expect(shape(parsed.parsed.root)).not.toHaveProperty('span')
  })
})
