// Token spans for the rule editor's syntax highlighting, from each dialect's own tokenizer, so
// what is coloured is exactly what the parser reads. Highlighting stops at the first character
// a tokenizer can't read, which is marked invalid; the text after it stays plain.

import type { Dialect, RuleToken } from '../../shared/domain'
import { COMPARE_OPERATORS, LOGICAL_OPERATORS } from './entra-operators'
import { tokenize } from './entra-tokens'
import { tokenizeExpr } from './expr-tokens'

const KEYWORDS = new Set(['true', 'false', 'null', 'NULL', 'in', 'AND', 'OR', 'and', 'or', 'system.now'])

export function highlightRule(dialect: Dialect, text: string): RuleToken[] {
  if (typeof text !== 'string') return []
  const tokens: RuleToken[] = []
  if (dialect === 'entra') {
    for (const token of tokenize(text)) {
      const span = { start: token.start, end: token.end }
      switch (token.kind) {
        case 'end':
          break
        case 'invalid':
          tokens.push({ ...span, kind: 'invalid' })
          break
        case 'operator': {
          const lower = token.word.toLowerCase()
          tokens.push({
            ...span,
            kind: lower in LOGICAL_OPERATORS ? 'keyword' : lower in COMPARE_OPERATORS ? 'operator' : 'operator',
          })
          break
        }
        case 'word':
          tokens.push({
            ...span,
            kind: KEYWORDS.has(token.text.toLowerCase())
              ? 'literal'
              : /^[0-9]/.test(token.text)
                ? 'number'
                : 'attribute',
          })
          break
        case 'string':
          tokens.push({ ...span, kind: 'string' })
          break
        case 'number':
          tokens.push({ ...span, kind: 'number' })
          break
        default:
          tokens.push({ ...span, kind: 'punctuation' })
      }
    }
    return tokens
  }
  const all = tokenizeExpr(text, {
    name: dialect,
    escapes: dialect === 'okta' ? 'double' : 'backslash',
    arithmetic: dialect === 'okta',
  })
  all.forEach((token, i) => {
    const span = { start: token.start, end: token.end }
    switch (token.kind) {
      case 'end':
        return
      case 'invalid':
        tokens.push({ ...span, kind: 'invalid' })
        return
      case 'string':
        tokens.push({ ...span, kind: 'string' })
        return
      case 'number':
        tokens.push({ ...span, kind: 'number' })
        return
      case 'op':
        tokens.push({ ...span, kind: /^[()[\]{},.]$/.test(token.text) ? 'punctuation' : 'operator' })
        return
      case 'ident': {
        const after = all[i + 1]
        const call = after?.kind === 'op' && after.text === '('
        tokens.push({
          ...span,
          kind: KEYWORDS.has(token.text)
            ? /^(AND|OR|and|or|in)$/.test(token.text)
              ? 'keyword'
              : 'literal'
            : call
              ? 'function'
              : 'attribute',
        })
      }
    }
  })
  return tokens
}
