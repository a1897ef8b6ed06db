// The rule room's public shapes, re-exported by index.ts. They live here so the files behind
// the front door can use them without importing the front door.

import type { ClauseExplanation, Dialect, RuleError } from '../../shared/domain'
import type { ParsedRule } from './ast'

/** A rule that didn't compile: one shape from the parser to the rule editor (shared/domain). */
export type { RuleError }

/**
 * What a rule reads: the user's attributes by name. Synced attributes (the store's flat
 * Attributes) fit, and so do the adapters' outputs for the IdPs' own shapes, which keep lists of
 * objects (Graph's assignedPlans, Google's organizations[]) and nested objects (Google's
 * name.value, custom_schemas.<schema>.<field>). Okta's group functions read the reserved keys
 * in reserved.ts.
 */
export type RuleInput = Readonly<Record<string, unknown>>

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
  /** Top-level attribute names the rule can read, deduped, in order of first appearance. */
  attributes: string[]
  /** The rule's tree, for printing and lint. */
  parsed: ParsedRule
  /** Whether the rule compares with the evaluation time (Entra's system.now), so `now` is required. */
  readsClock: boolean
  /**
   * The IdP's answer for one user. `now` is the evaluation time, required when readsClock (it is
   * never read from the machine's clock here). The result is shared and frozen when nothing is
   * missing, so evaluating allocates nothing in the common case; don't mutate it.
   */
  evaluate(user: RuleInput, now?: Date): Evaluation
  explain(user: RuleInput, now?: Date): RuleExplanation
}

export type CompileResult = { ok: true; rule: CompiledRule } | { ok: false; error: RuleError }
