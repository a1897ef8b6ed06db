// `jit-mapper rules test`: evaluates one rule against users given in their IdP's own shape
// (Graph users, Okta users, Directory API users), offline, with no workspace. It prints what
// the IdP would compute for each user, in order, so an admin can check a rule before saving it.

import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { DIALECTS, type Dialect } from '../../shared/domain'
import { compileRule, ruleInputFrom, type RuleError } from '../rules'
import type { CliIo } from './cli-io'
import { errorMessage } from '../../shared/errors'

export const RULES_USAGE = `  rules test Evaluate a rule against users in their IdP's own JSON shape; prints [{"result","missing"}, …]
               --dialect D       entra, okta or google (required)
               --rule TEXT       the rule (required)
               --users FILE      a JSON array of Graph users, Okta users (with profile) or Directory API users (required)
               --now ISO         the evaluation time for rules that read system.now (default: now)`

/** Exit status 2: the command line or the rule is wrong; 1: the users file can't be read. */
export async function rulesCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv
  if (sub !== 'test')
    return usage(
      io,
      sub === undefined ? 'rules needs a subcommand: rules test' : `Unknown rules subcommand "${sub}"; expected test`,
    )
  let values: { dialect?: string; rule?: string; users?: string; now?: string }
  try {
    values = parseArgs({
      args: rest,
      options: {
        dialect: { type: 'string' },
        rule: { type: 'string' },
        users: { type: 'string' },
        now: { type: 'string' },
        'data-dir': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (e) {
    return usage(io, errorMessage(e))
  }
  const { dialect, rule, users } = values
  if (dialect === undefined || !(DIALECTS as readonly string[]).includes(dialect))
    return usage(
      io,
      `rules test needs --dialect ${DIALECTS.join('|')}${dialect === undefined ? '' : `, got "${dialect}"`}`,
    )
  if (rule === undefined) return usage(io, 'rules test needs --rule TEXT')
  if (users === undefined) return usage(io, 'rules test needs --users FILE')
  const now = values.now === undefined ? new Date() : new Date(values.now)
  if (Number.isNaN(now.getTime())) return usage(io, `--now must be an ISO-8601 date-time, got "${values.now}"`)

  const compiled = compileRule(dialect as Dialect, rule)
  if (!compiled.ok) {
    io.err(formatRuleError(rule, compiled.error))
    return 2
  }
  let list: unknown
  try {
    list = JSON.parse(readFileSync(users, 'utf8'))
  } catch (e) {
    io.err(`Can't read the users file ${users}: ${errorMessage(e)}`)
    return 1
  }
  if (!Array.isArray(list)) {
    io.err(`The users file ${users} must hold a JSON array of users, not ${list === null ? 'null' : typeof list}`)
    return 1
  }
  const results = list.map(user => {
    const { result, missing } = compiled.rule.evaluate(ruleInputFrom(dialect as Dialect, user), now)
    return { result, missing }
  })
  io.out(JSON.stringify(results))
  return 0
}

function usage(io: CliIo, message: string): number {
  io.err(
    `rules: ${message}\n\nUsage: jit-mapper rules test --dialect entra|okta|google --rule TEXT --users FILE [--now ISO]`,
  )
  return 2
}

/** The error with its position, the rule's line and a caret under the spot. */
function formatRuleError(text: string, error: RuleError): string {
  const line = text.split(/\r\n|\r|\n/)[error.line - 1] ?? ''
  return [
    `Rule error at line ${error.line}, column ${error.column}: ${error.message}`,
    `  ${line}`,
    `  ${' '.repeat(Math.max(0, error.column - 1))}^`,
    ...(error.expected.length > 0 ? [`Expected: ${error.expected.join(', ')}`] : []),
    ...(error.hint !== undefined ? [`Hint: ${error.hint}`] : []),
  ].join('\n')
}
