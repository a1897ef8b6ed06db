// The rule room's front door: compile a group rule once, then evaluate or explain it per user.
// Each dialect parses into one neutral tree (ast.ts); compile.ts turns it into closures and
// explain.ts into clause-by-clause explanations; print.ts writes a tree back in its dialect;
// lint.ts finds likely mistakes against the synced users; adapters.ts reads each IdP's own
// user shape.
//
// Entra semantics the docs leave open (Microsoft Learn, "Dynamic membership rules for groups"
// does not say), and what we chose:
// - a multi-value attribute matches a positive operator when any item does, a negated one
//   (-ne, -notContains, -notIn, …) when no item does: each negated operator is "not" its twin;
// - a missing attribute (absent, null or "") compares like null, so -ne "x" and -notContains
//   are true; "" and [] are both "no value" for -eq null, but [] is not reported as missing
//   (the directory did say the list is empty);
// - `"null"` in quotes next to -eq/-ne is rejected as a likely mistake rather than compared as text;
// - property names Entra doesn't list (custom extensions, a file directory's columns) are read as
//   written; rule names that differ from Graph's (mobile, objectId, …) are mapped.
// Okta and Google semantics are described at the top of okta.ts and google.ts.

import type { Dialect } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { attributesOf, readsClock, type ParseResult } from './ast'
import { generateEvaluate } from './codegen'
import { parseEntra } from './entra'
import { createExplainer } from './explain'
import { parseGoogle } from './google'
import { parseOkta } from './okta'
import { ruleError } from './position'
import type { CompiledRule, CompileResult, Evaluation, RuleExplanation, RuleInput } from './types'

export type {
  CompileResult,
  CompiledRule,
  Evaluation,
  EvaluationError,
  RuleError,
  RuleExplanation,
  RuleInput,
} from './types'
export type { ParsedRule, RuleNode } from './ast'
export { GROUP_IDS, GROUP_NAMES, INTERNAL_ID, INTERNAL_STATUS, MANAGER, MANAGER_ID, managerLabel } from './reserved'
export { printRule } from './print'
export { lintRule, type LintWarning } from './lint'
export { ruleInputFrom } from './adapters'
export { copyAttributes } from './input'
export { highlightRule } from './highlight'
export { regroupings, type Regrouping } from './regroup'

/** Shared results for the common case, so evaluation allocates nothing; frozen against callers. */
const NONE: string[] = Object.freeze([]) as unknown as string[]
const TRUE: Evaluation = Object.freeze({ result: true, missing: NONE })
const FALSE: Evaluation = Object.freeze({ result: false, missing: NONE })

export function parseRule(dialect: Dialect, text: string): ParseResult {
  if (typeof text !== 'string') {
    return { ok: false, error: ruleError('', 0, 'The rule must be text', []) }
  }
  switch (dialect) {
    case 'entra':
      return parseEntra(text)
    case 'okta':
      return parseOkta(text)
    case 'google':
      return parseGoogle(text)
    default:
      return {
        ok: false,
        error: ruleError(
          text,
          0,
          `Unknown rule dialect ${JSON.stringify(dialect)}; expected entra, okta or google`,
          [],
        ),
      }
  }
}

export function compileRule(dialect: Dialect, text: string): CompileResult {
  const parsed = parseRule(dialect, text)
  if (!parsed.ok) return parsed
  const root = parsed.parsed.root
  const clock = readsClock(root)
  // Generated and built on first use: many compiled rules are only checked, printed or linted
  // (the editor compiles on every keystroke), and generating code costs more than parsing. The
  // first evaluate() replaces itself with the generated one.
  let explain: ((user: RuleInput, now?: Date) => RuleExplanation) | null = null
  const rule: CompiledRule = {
    dialect,
    text,
    attributes: attributesOf(root),
    readsClock: clock,
    parsed: parsed.parsed,
    evaluate(user, now) {
      rule.evaluate = generateEvaluate(root, clock, { yes: TRUE, no: FALSE })
      return rule.evaluate(user, now)
    },
    explain(user, now) {
      if (explain === null) explain = createExplainer(parsed.parsed, text, clock)
      return explain(user, now)
    },
  }
  return { ok: true, rule }
}

/**
 * Compiles a rule an admin is saving or previewing, or fails with RULE_PARSE: the one wording
 * every editor shows, with the position in the details.
 */
export function compileOrFail(dialect: Dialect, text: string): CompiledRule {
  const compiled = compileRule(dialect, text)
  if (compiled.ok) return compiled.rule
  const e = compiled.error
  throw new AppError('RULE_PARSE', `The rule does not parse (line ${e.line}, column ${e.column}): ${e.message}.`, {
    ...e,
  })
}
