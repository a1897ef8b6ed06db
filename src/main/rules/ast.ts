// The dialect-neutral rule tree. Each dialect's parser (Entra, Okta Expression Language, Google
// CEL) produces it, and compile.ts and explain.ts never see dialect syntax: anything a dialect
// means differently is spelled out on the node:
// - `ignoreCase`: Entra compares text case-insensitively ("Regex and string operations aren't case
//   sensitive", Entra rules doc); Okta and Google don't, except where a function says so (Google's
//   equalsIgnoreCase).
// - `loose`: Entra compares every value as text ("5" equals 5) and matches attribute names
//   case-insensitively; Okta and Google compare typed values and read names exactly.
// - `emptyIsNull`: whether "" counts as no value. Entra and Google (proto3 fields default to "")
//   say yes; Okta says no ("a populated-then-cleared attribute is "" not null", §4.2). With
//   typed comparison (not loose) it also means proto3 defaults: Google reads an absent field
//   as "", 0 or false, so `user.suspended == false` holds for a user without the field.

import type { OktaExpr } from './okta-syntax'
import type { RegexFlavour } from './regex'
import type { RuleError } from '../../shared/domain'
import type { Span } from './position'

export type { Span }

export type Scalar = string | number | boolean

export type EqualityOperator = 'eq' | 'ne'
export type TextOperator = 'contains' | 'notContains' | 'startsWith' | 'notStartsWith' | 'endsWith' | 'notEndsWith'
export type MatchOperator = 'match' | 'notMatch'
export type ListOperator = 'in' | 'notIn'
export type OrderOperator = 'lt' | 'le' | 'gt' | 'ge'
export type CompareOperator = EqualityOperator | TextOperator | MatchOperator | ListOperator | OrderOperator

/** An ISO-8601 duration, kept in calendar parts because a month or a year has no fixed length. */
export interface Duration {
  years: number
  months: number
  days: number
  milliseconds: number
}

/** `system.now` plus (sign 1) or minus (sign -1) a duration, resolved against the evaluation time. */
export interface NowValue {
  now: true
  sign: 1 | -1
  duration: Duration
}

/** A function applied to the attribute before comparing (Okta's String.toLowerCase(user.x) == "a"). */
export type Transform = 'lower' | 'upper' | 'length'

interface CompareBase {
  kind: 'compare'
  /**
   * Where the value is, from the user (or, inside any/all, from the current item): e.g.
   * ["department"], ["name", "value"], or [] for the item itself (Entra's `_`).
   */
  path: readonly string[]
  /** `path` joined with dots: the attribute name reported as missing and shown in explanations. */
  attribute: string
  ignoreCase: boolean
  loose: boolean
  emptyIsNull: boolean
  transform?: Transform
  /** Whose regular expressions a match operator's value is written in. */
  flavour?: RegexFlavour
  span: Span
}

/** `null` as a value means "has no value"; only equality can test it. */
export type CompareNode = CompareBase &
  (
    | { operator: EqualityOperator; value: Scalar | null }
    | { operator: TextOperator | MatchOperator; value: string }
    | { operator: ListOperator; value: Scalar[] }
    | { operator: OrderOperator; value: Scalar | NowValue }
  )

/**
 * True when some item (any) or every item (all) of a list attribute satisfies `child`, whose
 * paths start at the item. Entra's -any/-all, Google's exists()/all(), Okta's Arrays.contains
 * and isMemberOf* (over the user's groups). `item` is the name the rule gave the item
 * (`_`, `assignedPlan`, `org`), kept for printing.
 */
export interface QuantifierNode {
  kind: 'any' | 'all'
  path: readonly string[]
  attribute: string
  loose: boolean
  item: string
  child: RuleNode
  /** Okta's Arrays.*: a text value is a comma-separated list of items ("a,b" is ["a", "b"]). */
  splitText?: boolean
  span: Span
}

/**
 * An Okta expression evaluated as a whole by okta-eval.ts: a rule that doesn't reduce to the
 * nodes above without changing what Okta would answer (okta.ts decides).
 */
export interface ExpressionNode {
  kind: 'expr'
  expr: OktaExpr
  /** The rule text the expression's offsets point into. */
  text: string
  attributes: string[]
  span: Span
}

export interface AndNode {
  kind: 'and'
  children: RuleNode[]
  span: Span
}

export interface OrNode {
  kind: 'or'
  children: RuleNode[]
  span: Span
}

export interface NotNode {
  kind: 'not'
  child: RuleNode
  span: Span
}

export type RuleNode = AndNode | OrNode | NotNode | CompareNode | QuantifierNode | ExpressionNode

/** What a dialect parser hands to the compiler. */
export interface ParsedRule {
  root: RuleNode
  /** Hints about the text itself, true for every user (e.g. how -and/-or group). */
  hints: string[]
  /** Where AND and OR mix without parentheses (for lint). */
  mixedLogic: Span[]
  /** What the IdP's documentation restricts in this kind of rule but JIT Mapper evaluates anyway (for lint). */
  restrictions?: Array<{ span: Span; message: string }>
}

/** Every dialect parser's result: parse errors are values, never exceptions. */
export type ParseResult = { ok: true; parsed: ParsedRule } | { ok: false; error: RuleError }

/** Top-level attribute names a rule can read, deduped, in order of first appearance. */
export function attributesOf(root: RuleNode): string[] {
  const seen = new Set<string>()
  const visit = (node: RuleNode): void => {
    switch (node.kind) {
      case 'compare':
        seen.add(node.attribute)
        return
      case 'any':
      case 'all':
        seen.add(node.attribute)
        return
      case 'expr':
        for (const name of node.attributes) seen.add(name)
        return
      case 'not':
        visit(node.child)
        return
      case 'and':
      case 'or':
        for (const child of node.children) visit(child)
    }
  }
  visit(root)
  return [...seen]
}

/** Whether evaluating the rule needs the evaluation time (it mentions system.now). */
export function readsClock(root: RuleNode): boolean {
  switch (root.kind) {
    case 'compare':
      return typeof root.value === 'object' && root.value !== null && !Array.isArray(root.value)
    case 'expr':
      return false
    case 'not':
    case 'any':
    case 'all':
      return readsClock(root.child)
    case 'and':
    case 'or':
      return root.children.some(readsClock)
  }
}

export function isNowValue(value: unknown): value is NowValue {
  return typeof value === 'object' && value !== null && (value as NowValue).now === true
}
