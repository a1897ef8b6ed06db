// Regular expressions from three engines, run on JavaScript's. Entra's -match is .NET's
// Regex.IsMatch (unanchored: Microsoft's rule-efficiency page has `user.city -match "ago"` match
// Lagos; case-insensitive like all Entra values);
// Google CEL's matches() is RE2, unanchored (CEL language definition, "matches"); Okta's
// isMemberOfGroupNameRegex is Java's, whose String.matches() must match the whole name.
// Constructs JavaScript reads differently are translated where the meaning is the same and
// rejected otherwise, so a rule never silently means something else here.
//
// Matching runs on RE2JS, a linear-time engine (no backtracking), so no pattern and value can
// freeze the app: a backtracking engine takes seconds on e.g. (a|a)*b against 29 a's, and no
// syntactic guard catches every such pattern. Constructs that need backtracking (lookaround,
// backreferences) are refused with their position. Values longer than MAX_MATCH_LENGTH never
// match: directory attributes are far shorter (Graph caps strings at a few hundred characters).
import { RE2JS } from 're2js'

export type RegexFlavour = 'dotnet' | 're2' | 'java'

/** A failure's offset is into the pattern, or -1 when the pattern as a whole is wrong. */
export type RegexResult = { ok: true; regex: RegExp } | { ok: false; message: string; offset: number; hint?: string }

/** Constructs no flavour shares with JavaScript, with what to write instead. */
const UNSUPPORTED: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/\(\?>/, 'atomic groups (?>…)', 'Use a plain group (…).'],
  [/\(\?#/, 'inline comments (?#…)', 'Remove the comment.'],
  [
    /\(\?[imnsx-]+:/,
    'inline option groups such as (?i:…)',
    'Remove the option; the comparison already ignores case where the IdP does.',
  ],
  [/\(\?[imnsx-]+\)/, 'inline options such as (?m) in the middle of a pattern', 'Remove the option.'],
  [/\\[GZ]/, '\\G and \\Z anchors', 'Use $ for the end of the value.'],
  [/[*+?}]\+/, 'possessive quantifiers such as a*+', 'Use a plain quantifier such as a*.'],
  [/\\p\{Is/, 'Unicode block names \\p{Is…}', 'Use a character range instead.'],
  [/\(\?<?[=!]/, 'lookahead and lookbehind (?=…), (?!…), (?<=…), (?<!…)', 'Rewrite the pattern without lookaround.'],
  [/\\[1-9]|\\k</, 'backreferences such as \\1', 'Rewrite the pattern without a backreference.'],
]

/** Longest value a regular expression is run on; longer ones never match. */
export const MAX_MATCH_LENGTH = 4096

/**
 * A RegExp whose test() runs on RE2 (linear time). The JavaScript RegExp it extends only
 * checked the syntax and keeps source and flags for display; rules call test() alone.
 */
class LinearRegExp extends RegExp {
  #re2: RE2JS | undefined
  constructor(source: string, flags: string, re2?: RE2JS) {
    super(source, flags)
    this.#re2 = re2
  }
  override test(value: string): boolean {
    const s = String(value)
    if (s.length > MAX_MATCH_LENGTH) return false
    return (this.#re2 as RE2JS).matcher(s).find()
  }
}

export function compileRegex(pattern: string, flavour: RegexFlavour, ignoreCase: boolean): RegexResult {
  let source = pattern
  let offset = 0
  // A leading (?i) asks for what Entra does anyway; RE2 and Java read it as ignore case.
  const leading = /^\(\?i\)/.exec(source)
  if (leading !== null) {
    source = source.slice(leading[0].length)
    offset = leading[0].length
    ignoreCase = true
  }
  for (const [construct, name, hint] of UNSUPPORTED) {
    const found = construct.exec(source)
    if (found !== null) {
      return {
        ok: false,
        message: `JIT Mapper can't run ${name} in a regular expression`,
        offset: offset + found.index,
        hint,
      }
    }
  }
  // \A and \z are "start" and "end" of the input in .NET, RE2 and Java alike.
  source = source.replace(/(^|[^\\])((?:\\\\)*)\\A/g, '$1$2^').replace(/(^|[^\\])((?:\\\\)*)\\z/g, '$1$2$')
  if (flavour === 'java') source = `^(?:${source})$`
  try {
    // Checked by JavaScript first, for its messages; then compiled for RE2.
    new RegExp(source, ignoreCase ? 'i' : '')
  } catch (failure) {
    const reason =
      failure instanceof Error
        ? failure.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')
        : String(failure)
    return {
      ok: false,
      message: `Invalid regular expression: ${reason}`,
      offset: -1,
      hint: pattern.startsWith('*')
        ? 'A pattern can\'t start with *; to match anything before, write .* (e.g. ".*@domain.ext").'
        : undefined,
    }
  }
  try {
    const re2 = RE2JS.compile(source, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0)
    return { ok: true, regex: new LinearRegExp(source, ignoreCase ? 'i' : '', re2) }
  } catch (failure) {
    const input = (failure as { input?: string }).input ?? ''
    const at = input ? pattern.indexOf(input) : -1
    return {
      ok: false,
      message: `JIT Mapper can't run this regular expression in linear time: ${failure instanceof Error ? failure.message : String(failure)}`,
      offset: at,
      hint: 'Lookaround and backreferences are not supported; rewrite the pattern without them.',
    }
  }
}
