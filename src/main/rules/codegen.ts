// Compiles a rule tree into one JavaScript function per rule (via new Function), so V8
// optimises each rule on its own: every clause is a local function called from one place,
// which TurboFan inlines, instead of a chain of shared closures whose call sites see every
// rule's closures and can't be inlined. This is what gets evaluation to tens of millions of
// clauses per second (bench/rules.ts). Meaning stays in values.ts: the generated code inlines
// only the common comparisons, each written to agree exactly with its matcher, and calls the
// matcher for everything else. Rule text never becomes code: names and values enter the
// source only through JSON.stringify, and regular expressions, sets and matchers through the
// constants array.

import type { CompareNode, QuantifierNode, RuleNode, Scalar } from './ast'
import { matcherOf } from './compile'
import { fromScratch, mismatchGuard, notDate, reporter } from './eval-errors'
import { oktaCondition } from './okta-eval'
import type { Evaluation, RuleInput } from './types'
import { pathReader } from './read'

interface Emitter {
  functions: string[]
  constants: unknown[]
}

/**
 * The whole evaluate() of one rule as generated code, so the rule's root is a direct call V8
 * inlines rather than a call through a variable. `shared` are the frozen results returned when
 * nothing is missing; `scratch` collects missing attributes (and a clause's evaluation error,
 * eval-errors.ts) and is copied only when non-empty.
 */
export function generateEvaluate(
  root: RuleNode,
  readsClock: boolean,
  shared: { yes: Evaluation; no: Evaluation },
): (user: RuleInput, now?: Date) => Evaluation {
  const emitter: Emitter = { functions: [], constants: [] }
  const entry = emit(root, false, emitter)
  const scratch = constant(emitter, [])
  const yes = constant(emitter, shared.yes)
  const no = constant(emitter, shared.no)
  const split = constant(emitter, fromScratch)
  const clock = readsClock
    ? `if (now === undefined) throw new Error('This rule compares with system.now, so evaluate() needs the evaluation time'); const at = now.getTime();`
    : 'const at = NaN;'
  return build(
    emitter,
    `const S = ${scratch}; const YES = ${yes}; const NO = ${no};
    return function evaluate(user, now) {
      ${clock}
      // Left over only if a previous evaluation threw half-way.
      if (S.length !== 0) S.length = 0;
      const result = ${entry}(user, S, at);
      if (S.length === 0) return result ? YES : NO;
      const evaluation = ${split}(S, result);
      S.length = 0;
      return evaluation;
    };`,
  ) as (user: RuleInput, now?: Date) => Evaluation
}

function build(emitter: Emitter, tail: string): unknown {
  const source = `"use strict";\n${emitter.functions.join('\n')}\n${tail}`
  // eslint-disable-next-line no-new-func -- the point of this module; see the header.
  return new Function('K', source)(emitter.constants)
}

function constant(emitter: Emitter, value: unknown): string {
  emitter.constants.push(value)
  return `K[${emitter.constants.length - 1}]`
}

/** Emits a function for the node and returns its name. Signature: (u, m, now) → boolean. */
function emit(node: RuleNode, inItem: boolean, emitter: Emitter): string {
  const name = `f${emitter.functions.length}`
  emitter.functions.push('')
  let body: string
  switch (node.kind) {
    case 'compare':
      body = emitCompare(node, inItem, emitter)
      break
    case 'any':
    case 'all':
      body = emitQuantifier(node, inItem, emitter)
      break
    case 'expr':
      body = `return ${constant(emitter, oktaCondition(node.expr, node.text, true))}(u, ${inItem ? 'null' : 'm'});`
      break
    case 'not':
      body = `return !${emit(node.child, inItem, emitter)}(u, m, now);`
      break
    case 'and':
    case 'or': {
      const children = node.children.map(child => `${emit(child, inItem, emitter)}(u, m, now)`)
      body = `return ${children.join(node.kind === 'and' ? ' && ' : ' || ')};`
    }
  }
  const index = Number(name.slice(1))
  emitter.functions[index] = `function ${name}(u, m, now) { ${body} }`
  return name
}

