import { describe, expect, it } from 'vitest'
import { compileRule } from '../../../src/main/rules'
import type { Attributes } from '../../../src/shared/domain'
import { entra, entraError } from './helpers'

describe('compileRule', () => {
  it('keeps the dialect and the text as written', () => {
    const text = '  user.Department -eq "Sales"\n'
    const rule = entra(text)
    expect(rule.dialect).toBe('entra')
    expect(rule.text).toBe(text)
    expect(rule.attributes).toEqual(['department'])
  })

  it('evaluates many users with one compiled rule, leaving them unchanged', () => {
    const rule = entra('user.department -eq "Sales" -and user.country -ne null')
    const users: Attributes[] = [
      { department: 'Sales', country: 'US' },
      { department: 'HR', country: 'US' },
      { department: 'Sales' },
    ]
    const before = JSON.stringify(users)
    expect(users.map(user => rule.evaluate(user))).toEqual([
      { result: true, missing: [] },
      { result: false, missing: [] },
      { result: false, missing: ['country'] },
    ])
    expect(JSON.stringify(users)).toBe(before)
  })

  it('returns an error value, not an exception, for text that is not a string', () => {
    const result = compileRule('entra', undefined as never)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.message).toBe('The rule must be text')
  })

  it('gives each error its own expected list', () => {
    const first = entraError('user.department')
    first.expected.length = 0
    expect(entraError('user.department').expected).toContain('-eq')
  })
})
