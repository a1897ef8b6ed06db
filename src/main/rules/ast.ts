// The dialect-neutral rule tree. Each dialect's parser (Entra now; Okta Expression Language
// and Google CEL later) produces it, and compile.ts and explain.ts never see dialect syntax:
// anything a dialect means differently (e.g. Entra compares text case-insensitively, Okta and
// Google don't) is spelled out on the node.

import type { RuleError } from './types'

/** Offsets into the rule text, end exclusive. A parenthesised node's span includes its parentheses. */
export interface Span {
  start: number
  end: number
}

export type Scalar = string | number | boolean

export type EqualityOperator = 'eq' | 'ne'
export type TextOperator =
  | 'contains'
  | 'notContains'
  | 'startsWith'
  | 'notStartsWith'
  | 'endsWith'
  | 'notEndsWith'
export type ListOperator = 'in' | 'notIn'
export type CompareOperator = EqualityOperator | TextOperator | ListOperator

interface CompareBase {
  kind: 'compare'
  /** Canonical attribute name (a key of the user's attributes). */
  attribute: string
  ignoreCase: boolean
  span: Span
}

/** `null` as a value means "has no value"; only equality can test it. */
export type CompareNode = CompareBase &
  (
    | { operator: EqualityOperator; value: Scalar | null }
    | { operator: TextOperator; value: Scalar }
    | { operator: ListOperator; value: Scalar[] }
  )

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

export type RuleNode = AndNode | OrNode | NotNode | CompareNode

/** What a dialect parser hands to the compiler. */
export interface ParsedRule {
  root: RuleNode
  /** Hints about the text itself, true for every user (e.g. how -and/-or group). */
  hints: string[]
}

/** Every dialect parser's result: parse errors are values, never exceptions. */
export type ParseResult = { ok: true; parsed: ParsedRule } | { ok: false; error: RuleError }

/** Attribute names a rule can read, deduped, in order of first appearance. */
export function attributesOf(root: RuleNode): string[] {
  const seen = new Set<string>()
  const visit = (node: RuleNode): void => {
    switch (node.kind) {
      case 'compare':
        seen.add(node.attribute)
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
