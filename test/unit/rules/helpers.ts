import { type CompiledRule, type RuleError, compileRule } from '../../../src/main/rules'

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
