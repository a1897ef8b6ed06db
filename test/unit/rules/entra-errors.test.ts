import { describe, expect, it } from 'vitest'
import { compileRule } from '../../../src/main/rules'
import { entra, entraError } from './helpers'

/** `▸` marks where the error must point; it is removed before compiling. */
interface Case {
  rule: string
  message: RegExp
  hint?: RegExp
  expected?: string
}

const CASES: Record<string, Case> = {
  'an EN DASH typed for a hyphen': {
    rule: 'user.department ▸–eq "Marketing"',
    message: /EN DASH/,
    hint: /"-eq" rather than "–eq"/,
    expected: '-eq',
  },
  'an EM DASH typed for a hyphen': {
    rule: 'user.department -eq "Marketing" ▸—and user.country -eq "US"',
    message: /EM DASH/,
    hint: /"-and" rather than "—and"/,
    expected: '-and',
  },
  'a minus sign typed for a hyphen': { rule: '▸−not (user.a -eq "x")', message: /MINUS SIGN/, hint: /"-not"/ },
  '-eq against a list': {
    rule: 'user.department -eq ▸["Sales", "HR"]',
    message: /-eq can't compare with a list/,
    hint: /-in \[/,
  },
  '-ne against a list': {
    rule: 'user.department -ne ▸["Sales"]',
    message: /-ne can't compare with a list/,
    hint: /-notIn \[/,
  },
  '-contains against a list': { rule: 'user.department -contains ▸["Sales"]', message: /list/, hint: /-or/ },
  '-in without a list': {
    rule: 'user.department -in ▸"Sales"',
    message: /-in needs a list/,
    hint: /-in \["Sales"\]/,
    expected: '[',
  },
  '-notIn at the end of the rule': { rule: 'user.department -notIn▸', message: /needs a list/, expected: '[' },
  'an unknown operator': {
    rule: 'user.department ▸-equals "Sales"',
    message: /Unknown operator -equals/,
    hint: /Did you mean -eq\?/,
    expected: '-eq',
  },
  'a misspelt operator': { rule: 'user.department ▸-startwith "S"', message: /Unknown operator/, hint: /-startsWith/ },
  'a near-miss operator': { rule: 'user.department ▸-contians "S"', message: /Unknown operator/, hint: /-contains/ },
  'an operator with no likely meaning': {
    rule: 'user.department ▸-zzz "S"',
    message: /Unknown operator -zzz/,
    hint: /-eq, -ne, -contains/,
  },
  'an unhyphenated foreign operator': {
    rule: 'user.department ▸like "S"',
    message: /Unknown operator like/,
    hint: /-contains/,
  },
  'a PowerShell symbol': { rule: 'user.department ▸== "Sales"', message: /"=="/, hint: /-eq/ },
  'a JavaScript and': { rule: 'user.a -eq "x" ▸&& user.b -eq "y"', message: /"&&"/, hint: /-and/ },
  'a .NET-only regular expression construct': {
    rule: 'user.city -match "▸(?>ago)"',
    message: /atomic groups/,
    hint: /plain group/,
  },
  'an invalid regular expression': {
    rule: 'user.userPrincipalName -match ▸"*@domain.ext"',
    message: /Invalid regular expression/,
    hint: /\.\*@domain\.ext/,
  },
  '-ge with text that is not a date': {
    rule: 'user.employeeHireDate -ge ▸"soon"',
    message: /compares date-times/,
    hint: /system\.now/,
  },
  'system.now -plus without a duration': {
    rule: 'user.employeeHireDate -ge system.now -plus ▸1',
    message: /ISO-8601 duration/,
    hint: /p1d/,
  },
  '-plus not after system.now': { rule: 'user.city ▸-plus "x"', message: /only follows system\.now/ },
  '_ outside -any/-all': { rule: '▸_ -eq "x"', message: /only be used inside -any\/-all/ },
  'a user property inside -any': {
    rule: 'user.proxyAddresses -any (▸user.mail -eq "x")',
    message: /isn't an item of proxyAddresses/,
    hint: /_ for a text item/,
  },
  'nested -any': {
    rule: 'user.assignedPlans -any (assignedPlan.service ▸-any (_ -eq "x"))',
    message: /inside another -any\/-all/,
  },
  '-any without parentheses': { rule: 'user.proxyAddresses -any ▸_ -eq "x"', message: /in parentheses/ },
  'an unterminated double-quoted string': {
    rule: 'user.department -eq ▸"Sales',
    message: /no closing double quote/,
    hint: /Add a double quote/,
  },
  'an unterminated single-quoted string': {
    rule: "user.department -eq ▸'O''Brien",
    message: /no closing single quote/,
  },
  'a string whose closing quote is escaped': {
    rule: 'user.department -eq ▸"Sales`"',
    message: /no closing/,
    hint: /escaped/,
  },
  'a string whose closing quote is escaped before a line break': {
    rule: 'user.a -eq ▸"x`"\n-or user.b -eq "y"',
    message: /no closing/,
    hint: /escaped/,
  },
  'curly quotes': { rule: 'user.department -eq ▸“Sales”', message: /typographic quote/, hint: /straight quotes/ },
  'an unclosed parenthesis': {
    rule: '(user.a -eq "x" -or (user.b -eq "y")▸',
    message: /Missing \) for the \( at line 1, column 1/,
    expected: ')',
  },
  'an extra closing parenthesis': { rule: 'user.a -eq "x"▸)', message: /no matching \(/, expected: 'end of rule' },
  'empty parentheses': { rule: '(▸)', message: /Empty parentheses/ },
  'two conditions without -and/-or': {
    rule: '(user.department -eq "Sales") ▸(user.department -eq "Marketing")',
    message: /Missing -and or -or between two conditions/,
    hint: /-or/,
    expected: '-and',
  },
  'two bare conditions without -and/-or': { rule: 'user.a -eq "x" ▸user.b -eq "y"', message: /Missing -and or -or/ },
  'a condition then -not without -and/-or': {
    rule: 'user.a -eq "x" ▸-not (user.b -eq "y")',
    message: /Missing -and or -or/,
  },
  'two conditions without -and/-or inside parentheses': {
    rule: '(user.a -eq "x" ▸user.b -eq "y")',
    message: /Missing -and or -or/,
    expected: ')',
  },
  'a rule ending in -and': { rule: 'user.a -eq "x" -and▸', message: /ends where a condition/, hint: /after -and/ },
  'an empty rule': { rule: '▸', message: /empty/, expected: 'user.<property>' },
  'a blank rule': { rule: '  \t ▸', message: /empty/ },
  'a value without quotes': { rule: 'user.department -eq ▸Sales', message: /need quotes/, hint: /"Sales"/ },
  'PowerShell $null': { rule: 'user.mail -ne ▸$null', message: /without a \$/, hint: /user\.mail -ne null/ },
  'null with -contains': { rule: 'user.mail -contains ▸null', message: /null can only be compared with -eq or -ne/ },
  'null in a list': { rule: 'user.mail -in ["a", ▸null]', message: /null can't be in a list/ },
  '-not after a property': {
    rule: 'user.mail ▸-not null',
    message: /-not can't follow user\.mail/,
    hint: /user\.mail -ne null/,
  },
  'a missing operator': { rule: 'user.department ▸"Sales"', message: /Expected a comparison operator/ },
  'a missing value': { rule: 'user.department -eq▸', message: /where a value was expected/, expected: '"text"' },
  'a missing value before -and': {
    rule: 'user.department -eq ▸-and user.a -eq "x"',
    message: /Expected a value after -eq/,
  },
  'a second operator': { rule: 'user.department -eq "a" ▸-eq "b"', message: /one operator/ },
  'comma-separated values': { rule: 'user.department -eq "a"▸, "b"', message: /comma/, hint: /-in/ },
  'a property without user.': {
    rule: '▸department -eq "Sales"',
    message: /isn't a property/,
    hint: /user\.department/,
  },
  'a device property': { rule: '▸device.deviceOSType -eq "iPad"', message: /Device rules aren't supported/ },
  'a nested property': { rule: '▸user.manager.department -eq "Sales"', message: /isn't a user property/ },
  'user. without a name': { rule: '▸user. -eq "x"', message: /property name after/ },
  'a value first': { rule: '▸"Sales" -eq user.department', message: /must start with a property/ },
  'an operator first': { rule: '▸-eq "Sales"', message: /Expected a condition, found -eq/ },
  '-contains on a true/false property': {
    rule: 'user.accountEnabled ▸-contains true',
    message: /isn't supported on user\.accountEnabled/,
    hint: /-eq true/,
  },
  'a list with a trailing comma': { rule: 'user.a -in ["x", ▸]', message: /ends with a comma/ },
  'a list without commas': { rule: 'user.a -in ["x" ▸"y"]', message: /Missing comma/ },
  'an unclosed list': { rule: 'user.a -in ["x", "y"▸', message: /Missing \] for the list opened at line 1, column 12/ },
  'a stray character': { rule: 'user.a -eq "x" ▸# note', message: /Unexpected character "#"/ },
  'a control character': { rule: 'user.a -eq "x" ▸\u0007', message: /U\+0007/ },
  'a lone hyphen': { rule: 'user.a ▸- eq "x"', message: /hyphen must start an operator/ },
}

describe('parse errors point at the mistake and say how to fix it', () => {
  it.each(Object.entries(CASES))('%s', (_, { rule: marked, message, hint, expected }) => {
    const offset = marked.indexOf('▸')
    const rule = marked.replace('▸', '')
    const error = entraError(rule)
    expect(error.message).toMatch(message)
    expect({ offset: error.offset, line: error.line, column: error.column }).toEqual({
      offset,
      line: 1,
      column: offset + 1,
    })
    expect(error.expected.length).toBeGreaterThan(0)
    if (hint !== undefined) expect(error.hint).toMatch(hint)
    if (expected !== undefined) expect(error.expected).toContain(expected)
  })
})

describe('line and column', () => {
  it('counts lines and columns from 1 across \\n, \\r\\n and \\r', () => {
    for (const newline of ['\n', '\r\n', '\r']) {
      const rule = [
        '(user.department -eq "Sales")',
        '  -or (user.department -eq "Marketing")',
        '  -and user.country –eq "US"',
      ].join(newline)
      const error = entraError(rule)
      expect({ line: error.line, column: error.column }).toEqual({ line: 3, column: 21 })
      expect(rule.slice(error.offset, error.offset + 3)).toBe('–eq')
    }
  })

  it('points at the start of an unterminated string on an earlier line', () => {
    const error = entraError('user.a -eq "x" -or\n   user.b -eq "y\n -or user.c -eq "z')
    expect(error).toMatchObject({ line: 2, column: 15 })
    expect(error.message).toMatch(/no closing/)
  })

  it('names the line and column of the unclosed parenthesis', () => {
    const error = entraError('user.a -eq "x" -and\n  (user.b -eq "y" -or user.c -eq "z"\n')
    expect(error.message).toBe('Missing ) for the ( at line 2, column 3')
    expect(error).toMatchObject({ line: 3, column: 1 })
  })

  it('reports the first mistake when there are several', () => {
    expect(entraError('user.a -equals "x" -and user.b –eq "y').message).toMatch(/-equals/)
  })
})

describe('limits', () => {
  const padded = (length: number): string => {
    const head = 'user.department -eq "'
    return `${head}${'x'.repeat(length - head.length - 1)}"`
  }

  it('accepts a rule of exactly 3,072 characters', () => {
    expect(entra(padded(3072)).evaluate({ department: 'x'.repeat(3050) }).result).toBe(true)
  })

  it('rejects a rule longer than 3,072 characters', () => {
    const error = entraError(padded(3073))
    expect(error.message).toBe('The rule is 3,073 characters long; Entra allows at most 3,072')
    expect(error).toMatchObject({ offset: 3072, line: 1, column: 3073 })
    expect(error.hint).toMatch(/-in/)
  })

  it('accepts 100 levels of nesting and rejects 101', () => {
    const nested = (depth: number): string => `${'('.repeat(depth)}user.a -eq "x"${')'.repeat(depth)}`
    expect(entra(nested(100)).evaluate({ a: 'x' }).result).toBe(true)
    expect(entraError(nested(101))).toMatchObject({ offset: 100, message: expect.stringMatching(/more than 100 deep/) })
    expect(entraError(`${'-not '.repeat(101)}user.a -eq "x"`).message).toMatch(/more than 100 deep/)
  })
})

describe('dialects other than Entra', () => {
  it('rejects an unknown dialect without throwing', () => {
    const result = compileRule('ldap' as never, 'user.department -eq "Sales"')
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.message).toMatch(/Unknown rule dialect "ldap"/)
  })
})
