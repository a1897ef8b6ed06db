// The Okta parser returns a result for any text, and generated rules evaluate, explain and
// round-trip through the printer. Seeded, so a failure reproduces.

import { describe, expect, it } from 'vitest'
import { GROUP_IDS, GROUP_NAMES, compileRule } from '../../../src/main/rules'
import { checkResult, fuzzCompile, fuzzer } from './fuzz-helpers'

const f = fuzzer(7_001)
const { next, pick } = f
const NOW = new Date('2026-03-10T12:00:00Z')

const VALID = [
  'user.role=="Engineer"',
  'String.stringContains(user.email, "@example.com") AND user.hasBadge',
  'Arrays.contains(user.favoriteColors, "blue") || isMemberOfGroupName("Sales")',
  '!(user.level >= 3) OR user.getInternalProperty("status") == "ACTIVE"',
  "isMemberOfAnyGroup('00g1', '00g2') && String.toLowerCase(user.department) == 'sales'",
  'Arrays.isEmpty(user.tags) or String.len(user.a) < 4',
]

const PIECES = [
  'user.department',
  'user.',
  'user',
  'user.getInternalProperty("status")',
  'String.stringContains(',
  'String.startsWith(',
  'String.len(',
  'Arrays.contains(',
  'Arrays.isEmpty(',
  'Arrays.size(',
  'isMemberOfGroupName(',
  'isMemberOfAnyGroup(',
  'isMemberOfGroupNameRegex(',
  'Convert.toInt(',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '=',
  '&&',
  '||',
  '!',
  'AND',
  'OR',
  'and',
  'or',
  '-eq',
  '&',
  '|',
  '"Sales"',
  "'x'",
  '"',
  "'",
  '""',
  "''",
  '"a""b"',
  '“x”',
  'null',
  'NULL',
  'true',
  'false',
  '42',
  '3.5',
  '1e3',
  '007x',
  '(',
  ')',
  ',',
  '{',
  '}',
  '[',
  ']',
  '.',
  '\n',
  '\t',
  ' ',
  '#',
  '\u0000',
  '😀',
  '–',
]

function generated(depth = 0): string {
  const roll = next()
  if (depth < 3 && roll < 0.25) {
    const joiner = pick(['AND', 'OR', '&&', '||', 'and'])
    return Array.from({ length: 2 + Math.floor(next() * 3) }, () => generated(depth + 1)).join(` ${joiner} `)
  }
  if (depth < 4 && roll < 0.35) return `!(${generated(depth + 1)})`
  if (depth < 4 && roll < 0.45) return `(${generated(depth + 1)})`
  const attribute = pick(['user.department', 'user.level', 'user.tags', 'user.hasBadge', 'user.constructor'])
  const text = (): string => pick(['"Sales"', "'sales '", '"x"', '""', '"it""s"', "'a'"])
  const roll2 = next()
  if (roll2 < 0.1) return `${attribute} ${pick(['==', '!='])} null`
  if (roll2 < 0.2) return `${attribute} ${pick(['<', '<=', '>', '>='])} ${pick(['3', '0', '"m"'])}`
  if (roll2 < 0.3)
    return `${pick(['String.stringContains', 'String.startsWith', 'Arrays.contains'])}(${attribute}, ${text()})`
  if (roll2 < 0.4)
    return `${pick(['isMemberOfGroupName', 'isMemberOfGroup', 'isMemberOfGroupNameStartsWith', 'isMemberOfGroupNameContains'])}(${text()})`
  if (roll2 < 0.45) return `isMemberOfAnyGroup(${text()}, ${text()})`
  if (roll2 < 0.5) return `isMemberOfGroupNameRegex(${pick(['".*admin.*"', "'Sales'", '"[a-z]+"'])})`
  if (roll2 < 0.55) return `${pick(['String.toLowerCase', 'String.toUpperCase'])}(${attribute}) == ${text()}`
  if (roll2 < 0.6)
    return `${pick(['String.len', 'Arrays.size'])}(${attribute}) ${pick(['==', '>', '<='])} ${pick(['0', '2'])}`
  if (roll2 < 0.65) return `Arrays.isEmpty(${attribute})`
  if (roll2 < 0.7) return `user.getInternalProperty(${pick(['"status"', '"id"'])}) == "ACTIVE"`
  if (roll2 < 0.75) return attribute
  return `${attribute} ${pick(['==', '!='])} ${text()}`
}

const VALUES: unknown[] = [null, '', ' ', 'Sales', 'sales ', 'x', 3, 0, 7, true, false, [], ['Sales', 'x'], 'm']
function user(): Record<string, unknown> {
  const attributes: Record<string, unknown> = {}
  for (const key of ['department', 'level', 'tags', 'hasBadge', 'constructor', '$status', '$id'])
    if (next() < 0.6) attributes[key] = pick(VALUES)
  if (next() < 0.7) attributes[GROUP_NAMES] = pick([[], ['Sales'], ['it"s', 'admins']])
  if (next() < 0.7) attributes[GROUP_IDS] = pick([[], ['x'], ['a', 'Sales']])
  return attributes
}

describe('fuzz: Okta', () => {
  it('returns a result for 100,000 random, mutated and generated rules, and generated rules round-trip', () => {
    const outcomes = fuzzCompile(
      {
        dialect: 'okta',
        fuzzer: f,
        valid: VALID,
        pieces: PIECES,
        generated: () => generated(),
        users: Array.from({ length: 3 }, user),
        now: NOW,
      },
      100_000,
    )
    expect(outcomes.ok).toBeGreaterThan(20_000)
    expect(outcomes.error).toBeGreaterThan(20_000)
  })

  it('handles pathological inputs', () => {
    for (const text of [
      '('.repeat(20_000),
      '!'.repeat(20_000),
      '"'.repeat(20_000),
      'String.'.repeat(2_000),
      `isMemberOfAnyGroup(${'"x",'.repeat(3000)}"x")`,
      'x'.repeat(100_000),
    ]) {
      checkResult(text, compileRule('okta', text), [{}], NOW)
    }
  })
})
