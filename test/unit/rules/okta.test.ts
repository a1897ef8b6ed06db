import { describe, expect, it } from 'vitest'
import { GROUP_IDS, GROUP_NAMES, ruleInputFrom } from '../../../src/main/rules'
import { marked, rule, ruleErrorOf } from './helpers'

const okta = (text: string) => rule('okta', text)

describe('documented Okta group-rule expressions', () => {
  it.each([
    // Group rules API: expression value `user.role=="Engineer"`.
    ['user.role=="Engineer"', { role: 'Engineer' }, true],
    ['user.role=="Engineer"', { role: 'engineer' }, false],
    // "Expressions in group rules".
    ['user.hasBadge', { hasBadge: true }, true],
    ['user.hasBadge', { hasBadge: false }, false],
    ['String.stringContains(user.email, "@example.com")', { email: 'ada@example.com' }, true],
    ['String.stringContains(user.email, "@example.com")', { email: 'ada@EXAMPLE.com' }, false],
    ['Arrays.contains(user.favoriteColors, "blue")', { favoriteColors: ['red', 'blue'] }, true],
    // Arrays.contains is an exact, case-sensitive element match, no substring.
    ['Arrays.contains(user.favoriteColors, "blue")', { favoriteColors: ['Blue', 'bluegreen'] }, false],
    [
      'user.getInternalProperty("status") == "ACTIVE"',
      ruleInputFrom('okta', { id: '00u1', status: 'ACTIVE', profile: {} }),
      true,
    ],
    [
      'user.getInternalProperty("id") == "00u1"',
      ruleInputFrom('okta', { id: '00u1', status: 'ACTIVE', profile: {} }),
      true,
    ],
    // Pulumi's okta.group.Rule example.
    ['String.startsWith(user.firstName,"andy")', { firstName: 'andy' }, true],
    ['String.startsWith(user.firstName,"andy")', { firstName: 'Andy' }, false],
  ])('%s on %j is %s', (text, user, expected) => {
    expect(okta(text).evaluate(user).result).toBe(expected)
  })
})

describe('operators, precedence and values', () => {
  it.each([
    ['user.a == "x" AND user.b == "y" OR user.c == "z"', { c: 'z' }, true],
    ['user.a == "x" && (user.b == "y" || user.c == "z")', { c: 'z' }, false],
    ['user.a == "x" and user.b == "y"', { a: 'x', b: 'y' }, true],
    ['!(user.a == "x")', { a: 'y' }, true],
    ['!user.hasBadge', { hasBadge: false }, true],
    ['user.level >= 3', { level: 3 }, true],
    ['user.level > 3', { level: 3 }, false],
    ['3 < user.level', { level: 4 }, true],
    ['user.level == 3', { level: '3' }, false],
    ["user.a == 'it''s'", { a: "it's" }, true],
    ['user.a != "x"', { a: 'y' }, true],
    ['user.a == null', {}, true],
    // Okta: a never-populated attribute is null; a populated-then-cleared one is "".
    ['user.a == null', { a: '' }, false],
    ['user.a == ""', { a: '' }, true],
    ['user.a == ""', {}, false],
    ['Arrays.isEmpty(user.list)', { list: [] }, true],
    ['Arrays.isEmpty(user.list)', {}, true],
    ['Arrays.isEmpty(user.list)', { list: ['x'] }, false],
    ['Arrays.size(user.list) >= 2', { list: ['x', 'y'] }, true],
    ['String.len(user.a) == 3', { a: 'abc' }, true],
    ['String.toLowerCase(user.department) == "sales"', { department: 'SALES' }, true],
    ['String.toUpperCase(user.department) == "SALES"', { department: 'sales' }, true],
    ['String.stringContains(user.email, "@x.com") == false', { email: 'a@x.com' }, false],
    // Okta treats blank spaces as distinct characters.
    ['user.department == "Sales"', { department: 'Sales ' }, false],
  ])('%s on %j is %s', (text, user, expected) => {
    expect(okta(text).evaluate(user).result).toBe(expected)
  })
})

