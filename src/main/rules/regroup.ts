// The other reading of a rule that mixes AND and OR without parentheses (ParsedRule.mixedLogic).
// Every dialect binds AND tighter than OR (expr-parser.ts, entra.ts), so `a AND b OR c` is
// `(a AND b) OR c`; an admin who wrote it may have meant `a AND (b OR c)`. The alternative is the
// same operands with OR binding tighter: the runs of OR between the ANDs are grouped. Whether the
// grouping decides a user's membership is then whether the two readings disagree for that user
// (the diagnostics room asks, GROUP_RULE_FAIL).
//
// The operands are cut from the rule's own text at its top-level logical operators, found with the
// dialect's tokenizer (highlight.ts), so the alternative is written in the dialect and compiled
// like any rule.

import type { Dialect } from '../../shared/domain'
import type { Span } from './ast'
import { highlightRule } from './highlight'

const AND = /^(-?and|&&)$/i
const OR = /^(-?or|\|\|)$/i

export interface Regrouping {
  /** The mixed span of the rule it regroups. */
  span: Span
  /** The span's text as the rule reads it (AND first) and as the other grouping (OR first). */
  asRead: string
  alternative: string
  /** The whole rule with the span regrouped. */
  text: string
}

/** One alternative per mixed span; a span the tokenizer can't cut cleanly gives none. */
export function regroupings(dialect: Dialect, text: string, mixed: readonly Span[]): Regrouping[] {
  if (mixed.length === 0) return []
  const tokens = highlightRule(dialect, text)
  const out: Regrouping[] = []
  for (const span of mixed) {
    const operands: string[] = []
    const operators: string[] = []
    let depth = 0
    let from = span.start
    for (const token of tokens) {
      if (token.start < span.start || token.end > span.end || token.kind === 'string') continue
      const word = text.slice(token.start, token.end)
      if (word === '(' || word === '[') depth++
      else if (word === ')' || word === ']') depth--
      else if (depth === 0 && (AND.test(word) || OR.test(word))) {
        operands.push(text.slice(from, token.start).trim())
        operators.push(word)
        from = token.end
      }
    }
    operands.push(text.slice(from, span.end).trim())
    if (operators.length === 0 || operands.some(o => o === '')) continue
    const groups: string[][] = [[operands[0] as string]]
    let or = ''
    let and = ''
    operators.forEach((op, i) => {
      const operand = operands[i + 1] as string
      if (AND.test(op)) {
        and ||= op
        groups.push([operand])
      } else {
        or ||= op
        ;(groups[groups.length - 1] as string[]).push(operand)
      }
    })
    const alternative = groups.map(g => (g.length > 1 ? `(${g.join(` ${or} `)})` : g[0])).join(` ${and} `)
    out.push({
      span,
      asRead: text.slice(span.start, span.end),
      alternative,
      text: `${text.slice(0, span.start)}${alternative}${text.slice(span.end)}`,
    })
  }
  return out
}