/** Code that sets `v` to the value at the path from `u`, agreeing with read.ts. */
function emitRead(path: readonly string[], loose: boolean, inItem: boolean, emitter: Emitter): string {
  if (path.length === 0) return 'const v = u;'
  const first = path[0] as string
  const simple = !(first in Object.prototype) && !first.startsWith('__')
  let code: string
  if (!simple || (loose && inItem)) code = `let v = ${constant(emitter, pathReader([first], loose))}(u);`
  else if (loose)
    code = `let v = u[${JSON.stringify(first)}]; if (v === undefined) v = ${constant(emitter, pathReader([first], true))}(u);`
  else if (inItem) code = `let v = (typeof u === 'object' && u !== null) ? u[${JSON.stringify(first)}] : undefined;`
  else code = `let v = u[${JSON.stringify(first)}];`
  for (const step of path.slice(1)) {
    code +=
      step in Object.prototype || step.startsWith('__')
        ? ` v = (typeof v === 'object' && v !== null && Object.hasOwn(v, ${JSON.stringify(step)})) ? v[${JSON.stringify(step)}] : undefined;`
        : ` v = (typeof v === 'object' && v !== null) ? v[${JSON.stringify(step)}] : undefined;`
  }
  return code
}

function emitMissing(attribute: string, inItem: boolean): string {
  if (inItem) return ''
  const name = JSON.stringify(attribute)
  return ` if ((v === undefined || v === null || v === '') && !m.includes(${name})) m.push(${name});`
}

/**
 * A comparison whose value may be of a type it can't compare tests the positive operator and,
 * only when that is false, the mismatch guard (eval-errors.ts); a negated operator is "not" that.
 */
function emitCompare(node: CompareNode, inItem: boolean, emitter: Emitter): string {
  const read = emitRead(node.path, node.loose, inItem, emitter)
  const missing = emitMissing(node.attribute, inItem)
  const guard = mismatchGuard(node)
  if (guard === undefined) {
    const test = fastTest(node, emitter) ?? `${constant(emitter, matcherOf(node))}(v, now)`
    return `${read}${missing} return ${test};`
  }
  const positive = NEGATED[node.operator]
  const base = (positive === undefined ? node : { ...node, operator: positive }) as CompareNode
  const test = fastTest(base, emitter) ?? `${constant(emitter, matcherOf(base))}(v, now)`
  const raise = `${constant(emitter, reporter(node))}(m, v)`
  const checked = `(${test} || (${guard.replace('NOT_DATE', constant(emitter, notDate))} && ${raise}))`
  return `${read}${missing} return ${positive === undefined ? checked : `!${checked}`};`
}

const NEGATED: Readonly<Record<string, CompareNode['operator']>> = {
  ne: 'eq',
  notContains: 'contains',
  notStartsWith: 'startsWith',
  notEndsWith: 'endsWith',
  notIn: 'in',
  notMatch: 'match',
}

const TEXT_METHOD: Readonly<Record<string, string>> = {
  contains: 'includes',
  startsWith: 'startsWith',
  endsWith: 'endsWith',
}

/**
 * An inline expression over `v` equal to the node's matcher, or undefined to call the matcher.
 * Non-text values (lists, numbers, null) fall back to the matcher in Entra's loose mode.
 */
