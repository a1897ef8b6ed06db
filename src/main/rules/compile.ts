// Turns a rule tree into nested closures once, so evaluating a user walks no tree and allocates
// nothing but the result.

import type { Attributes } from '../../shared/domain'
import type { CompareNode, RuleNode } from './ast'
import { attributeReader, isMissing } from './read'
import { matcher } from './values'

/** Evaluates against one user, appending attributes it read but the user lacks to `missing`. */
export type Check = (user: Attributes, missing: string[]) => boolean

export function compileNode(node: RuleNode): Check {
  switch (node.kind) {
    case 'compare':
      return compileCompare(node)
    case 'not': {
      const child = compileNode(node.child)
      return (user, missing) => !child(user, missing)
    }
    case 'and': {
      const children = node.children.map(compileNode)
      if (children.length === 2) {
        const [a, b] = children as [Check, Check]
        return (user, missing) => a(user, missing) && b(user, missing)
      }
      return (user, missing) => {
        for (const child of children) if (!child(user, missing)) return false
        return true
      }
    }
    case 'or': {
      const children = node.children.map(compileNode)
      if (children.length === 2) {
        const [a, b] = children as [Check, Check]
        return (user, missing) => a(user, missing) || b(user, missing)
      }
      return (user, missing) => {
        for (const child of children) if (child(user, missing)) return true
        return false
      }
    }
  }
}

/** A missing attribute compares like null: `-eq "x"` false, `-ne "x"` true, `-eq null` true. */
function compileCompare(node: CompareNode): Check {
  const name = node.attribute
  const read = attributeReader(name)
  const match = matcher(node)
  const whenMissing = match(null)
  return (user, missing) => {
    const value = read(user)
    if (isMissing(value)) {
      if (!missing.includes(name)) missing.push(name)
      return whenMissing
    }
    return match(value)
  }
}
