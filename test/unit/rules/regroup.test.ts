import { describe, expect, it } from 'vitest'
import { compileRule, regroupings } from '../../../src/main/rules'
import type { Dialect } from '../../../src/shared/domain'
import { rule } from './helpers'

describe('the other grouping of a rule that mixes AND and OR without parentheses', () => {
  it.each([
    [
      'entra',
      'user.department -eq "Sales" -and user.country -eq "US" -or user.country -eq "CA"',
      'user.department -eq "Sales" -and (user.country -eq "US" -or user.country -eq "CA")',
    ],
    [
      'entra',
      'user.country -eq "US" or user.department -eq "Sales" and user.accountEnabled -eq true',
      '(user.country -eq "US" or user.department -eq "Sales") and user.accountEnabled -eq true',
    ],
    [
      'okta',
      'user.department == "Sales" AND user.country == "US" OR user.country == "CA"',
      'user.department == "Sales" AND (user.country == "US" OR user.country == "CA")',
    ],
    [
      'okta',
      'user.a == "1" && user.b == "2" || user.c == "3" && user.d == "4"',
      'user.a == "1" && (user.b == "2" || user.c == "3") && user.d == "4"',
    ],
    [
      'google',
      "user.suspended == false && user.organizations.exists(o, o.department == 'sales' || o.department == 'hr') || user.name.value == 'x AND y'",
      "user.suspended == false && (user.organizations.exists(o, o.department == 'sales' || o.department == 'hr') || user.name.value == 'x AND y')",
    ],
  ] as [Dialect, string, string][])('%s: %s', (dialect, text, alternative) => {
    const parsed = rule(dialect, text).parsed
    const [regrouped, ...more] = regroupings(dialect, text, parsed.mixedLogic)
    expect(more).toEqual([])
    expect(regrouped?.text).toBe(alternative)
    // The alternative is a rule of the same dialect, with no mixing left where it was.
    const compiled = compileRule(dialect, alternative)
    expect(compiled.ok && compiled.rule.parsed.mixedLogic).toEqual([])
  })

  it('has nothing to regroup in a rule with parentheses or one kind of operator', () => {
    for (const text of ['(user.a -eq "1" -and user.b -eq "2") -or user.c -eq "3"', 'user.a -eq "1" -or user.b -eq "2"'])
      expect(regroupings('entra', text, rule('entra', text).parsed.mixedLogic)).toEqual([])
  })
})
