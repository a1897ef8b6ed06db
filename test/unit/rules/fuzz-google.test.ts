// The Google parser returns a result for any text, and generated queries evaluate, explain and
// round-trip through the printer. Seeded, so a failure reproduces.

import { describe, expect, it } from 'vitest'
import { compileRule } from '../../../src/main/rules'
import { checkResult, fuzzCompile, fuzzer } from './fuzz-helpers'

const f = fuzzer(5_002)
const { next, pick } = f
const NOW = new Date('2026-03-10T12:00:00Z')

const VALID = [
  "user.organizations.exists(org, org.department=='engineering')",
  "user.locations.exists(loc, loc.area=='foo' && loc.building_id=='bar')",
  "user.name.value.equalsIgnoreCase('jOhn DoE') || user.suspended",
  "!user.organizations.exists(org, org.title == 'Marketing') && user.org_unit_id == orgUnitId('03ph8a2z1enx4lx')",
  "user.name.given_name in ['Ada', 'Grace'] && user.addresses.all(a, a.type == 3)",
  "user.emails.exists(e, e.address.matches('@ex\\\\.com$')) && 'L6' in user.custom_schemas.Employment.levels",
]

const PIECES = [
  'user',
  'user.',
  'user.name',
  'user.name.value',
  'user.organizations',
  '.exists(',
  '.all(',
  'org',
  'org.department',
  ',',
  '.startsWith(',
  '.matches(',
  '.equalsIgnoreCase(',
  'orgUnitId(',
  'in',
  '==',
  '!=',
  '=',
  '&&',
  '||',
  '!',
  'AND',
  'or',
  '<',
  '>=',
  "'Sales'",
  '"x"',
  "'",
  '"',
  "''",
  "'a\\'b'",
  "'\\q'",
  "'\\u00e9'",
  '“x”',
  'null',
  'true',
  'false',
  '42',
  '3',
  '1.5',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '\n',
  '\t',
  ' ',
  '#',
  '\u0000',
  '😀',
  '–',
  '$',
]

function path(item: string | null): string {
  return item === null
    ? pick(['user.name.value', 'user.name.given_name', 'user.gender', 'user.custom_schemas.S.f'])
    : pick([`${item}.department`, `${item}.title`, `${item}.name`])
}

function generated(depth = 0, item: string | null = null): string {
  const roll = next()
  if (depth < 3 && roll < 0.25) {
    const joiner = pick(['&&', '||'])
    return Array.from({ length: 2 + Math.floor(next() * 3) }, () => generated(depth + 1, item)).join(` ${joiner} `)
  }
  if (item === null && depth < 4 && roll < 0.32) return `!(${generated(4, item)})`
  if (depth < 4 && roll < 0.4) return `(${generated(depth + 1, item)})`
  if (item === null && depth < 3 && roll < 0.5) {
    const name = pick(['org', 'o', 'x1'])
    return `user.${pick(['organizations', 'addresses'])}.${pick(['exists', 'all'])}(${name}, ${generated(depth + 1, name)})`
  }
  const text = (): string => pick(["'Sales'", "'sales '", '"x"', "''", "'it\\'s'", "'a\\\\b'"])
  const roll2 = next()
  if (roll2 < 0.1) return `${path(item)} in [${text()}, ${text()}]`
  if (roll2 < 0.2) return `${path(item)}.${pick(['startsWith', 'endsWith', 'contains', 'equalsIgnoreCase'])}(${text()})`
  if (roll2 < 0.25) return `${path(item)}.matches(${pick(["'^S'", "'a|b'", "'[0-9]+'"])})`
  if (roll2 < 0.3 && item === null) return `${text()} in user.custom_schemas.S.list`
  if (roll2 < 0.35) return `${item ?? 'user'}.${pick(['primary', 'suspended'])}`
  if (roll2 < 0.4) return `${item ?? 'user'}.type == ${pick(['1', '3'])}`
  return `${path(item)} ${pick(['==', '!='])} ${text()}`
}

const VALUES: unknown[] = [null, '', 'Sales', 'sales ', 'x', 3, 1, true, false, [], ['Sales']]
function user(): Record<string, unknown> {
  const org = (): Record<string, unknown> => ({
    department: pick(VALUES),
    title: pick(VALUES),
    type: pick([1, 3]),
    primary: pick([true, false]),
  })
  return {
    name: next() < 0.8 ? { value: pick(VALUES), given_name: pick(VALUES) } : undefined,
    organizations: next() < 0.7 ? [org(), org()] : undefined,
    addresses: next() < 0.5 ? [org()] : [],
    suspended: pick([true, false, undefined]),
    custom_schemas: { S: { f: pick(VALUES), list: pick([['Sales'], [], undefined]) } },
  }
}

describe('fuzz: Google', () => {
  it('returns a result for 100,000 random, mutated and generated queries, and generated queries round-trip', () => {
    const outcomes = fuzzCompile(
      {
        dialect: 'google',
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
    const nested = `${'user.organizations.exists(o, '.repeat(50)}o.x == 'a'${')'.repeat(50)}`
    for (const text of [
      '('.repeat(20_000),
      '!'.repeat(20_000),
      "'".repeat(20_000),
      'user.'.repeat(3_000),
      nested,
      'x'.repeat(100_000),
    ]) {
      checkResult(text, compileRule('google', text), [{}], NOW)
    }
  })
})
