// The rule room's public shapes, re-exported by index.ts. They live here so the files behind
// the front door can use them without importing the front door.

import type { Attributes, ClauseExplanation, Dialect } from '../../shared/domain'

/** A rule that didn't compile: where (1-based line and column, 0-based offset), what was expected there, and a fix. */
export interface RuleError {
  message: string
  line: number
  column: number
  offset: number
  expected: string[]
  hint?: string
}

export interface Evaluation {
  result: boolean
  /** Attribute names the evaluation read but the user lacks (absent key, null or ""), in reading order. */
  missing: string[]
}

export interface RuleExplanation extends Evaluation {
  root: ClauseExplanation
  /** Likely mistakes an admin can act on: whitespace around values, -and/-or grouping. */
  hints: string[]
}

export interface CompiledRule {
  dialect: Dialect
  text: string
  /** Canonical attribute names the rule can read, deduped, in order of first appearance. */
  attributes: string[]
  evaluate(user: Attributes): Evaluation
  explain(user: Attributes): RuleExplanation
}

export type CompileResult = { ok: true; rule: CompiledRule } | { ok: false; error: RuleError }
