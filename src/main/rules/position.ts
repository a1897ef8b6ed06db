// Positions in the rule text: spans (offsets) and, for errors, line and column as a person counts (1-based).

import type { RuleError } from '../../shared/domain'

/** Offsets into the rule text, end exclusive. A parenthesised node's span includes its parentheses. */
export interface Span {
  start: number
  end: number
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    const char = text[i]
    if (char === '\n' || (char === '\r' && text[i + 1] !== '\n')) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

export function ruleError(
  text: string,
  offset: number,
  message: string,
  expected: readonly string[],
  hint?: string,
): RuleError {
  const at = Math.max(0, Math.min(offset, text.length))
  const error: RuleError = { message, ...lineColumn(text, at), offset: at, expected: [...expected] }
  if (hint !== undefined) error.hint = hint
  return error
}
