// Splits Okta Expression Language and Google CEL text into tokens. The two share C-like
// operators; they differ in how text is quoted (SpEL doubles a quote inside text, CEL escapes
// with a backslash). Like Entra's tokenizer this never fails: a character it can't read becomes
// an `invalid` token, reported only if the parser gets that far.

export type ExprToken = { start: number; end: number } & (
  | { kind: 'ident'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; text: string }
  /** Punctuation and operators: ( ) [ ] { } , . == != <= >= < > && || ! ? : */
  | { kind: 'op'; text: string }
  | { kind: 'end' }
  | { kind: 'invalid'; message: string; hint?: string }
)

export interface TokenStyle {
  /** The dialect's name, for messages ("Okta expressions", "Google queries"). */
  name: string
  /** SpEL: 'It''s'; CEL: 'It\'s' and \n, \t, \\, \uXXXX. */
  escapes: 'double' | 'backslash'
  /** Okta (SpEL) also has arithmetic: + - * / % ^. */
  arithmetic?: boolean
}

const OPS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '{', '}', ',', '.', '?', ':']
const ARITHMETIC = ['+', '-', '*', '/', '%', '^']
/** Entra's operator words, so `-eq` in an expression with arithmetic is still pointed out as Entra's. */
const ENTRA_WORDS =
  /^-(eq|ne|and|or|not|contains|notcontains|startswith|notstartswith|endswith|notendswith|match|notmatch|in|notin|le|ge|any|all)\b/i
const IDENT_START = /[A-Za-z_$]/
const IDENT = /[A-Za-z0-9_$]/
const DIGIT = /[0-9]/
const DASHES = '\u2010\u2011\u2012\u2013\u2014\u2015\u2212'
const CURLY_QUOTES = '\u201C\u201D\u201E\u201F\u2018\u2019\u201A\u201B\u00AB\u00BB'
/** Other languages' spellings, with this dialect's. */
const LOOKALIKES: Readonly<Record<string, string>> = {
  '=': '==',
  '&': '&&',
  '|': '||',
  '<>': '!=',
  '===': '==',
  '!==': '!=',
}

export function tokenizeExpr(text: string, style: TokenStyle): ExprToken[] {
  const tokens: ExprToken[] = []
  let i = 0
  while (i < text.length) {
    const char = text[i] as string
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || /\s/.test(char)) {
      i++
      continue
    }
    const token = readToken(text, i, char, style)
    tokens.push(token)
    if (token.kind === 'invalid') return tokens
    i = token.end
  }
  tokens.push({ kind: 'end', start: text.length, end: text.length })
  return tokens
}

function readToken(text: string, start: number, char: string, style: TokenStyle): ExprToken {
  if (IDENT_START.test(char)) {
    let end = start + 1
    while (end < text.length && IDENT.test(text[end] as string)) end++
    return { kind: 'ident', text: text.slice(start, end), start, end }
  }
  if (DIGIT.test(char)) {
    const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(start, start + 400)) as RegExpExecArray
    const end = start + match[0].length
    if (end < text.length && IDENT.test(text[end] as string)) {
      return {
        kind: 'invalid',
        start,
        end: end + 1,
        message: `A number can't run into letters: ${text.slice(start, end + 1)}`,
        hint: 'Put text in quotes.',
      }
    }
    return { kind: 'number', value: Number(match[0]), text: match[0], start, end }
  }
  if (char === '"' || char === "'") return readString(text, start, char, style)
  for (const [symbol, instead] of Object.entries(LOOKALIKES).sort((a, b) => b[0].length - a[0].length)) {
    if (
      text.startsWith(symbol, start) &&
      !OPS.some(op => op.length > 1 && text.startsWith(op, start) && op.length >= symbol.length)
    ) {
      return {
        kind: 'invalid',
        start,
        end: start + symbol.length,
        message: `${style.name} don't use "${symbol}"`,
        hint: `Use ${instead} instead.`,
      }
    }
  }
  if (
    char === '-' &&
    (style.arithmetic === true
      ? ENTRA_WORDS.test(text.slice(start, start + 16))
      : /[A-Za-z]/.test(text[start + 1] ?? ''))
  ) {
    return {
      kind: 'invalid',
      start,
      end: start + 1,
      message: `${style.name} don't use Entra-style operators such as -eq`,
      hint: 'Use == and != to compare, && and || to combine, ! to negate.',
    }
  }
  for (const op of OPS) {
    if (text.startsWith(op, start)) return { kind: 'op', text: op, start, end: start + op.length }
  }
  if (style.arithmetic === true && ARITHMETIC.includes(char)) return { kind: 'op', text: char, start, end: start + 1 }
  if (DASHES.includes(char)) {
    return {
      kind: 'invalid',
      start,
      end: start + 1,
      message: `Unexpected dash "${char}"`,
      hint: 'Remove it; word processors turn hyphens into dashes.',
    }
  }
  if (CURLY_QUOTES.includes(char)) {
    return {
      kind: 'invalid',
      start,
      end: start + 1,
      message: `Unexpected typographic quote ${char}`,
      hint: 'Use straight quotes (\' or ") around text; word processors and chat apps turn them into curly ones.',
    }
  }
  const shown = /[\p{L}\p{N}\p{P}\p{S}]/u.test(char)
    ? `"${char}"`
    : `U+${char.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`
  return { kind: 'invalid', start, end: start + 1, message: `Unexpected character ${shown}` }
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '`': '`',
  '?': '?',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
}

function readString(text: string, start: number, quote: '"' | "'", style: TokenStyle): ExprToken {
  let value = ''
  let i = start + 1
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') {
    const char = text[i] as string
    if (style.escapes === 'backslash' && char === '\\') {
      const next = text[i + 1] ?? ''
      const simple = ESCAPES[next]
      if (simple !== undefined) {
        value += simple
        i += 2
        continue
      }
      const unicode = next === 'u' ? /^[0-9A-Fa-f]{4}/.exec(text.slice(i + 2, i + 6)) : null
      if (unicode !== null) {
        value += String.fromCharCode(parseInt(unicode[0], 16))
        i += 6
        continue
      }
      return {
        kind: 'invalid',
        start: i,
        end: i + 2,
        message: `Unknown escape \\${next} in text`,
        hint: 'Write \\\\ for a backslash.',
      }
    }
    if (char === quote) {
      if (style.escapes === 'double' && text[i + 1] === quote) {
        value += quote
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
    hint: `Add a ${name} where the text ends.`,
  }
}

/** A token as an error message names it. */
export function describeToken(token: ExprToken): string {
  switch (token.kind) {
    case 'ident':
      return token.text
    case 'op':
      return `"${token.text}"`
    case 'number':
      return token.text
    case 'string':
      return JSON.stringify(token.value.length > 40 ? `${token.value.slice(0, 40)}…` : token.value)
    case 'end':
      return 'the end of the rule'
    default:
      return 'an invalid character'
  }
}
