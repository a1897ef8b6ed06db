// Okta group-rule expressions from outside JIT Mapper, each with a user and the result Okta
// documents (or, for a function's documented output, the comparison with that output).
// Sources:
//   EL   = developer.okta.com "Okta Expression Language" (okta/okta-developer-docs,
//          packages/@okta/vuepress-site/docs/reference/okta-expression-language/index.md):
//          its function tables (input → output), "Samples Using Group Rules", "Constants and Operators".
//   GR   = Okta "Expressions in group rules" and the Groups API's group-rule example (user.role=="Engineer").
//   EX   = Okta "Examples of Okta Expression Language" (user.isMemberOf).
//   SUP  = support.okta.com "Are Group Rule Expressions Case Sensitive".
//   TF   = Terraform/Pulumi okta_group_rule examples (registry.terraform.io okta/okta, okta_group_rule;
//          pulumi/pulumi-okta sdk examples for okta.group.Rule).
//   CHEAT= critical-mass/infraTools documentation/okta_cheat_sheet.md (group rule for a blank attribute).

import { GROUP_IDS, GROUP_NAMES, INTERNAL_STATUS } from '../../../../src/main/rules'

export interface RuleCase {
  rule: string
  user: Record<string, unknown>
  result: boolean
  source: string
}

const winston = {
  firstName: 'Winston',
  lastName: 'Churchill',
  email: 'winston.churchill@gmail.com',
  login: 'winston.churchill@gmail.com',
}

