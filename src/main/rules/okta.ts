// Okta Expression Language group rules (Okta developer docs, "Okta Expression Language",
// section "Expressions in group rules").
// okta-syntax.ts reads the whole language into an expression tree; this file turns it into the
// rule tree the other dialects share wherever that gives exactly Okta's answer, so the common
// rules (user.department == "Sales", String.stringContains(user.email, "@x.com") AND …) run on
// the generated fast path, and hands any other rule whole to okta-eval.ts.
//
// Okta's semantics, spelled out on the nodes: comparisons are case-sensitive and treat spaces as
// characters (support article "Are Group Rule Expressions Case Sensitive"); a never-populated
// attribute is null but a cleared one is "" (so "" is a value); values compare typed.
//
// Why "exactly": in Okta an evaluation error (ordering text against a number, ! of a missing
// attribute) stops the whole rule, while a rule-tree clause just comes out false. The two agree
// when a clause's being false already makes the rule false, i.e. when the clause sits only under
// AND, or last under OR, never under !. Clauses that can fail are lowered only there; a rule
// with such a clause anywhere else is evaluated whole by okta-eval.ts.

import type {
  CompareNode,
  CompareOperator,
  ParseResult,
  QuantifierNode,
  RuleNode,
  Scalar,
  Span,
  Transform,
} from './ast'
import { ExprParser } from './expr-parser'
import { oktaAttributes } from './okta-eval'
import { type OktaExpr, parseOktaSyntax } from './okta-syntax'
import { GROUP_IDS, GROUP_NAMES } from './reserved'

/** Okta's documented limit is on the rule's name, not the expression; ours keeps parsing far from any limit. */
const MAX_RULE_LENGTH = 16_384

const RELATIONS: Readonly<Record<string, CompareOperator>> = {
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
}
const FLIPPED: Readonly<Record<string, CompareOperator>> = {
  lt: 'gt',
  gt: 'lt',
  le: 'ge',
  ge: 'le',
  eq: 'eq',
  ne: 'ne',
}
const TRANSFORMS: Readonly<Record<string, Transform>> = {
  'String.toLowerCase': 'lower',
  'String.toUpperCase': 'upper',
  'String.len': 'length',
}

export function parseOkta(text: string): ParseResult {
  if (text.length > MAX_RULE_LENGTH) return ExprParser.tooLong(text, MAX_RULE_LENGTH)
  const syntax = parseOktaSyntax(text)
  if (!syntax.ok) return syntax
  const expr = syntax.expr
  const mixed: Span[] = []
  const hints: string[] = []
  findMixedLogic(expr, text, mixed, hints)
  const root: RuleNode = lower(expr, text, true) ?? {
    kind: 'expr',
    expr,
    text,
    attributes: oktaAttributes(expr),
    span: { start: expr.start, end: expr.end },
  }
  const restrictions = syntax.notes.map(note => ({
    span: { start: note.span.start, end: note.span.end },
    message: note.message,
  }))
  if (isPlainValue(expr))
    restrictions.push({
      span: { start: expr.start, end: expr.end },
      message: `${text.slice(expr.start, expr.end)} isn't a condition: Okta requires a group rule's expression to evaluate to true or false (Okta, "Conditional expressions"), so no user is added.`,
    })
  return { ok: true, parsed: { root, hints, mixedLogic: mixed, restrictions } }
}

/** A literal or arithmetic at the top: never true or false. */
function isPlainValue(expr: OktaExpr): boolean {
  if (expr.kind === 'literal') return typeof expr.value !== 'boolean'
  if (expr.kind === 'list') return true
  return expr.kind === 'binary' && ['+', '-', '*', '/', '%', '^'].includes(expr.operator)
}

function parenthesised(expr: OktaExpr, text: string): boolean {
  return text[expr.start] === '(' && expr.kind === 'binary' && expr.left.start !== expr.start
}

/** OR with an unparenthesised AND as an operand, for the precedence hint and lint. */
function findMixedLogic(expr: OktaExpr, text: string, mixed: Span[], hints: string[]): void {
  const visit = (node: OktaExpr): void => {
    if (node.kind === 'binary' && node.operator === '||' && !parenthesised(node, text)) {
      const operands = orOperands(node, text)
      if (operands.some(op => op.kind === 'binary' && op.operator === '&&' && !parenthesised(op, text))) {
        const span = { start: node.start, end: node.end }
        if (!mixed.some(m => m.start <= span.start && m.end >= span.end)) {
          mixed.push(span)
          const parts = operands.map(op => {
            const slice = text.slice(op.start, op.end)
            return op.kind === 'binary' && op.operator === '&&' && !parenthesised(op, text) ? `(${slice})` : slice
          })
          hints.push(
            `AND binds tighter than OR: read as ${parts.join(' OR ')}. Add parentheses if you meant another grouping.`,
          )
        }
      }
    }
    for (const child of children(node)) visit(child)
  }
  visit(expr)
}

