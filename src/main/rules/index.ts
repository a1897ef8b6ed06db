// The rule room's front door: compile a group rule once, then evaluate or explain it per user.
// Each dialect parses into one neutral tree (ast.ts); compile.ts turns it into closures and
// explain.ts into clause-by-clause explanations.
//
// Entra semantics the docs leave open, and what we chose (directory.md §1 marks them inferred):
// - a multi-value attribute matches a positive operator when any item does, a negated one
//   (-ne, -notContains, -notIn, …) when no item does: each negated operator is "not" its twin;
// - a missing attribute (absent, null or "") compares like null, so -ne "x" and -notContains
//   are true; "" and [] are both "no value" for -eq null, but [] is not reported as missing
//   (the directory did say the list is empty);
// - `"null"` in quotes next to -eq/-ne is rejected as a likely mistake rather than compared as text;
// - property names Entra doesn't list (custom extensions, a file directory's columns) are read as
//   written; rule names that differ from Graph's (mobile, objectId, …) are mapped.

import type { Dialect } from '../../shared/domain'
import { attributesOf, type ParseResult } from './ast'
import { compileNode } from './compile'
import { parseEntra } from './entra'
import { createExplainer } from './explain'
import { ruleError } from './position'
import type { CompileResult } from './types'

export type { CompileResult, CompiledRule, Evaluation, RuleError, RuleExplanation } from './types'

const NOT_YET: Readonly<Record<Exclude<Dialect, 'entra'>, string>> = {
  okta: 'Okta Expression Language',
  google: 'Google CEL',
}

export function compileRule(dialect: Dialect, text: string): CompileResult {
  const parsed = parse(dialect, text)
  if (!parsed.ok) return parsed
  const check = compileNode(parsed.parsed.root)
  const explain = createExplainer(parsed.parsed, text)
  return {
    ok: true,
    rule: {
      dialect,
      text,
      attributes: attributesOf(parsed.parsed.root),
      evaluate(user) {
        const missing: string[] = []
        return { result: check(user, missing), missing }
      },
      explain,
    },
  }
}

function parse(dialect: Dialect, text: string): ParseResult {
  if (typeof text !== 'string') {
    return { ok: false, error: ruleError('', 0, 'The rule must be text', []) }
  }
  if (dialect === 'entra') return parseEntra(text)
  const name = Object.hasOwn(NOT_YET, dialect) ? NOT_YET[dialect] : undefined
  const message =
    name !== undefined
      ? `${name} rules aren't supported yet; only Entra rules can be compiled for now`
      : `Unknown rule dialect ${JSON.stringify(dialect)}; expected entra, okta or google`
  return { ok: false, error: ruleError(text, 0, message, []) }
}
