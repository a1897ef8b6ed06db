import { describe, expect, it } from 'vitest'
import { type RuleInput, lintRule } from '../../../src/main/rules'
import type { Dialect } from '../../../src/shared/domain'
import { rule } from './helpers'

const USERS: RuleInput[] = [
  { department: 'Sales', country: 'US', city: 'Lagos' },
  { department: 'Marketing', country: 'DE', city: 'Berlin' },
  { department: 'Customer Success', country: 'US' },
]

const codes = (dialect: Dialect, text: string, users = USERS) => lintRule(rule(dialect, text), users).map(w => w.code)

describe('lint', () => {
  it('finds a condition no synced user satisfies', () => {
    const [warning] = lintRule(rule('entra', 'user.department -eq "Sales" -or user.department -eq "Legal"'), USERS)
    expect(warning).toMatchObject({ code: 'unsatisfied', start: 32, line: 1, column: 33 })
    expect(warning?.message).toMatch(/No synced user satisfies user\.department -eq "Legal" \(checked 3 users\)/)
    expect(codes('entra', 'user.department -eq "Sales"')).toEqual([])
    expect(codes('entra', 'user.department -eq "Legal"', [])).toEqual([])
  })

  it('finds values that differ from directory values only by case or whitespace', () => {
    const okta = lintRule(rule('okta', 'user.department == "sales"'), USERS)
    expect(okta.map(w => w.code)).toEqual(['case-or-whitespace', 'unsatisfied'])
    expect(okta[0]?.message).toMatch(/"Sales" differs from it only by case/)
    const entra = lintRule(rule('entra', 'user.department -in ["Customer  Success", "x"]'), USERS)
    expect(entra[0]?.message).toMatch(/"Customer Success" differs from it only by whitespace/)
    // Entra ignores case, so a case difference is no mistake there.
    expect(codes('entra', 'user.department -eq "sales"')).toEqual([])
    expect(codes('google', "user.department == 'Sales '")).toContain('case-or-whitespace')
  })

  it('finds AND and OR mixed without parentheses', () => {
    expect(codes('entra', 'user.department -eq "Sales" -and user.country -eq "US" -or user.city -eq "Berlin"')).toEqual(
      ['mixed-logic'],
    )
    expect(codes('okta', 'user.department == "Sales" AND user.country == "US" OR user.city == "Berlin"')).toEqual([
      'mixed-logic',
    ])
    expect(codes('google', "user.department == 'Sales' || user.country == 'US' && user.city == 'Berlin'")).toEqual([
      'mixed-logic',
    ])
    expect(
      codes('entra', '(user.department -eq "Sales" -and user.country -eq "US") -or user.city -eq "Berlin"'),
    ).toEqual([])
  })

  it('finds contradictions', () => {
    expect(codes('entra', 'user.department -eq "Sales" -and user.department -eq "Marketing"')).toEqual([
      'contradiction',
    ])
    expect(codes('entra', 'user.department -eq "Sales" -and user.department -ne "Sales"')).toContain('contradiction')
    expect(codes('okta', 'user.department == "Sales" AND user.department == null')).toContain('contradiction')
    expect(codes('entra', 'user.country -in ["US"] -and user.country -in ["DE"]')).toContain('contradiction')
    expect(codes('entra', 'user.department -eq "Sales" -and user.department -eq "SALES"')).toEqual([])
    expect(codes('okta', 'user.department == "Sales" AND user.department == "SALES"')).toContain('contradiction')
  })

  it('finds always-true conditions', () => {
    expect(codes('entra', 'user.city -eq null -or user.city -ne null')).toEqual(['always-true'])
    expect(codes('entra', 'user.department -ne "Sales" -or user.department -ne "Marketing"')).toEqual(['always-true'])
    expect(codes('entra', 'user.department -contains ""')).toEqual(['always-true'])
    expect(codes('google', "user.department.matches('.*')")).toEqual(['always-true'])
    expect(codes('entra', 'user.department -match "^S"')).toEqual([])
  })
})
