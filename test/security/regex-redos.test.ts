// Regular expressions in rules run in linear time: patterns whose backtracking explodes (the
// overlapping alternations under repetition that froze the host for 4.7 s on a 29-character
// value) finish at once, and constructs that need backtracking are refused with a position.
import { describe, expect, it } from 'vitest'
import { compileRegex, MAX_MATCH_LENGTH, type RegexFlavour } from '../../src/main/rules/regex'

const EVIL: ReadonlyArray<readonly [string, string]> = [
  ['(a|a)*b', `${'a'.repeat(29)}c`],
  ['(a|aa)+$', `${'a'.repeat(40)}!`],
  ['^(\\w|\\d)+$', `${'1'.repeat(40)}!`],
  ['(x+x+)+y', 'x'.repeat(40)],
  ['(.*a){20}', `${'a'.repeat(19)}${'b'.repeat(20)}`],
  ['^(([a-z])+.)+[A-Z]([a-z])+$', `${'a'.repeat(40)}!`],
]
const FLAVOURS: RegexFlavour[] = ['dotnet', 're2', 'java']

describe('hostile regular expressions', () => {
  it.each(FLAVOURS.flatMap(f => EVIL.map(([p, v]) => [f, p, v] as const)))(
    '%s %s against its worst value finishes within 100 ms',
    (flavour, pattern, value) => {
      const compiled = compileRegex(pattern, flavour, true)
      if (!compiled.ok) throw new Error(compiled.message)
      const started = performance.now()
      expect(compiled.regex.test(value)).toBe(false)
      expect(performance.now() - started).toBeLessThan(100)
    },
  )

  it('still matches what it should', () => {
    const r = compileRegex('(a|a)*b', 'dotnet', true)
    expect(r.ok && r.regex.test('AAAB')).toBe(true)
    const j = compileRegex('sales-.*', 'java', false)
    expect(j.ok && [j.regex.test('sales-emea'), j.regex.test('x-sales-emea')]).toEqual([true, false])
  })

  it.each([
    ['(?=a)b', 'lookahead'],
    ['a(?!b)', 'lookahead'],
    ['(?<=a)b', 'lookahead'],
    ['(a)\\1', 'backreferences'],
  ])('refuses %s (needs backtracking) with its position', (pattern, what) => {
    const r = compileRegex(pattern, 'dotnet', true)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.message).toContain(what)
      expect(r.offset).toBeGreaterThanOrEqual(0)
    }
  })

  it('does not run on values longer than the cap', () => {
    const r = compileRegex('a', 're2', false)
    expect(r.ok && r.regex.test('a'.repeat(MAX_MATCH_LENGTH + 1))).toBe(false)
    expect(r.ok && r.regex.test('a'.repeat(MAX_MATCH_LENGTH))).toBe(true)
  })
})