function fastTest(node: CompareNode, emitter: Emitter): string | undefined {
  if (node.transform !== undefined) return undefined
  const positive = NEGATED[node.operator]
  if (positive !== undefined) {
    const inner = fastTest({ ...node, operator: positive } as CompareNode, emitter)
    return inner === undefined ? undefined : `!(${inner})`
  }
  const value = node.value
  const fallback = (): string => `${constant(emitter, matcherOf(node))}(v, now)`
  if (node.loose) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the range names every control character on purpose
    const ascii = typeof value === 'string' && /^[\x00-\x7f]+$/.test(value)
    if (node.operator === 'eq' && typeof value === 'string' && value !== '') {
      if (ascii) {
        // Text of another length can't equal an ASCII value ignoring case (only İ lower-cases to
        // more characters, and not to ASCII ones); same-length text is compared without allocating.
        return `(typeof v === 'string' ? (v.length === ${value.length} && (v === ${JSON.stringify(value)} || ${constant(emitter, sameIgnoringCase)}(v, ${JSON.stringify(value.toLowerCase())}, 0))) : ${fallback()})`
      }
      return `(typeof v === 'string' ? (v === ${JSON.stringify(value)} || v.toLowerCase() === ${JSON.stringify(value.toLowerCase())}) : ${fallback()})`
    }
    if ((node.operator === 'startsWith' || node.operator === 'endsWith') && ascii && value !== '') {
      const folded = JSON.stringify((value as string).toLowerCase())
      const at = node.operator === 'startsWith' ? '0' : `v.length - ${(value as string).length}`
      return `(typeof v === 'string' ? (v.length >= ${(value as string).length} && ${constant(emitter, sameIgnoringCase)}(v, ${folded}, ${at})) : ${fallback()})`
    }
    const method = TEXT_METHOD[node.operator]
    if (method !== undefined && typeof value === 'string' && value !== '') {
      return `(typeof v === 'string' ? v.toLowerCase().${method}(${JSON.stringify(value.toLowerCase())}) : ${fallback()})`
    }
    if (node.operator === 'in' && Array.isArray(value)) {
      const exact = constant(emitter, new Set(value.map(String)))
      const folded = constant(emitter, new Set(value.map(item => String(item).toLowerCase())))
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the range names every control character on purpose
      const allAscii = value.every(item => /^[\x00-\x7f]*$/.test(String(item)))
      // As for -eq: only text as long as some ASCII item can equal it ignoring case.
      const lengths = allAscii
        ? `${constant(emitter, new Set(value.map(item => String(item).length)))}.has(v.length) && `
        : ''
      return `(typeof v === 'string' && v !== '' ? (${exact}.has(v) || (${lengths}${folded}.has(v.toLowerCase()))) : ${fallback()})`
    }
    if (node.operator === 'match') {
      const regex = regexOf(node)
      return `(typeof v === 'string' && v !== '' ? ${constant(emitter, regex)}.test(v) : ${fallback()})`
    }
    return undefined
  }
  // Typed comparison (Okta, Google). Google reads an absent field as its type's default, so
  // the default value itself is left to the matcher.
  const defaults = node.emptyIsNull
  if (node.operator === 'eq') {
    if (typeof value === 'string' && value !== '') {
      return node.ignoreCase
        ? `(typeof v === 'string' && v.toLowerCase() === ${JSON.stringify(value.toLowerCase())})`
        : `v === ${JSON.stringify(value)}`
    }
    if (value === true || (typeof value === 'number' && value !== 0 && Number.isFinite(value)))
      return `v === ${String(value)}`
    if (!defaults && (value === false || typeof value === 'number'))
      return Number.isFinite(value) ? `v === ${String(value)}` : undefined
    return undefined
  }
  const method = TEXT_METHOD[node.operator]
  if (method !== undefined && typeof value === 'string' && value !== '' && !node.ignoreCase) {
    return `(typeof v === 'string' && v.${method}(${JSON.stringify(value)}))`
  }
  if (
    node.operator === 'in' &&
    Array.isArray(value) &&
    !node.ignoreCase &&
    !(defaults && value.some((item: Scalar) => item === '' || item === 0 || item === false))
  ) {
    return `${constant(emitter, new Set<unknown>(value))}.has(v)`
  }
  if (node.operator === 'match') return `(typeof v === 'string' && ${constant(emitter, regexOf(node))}.test(v))`
  return undefined
}

/**
 * Whether `text` from `at` on equals the lower-case ASCII `folded`, ignoring case, without
 * allocating. A non-ASCII character in `text` is decided by toLowerCase, as the matcher does.
 */
function sameIgnoringCase(text: string, folded: string, at: number): boolean {
  for (let i = 0; i < folded.length; i++) {
    let c = text.charCodeAt(at + i)
    if (c >= 65 && c <= 90) c += 32
    if (c !== folded.charCodeAt(i)) {
      if (c < 128) return false
      return text.slice(at, at + folded.length).toLowerCase() === folded
    }
  }
  return true
}

/** The compiled pattern the matcher uses (matcherOf has checked it compiles). */
function regexOf(node: CompareNode): RegExp {
  const found = { regex: undefined as RegExp | undefined }
  matcherOf(node, regex => (found.regex = regex))
  return found.regex as RegExp
}

function emitQuantifier(node: QuantifierNode, inItem: boolean, emitter: Emitter): string {
  const read = emitRead(node.path, node.loose, inItem, emitter)
  const child = emit(node.child, true, emitter)
  const all = node.kind === 'all'
  const missing = inItem
    ? ''
    : ` if (!m.includes(${JSON.stringify(node.attribute)})) m.push(${JSON.stringify(node.attribute)});`
  const split = node.splitText === true ? ` if (typeof v === 'string') v = v.split(',');` : ''
  return `${read} if (v === undefined || v === null || v === '') {${missing} return ${all}; }${split}
    if (!Array.isArray(v)) return ${child}(v, m, now);
    for (let i = 0; i < v.length; i++) if (${child}(v[i], m, now) !== ${all}) return ${!all};
    return ${all};`
}
