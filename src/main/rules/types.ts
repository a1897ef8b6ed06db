// The rule room's public shapes, re-exported by index.ts. They live here so the files behind
// the front door can use them without importing the front door.

import type { ClauseExplanation, Dialect, RuleError } from '../../shared/domain'
import type { ParsedRule, Span } from './ast'

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

/**
 * A clause that could not be evaluated for a user whose attribute is there: the value's type is
 * not one the comparison can use (Okta's `user.level > 3` on the text "4", Entra's -ge on a value
 * that is no date-time), a value too long for a regular expression (regex.ts, MAX_MATCH_LENGTH),
 * or an Okta expression that stopped with an evaluation error. The clause then counts as false
 * (or as true under a negation) exactly as before; this only says why.
 */
export interface EvaluationError {
  kind: 'type' | 'regex-limit' | 'evaluation'
  /** The attribute the clause read (dotted path), or the expression's text for Okta expressions. */
  attribute: string
  /** Where the clause is in the rule's text. */
  span: Span
  message: string
}

export interface Evaluation {
  result: boolean
  /** Attribute names the evaluation read but the user lacks (absent key, null or ""), in reading order. */
  missing: string[]
  /** The first clause that could not be evaluated for this user; absent when every clause could. */
  error?: EvaluationError
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
