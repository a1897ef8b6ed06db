// compileRule must return a result for any text, quickly, in every dialect, and a compiled rule
// must evaluate and explain any user the same way; printing a rule and parsing it again must
// give the same tree. Seeded, so a failure reproduces.

import { describe, expect, it } from 'vitest'
import { type RuleInput, compileRule } from '../../../src/main/rules'
import type { AttributeValue } from '../../../src/shared/domain'
import { checkResult, fuzzCompile, fuzzer } from './fuzz-helpers'

const f = fuzzer(20_240_611)
const { next, pick } = f
const NOW = new Date('2026-03-10T12:00:00Z')

const VALID = [
  'user.department -eq "Sales"',
  '(user.department -eq "Sales") -or (user.department -eq "Marketing")',
  '(user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE")',
  'user.country -eq "US" -and (user.department -eq "Marketing" -or user.department -eq "Sales")',
  'user.department -in ["50001", "50002", 51100]',
  "user.department -notIn ['O''Brien', 'x']",
  'user.mail -ne null',
  'user.proxyAddresses -notEndsWith "@outlook.com" or user.otherMails -contains "a"',
  'NOT user.accountEnabled -eq false AND user.employeeId -ne "`"x`""',
  'user.constructor -eq null -or user.toString -ne "x"',
  'user.displayName -match "^Da.*" -and user.city -notMatch "ago"',
  'user.employeehiredate -ge system.now -plus p1d -or user.employeeHireDate -le 2020-06-10T18:13:20Z',
  'user.assignedPlans -any (assignedPlan.service -eq "SCO" -and assignedPlan.capabilityStatus -eq "Enabled")',
  '(user.proxyAddresses -any (_ -startsWith "contoso")) -and user.otherMails -all (_ -endsWith "x")',
]

const PIECES = [
  'user.department',
  'user.country',
  'user.otherMails',
  'user.accountEnabled',
  'user.constructor',
  'user.',
  'user',
  'device.x',
  '_',
  '-eq',
  '-ne',
  '-in',
  '-notIn',
  '-contains',
  '-startsWith',
  '-notEndsWith',
  'eq',
  'and',
  'or',
  'not',
  '-and',
  '-or',
  '-not',
  '-match',
  '-notMatch',
  '-any',
  '-all',
  '-le',
  '-ge',
  '-plus',
  '-minus',
  'system.now',
  'p1d',
  'PT12H',
  '2020-06-10T18:13:20Z',
  'assignedPlan.service',
  '-foo',
  '–eq',
  '—and',
  '−',
  '-',
  '==',
  '&&',
  '!',
  '"Sales"',
  "'x'",
  '"',
  "'",
  '`"',
  '"a`"',
  '""',
  "''",
  '“x”',
  'null',
  '"null"',
  '$null',
  'true',
  'FALSE',
  '42',
  '-7',
  '007',
  '1.5.3',
  'Sales',
  '"(?>a)"',
  '"*x"',
  '"[a-"',
  '"a*+"',
  '(',
  ')',
  '[',
  ']',
  ',',
  '((',
  '))',
  '\n',
  '\r\n',
  '\t',
  ' ',
  '#',
  '\u0000',
  '\u2028',
  '😀',
  'İ',
]

