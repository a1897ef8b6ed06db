// Every outside Entra example (cases/entra.ts) compiles and gives Microsoft's documented result,
// in evaluation and in its explanation; the documented forms JIT Mapper refuses are listed
// below, each with why.

import { describe, expect, it } from 'vitest'
import { compileRule, lintRule, ruleInputFrom } from '../../../src/main/rules'
import { ENTRA_CASES } from './cases/entra'
import { entraError } from './helpers'

describe('Entra examples from outside sources', () => {
  it.each(ENTRA_CASES.map(c => [c.source, c.rule, c.user, c.result, c.now] as const))(
    '%s: %s on %j is %s',
    (_source, rule, user, result, now) => {
      const compiled = compileRule('entra', rule)
      if (!compiled.ok) throw new Error(`refused: ${compiled.error.message} at ${compiled.error.column}`)
      const input = ruleInputFrom('entra', user)
      const at = now === undefined ? undefined : new Date(now)
      expect(compiled.rule.evaluate(input, at).result).toBe(result)
      expect(compiled.rule.explain(input, at).result).toBe(result)
    },
  )

  it('refuses none of them', () => {
    expect(ENTRA_CASES.filter(c => !compileRule('entra', c.rule).ok).map(c => c.rule)).toEqual([])
  })
})

describe('documented Entra forms JIT Mapper refuses, and why', () => {
  it.each([
    // DM prints these with EN DASH (U+2013); Entra's operators start with a hyphen.
    ['user.department –eq "Marketing" –and user.country –eq "US"', /EN DASH/],
    ['user.country –eq "US" –and (user.department –eq "Marketing" –or user.department –eq "Sales")', /EN DASH/],
    ['user.mail –ne null', /EN DASH/],
    // DM "Rules for devices": device rules fill groups with devices; JIT Mapper's groups hold users.
    ['device.deviceOSType -eq "iPad"', /Device rules aren't supported/],
    ['(device.deviceOSType -eq "iPad") -or (device.deviceOSType -eq "iOS")', /Device rules aren't supported/],
    ['device.objectId -ne null', /Device rules aren't supported/],
    ['device.devicePhysicalIDs -any _ -startsWith "[ZTDId]"', /Device rules aren't supported/],
    ["device.memberOf -any (group.objectId -in ['value'])", /Device rules aren't supported/],
    // DM: "This rule can't be combined with any other membership rules."
    [`Direct Reports for "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb" -and user.userType -eq "Member"`, /can't be combined/],
    // DM: "The -not operator can't be used as a comparative operator for null."
    ['user.department -not null', /-not can't follow user\.department/],
    // TS: the broken rules its error table fixes ("Query compilation error", "Operator isn't supported").
    ['(user.department -eq "Sales") (user.department -eq "Marketing")', /Missing -and or -or/],
    ['user.accountEnabled -contains true', /isn't supported on user\.accountEnabled/],
    ['(user.userPrincipalName -match "*@domain.ext")', /Invalid regular expression/],
  ])('%s', (rule, message) => {
    expect(entraError(rule).message).toMatch(message)
  })
})

describe('"null" in quotes (DM: "Use quotes around the word null only if you want it to be interpreted as a literal string value")', () => {
  it('compares with the text null, and lint warns that it is not an empty value', () => {
    const compiled = compileRule('entra', 'user.employeeId -ne "null"')
    if (!compiled.ok) throw new Error(compiled.error.message)
    expect(compiled.rule.evaluate({ employeeId: 'null' }).result).toBe(false)
    expect(compiled.rule.evaluate({ employeeId: 'E-1' }).result).toBe(true)
    expect(compiled.rule.evaluate({})).toEqual({ result: true, missing: ['employeeId'] })
    const warnings = lintRule(compiled.rule, []).filter(w => w.code === 'restriction')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ start: 20, column: 21 })
    expect(warnings[0]?.message).toMatch(/user\.employeeId -ne null, without quotes/)
  })
})
