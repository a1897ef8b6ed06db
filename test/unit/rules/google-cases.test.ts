// Every outside Google example (cases/google.ts) compiles and gives Google's documented result,
// in evaluation and in its explanation; the documented forms JIT Mapper refuses are listed
// below, each with why.

import { describe, expect, it } from 'vitest'
import { compileRule } from '../../../src/main/rules'
import { GOOGLE_CASES } from './cases/google'
import { ruleErrorOf } from './helpers'

describe('Google examples from outside sources', () => {
  it.each(GOOGLE_CASES.map(c => [c.source, c.rule, c.user, c.result] as const))(
    '%s: %s on %j is %s',
    (_source, rule, user, result) => {
      const compiled = compileRule('google', rule)
      if (!compiled.ok) throw new Error(`refused: ${compiled.error.message} at ${compiled.error.column}`)
      expect(compiled.rule.evaluate(user).result).toBe(result)
      expect(compiled.rule.explain(user).result).toBe(result)
    },
  )

  it('refuses none of them', () => {
    expect(GOOGLE_CASES.filter(c => !compileRule('google', c.rule).ok).map(c => c.rule)).toEqual([])
  })
})

describe('documented Google forms JIT Mapper refuses, and why', () => {
  it.each([
    // TQ prints this with `=` (CEL compares with ==) and the singular `organization`.
    ['!user.organization.exists(org, org.title = "Marketing")', /Google queries don't use "="/],
    // TQ: "Some combinations of the NOT ! operator and the exists() macro are not supported".
    [
      '!user.organizations.exists(org, (org.title == "Cloud" && org.department == "Sales"))',
      /doesn't support ! before exists\(\) with && inside/,
    ],
    ['user.organizations.exists(org, !(org.title == "Cloud"))', /doesn't support ! inside exists\(\)/],
    // MQ's sample for emails.custom_type reads `email` outside any exists(): no such variable.
    ["email.address.startsWith('custom@google.com')", /"email" isn't defined here/],
  ])('%s', (rule, message) => {
    expect(ruleErrorOf('google', rule).message).toMatch(message)
  })
})