/** A random rule in the supported grammar, with random spellings; it must always compile. */
function generated(depth = 0): string {
  const roll = next()
  if (depth < 3 && roll < 0.25) {
    const joiner = pick(['-and', '-or', 'AND', 'or', '-And'])
    return Array.from({ length: 2 + Math.floor(next() * 3) }, () => generated(depth + 1)).join(` ${joiner} `)
  }
  if (depth < 4 && roll < 0.35) return `${pick(['-not', 'NOT', '-not'])} (${generated(depth + 1)})`
  if (depth < 4 && roll < 0.45) return `(${generated(depth + 1)})`
  if (depth < 4 && roll < 0.5)
    return `user.${pick(['otherMails', 'proxyAddresses'])} ${pick(['-any', '-all'])} (_ ${pick(['-eq', '-startsWith', '-notContains'])} "${pick(['a', 'SMTP:', ''])}")`
  if (roll < 0.55)
    return `user.employeeHireDate ${pick(['-le', '-ge'])} ${pick(['system.now', 'system.now -plus p1d', 'system.now -minus P1Y2M', '2020-06-10T18:13:20Z', '"2021-01-01"'])}`
  const attribute = pick([
    'user.department',
    'user.Country',
    'user.otherMails',
    'user.employeeId',
    'user.mail',
    'user.constructor',
  ])
  const scalar = (): string =>
    pick([
      '"Sales"',
      "'sales '",
      '"US"',
      '"x"',
      '42',
      '0',
      '"a"',
      '"SMTP:x@outlook.com"',
      'true',
      '""',
      '" "',
      "'it''s'",
    ])
  const roll2 = next()
  if (roll2 < 0.1) return `${attribute} ${pick(['-eq', '-ne', 'EQ'])} null`
  if (roll2 < 0.2)
    return `${attribute} ${pick(['-match', '-notMatch'])} ${pick(['"^Da.*"', '"ago"', '"x$"', '"(a|b)+"'])}`
  if (roll2 < 0.35)
    return `${attribute} ${pick(['-in', '-notIn', 'notin'])} [${Array.from({ length: Math.floor(next() * 3) }, scalar).join(', ')}]`
  const operator = pick([
    '-eq',
    '-ne',
    '-contains',
    '-notContains',
    '-startsWith',
    '-notStartsWith',
    '-endsWith',
    '-notEndsWith',
    'eq',
    '-STARTSWITH',
  ])
  return `${attribute} ${operator} ${scalar()}`
}

const VALUES: AttributeValue[] = [
  null,
  '',
  ' ',
  'Sales',
  'sales ',
  'US',
  '50002',
  42,
  0,
  true,
  false,
  [],
  ['a', 'SMTP:x@outlook.com'],
  [' '],
  'x',
  '2021-05-01T00:00:00Z',
]
function user(): RuleInput {
  const attributes: Record<string, unknown> = {}
  for (const key of [
    'department',
    'Country',
    'otherMails',
    'proxyAddresses',
    'accountEnabled',
    'employeeId',
    'mail',
    'jobTitle',
    'constructor',
    'employeeHireDate',
  ]) {
    if (next() < 0.6) attributes[key] = pick(VALUES)
  }
  if (next() < 0.3) attributes.assignedPlans = [{ service: 'SCO', capabilityStatus: pick(['Enabled', 'Deleted']) }]
  return attributes
}

describe('fuzz: Entra', () => {
  it('returns a result for 100,000 random, mutated and generated rules, and generated rules round-trip', () => {
    const outcomes = fuzzCompile(
      {
        dialect: 'entra',
        fuzzer: f,
        valid: VALID,
        pieces: PIECES,
        generated: () => generated(),
        users: Array.from({ length: 3 }, user),
        now: NOW,
      },
      100_000,
    )
    // Both paths must be exercised for the fuzz to mean anything.
    expect(outcomes.ok).toBeGreaterThan(20_000)
    expect(outcomes.error).toBeGreaterThan(20_000)
  })

  it('handles pathological inputs at the length limit', () => {
    for (const text of [
      '('.repeat(3072),
      ')'.repeat(3072),
      '-not '.repeat(614),
      '"'.repeat(3072),
      '`'.repeat(3071) + '"',
      '['.repeat(3072),
      `user.a -in [${'"x",'.repeat(612)}"x"]`,
      Array.from({ length: 190 }, (_, i) => `user.a${i} -eq "${i}"`).join(' -or '),
      '–'.repeat(3072),
      'x'.repeat(100_000),
      `user.a -match "${'(a*)*'.repeat(100)}b"`,
    ]) {
      checkResult(text, compileRule('entra', text), [{ a: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }], NOW)
    }
  })
})
