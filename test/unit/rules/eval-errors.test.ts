import { describe, expect, it } from 'vitest'
import type { RuleInput } from '../../../src/main/rules'
import type { Dialect } from '../../../src/shared/domain'
import { rule } from './helpers'

const NOW = new Date('2026-03-10T12:00:00Z')
const LONG = 'x'.repeat(5000)

describe('a clause that cannot be evaluated for a user says why (Evaluation.error)', () => {
  it.each([
    // dialect, rule, user, result, kind, words the message has
    [
      'okta',
      'user.level > 3',
      { level: '4' },
      false,
      'type',
      'level is the text "4", but this comparison needs a number',
    ],
    ['okta', 'user.department == "Sales"', { department: ['Sales'] }, false, 'type', 'department is a list'],
    ['okta', 'user.hasBadge == true', { hasBadge: 'true' }, false, 'type', 'needs true or false'],
    ['okta', 'user.department != "Sales"', { department: 5 }, true, 'type', 'the number 5'],
    [
      'okta',
      'String.stringContains(user.title, "x") AND user.level >= 2',
      { title: 'x', level: 'two' },
      false,
      'type',
      'level',
    ],
    [
      'okta',
      'String.substring(user.department, 5, 9) == "x"',
      { department: 'ab' },
      false,
      'evaluation',
      'outside the text',
    ],
    ['google', 'user.suspended == false', { suspended: 'false' }, false, 'type', 'suspended is the text "false"'],
    [
      'google',
      "user.organizations.exists(org, org.department == 'sales')",
      { organizations: [{ department: 7 }] },
      false,
      'type',
      'department is the number 7',
    ],
    [
      'google',
      "user.name.value.matches('^A')",
      { name: { value: `A${LONG}` } },
      false,
      'regex-limit',
      '5001 characters',
    ],
    [
      'entra',
      'user.employeeHireDate -ge "2020-01-01T00:00:00Z"',
      { employeeHireDate: 'yesterday' },
      false,
      'type',
      'needs a date-time',
    ],
    [
      'entra',
      'user.employeeHireDate -le system.now -plus p30d',
      { employeeHireDate: 12 },
      false,
      'type',
      'the number 12',
    ],
    ['entra', 'user.city -match "ago"', { city: LONG }, false, 'regex-limit', 'never matches'],
    ['entra', 'user.city -notMatch "ago"', { city: LONG }, true, 'regex-limit', '5000 characters'],
  ] as [Dialect, string, RuleInput, boolean, string, string][])(
    '%s: %s',
    (dialect, text, user, result, kind, words) => {
      const evaluation = rule(dialect, text).evaluate(user, NOW)
      expect(evaluation.result).toBe(result)
      expect(evaluation.missing).toEqual([])
      expect(evaluation.error?.kind).toBe(kind)
      expect(evaluation.error?.message).toContain(words)
    },
  )

  it.each([
    // Values the comparison can use, and values that are missing (SYNC_ATTR_MISSING, not an error).
    ['okta', 'user.level > 3', { level: 4 }],
    ['okta', 'user.department == "Sales"', { department: 'HR' }],
    ['okta', 'user.department == "Sales"', {}],
    ['google', 'user.suspended == false', {}],
    ['google', "user.organizations.exists(org, org.department == 'sales')", { organizations: [{ department: 'hr' }] }],
    ['entra', 'user.department -eq "Sales"', { department: 5 }],
    ['entra', 'user.department -eq "Sales"', { department: ['HR'] }],
    ['entra', 'user.employeeHireDate -ge "2020-01-01T00:00:00Z"', { employeeHireDate: '2019-05-01T00:00:00Z' }],
    ['entra', 'user.employeeHireDate -ge "2020-01-01T00:00:00Z"', { employeeHireDate: '' }],
    ['entra', 'user.city -match "ago"', { city: 'Berlin' }],
  ] as [Dialect, string, RuleInput][])('%s: %s has no error for %j', (dialect, text, user) => {
    expect(rule(dialect, text).evaluate(user, NOW).error).toBeUndefined()
  })

  it('points at the clause that failed, the first one only', () => {
    const text = 'user.country == "DE" OR user.level > 3 OR user.rank > 2'
    const error = rule('okta', text).evaluate({ country: 'FR', level: '9', rank: 'x' }).error
    expect(error && text.slice(error.span.start, error.span.end)).toBe('user.level > 3')
  })

  it('keeps the shared result (no allocation) when nothing is missing or wrong', () => {
    const r = rule('okta', 'user.level > 3')
    expect(r.evaluate({ level: 1 })).toBe(r.evaluate({ level: 2 }))
  })
})
