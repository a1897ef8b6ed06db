// Every outside Okta example (cases/okta.ts) compiles here and gives Okta's documented result,
// on the path JIT Mapper picks for it and in its explanation.

import { describe, expect, it } from 'vitest'
import { compileRule, lintRule } from '../../../src/main/rules'
import { OKTA_CASES } from './cases/okta'

describe('Okta examples from outside sources', () => {
  it.each(OKTA_CASES.map(c => [c.source, c.rule, c.user, c.result] as const))(
    '%s: %s on %j is %s',
    (_source, rule, user, result) => {
      const compiled = compileRule('okta', rule)
      if (!compiled.ok) throw new Error(`refused: ${compiled.error.message} at ${compiled.error.column}`)
      expect(compiled.rule.evaluate(user).result).toBe(result)
      expect(compiled.rule.explain(user).result).toBe(result)
    },
  )

  it('refuses none of them', () => {
    const refused = OKTA_CASES.filter(c => !compileRule('okta', c.rule).ok)
    expect(refused).toEqual([])
  })

  it('warns where Okta documents a group-rule restriction, with the position and the reason', () => {
    const compiled = compileRule('okta', 'user.a == "x" AND Convert.toInt(user.year) == 2018')
    if (!compiled.ok) throw new Error(compiled.error.message)
    const warnings = lintRule(compiled.rule, []).filter(w => w.code === 'restriction')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ start: 18, column: 19 })
    expect(warnings[0]?.message).toMatch(/group rule conditions allow only String, Arrays and user expressions/)
  })
})