function orOperands(node: OktaExpr, text: string): OktaExpr[] {
  if (node.kind === 'binary' && node.operator === '||' && !parenthesised(node, text))
    return [...orOperands(node.left, text), ...orOperands(node.right, text)]
  return [node]
}

function children(node: OktaExpr): OktaExpr[] {
  switch (node.kind) {
    case 'binary':
      return [node.left, node.right]
    case 'unary':
      return [node.operand]
    case 'ternary':
      return [node.test, node.then, node.otherwise]
    case 'elvis':
      return [node.value, node.otherwise]
    case 'index':
      return [node.target, node.index]
    case 'list':
      return node.items
    case 'call':
      return node.args
    default:
      return []
  }
}

/**
 * The rule tree for `expr`, or undefined when only okta-eval.ts gives Okta's answer. `safe`: the
 * clause's being false makes the whole rule false (see the header), so a clause Okta could fail
 * on may be lowered to one that is false instead.
 */
function lower(expr: OktaExpr, text: string, safe: boolean): RuleNode | undefined {
  const span = { start: expr.start, end: expr.end }
  switch (expr.kind) {
    case 'binary':
      switch (expr.operator) {
        case '&&': {
          const operands = flatten(expr, '&&').map(child => lower(child, text, safe))
          if (operands.some(child => child === undefined)) return undefined
          return { kind: 'and', children: operands as RuleNode[], span }
        }
        case '||': {
          const list = flatten(expr, '||')
          const operands = list.map((child, i) => lower(child, text, safe && i === list.length - 1))
          if (operands.some(child => child === undefined)) return undefined
          return { kind: 'or', children: operands as RuleNode[], span }
        }
        case '==':
        case '!=':
        case '<':
        case '<=':
        case '>':
        case '>=':
          return lowerComparison(expr, text, safe, span)
        default:
          return undefined
      }
    case 'unary': {
      if (expr.operator !== '!') return undefined
      // !user.flag: Okta fails on a missing or non-boolean flag; == false is false for those.
      if (expr.operand.kind === 'attribute') return safe ? compare(expr.operand, 'eq', false, span) : undefined
      const child = lower(expr.operand, text, false)
      return child === undefined ? undefined : { kind: 'not', child, span }
    }
    case 'attribute':
      // A bare attribute is the condition itself; Okta fails unless it is true or false.
      return safe ? compare(expr, 'eq', true, span) : undefined
    case 'call':
      return lowerCall(expr, span)
    default:
      return undefined
  }
}

function flatten(expr: OktaExpr, operator: '&&' | '||'): OktaExpr[] {
  if (expr.kind === 'binary' && expr.operator === operator)
    return [...flatten(expr.left, operator), ...flatten(expr.right, operator)]
  return [expr]
}

/** user.x OP literal (either way round), a transform of an attribute, or a condition == true/false. */
function lowerComparison(
  expr: OktaExpr & { kind: 'binary' },
  text: string,
  safe: boolean,
  span: Span,
): RuleNode | undefined {
  const operator = RELATIONS[expr.operator] as CompareOperator
  const equality = operator === 'eq' || operator === 'ne'
  for (const [side, other, flip] of [
    [expr.left, expr.right, false],
    [expr.right, expr.left, true],
  ] as const) {
    if (other.kind !== 'literal') continue
    const value = other.value
    // condition == true / != false is the condition; == false / != true is its negation.
    if (equality && typeof value === 'boolean' && isCondition(side)) {
      const positive = (operator === 'eq') === value
      const inner = lower(side, text, positive && safe)
      if (inner === undefined) return undefined
      return positive ? inner : { kind: 'not', child: inner, span }
    }
    const target = targetOf(side, value)
    if (target === undefined) continue
    // Okta fails on ordering a missing value or values of two types, and on changing the case of
    // a list; the clause is false for those, which is Okta's answer only where `safe`.
    if (!equality && (value === null || typeof value === 'boolean')) return undefined
    if ((!equality || target.transform !== undefined) && !safe) return undefined
    return compare(target, flip ? (FLIPPED[operator] as CompareOperator) : operator, value, span)
  }
  return undefined
}

