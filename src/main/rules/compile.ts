// Turns a rule tree (or one clause of it) into nested closures. Evaluation of whole rules uses
// the generated functions of codegen.ts, which are faster; these closures serve lint, which
// evaluates single clauses; matcherOf is shared by all three, so they compare alike.

import type { CompareNode, QuantifierNode, RuleNode } from './ast'
import { pathReader, isMissing } from './read'
import { oktaCondition } from './okta-eval'
import { compileRegex } from './regex'
import type { RuleInput } from './types'
import { matcher, type Matcher } from './values'

/**
 * Evaluates against one user (or one item of a list, inside any/all), appending attributes it
 * read but the user lacks to `missing`. `now` is the evaluation time in epoch milliseconds.
 */
export type Check = (from: unknown, missing: string[], now: number) => boolean

/** `inItem`: the node reads an item of a list, whose lacking fields are data, not a sync gap. */
export function compileNode(node: RuleNode, inItem = false): Check {
  switch (node.kind) {
    case 'compare':
      return compileCompare(node, inItem)
    case 'any':
    case 'all':
      return compileQuantifier(node, inItem)
    case 'expr': {
      const condition = oktaCondition(node.expr, node.text)
      return (from, missing) => condition(from as RuleInput, inItem ? null : missing)
    }
    case 'not': {
      const child = compileNode(node.child, inItem)
      return (from, missing, now) => !child(from, missing, now)
    }
    case 'and': {
      const children = node.children.map(child => compileNode(child, inItem))
      if (children.length === 2) {
        const [a, b] = children as [Check, Check]
        return (from, missing, now) => a(from, missing, now) && b(from, missing, now)
      }
      return (from, missing, now) => {
        for (const child of children) if (!child(from, missing, now)) return false
        return true
      }
    }
    case 'or': {
      const children = node.children.map(child => compileNode(child, inItem))
      if (children.length === 2) {
        const [a, b] = children as [Check, Check]
        return (from, missing, now) => a(from, missing, now) || b(from, missing, now)
      }
      return (from, missing, now) => {
        for (const child of children) if (child(from, missing, now)) return true
        return false
      }
    }
  }
}

/** The matcher of a comparison, with its regular expression compiled (the parser has checked it). */
export function matcherOf(node: CompareNode, withRegex?: (regex: RegExp) => void): Matcher {
  if (node.operator !== 'match' && node.operator !== 'notMatch') return matcher(node)
  const compiled = compileRegex(node.value, node.flavour ?? 're2', node.ignoreCase)
  if (!compiled.ok) throw new Error(`A parser let through an invalid pattern: ${compiled.message}`)
  withRegex?.(compiled.regex)
  return matcher({ ...node, regex: compiled.regex })
}

/** A missing attribute is reported; how it compares is the dialect's (values.ts: Entra reads "" as null, Okta doesn't). */
function compileCompare(node: CompareNode, inItem: boolean): Check {
  const name = node.attribute
  const read = pathReader(node.path, node.loose)
  const match = matcherOf(node)
  if (inItem) return (from, _missing, now) => match(read(from), now)
  return (from, missing, now) => {
    const value = read(from)
    if (isMissing(value) && !missing.includes(name)) missing.push(name)
    return match(value, now)
  }
}

/**
 * -any/exists(): some item satisfies the child; -all/all(): every item does, so an empty or
 * missing list satisfies -all (Entra: `-all (assignedPlan.servicePlanId -eq null)` selects
 * users with no plans, per the Entra rules doc). A single value where a list is expected is read
 * as a one-item list (Okta's Arrays.* functions accept a CSV string as the array, per the Okta
 * Expression Language reference).
 */
function compileQuantifier(node: QuantifierNode, inItem: boolean): Check {
  const name = node.attribute
  const read = pathReader(node.path, node.loose)
  const child = compileNode(node.child, true)
  const all = node.kind === 'all'
  return (from, missing, now) => {
    const value = read(from)
    if (isMissing(value)) {
      if (!inItem && !missing.includes(name)) missing.push(name)
      return all
    }
    const items = node.splitText === true && typeof value === 'string' ? value.split(',') : value
    if (!Array.isArray(items)) return child(items, missing, now)
    for (const item of items) if (child(item, missing, now) !== all) return !all
    return all
  }
}
