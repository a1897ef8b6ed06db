// How JIT Mapper evaluates the whole Okta Expression Language: SpEL's operators and Okta's
// functions, the null and type rules of okta-eval.ts (including the choices where Okta's docs
// are silent), and that the simple forms still take the generated fast path.

import { describe, expect, it } from 'vitest'
import { GROUP_NAMES, compileRule, lintRule } from '../../../src/main/rules'
import { rule } from './helpers'

const okta = (text: string) => rule('okta', text)

describe('the language as SpEL reads it', () => {
  it.each([
    // keywords in any case, next to the symbols
    ['user.a == "x" AND user.b == "y"', { a: 'x', b: 'y' }, true],
    ['user.a == "x" and user.b == "y"', { a: 'x', b: 'y' }, true],
    ['user.a == "x" Or user.b == "y"', { b: 'y' }, true],
    ['NOT (user.a == "x")', { a: 'y' }, true],
    ['not user.flag', { flag: false }, true],
    ['user.flag == TRUE', { flag: true }, true],
    ['user.flag == False', { flag: false }, true],
    ['user.a EQ "x"', { a: 'x' }, true],
    ['user.n gt 3 and user.n le 5', { n: 4 }, true],
    // literals anywhere, comparisons between any two operands
    ['"x" == "x"', {}, true],
    ['\'x\' == "x"', {}, true],
    ['user.a == user.b', { a: 'q', b: 'q' }, true],
    ['user.a != user.b', { a: 'q', b: 'r' }, true],
    ['user.n < user.m', { n: 1, m: 2 }, true],
    ['1 < 2', {}, true],
    ['null == NULL', {}, true],
    // arithmetic and concatenation, SpEL precedence
    ['user.n + 1 == 4', { n: 3 }, true],
    ['user.n * 2 + 1 == 7', { n: 3 }, true],
    ['user.n - 2 * 3 == 4', { n: 10 }, true],
    ['7 / 2 == 3', {}, true],
    ['7.0 / 2 == 3.5', {}, true],
    ['7 % 3 == 1', {}, true],
    ['2 ^ 10 == 1024', {}, true],
    ['-user.n == -3', { n: 3 }, true],
    ['user.a + 1 == "x1"', { a: 'x' }, true],
    ['user.a + user.missing == "xnull"', { a: 'x' }, true],
    // ternary (nested) and Elvis
    ['(user.n > 5 ? "big" : user.n > 2 ? "mid" : "small") == "mid"', { n: 3 }, true],
    ['user.n > 5 ? true : user.flag', { n: 1, flag: true }, true],
    ['(user.a ?: "none") == "none"', { a: '' }, true],
    ['(user.a ?: "none") == "x"', { a: 'x' }, true],
    // inline lists, indexing
    ['{1, 2, 3} == {1, 2, 3}', {}, true],
    ['{1, 2} == {2, 1}', {}, false],
    ['{10, 20, 30}[1] == 20', {}, true],
    ['user.tags[0] == "a"', { tags: ['a', 'b'] }, true],
    ['user.tags == {"a", "b"}', { tags: ['a', 'b'] }, true],
    // matches: Java's String.matches, the whole value
    ['user.title matches "Eng.*"', { title: 'Engineer' }, true],
    ['user.title matches "Eng"', { title: 'Engineer' }, false],
    ["user.title matches '(?i)engineer'", { title: 'ENGINEER' }, true],
    // nested calls as arguments
    ['String.startsWith(user.firstName, String.toLowerCase("AN"))', { firstName: 'andy' }, true],
    ['String.len(String.removeSpaces(user.a)) == 3', { a: 'a b c' }, true],
    ['Arrays.contains(user.tags, String.toUpperCase(user.want))', { tags: ['X'], want: 'x' }, true],
    // nested attribute paths
    ['user.address.city == "Lagos"', { address: { city: 'Lagos' } }, true],
    // condition == true/false
    ['String.stringContains(user.email, "@x.com") == false', { email: 'a@y.com' }, true],
    // ! binds before == in SpEL: (!user.flag) == false
    ['!user.flag == false', { flag: true }, true],
  ])('%s on %j is %s', (text, user, expected) => {
    expect(okta(text).evaluate(user).result).toBe(expected)
    expect(okta(text).explain(user).result).toBe(expected)
  })
})

