// Warnings an admin can act on, from a compiled rule and the synced users' values: a condition
// no synced user satisfies, a value that differs from real directory values only by case or
// whitespace, AND and OR mixed without parentheses, contradictions, always-true conditions.
// Lint never changes what a rule means; it points at likely mistakes, which the GROUP_RULE_FAIL
// diagnostic shows: case, whitespace, AND/OR precedence, conditions that contradict each other.

import type { CompareNode, RuleNode, Scalar, Span } from './ast'
import { compileNode, matcherOf } from './compile'
import { lineColumn } from './position'
import { pathReader } from './read'
import type { CompiledRule, RuleInput } from './types'

export type LintCode =
  | 'unsatisfied'
  | 'case-or-whitespace'
  | 'mixed-logic'
  | 'contradiction'
  | 'always-true'
  | 'restriction'

export interface LintWarning {
  code: LintCode
  message: string
  start: number
  end: number
  line: number
  column: number
}

/** Values of one attribute looked at per rule; enough to find a near-miss, bounded for big directories. */
const MAX_DISTINCT = 10_000

export function lintRule(rule: CompiledRule, users: readonly RuleInput[], now?: Date): LintWarning[] {
  const warnings: LintWarning[] = []
  const text = rule.text
  const warn = (code: LintCode, span: Span, message: string): void => {
    warnings.push({ code, message, start: span.start, end: span.end, ...lineColumn(text, span.start) })
  }
  const clause = (node: RuleNode): string => text.slice(node.span.start, node.span.end)
  const at = now?.getTime() ?? NaN

  for (const span of rule.parsed.mixedLogic) {
    warn(
      'mixed-logic',
      span,
      `AND and OR are mixed without parentheses in ${text.slice(span.start, span.end)}; AND binds tighter. Add parentheses to say which you mean.`,
    )
  }

  for (const restriction of rule.parsed.restrictions ?? []) warn('restriction', restriction.span, restriction.message)

  const visit = (node: RuleNode, inItem: boolean): void => {
    switch (node.kind) {
      case 'expr':
        if (!inItem) unsatisfied(node, inItem)
        return
      case 'compare':
        if (alwaysTrue(node))
          warn('always-true', node.span, `${clause(node)} is true for every value, so it doesn't narrow the group.`)
        if (!inItem) {
          nearMiss(node, users, message => warn('case-or-whitespace', node.span, message))
          unsatisfied(node, inItem)
        }
        return
      case 'any':
      case 'all':
        if (!inItem) unsatisfied(node, inItem)
        visit(node.child, true)
        return
      case 'not':
        visit(node.child, inItem)
        return
      case 'and':
        contradictions(node.children, (a, b) =>
          warn(
            'contradiction',
            node.span,
            `${clause(a)} and ${clause(b)} can't both be true, so no user can ever match ${clause(node)}.`,
          ),
        )
        for (const child of node.children) visit(child, inItem)
        return
      case 'or':
        complements(node.children, (a, b) =>
          warn(
            'always-true',
            node.span,
            `${clause(a)} or ${clause(b)} is true for every user, so ${clause(node)} is always true.`,
          ),
        )
        for (const child of node.children) visit(child, inItem)
    }
  }

  const unsatisfied = (node: RuleNode, inItem: boolean): void => {
    if (users.length === 0 || (node.kind === 'compare' && isNegated(node))) return
    if (rule.readsClock && Number.isNaN(at)) return
    const check = compileNode(node, inItem)
    const scratch: string[] = []
    for (const user of users) if (check(user, scratch, at)) return
    warn(
      'unsatisfied',
      node.span,
      `No synced user satisfies ${clause(node)} (checked ${users.length.toLocaleString('en-US')} users).`,
    )
  }

  visit(rule.parsed.root, false)
  return warnings
}

const NEGATED = new Set(['ne', 'notContains', 'notStartsWith', 'notEndsWith', 'notIn', 'notMatch'])

function isNegated(node: CompareNode): boolean {
  return NEGATED.has(node.operator)
}

function alwaysTrue(node: CompareNode): boolean {
  if (
    (node.operator === 'contains' || node.operator === 'startsWith' || node.operator === 'endsWith') &&
    node.value === ''
  )
    return true
  if (node.operator === 'match') {
    // An unanchored pattern that matches the empty text matches every text.
    const match = matcherOf(node)
    return node.flavour !== 'java' && match('', NaN) && match('\u0000any\u0000', NaN)
  }
  return false
}

