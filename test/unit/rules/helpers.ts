import { type CompiledRule, type RuleError, compileRule } from '../../../src/main/rules'
import type { Dialect } from '../../../src/shared/domain'

/** Compiles an Entra rule that must compile; a parse error fails the test with its message. */
export function entra(text: string): CompiledRule {
  const compiled = compileRule('entra', text)
  if (!compiled.ok) throw new Error(`${JSON.stringify(text.slice(0, 80))} didn't compile: ${compiled.error.message}`)
  return compiled.rule
}

/** The error an Entra rule that must not compile gives. */
export function entraError(text: string): RuleError {
  const compiled = compileRule('entra', text)
  if (compiled.ok) throw new Error(`${JSON.stringify(text.slice(0, 80))} compiled but should not have`)
  return compiled.error
}

/** Compiles a rule of any dialect that must compile. */
export function rule(dialect: Dialect, text: string): CompiledRule {
  const compiled = compileRule(dialect, text)
  if (!compiled.ok) throw new Error(`${JSON.stringify(text.slice(0, 80))} didn't compile: ${compiled.error.message}`)
  return compiled.rule
}

/** The error a rule that must not compile gives. */
export function ruleErrorOf(dialect: Dialect, text: string): RuleError {
  const compiled = compileRule(dialect, text)
  if (compiled.ok) throw new Error(`${JSON.stringify(text.slice(0, 80))} compiled but should not have`)
  return compiled.error
}

/** Where ▸ stands in a rule written with a marker, and the rule without it. */
export function marked(text: string): { rule: string; offset: number } {
  const offset = text.indexOf('▸')
  return { rule: text.replace('▸', ''), offset }
}