describe('types and nulls', () => {
  it.each([
    // == never fails: text never equals a number, numbers compare by value
    ['user.n == 3', { n: '3' }, false],
    ['user.n == 3.0', { n: 3 }, true],
    ['user.n != 3', { n: '3' }, true],
    // a never-populated attribute is null; a cleared one is ""
    ['user.a == null', {}, true],
    ['user.a == null', { a: '' }, false],
    ['user.a == ""', { a: '' }, true],
    // ordering needs two values of one type; otherwise Okta stops and the user isn't added
    ['user.n < 5', { n: '3' }, false],
    ['!(user.n < 5)', { n: '3' }, false],
    ['user.n < 5 OR user.a == "x"', { n: '3', a: 'x' }, false],
    ['user.a == "x" OR user.n < 5', { n: '3', a: 'x' }, true],
    // our choice: ordering a missing attribute stops the rule (SpEL alone would sort null first)
    ['user.n < 5', {}, false],
    ['!(user.n < 5)', {}, false],
    // !, AND, OR need true or false
    ['!user.flag', {}, false],
    ['!user.flag OR user.a == "x"', { a: 'x' }, false],
    ['user.a == "x" OR !user.flag', { a: 'x' }, true],
    ['user.flag || user.a == "x"', { flag: 'yes', a: 'x' }, false],
    // a rule that isn't true or false adds no one
    ['user.a', { a: 'x' }, false],
    // String functions and null
    ['String.len(user.a) == 0', {}, true],
    ['String.toLowerCase(user.a) == null', {}, true],
    ['String.stringContains(user.a, "x")', {}, false],
    ['String.stringContains(user.tags, "dm")', { tags: ['x', 'admin'] }, true],
    ['String.stringContains(user.n, "1")', { n: 12 }, false],
    ['String.substringAfter(user.a, "@") == ""', { a: 'none' }, true],
    ['String.substringBefore(user.a, "@") == "none"', { a: 'none' }, true],
    ['String.substring(user.a, 0, 10) == "ab"', { a: 'ab' }, false],
    ['String.replace(user.a, ".", "-") == "a-b-c"', { a: 'a.b.c' }, true],
    // Arrays read comma-separated text as a list
    ['Arrays.contains(user.csv, "b")', { csv: 'a,b,c' }, true],
    ['Arrays.size(user.csv) == 3', { csv: 'a,b,c' }, true],
    ['Arrays.isEmpty(user.csv)', { csv: '' }, true],
    ['Arrays.get(user.tags, 5) == null', { tags: ['a'] }, true],
    // Convert
    ['Convert.toInt(user.a) == 3', { a: 'x' }, false],
    ['Convert.toInt(user.a) == -2', { a: -1.6 }, true],
  ])('%s on %j is %s', (text, user, expected) => {
    expect(okta(text).evaluate(user).result).toBe(expected)
    expect(okta(text).explain(user).result).toBe(expected)
  })

  it('reports attributes read but lacking, as evaluation reads them', () => {
    expect(okta('String.substringBefore(user.email, "@") == user.login').evaluate({ login: 'x' })).toEqual({
      result: false,
      missing: ['email'],
    })
    expect(okta('user.a == "x" ? user.b == "y" : user.c == "z"').evaluate({ a: 'x', b: 'y' }).missing).toEqual([])
    expect(okta('isMemberOfGroupName("S") OR user.n + 1 > 2').evaluate({ n: 5 }).missing).toEqual([GROUP_NAMES])
  })

  it('explains why Okta stops evaluating', () => {
    const explained = okta('!(user.n < 5)').explain({ n: 'three' })
    expect(explained.result).toBe(false)
    expect(explained.hints.join(' ')).toMatch(/can't order the text "three" and the number 5.*isn't added/)
    expect(explained.root.operator).toBe('not')
    expect(explained.root.children?.[0]).toMatchObject({ text: '(user.n < 5)', actual: 'three', expected: 5 })
  })
})

describe('the fast path', () => {
  it.each([
    ['user.department == "Sales"', 'compare'],
    ['user.a == "x" AND user.b != "y"', 'and'],
    ['String.stringContains(user.mail, "@contoso") && user.level >= 3', 'and'],
    ['Arrays.contains(user.otherMails, "a@b.c") OR user.level < 2', 'or'],
    ['String.startsWith(user.jobTitle, "Eng") || !(user.city == "Lagos")', 'or'],
    ['user.getInternalProperty("status") == "ACTIVE" AND user.hasBadge', 'and'],
    ['isMemberOfGroupName("Sales") OR isMemberOfAnyGroup("00g1", "00g2")', 'or'],
    ['!(user.n < 5)', 'expr'],
    ['user.a + "x" == "yx"', 'expr'],
  ])('%s runs as %s', (text, kind) => {
    expect(okta(text).parsed.root.kind).toBe(kind)
  })
})

describe('lint', () => {
  it.each([
    ['user.title matches "Eng.*"', /deprecated/],
    ['toLowerCase(user.a) == "x"', /deprecated functions without a namespace.*String\.toLowerCase/],
    ['"text"', /Okta requires a group rule's expression to evaluate to true or false/],
  ])('%s warns', (text, message) => {
    const compiled = compileRule('okta', text)
    if (!compiled.ok) throw new Error(compiled.error.message)
    const warnings = lintRule(compiled.rule, []).filter(w => w.code === 'restriction')
    expect(warnings.map(w => w.message).join('\n')).toMatch(message)
  })

  it('finds conditions of whole expressions that no synced user satisfies', () => {
    const compiled = compileRule('okta', 'user.a + user.b == "xy"')
    if (!compiled.ok) throw new Error(compiled.error.message)
    expect(lintRule(compiled.rule, [{ a: 'x', b: 'z' }]).map(w => w.code)).toEqual(['unsatisfied'])
    expect(lintRule(compiled.rule, [{ a: 'x', b: 'y' }])).toEqual([])
  })
})