function isCondition(expr: OktaExpr): boolean {
  if (expr.kind === 'call')
    return (
      !TRANSFORMS[expr.name] &&
      /^(isMemberOf|String\.(stringContains|startsWith)|Arrays\.(contains|isEmpty))/.test(expr.name)
    )
  if (expr.kind === 'unary') return expr.operator === '!'
  return expr.kind === 'binary' && ['&&', '||', '==', '!=', '<', '<=', '>', '>=', 'matches'].includes(expr.operator)
}

/** The attribute (maybe transformed) a comparison with `value` can read on the fast path. */
function targetOf(
  expr: OktaExpr,
  value: Scalar | null,
): { path: readonly string[]; attribute: string; transform?: Transform } | undefined {
  if (expr.kind === 'attribute') return expr
  if (expr.kind !== 'call' || expr.args.length !== 1) return undefined
  const transform = TRANSFORMS[expr.name]
  const arg = expr.args[0] as OktaExpr
  if (transform === undefined || arg.kind !== 'attribute') return undefined
  // Okta writes a number as text before changing its case; the fast path leaves numbers alone,
  // which differs only when the compared text reads as a number or true/false.
  if (transform !== 'length' && (typeof value !== 'string' || /^(true|false|[-+0-9.eE]*|NaN|-?Infinity)$/.test(value)))
    return undefined
  return { path: arg.path, attribute: arg.attribute, transform }
}

function lowerCall(expr: OktaExpr & { kind: 'call' }, span: Span): RuleNode | undefined {
  const args = expr.args
  const literal = (i: number): Scalar | null | undefined => {
    const arg = args[i]
    return arg?.kind === 'literal' ? arg.value : undefined
  }
  const texts = args.map((_, i) => literal(i))
  const names = { path: [GROUP_NAMES], attribute: GROUP_NAMES }
  const ids = { path: [GROUP_IDS], attribute: GROUP_IDS }
  switch (expr.name) {
    case 'isMemberOfGroupName':
      return anyItem(names, 'eq', texts[0] as string, span)
    case 'isMemberOfGroup':
      return anyItem(ids, 'eq', texts[0] as string, span)
    case 'isMemberOfAnyGroup':
      return anyItem(ids, 'in', texts as string[], span)
    case 'isMemberOfGroupNameStartsWith':
      return anyItem(names, 'startsWith', texts[0] as string, span)
    case 'isMemberOfGroupNameContains':
      return anyItem(names, 'contains', texts[0] as string, span)
    case 'isMemberOfGroupNameRegex':
      return anyItem(names, 'match', texts[0] as string, span)
  }
  const target = args[0]
  if (target?.kind !== 'attribute') return undefined
  const value = literal(1)
  switch (expr.name) {
    case 'String.stringContains':
      // On a list, Okta's stringContains looks in each item; a value that isn't text contains nothing.
      return typeof value === 'string' ? anyItem(target, 'contains', value, span) : undefined
    case 'String.startsWith':
      return typeof value === 'string' ? compare(target, 'startsWith', value, span) : undefined
    case 'Arrays.contains':
      if (value === undefined || value === null) return undefined
      return { ...anyItem(target, 'eq', value, span), splitText: true }
    case 'Arrays.isEmpty':
      // Arrays.isEmpty(NULL) is true, and so is an empty list or empty text.
      return { ...compare(target, 'eq', null, span), emptyIsNull: true } as CompareNode
    default:
      return undefined
  }
}

function anyItem(
  target: { path: readonly string[]; attribute: string },
  operator: CompareOperator,
  value: Scalar | Scalar[],
  span: Span,
): QuantifierNode {
  const child = compare({ path: [], attribute: '_' }, operator, value, span)
  if (operator === 'match') child.flavour = 'java'
  return { kind: 'any', path: target.path, attribute: target.attribute, loose: false, item: '_', child, span }
}

function compare(
  target: { path: readonly string[]; attribute: string; transform?: Transform },
  operator: CompareOperator,
  value: Scalar | Scalar[] | null,
  span: Span,
): CompareNode {
  const node = {
    kind: 'compare',
    path: target.path,
    attribute: target.attribute,
    ignoreCase: false,
    loose: false,
    emptyIsNull: false,
    operator,
    value,
    span,
  } as CompareNode
  if (target.transform !== undefined) node.transform = target.transform
  return node
}
