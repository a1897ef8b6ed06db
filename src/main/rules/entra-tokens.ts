// Splits Entra rule text into tokens (Microsoft Learn, "Dynamic membership rules for groups in Microsoft Entra ID"). The tokenizer never fails: a
// character it can't read becomes an `invalid` token carrying the message and hint, and the
// parser reports it only if it gets that far, so the first error in the text wins.

import { isOperatorWord } from './entra-operators'

export type Punctuation = '(' | ')' | '[' | ']' | ','

export type Token = { start: number; end: number } & (
  | { kind: Punctuation }
  /** `-eq`, `eq`, `-EQ`: the word without hyphen, as typed. */
  | { kind: 'operator'; word: string }
  /** An unquoted word: `user.department`, `true`, `null`, or a mistake like `Sales`. */
  | { kind: 'word'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'end' }
  | { kind: 'invalid'; message: string; hint?: string }
)

const WORD_CHAR = /[A-Za-z0-9_.$]/
const LETTER = /[A-Za-z]/
const DIGIT = /[0-9]/
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/
const DATE_TIME =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?(?![A-Za-z0-9_.$:-])/

/** Dashes that look like a hyphen. Microsoft's own examples use EN DASH (`–eq`), so copies of them carry it. */
const DASHES: Readonly<Record<string, string>> = {
  '\u2010': 'HYPHEN (U+2010)',
  '\u2011': 'NON-BREAKING HYPHEN (U+2011)',
  '\u2012': 'FIGURE DASH (U+2012)',
  '\u2013': 'EN DASH (U+2013)',
  '\u2014': 'EM DASH (U+2014)',
  '\u2015': 'HORIZONTAL BAR (U+2015)',
  '\u2212': 'MINUS SIGN (U+2212)',
}

const CURLY_QUOTES = '\u201C\u201D\u201E\u201F\u2018\u2019\u201A\u201B\u00AB\u00BB'

/** Symbols from other languages, longest first, with the Entra operator to use instead. */
const SYMBOLS: ReadonlyArray<readonly [string, string]> = [
  ['===', '-eq'],
  ['!==', '-ne'],
  ['==', '-eq'],
  ['!=', '-ne'],
  ['<>', '-ne'],
  ['&&', '-and'],
  ['||', '-or'],
  ['=', '-eq'],
  ['!', '-not'],
  ['&', '-and'],
  ['|', '-or'],
]

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const char = text[i] as string
    if (/\s/.test(char)) {
      i++
      continue
    }
    const token = readToken(text, i, char)
    tokens.push(token)
    if (token.kind === 'invalid') return tokens
    i = token.end
  }
  tokens.push({ kind: 'end', start: text.length, end: text.length })
  return tokens
}

function readToken(text: string, start: number, char: string): Token {
  if (char === '(' || char === ')' || char === '[' || char === ']' || char === ',') {
    return { kind: char, start, end: start + 1 }
  }
  if (char === '"' || char === "'") return readString(text, start, char)
  if (char === '`' && text[start + 1] === '"') return readEscapedQuotes(text, start)
  if (char === '-') {
    const next = text[start + 1] ?? ''
    if (LETTER.test(next)) {
      const end = runEnd(text, start + 1, LETTER)
      return { kind: 'operator', word: text.slice(start + 1, end), start, end }
    }
    if (DIGIT.test(next)) return readWord(text, start, runEnd(text, start + 1, WORD_CHAR))
    return {
      kind: 'invalid',
      start,
      end: start + 1,
      message: 'A hyphen must start an operator, such as -eq or -and',
      hint: 'Write the operator right after the hyphen, with no space: -eq',
    }
  }
  if (DIGIT.test(char)) {
    // Unquoted date-times compare with -le/-ge: `user.employeeHireDate -le 2020-06-10T18:13:20Z`.
    const date = DATE_TIME.exec(text.slice(start, start + 40))
    if (date !== null) return { kind: 'word', text: date[0], start, end: start + date[0].length }
  }
  if (WORD_CHAR.test(char)) return readWord(text, start, runEnd(text, start, WORD_CHAR))
  const dash = DASHES[char]
  if (dash !== undefined) {
    const word = text.slice(start + 1, runEnd(text, start + 1, LETTER))
    return {
      kind: 'invalid',
      start,
      end: start + 1,
      message: `Unexpected ${dash} "${char}": Entra operators start with a plain hyphen (-)`,
      hint: `Type a plain hyphen instead: "-${word}" rather than "${char}${word}". Rules copied from Microsoft's documentation often contain en dashes.`,
    }
  }
  if (CURLY_QUOTES.includes(char)) {
    return {
      kind: 'invalid',
      start,
      end: start + 1,
      message: `Unexpected typographic quote ${char}`,
      hint: 'Use straight quotes (") around text values; word processors and chat apps turn them into curly ones.',
    }
  }
  for (const [symbol, operator] of SYMBOLS) {
    if (text.startsWith(symbol, start)) {
      return {
        kind: 'invalid',
        start,
        end: start + symbol.length,
        message: `Entra rules don't use "${symbol}"`,
        hint: `Use ${operator} instead of ${symbol}.`,
      }
    }
  }
  const shown = /[\p{L}\p{N}\p{P}\p{S}]/u.test(char)
    ? `"${char}"`
    : `U+${char.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`
  return { kind: 'invalid', start, end: start + 1, message: `Unexpected character ${shown}` }
}

