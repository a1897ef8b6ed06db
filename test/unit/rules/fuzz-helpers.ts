// Shared by the per-dialect fuzz and property tests: a seeded generator (so a failure
// reproduces), text mutation, and a fast check that a compile result is well-formed.
// Plain throws instead of expect() in the hot loop keep 100,000 rules within a few seconds.

import { type CompileResult, type RuleInput, compileRule, parseRule, printRule } from '../../../src/main/rules'
import type { RuleNode } from '../../../src/main/rules'
import type { Dialect } from '../../../src/shared/domain'

export function random(seed: number): () => number {
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

export interface Fuzzer {
  next: () => number
  pick: <T>(items: readonly T[]) => T
  soup: (pieces: readonly string[]) => string
  mutate: (text: string, pieces: readonly string[]) => string
}

export function fuzzer(seed: number): Fuzzer {
  const next = random(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  return {
    next,
    pick,
    soup(pieces) {
      const length = 1 + Math.floor(next() * 14)
      return Array.from({ length }, () => pick(pieces)).join(next() < 0.8 ? ' ' : '')
    },
    mutate(text, pieces) {
      let out = text
      const edits = 1 + Math.floor(next() * 4)
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * (out.length + 1))
        const kind = next()
        if (kind < 0.3) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 4))
        else if (kind < 0.6) out = out.slice(0, at) + pick(pieces) + out.slice(at)
        else if (kind < 0.8)
          out = out.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x3000)) + out.slice(at + 1)
        else
          out =
            out.slice(0, at) +
            out.slice(at).replace(/[-"'()[\]=!&|.]/, pick(['–', '', '"', "'", '(', ')', ']', '[', '=', '!', '.']))
      }
      return out
    },
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/)
  return { line: before.length, column: (before[before.length - 1] as string).length + 1 }
}

function fail(text: string, why: string): never {
  throw new Error(`${JSON.stringify(text)}: ${why}`)
}

/** A result is an error with a consistent position, or a rule whose evaluation and explanation agree. */
export function checkResult(text: string, result: CompileResult, users: readonly RuleInput[], now: Date): void {
  if (!result.ok) {
    const { error } = result
    if (error.message.length === 0) fail(text, 'empty message')
    if (!(error.offset >= 0 && error.offset <= text.length)) fail(text, `offset ${error.offset} outside the text`)
    const at = lineColumn(text, error.offset)
    if (at.line !== error.line || at.column !== error.column)
      fail(text, `line/column ${error.line}:${error.column} vs ${at.line}:${at.column}`)
    if (!Array.isArray(error.expected)) fail(text, 'expected is not a list')
    return
  }
  for (const user of users) {
    const evaluation = result.rule.evaluate(user, now)
    const explanation = result.rule.explain(user, now)
    if (typeof evaluation.result !== 'boolean') fail(text, 'result is not a boolean')
    if (explanation.result !== evaluation.result)
      fail(text, `explain says ${explanation.result}, evaluate ${evaluation.result} for ${JSON.stringify(user)}`)
    if (JSON.stringify(explanation.missing) !== JSON.stringify(evaluation.missing))
      fail(text, 'explain and evaluate disagree on missing')
    for (const name of evaluation.missing)
      if (!result.rule.attributes.includes(name)) fail(text, `missing ${name} is not among the rule's attributes`)
  }
}

/** The tree without positions, for comparing two parses. */
export function shape(node: RuleNode): unknown {
  // An Okta expression node also carries its offsets (start, end) and the text they point into.
  return JSON.parse(
    JSON.stringify(node, (key, value) =>
      key === 'span' || key === 'start' || key === 'end' || key === 'text' ? undefined : value,
    ),
  )
}

/** parse → print → parse gives the same tree. */
export function checkRoundTrip(dialect: Dialect, text: string): void {
  const first = parseRule(dialect, text)
  if (!first.ok) return
  const printed = printRule(dialect, first.parsed.root)
  const second = parseRule(dialect, printed)
  if (!second.ok) fail(text, `printed as ${JSON.stringify(printed)}, which doesn't parse: ${second.error.message}`)
  if (JSON.stringify(shape(first.parsed.root)) !== JSON.stringify(shape(second.parsed.root)))
    fail(text, `printed as ${JSON.stringify(printed)}, which parses differently`)
}

export interface FuzzCorpus {
  dialect: Dialect
  fuzzer: Fuzzer
  /** Rules the IdP documents as valid, to mutate. */
  valid: readonly string[]
  /** Tokens and fragments to build soups and mutations from. */
  pieces: readonly string[]
  /** A generator of rules that must compile. */
  generated: () => string
  users: readonly RuleInput[]
  now: Date
}

/**
 * Feeds `count` random soups, mutations of valid rules and generated rules to the compiler.
 * Nothing may throw, every result must be well-formed, generated rules must compile and
 * round-trip through the printer. Returns how many compiled and how many were refused.
 */
export function fuzzCompile(c: FuzzCorpus, count: number): { ok: number; error: number } {
  const outcomes = { ok: 0, error: 0 }
  for (let i = 0; i < count; i++) {
    const kind = i % 3
    const text =
      kind === 0
        ? c.fuzzer.soup(c.pieces)
        : kind === 1
          ? c.fuzzer.mutate(c.fuzzer.pick(c.valid), c.pieces)
          : c.generated()
    let result: CompileResult
    try {
      result = compileRule(c.dialect, text)
    } catch (thrown) {
      fail(text, `compileRule threw: ${String(thrown)}`)
    }
    if (kind === 2 && !result.ok) fail(text, `should compile: ${result.error.message}`)
    if (i % 8 === 0) checkResult(text, result, c.users, c.now)
    if (kind === 2 && i % 24 === 2) checkRoundTrip(c.dialect, text)
    outcomes[result.ok ? 'ok' : 'error']++
  }
  return outcomes
}
