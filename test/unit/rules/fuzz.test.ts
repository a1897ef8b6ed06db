// compileRule must return a result for any text, quickly, and a compiled rule must evaluate and
// explain any user the same way. Seeded, so a failure reproduces.

import { describe, expect, it } from 'vitest'
import { type CompileResult, compileRule } from '../../../src/main/rules'
import type { AttributeValue, Attributes } from '../../../src/shared/domain'

function random(seed: number): () => number {
  // mulberry32
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const next = random(20_240_611)
const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T

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
]

const PIECES = [
  'user.department', 'user.country', 'user.otherMails', 'user.accountEnabled', 'user.constructor', 'user.', 'user', 'device.x', '_',
  '-eq', '-ne', '-in', '-notIn', '-contains', '-startsWith', '-notEndsWith', 'eq', 'and', 'or', 'not', '-and', '-or', '-not',
  '-match', '-any', '-foo', '–eq', '—and', '−', '-', '==', '&&', '!',
  '"Sales"', "'x'", '"', "'", '`"', '"a`"', '""', "''", '“x”', 'null', '"null"', '$null', 'true', 'FALSE', '42', '-7', '007', '1.5.3', 'Sales',
  '(', ')', '[', ']', ',', '((', '))', '\n', '\r\n', '\t', ' ', '#', '\u0000', '\u2028', '😀', 'İ',
]

function soup(): string {
  const length = 1 + Math.floor(next() * 14)
  return Array.from({ length }, () => pick(PIECES)).join(next() < 0.8 ? ' ' : '')
}

function mutate(text: string): string {
  let out = text
  const edits = 1 + Math.floor(next() * 4)
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (out.length + 1))
    const kind = next()
    if (kind < 0.3) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 4))
    else if (kind < 0.6) out = out.slice(0, at) + pick(PIECES) + out.slice(at)
    else if (kind < 0.8) out = out.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x3000)) + out.slice(at + 1)
    else out = out.slice(0, at) + out.slice(at).replace(/[-"()[\]]/, pick(['–', '', '"', "'", '(', ')', ']', '[']))
  }
  return out
}

/** A random rule in the supported grammar, with random spellings; it must always compile. */
function generated(depth = 0): string {
  const roll = next()
  if (depth < 3 && roll < 0.25) {
    const joiner = pick(['-and', '-or', 'AND', 'or', '-And'])
    return Array.from({ length: 2 + Math.floor(next() * 3) }, () => generated(depth + 1)).join(` ${joiner} `)
  }
  if (depth < 4 && roll < 0.35) return `${pick(['-not', 'NOT', '-not'])} (${generated(depth + 1)})`
  if (depth < 4 && roll < 0.45) return `(${generated(depth + 1)})`
  const attribute = pick(['user.department', 'user.Country', 'user.otherMails', 'user.employeeId', 'user.mail', 'user.constructor'])
  const scalar = (): string => pick(['"Sales"', "'sales '", '"US"', '"x"', '42', '0', '"a"', '"SMTP:x@outlook.com"', 'true', '""', '" "'])
  const roll2 = next()
  if (roll2 < 0.15) return `${attribute} ${pick(['-eq', '-ne', 'EQ'])} null`
  if (roll2 < 0.35) return `${attribute} ${pick(['-in', '-notIn', 'notin'])} [${Array.from({ length: Math.floor(next() * 3) }, scalar).join(', ')}]`
  const operator = pick(['-eq', '-ne', '-contains', '-notContains', '-startsWith', '-notStartsWith', '-endsWith', '-notEndsWith', 'eq', '-STARTSWITH'])
  return `${attribute} ${operator} ${scalar()}`
}

const VALUES: AttributeValue[] = [null, '', ' ', 'Sales', 'sales ', 'US', '50002', 42, 0, true, false, [], ['a', 'SMTP:x@outlook.com'], [' '], 'x']
function user(): Attributes {
  const attributes: Attributes = {}
  for (const key of ['department', 'Country', 'otherMails', 'accountEnabled', 'employeeId', 'mail', 'jobTitle', 'constructor']) {
    if (next() < 0.6) attributes[key] = pick(VALUES)
  }
  return attributes
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/)
  return { line: before.length, column: (before[before.length - 1] as string).length + 1 }
}

function check(text: string, result: CompileResult): void {
  if (!result.ok) {
    const { error } = result
    expect(error.message.length).toBeGreaterThan(0)
    expect(error.offset).toBeGreaterThanOrEqual(0)
    expect(error.offset).toBeLessThanOrEqual(text.length)
    expect({ line: error.line, column: error.column }).toEqual(lineColumn(text, error.offset))
    expect(Array.isArray(error.expected)).toBe(true)
    return
  }
  for (let i = 0; i < 3; i++) {
    const someone = user()
    const evaluation = result.rule.evaluate(someone)
    const explanation = result.rule.explain(someone)
    expect(typeof evaluation.result).toBe('boolean')
    expect(explanation.result).toBe(evaluation.result)
    expect(explanation.missing).toEqual(evaluation.missing)
    for (const name of evaluation.missing) expect(result.rule.attributes).toContain(name)
  }
}

describe('fuzz', () => {
  it('returns a result for 20,000 random, mutated and generated rules', () => {
    const outcomes = { ok: 0, error: 0 }
    for (let i = 0; i < 20_000; i++) {
      const kind = i % 3
      const text = kind === 0 ? soup() : kind === 1 ? mutate(pick(VALID)) : generated()
      let result: CompileResult
      try {
        result = compileRule('entra', text)
      } catch (thrown) {
        throw new Error(`compileRule threw on ${JSON.stringify(text)}: ${String(thrown)}`)
      }
      if (kind === 2 && !result.ok) throw new Error(`${JSON.stringify(text)} should compile: ${result.error.message}`)
      check(text, result)
      outcomes[result.ok ? 'ok' : 'error']++
    }
    // Both paths must be exercised for the fuzz to mean anything.
    expect(outcomes.ok).toBeGreaterThan(1_000)
    expect(outcomes.error).toBeGreaterThan(1_000)
  })

  it('handles pathological inputs at the length limit quickly', () => {
    const started = performance.now()
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
    ]) {
      check(text, compileRule('entra', text))
    }
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})