function readWord(text: string, start: number, end: number): Token {
  const word = text.slice(start, end)
  if (NUMBER.test(word)) return { kind: 'number', text: word, start, end }
  if (isOperatorWord(word.toLowerCase())) return { kind: 'operator', word, start, end }
  return { kind: 'word', text: word, start, end }
}

/**
 * Double-quoted text escapes a double quote with a backtick (`"), as Microsoft's examples do;
 * the current doc says backslash (with a backtick example), so \" is accepted too. Single-quoted text
 * escapes a single quote by doubling it ('').
 */
function readString(text: string, start: number, quote: '"' | "'"): Token {
  let value = ''
  let i = start + 1
  let escapedLastQuote = false
  // Text stops at the end of its line, so a missing quote is reported where the text starts
  // rather than wherever the next quote happens to be.
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') {
    const char = text[i] as string
    const next = text[i + 1]
    if (quote === '"' && (char === '`' || char === '\\') && next === '"') {
      value += '"'
      i += 2
      escapedLastQuote = i === text.length || text[i] === '\n' || text[i] === '\r'
      continue
    }
    if (char === quote) {
      if (quote === "'" && next === "'") {
        value += "'"
        i += 2
        continue
      }
      return { kind: 'string', value, start, end: i + 1 }
    }
    value += char
    i++
  }
  const name = quote === '"' ? 'double quote (")' : "single quote (')"
  return {
    kind: 'invalid',
    start,
    end: i,
    message: `This text has no closing ${name} on its line`,
    hint: escapedLastQuote
      ? `The last quote is escaped by the character before it, so it doesn't close the text. Remove that character.`
      : `Add a ${name} where the text ends.`,
  }
}

/**
 * groups-dynamic-membership.md, "Supported values": "When a string value contains double quotes,
 * both quotes should be escaped using the ` character, for example, user.department -eq `"Sales`"
 * is the proper syntax when "Sales" is the value". So a value may also be written as the escaped
 * quotes alone, with no outer quotes: `"Sales`" is the text "Sales", quotes included.
 */
function readEscapedQuotes(text: string, start: number): Token {
  let i = start + 2
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') {
    if (text[i] === '`' && text[i + 1] === '"') {
      return { kind: 'string', value: `"${text.slice(start + 2, i)}"`, start, end: i + 2 }
    }
    i++
  }
  return {
    kind: 'invalid',
    start,
    end: i,
    message: 'This text starts with `" but has no closing `" on its line',
    hint: 'Write a value in double quotes ("Sales"); inside it, write a double quote as `".',
  }
}

function runEnd(text: string, from: number, pattern: RegExp): number {
  let end = from
  while (end < text.length && pattern.test(text[end] as string)) end++
  return end
}