/** The rule's text value differs from some real value of the attribute only by case (where case matters) or whitespace. */
function nearMiss(node: CompareNode, users: readonly RuleInput[], report: (message: string) => void): void {
  if (node.operator !== 'eq' && node.operator !== 'ne' && node.operator !== 'in' && node.operator !== 'notIn') return
  const wanted = (Array.isArray(node.value) ? node.value : [node.value]).filter(
    (v): v is string => typeof v === 'string' && v !== '',
  )
  if (wanted.length === 0) return
  const read = pathReader(node.path, node.loose)
  const actual = new Set<string>()
  for (const user of users) {
    const value = read(user)
    for (const item of Array.isArray(value) ? value : [value])
      if (typeof item === 'string' && actual.size < MAX_DISTINCT) actual.add(item)
  }
  const norm = (t: string): string => t.trim().replace(/\s+/g, ' ').toLowerCase()
  const same = (a: string, b: string): boolean => (node.ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b)
  for (const value of wanted) {
    if ([...actual].some(a => same(a, value))) continue
    const near = [...actual].find(a => norm(a) === norm(value))
    if (near !== undefined) {
      const spaced = (t: string): string => t.trim().replace(/\s+/g, ' ')
      const kind =
        spaced(near) === spaced(value)
          ? 'whitespace'
          : near.toLowerCase() === value.toLowerCase()
            ? 'case'
            : 'case and whitespace'
      report(
        `${JSON.stringify(value)} matches no synced value of ${node.attribute}, but ${JSON.stringify(near)} differs from it only by ${kind}.`,
      )
    }
  }
}

/** Pairs of siblings under AND that no value satisfies together. */
function contradictions(children: RuleNode[], report: (a: RuleNode, b: RuleNode) => void): void {
  const compares = children.filter((c): c is CompareNode => c.kind === 'compare')
  for (let i = 0; i < compares.length; i++) {
    for (let j = i + 1; j < compares.length; j++) {
      const a = compares[i] as CompareNode
      const b = compares[j] as CompareNode
      if (!samePlace(a, b)) continue
      if (
        a.operator === 'eq' &&
        b.operator === 'eq' &&
        a.value !== null &&
        b.value !== null &&
        !equal(a, a.value as Scalar, b.value as Scalar)
      )
        report(a, b)
      else if (a.operator === 'eq' && b.operator === 'eq' && (a.value === null) !== (b.value === null)) report(a, b)
      else if (isComplement(a, b)) report(a, b)
      else if (
        a.operator === 'in' &&
        b.operator === 'in' &&
        !(a.value as Scalar[]).some(x => (b.value as Scalar[]).some(y => equal(a, x, y)))
      )
        report(a, b)
    }
  }
}

/** Pairs of siblings under OR that every value satisfies together. */
function complements(children: RuleNode[], report: (a: RuleNode, b: RuleNode) => void): void {
  const compares = children.filter((c): c is CompareNode => c.kind === 'compare')
  for (let i = 0; i < compares.length; i++) {
    for (let j = i + 1; j < compares.length; j++) {
      const a = compares[i] as CompareNode
      const b = compares[j] as CompareNode
      if (!samePlace(a, b)) continue
      if (isComplement(a, b)) report(a, b)
      else if (
        a.operator === 'ne' &&
        b.operator === 'ne' &&
        a.value !== null &&
        b.value !== null &&
        !equal(a, a.value as Scalar, b.value as Scalar)
      )
        report(a, b)
    }
  }
}

function samePlace(a: CompareNode, b: CompareNode): boolean {
  return a.path.join('\u0000') === b.path.join('\u0000') && a.transform === b.transform && a.ignoreCase === b.ignoreCase
}

/** x -eq v and x -ne v (or any operator and its negated twin with the same value). */
function isComplement(a: CompareNode, b: CompareNode): boolean {
  const twins: Record<string, string> = {
    eq: 'ne',
    contains: 'notContains',
    startsWith: 'notStartsWith',
    endsWith: 'notEndsWith',
    in: 'notIn',
    match: 'notMatch',
  }
  const paired = twins[a.operator] === b.operator || twins[b.operator] === a.operator
  return paired && JSON.stringify(a.value) === JSON.stringify(b.value)
}

function equal(node: CompareNode, a: Scalar, b: Scalar): boolean {
  const text = (v: Scalar): string => (node.loose ? String(v) : JSON.stringify(v))
  return node.ignoreCase ? text(a).toLowerCase() === text(b).toLowerCase() : text(a) === text(b)
}