export const OKTA_CASES: RuleCase[] = [
  // GR
  { rule: 'user.role=="Engineer"', user: { role: 'Engineer' }, result: true, source: 'GR' },
  { rule: 'user.hasBadge', user: { hasBadge: true }, result: true, source: 'GR' },
  {
    rule: 'String.stringContains(user.email, "@example.com")',
    user: { email: 'a@example.com' },
    result: true,
    source: 'GR',
  },
  {
    rule: 'Arrays.contains(user.favoriteColors, "blue")',
    user: { favoriteColors: ['red', 'blue'] },
    result: true,
    source: 'GR',
  },
  {
    rule: 'user.getInternalProperty("status") == "ACTIVE"',
    user: { [INTERNAL_STATUS]: 'ACTIVE' },
    result: true,
    source: 'GR',
  },
  // GR: "Convert.toInt("2018") == user.yearJoined" is not allowed in group rules; evaluated with a lint warning.
  { rule: 'Convert.toInt("2018") == user.yearJoined', user: { yearJoined: 2018 }, result: true, source: 'GR' },
  // EL "Samples Using Group Rules"
  { rule: 'String.stringContains(user.firstName, "dummy")', user: { firstName: 'dummy1' }, result: true, source: 'EL' },
  { rule: 'user.city == "San Francisco"', user: { city: 'San Francisco' }, result: true, source: 'EL' },
  { rule: 'user.salary >= 1000000', user: { salary: 1000000 }, result: true, source: 'EL' },
  { rule: '!user.isContractor', user: { isContractor: false }, result: true, source: 'EL' },
  {
    rule: 'user.salary > 1000000 AND !user.isContractor',
    user: { salary: 2000000, isContractor: false },
    result: true,
    source: 'EL',
  },
  {
    rule: 'user.salary > 1000000 AND !user.isContractor',
    user: { salary: 2000000, isContractor: true },
    result: false,
    source: 'EL',
  },
  // EL String function table, each documented output compared.
  { rule: 'String.append("This is", " a test") == "This is a test"', user: {}, result: true, source: 'EL' },
  { rule: 'String.join(",", "This", "is", "a", "test") == "This,is,a,test"', user: {}, result: true, source: 'EL' },
  { rule: 'String.join("", "This", "is", "a", "test") == "Thisisatest"', user: {}, result: true, source: 'EL' },
  { rule: 'String.len("This") == 4', user: {}, result: true, source: 'EL' },
  { rule: 'String.removeSpaces("This is a test") == "Thisisatest"', user: {}, result: true, source: 'EL' },
  { rule: 'String.replace("This is a test", "is", "at") == "That at a test"', user: {}, result: true, source: 'EL' },
  {
    rule: 'String.replaceFirst("This is a test", "is", "at") == "That is a test"',
    user: {},
    result: true,
    source: 'EL',
  },
  { rule: 'String.stringContains("This is a test", "test")', user: {}, result: true, source: 'EL' },
  { rule: 'String.stringContains("This is a test", "doesn\'tExist")', user: {}, result: false, source: 'EL' },
  {
    rule: 'String.stringSwitch("This is a test", "default", "key1", "value1") == "default"',
    user: {},
    result: true,
    source: 'EL',
  },
  {
    rule: 'String.stringSwitch("This is a test", "default", "test", "value1") == "value1"',
    user: {},
    result: true,
    source: 'EL',
  },
  {
    rule: 'String.stringSwitch("First match wins", "default", "absent", "value1", "wins", "value2", "match", "value3") == "value2"',
    user: {},
    result: true,
    source: 'EL',
  },
  {
    rule: 'String.stringSwitch("Substrings count", "default", "ring", "value1") == "value1"',
    user: {},
    result: true,
    source: 'EL',
  },
  { rule: 'String.substring("This is a test", 2, 9) == "is is a"', user: {}, result: true, source: 'EL' },
  { rule: 'String.substringAfter("abc@okta.com", "@") == "okta.com"', user: {}, result: true, source: 'EL' },
  { rule: 'String.substringBefore("abc@okta.com", "@") == "abc"', user: {}, result: true, source: 'EL' },
  { rule: 'String.toUpperCase("This") == "THIS"', user: {}, result: true, source: 'EL' },
  { rule: 'String.toLowerCase("ThiS") == "this"', user: {}, result: true, source: 'EL' },
  { rule: 'String.startsWith("Kiss", "K")', user: {}, result: true, source: 'EL' },
  // EL deprecated functions (input → output rows), read off the user.
  { rule: 'toUpperCase(user.firstName) == "ALEXANDER"', user: { firstName: 'Alexander' }, result: true, source: 'EL' },
  { rule: 'toLowerCase(user.firstName) == "alexander"', user: { firstName: 'AlexANDER' }, result: true, source: 'EL' },
  { rule: "substringBefore(user.email, '@') == 'alex'", user: { email: 'alex@okta.com' }, result: true, source: 'EL' },
  {
    rule: "substringAfter(user.email, '@') == 'okta.com'",
    user: { email: 'alex@okta.com' },
    result: true,
    source: 'EL',
  },
  { rule: 'substring(user.firstName, 1, 4) == "lex"', user: { firstName: 'Alexander' }, result: true, source: 'EL' },
  // EL Array function table.
  { rule: 'Arrays.add({10, 20, 30}, 40) == {10, 20, 30, 40}', user: {}, result: true, source: 'EL' },
  { rule: 'Arrays.remove({10, 20, 30}, 20) == {10, 30}', user: {}, result: true, source: 'EL' },
  { rule: 'Arrays.clear({10, 20, 30}) == {}', user: {}, result: true, source: 'EL' },
  { rule: 'Arrays.get({0, 1, 2}, 0) == 0', user: {}, result: true, source: 'EL' },
  { rule: 'Arrays.flatten(10, {20, 30}, 40) == {10, 20, 30, 40}', user: {}, result: true, source: 'EL' },
  { rule: 'Arrays.contains({10, 20, 30}, 10)', user: {}, result: true, source: 'EL' },
  { rule: 'Arrays.contains({10, 20, 30}, 50)', user: {}, result: false, source: 'EL' },
  { rule: 'Arrays.size({10, 20, 30}) == 3', user: {}, result: true, source: 'EL' },
  { rule: 'Arrays.size(NULL) == 0', user: {}, result: true, source: 'EL' },
  { rule: 'Arrays.isEmpty({10, 20})', user: {}, result: false, source: 'EL' },
  { rule: 'Arrays.isEmpty(NULL)', user: {}, result: true, source: 'EL' },
  {
    rule: 'Arrays.toCsvString({"This", "is", " a ", "test"}) == "This,is, a ,test"',
    user: {},
    result: true,
    source: 'EL',
  },
  // EL Conversion table (not allowed in group rules; evaluated with a lint warning).
  { rule: "Convert.toInt('1234') == 1234", user: {}, result: true, source: 'EL' },
  { rule: 'Convert.toInt(user.val) == 123', user: { val: 123.4 }, result: true, source: 'EL' },
  { rule: 'Convert.toInt(user.val) == 124', user: { val: 123.6 }, result: true, source: 'EL' },
  { rule: "Convert.toNum('3.141') == 3.141", user: {}, result: true, source: 'EL' },
  // EL "Constants and Operators" and "Popular Expressions" (Winston Churchill), as comparisons.
  {
    rule: "user.groupCode == 123 ? 'Sales' : 'Other' == 'Sales'",
    user: { groupCode: 123 },
    result: false,
    source: 'EL',
  },
  {
    rule: "(user.groupCode == 123 ? 'Sales' : 'Other') == 'Sales'",
    user: { groupCode: 123 },
    result: true,
    source: 'EL',
  },
  {
    rule: "(user.groupCode == 123 ? 'Sales' : 'Other') == 'Other'",
    user: { groupCode: 7 },
    result: true,
    source: 'EL',
  },
  { rule: 'user.firstName + user.lastName == "WinstonChurchill"', user: winston, result: true, source: 'EL' },
  { rule: 'user.firstName + "." + user.lastName == "Winston.Churchill"', user: winston, result: true, source: 'EL' },
  {
    rule: 'substring(user.firstName, 0, 1) + user.lastName == "WChurchill"',
    user: winston,
    result: true,
    source: 'EL',
  },
  {
    rule: 'substring(user.firstName, 0, 1) + substring(user.lastName, 0, 6) == "WChurch"',
    user: winston,
    result: true,
    source: 'EL',
  },
  {
    rule: 'toLowerCase(substring( user.firstName, 0, 1)) + "." + toLowerCase(user.lastName) == "w.churchill"',
    user: winston,
    result: true,
    source: 'EL',
  },
  {
    rule: 'toUpperCase(substringBefore( substringAfter(user.email, "@"), ".")) + "\\" + substringBefore( user.email, "@") == "GMAIL\\winston.churchill"',
    user: winston,
    result: true,
    source: 'EL',
  },
  // EL "Samples Using Profile Mapping" (as conditions on the mapped value).
  {
    rule: 'user.firstName + " " + (String.len(user.middleInitial) == 0 ? "" : (String.substring(user.middleInitial, 0, 1) + ". ")) + user.lastName == "Winston S. Churchill"',
    user: { ...winston, middleInitial: 'Spencer' },
    result: true,
    source: 'EL',
  },
  {
    rule: 'user.firstName + " " + (String.len(user.middleInitial) == 0 ? "" : (String.substring(user.middleInitial, 0, 1) + ". ")) + user.lastName == "Winston Churchill"',
    user: { ...winston, middleInitial: '' },
    result: true,
    source: 'EL',
  },
  // EL null vs blank; CHEAT.
  { rule: 'user.employeeNumber == null', user: {}, result: true, source: 'EL' },
  { rule: 'user.employeeNumber == ""', user: { employeeNumber: '' }, result: true, source: 'EL' },
  { rule: 'user.oktaAttributeHere==null', user: { oktaAttributeHere: 'x' }, result: false, source: 'CHEAT' },
  {
    rule: '(user.employeeNumber != "" AND user.employeeNumber != null ? user.employeeNumber : user.nonEmployeeNumber) == "N7"',
    user: { employeeNumber: '', nonEmployeeNumber: 'N7' },
    result: true,
    source: 'EL',
  },
  // SUP: case-sensitive, blank spaces are characters.
  { rule: 'user.department == "Sales"', user: { department: 'sales' }, result: false, source: 'SUP' },
  { rule: 'user.department == "Sales"', user: { department: 'Sales ' }, result: false, source: 'SUP' },
  // EX
  {
    rule: "user.isMemberOf({'group.profile.name': 'West Coast Users', 'operator': 'EXACT'})",
    user: { [GROUP_NAMES]: ['West Coast Users'] },
    result: true,
    source: 'EX',
  },
  {
    rule: "user.isMemberOf({'group.id': '00gjitX9HqABSoqTB0g3'})",
    user: { [GROUP_IDS]: ['00gjitX9HqABSoqTB0g3'] },
    result: true,
    source: 'EX',
  },
  // EL group functions.
  { rule: 'isMemberOfGroupName("group1")', user: { [GROUP_NAMES]: ['group1'] }, result: true, source: 'EL' },
  { rule: 'isMemberOfGroup("groupId")', user: { [GROUP_IDS]: ['groupId'] }, result: true, source: 'EL' },
  {
    rule: 'isMemberOfAnyGroup("groupId1", "groupId2", "groupId3")',
    user: { [GROUP_IDS]: ['groupId3'] },
    result: true,
    source: 'EL',
  },
  {
    rule: 'isMemberOfGroupNameStartsWith("San Fr")',
    user: { [GROUP_NAMES]: ['San Francisco'] },
    result: true,
    source: 'EL',
  },
  { rule: 'isMemberOfGroupNameContains("admin")', user: { [GROUP_NAMES]: ['it admins'] }, result: true, source: 'EL' },
  // TF / Pulumi
  { rule: 'String.startsWith(user.firstName,"andy")', user: { firstName: 'andy' }, result: true, source: 'TF' },
  {
    rule: 'user.department == "Engineering" and user.title != "Intern"',
    user: { department: 'Engineering', title: 'SRE' },
    result: true,
    source: 'TF',
  },
]