describe('group functions read the user groups the caller passes', () => {
  const input = ruleInputFrom('okta', {
    id: '00u1',
    status: 'ACTIVE',
    profile: { login: 'ada@example.com' },
    groups: [
      { id: '00g1', profile: { name: 'San Francisco Sales' } },
      { id: '00g2', profile: { name: 'Helpdesk admins' } },
    ],
  })

  it.each([
    ['isMemberOfGroupName("San Francisco Sales")', true],
    ['isMemberOfGroupName("san francisco sales")', false],
    ['isMemberOfGroup("00g2")', true],
    ['isMemberOfAnyGroup("00g9", "00g1")', true],
    ['isMemberOfAnyGroup("00g9")', false],
    ['isMemberOfGroupNameStartsWith("San Fr")', true],
    ['isMemberOfGroupNameContains("admin")', true],
    ['isMemberOfGroupNameRegex(".*admin.*")', true],
    ['isMemberOfGroupNameRegex("admin")', false],
    // "Examples of Okta Expression Language".
    ["user.isMemberOf({'group.profile.name': 'San Francisco Sales', 'operator': 'EXACT'})", true],
    ["user.isMemberOf({'group.id': '00g1'})", true],
    ["!user.isMemberOf({'group.id': '00g1'})", false],
    ["user.isMemberOf({'group.id': '00g1'}) && user.isMemberOf({'group.id': '00g3'})", false],
    ["user.isMemberOf({'group.id': '00g1'}) || user.isMemberOf({'group.id': '00g3'})", true],
  ])('%s is %s', (text, expected) => {
    expect(okta(text).evaluate(input).result).toBe(expected)
  })

  it('reports the groups as missing when the caller did not give them', () => {
    expect(okta('isMemberOfGroupName("x")').evaluate({})).toEqual({ result: false, missing: [GROUP_NAMES] })
    expect(okta('isMemberOfGroup("x")').evaluate({})).toEqual({ result: false, missing: [GROUP_IDS] })
    expect(okta('isMemberOfGroupName("x")').evaluate({ [GROUP_NAMES]: [] })).toEqual({ result: false, missing: [] })
  })

  it('accepts plain group names next to the user', () => {
    expect(
      okta('isMemberOfGroupName("Sales")').evaluate(ruleInputFrom('okta', { profile: {}, groups: ['Sales'] })).result,
    ).toBe(true)
  })
})

describe('parse errors point at the mistake', () => {
  it.each([
    ['user.a ▸= "x"', /don't use "="/, /==/],
    ['user.a ▸-eq "x"', /Entra-style/, /==/],
    ['String.▸endsWith(user.a, "x")', /Okta has no String\.endsWith/, undefined],
    ['String.▸stringcontains(user.a, "x")', /Okta has no String\.stringcontains/, /case-sensitive/],
    ['▸ismemberofgroupname("x")', /case-sensitive/, undefined],
    ['user.a == "x" ▸user.b == "y"', /between two conditions/, undefined],
    ['(user.a == "x"▸', /Missing \) for the \( at line 1, column 1/, undefined],
    ['user.a == ▸"x', /no closing double quote/, undefined],
    ['user.a == “x”'.replace('“', '▸“'), /typographic quote/, /straight quotes/],
    ['user.getInternalProperty(▸"email") == "x"', /reads "id" or "status"/, undefined],
    ['isMemberOfGroupNameRegex(▸"(")', /Invalid regular expression/, undefined],
    ['▸', /empty/, undefined],
    ["user.isMemberOf({'group.profile.name': 'S', 'operator': ▸'CONTAINS'})", /EXACT or STARTS_WITH/, undefined],
    ['▸Time.now() == "x"', /Time\.\* functions aren't allowed/, /user/],
    ['▸appuser.firstName == "x"', /not available to group rules/, undefined],
    ['user.▸getLinkedObject("manager").lastName == "Gates"', /can't call user\.getLinkedObject/, undefined],
    ['user.a ▸instanceof "x"', /can't use instanceof/, undefined],
    ['user.a == 1 ▸== 2', /don't chain/, /AND/],
    ['user.a ? "x" ▸', /Expected :/, undefined],
    ['String.len(user.a, ▸) == 1', /Expected a value before \)/, undefined],
    ['String.▸substring(user.a, 1) == "x"', /takes 3 arguments, not 2/, undefined],
    ['user.a matches "▸(?>a)"', /atomic groups/, undefined],
    ["▸user.isMemberOf({'operator': 'EXACT'})", /either 'group.id' or 'group.profile.name'/, undefined],
  ])('%s', (text, message, hint) => {
    const { rule: source, offset } = marked(text)
    const error = ruleErrorOf('okta', source)
    expect(error.message).toMatch(message)
    expect(error.offset).toBe(offset)
    expect(error.column).toBe(offset + 1)
    expect(error.expected.length).toBeGreaterThan(0)
    if (hint !== undefined) expect(error.hint).toMatch(hint)
  })
})
