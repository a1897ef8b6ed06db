// Writes a rule tree back as text in its dialect. Printing then parsing gives the same tree
// (the round-trip property the tests pin), so the printer is also how the UI can show a rule
// normalised. Every and/or/not operand that isn't a single condition gets parentheses, so the
// printed grouping never depends on precedence.

import type { Dialect } from '../../shared/domain'
import {
  isNowValue,
  type CompareNode,
  type Duration,
  type NowValue,
  type QuantifierNode,
  type RuleNode,
  type Scalar,
} from './ast'
import { GROUP_IDS, GROUP_NAMES, INTERNAL_ID, INTERNAL_STATUS, MANAGER_ID } from './reserved'

interface Style {
  and: string
  or: string
  not: (inner: string) => string
  compare: (node: CompareNode, item: string | null) => string
  quantifier: (
    node: QuantifierNode,
    item: string | null,
    print: (node: RuleNode, item: string | null) => string,
  ) => string
}

export function printRule(dialect: Dialect, root: RuleNode): string {
  const style = STYLES[dialect]
  const print = (node: RuleNode, item: string | null): string => {
    switch (node.kind) {
      case 'compare':
        return style.compare(node, item)
      case 'any':
      case 'all':
        return style.quantifier(node, item, print)
      case 'expr':
        // Only Okta has whole expressions, and its text is already Okta's.
        return node.text.slice(node.span.start, node.span.end)
      case 'not':
        return style.not(group(node.child, item))
      case 'and':
      case 'or':
        return node.children.map(child => group(child, item)).join(node.kind === 'and' ? style.and : style.or)
    }
  }
  const group = (node: RuleNode, item: string | null): string =>
    node.kind === 'and' || node.kind === 'or' || node.kind === 'not' || node.kind === 'expr'
      ? `(${print(node, item)})`
      : print(node, item)
  return print(root, null)
}

const ENTRA_OPERATORS: Readonly<Record<string, string>> = {
  eq: '-eq',
  ne: '-ne',
  contains: '-contains',
  notContains: '-notContains',
  startsWith: '-startsWith',
  notStartsWith: '-notStartsWith',
  endsWith: '-endsWith',
  notEndsWith: '-notEndsWith',
  match: '-match',
  notMatch: '-notMatch',
  in: '-in',
  notIn: '-notIn',
  le: '-le',
  ge: '-ge',
}

const STYLES: Readonly<Record<Dialect, Style>> = {
  entra: {
    and: ' -and ',
    or: ' -or ',
    not: inner => `-not ${inner}`,
    compare(node, item) {
      if (node.path[0] === MANAGER_ID && item === null) return `Direct Reports for "${String(node.value)}"`
      const operator = ENTRA_OPERATORS[node.operator] as string
      return `${entraProperty(node.path, item)} ${operator} ${entraValue(node.value)}`
    },
    quantifier(node, _item, print) {
      const collection = node.attribute === GROUP_IDS ? 'memberOf' : node.attribute
      const item = collection === 'memberOf' ? 'group' : collection.replace(/s$/i, '')
      return `user.${collection} -${node.kind} (${print(node.child, item)})`
    },
  },
  okta: {
    and: ' AND ',
    or: ' OR ',
    // ! binds tighter than == in SpEL, so what it negates is always in parentheses.
    not: inner => (inner.startsWith('(') && inner.endsWith(')') ? `!${inner}` : `!(${inner})`),
    compare(node) {
      const target = oktaTarget(node)
      const value = node.value as Scalar | null
      if (node.operator === 'eq' && value === null && node.emptyIsNull) return `Arrays.isEmpty(${target})`
      if (node.operator === 'contains') return `String.stringContains(${target}, ${oktaValue(value)})`
      if (node.operator === 'startsWith') return `String.startsWith(${target}, ${oktaValue(value)})`
      return `${target} ${SYMBOLS[node.operator]} ${oktaValue(value)}`
    },
    quantifier(node) {
      const child = node.child as CompareNode
      if (node.attribute === GROUP_NAMES) {
        const name = {
          eq: 'isMemberOfGroupName',
          startsWith: 'isMemberOfGroupNameStartsWith',
          contains: 'isMemberOfGroupNameContains',
          match: 'isMemberOfGroupNameRegex',
        }[child.operator as string]
        return `${name}(${oktaValue(child.value as string)})`
      }
      if (node.attribute === GROUP_IDS) {
        return child.operator === 'in'
          ? `isMemberOfAnyGroup(${(child.value as Scalar[]).map(oktaValue).join(', ')})`
          : `isMemberOfGroup(${oktaValue(child.value as string)})`
      }
      if (child.operator === 'contains')
        return `String.stringContains(user.${node.attribute}, ${oktaValue(child.value as Scalar)})`
      return `Arrays.contains(user.${node.attribute}, ${oktaValue(child.value as Scalar)})`
    },
  },
  google: {
    and: ' && ',
    or: ' || ',
    not: inner => `!${inner}`,
    compare(node, item) {
      const target = googlePath(node.path, item)
      const value = node.value
      switch (node.operator) {
        case 'eq':
          if (node.ignoreCase) return `${target}.equalsIgnoreCase(${celValue(value as string)})`
          return `${target} == ${celValue(value as Scalar | null)}`
        case 'ne':
          return `${target} != ${celValue(value as Scalar | null)}`
        case 'in':
          return `${target} in [${(value as Scalar[]).map(celValue).join(', ')}]`
        case 'match':
          return `${target}.matches(${celValue(value as string)})`
        default:
          return `${target}.${node.operator}(${celValue(value as string)})`
      }
    },
    quantifier(node, item, print) {
      const collection = googlePath(node.path, item)
      const child = node.child
      if (
        node.kind === 'any' &&
        node.item === '_' &&
        child.kind === 'compare' &&
        child.operator === 'eq' &&
        child.path.length === 0
      ) {
        return `${celValue(child.value as Scalar)} in ${collection}`
      }
      return `${collection}.${node.kind === 'any' ? 'exists' : 'all'}(${node.item}, ${print(child, node.item)})`
    },
  },
}

const SYMBOLS: Readonly<Record<string, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }

function entraProperty(path: readonly string[], item: string | null): string {
  if (item === null) return path[0] === GROUP_IDS ? 'user.memberOf' : `user.${path.join('.')}`
  if (path.length === 0) return item === 'group' ? 'group.objectId' : '_'
  return `${item}.${path.join('.')}`
}

function entraValue(value: Scalar | null | Scalar[] | NowValue): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return `[${value.map(entraScalar).join(', ')}]`
  if (isNowValue(value)) {
    const duration = isoDuration(value.duration)
    return duration === null ? 'system.now' : `system.now ${value.sign === 1 ? '-plus' : '-minus'} ${duration}`
  }
  // Date-times are written unquoted, as Microsoft's examples do.
  if (typeof value === 'string' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(value) && !/[\s'"]/.test(value)) return value
  return entraScalar(value)
}

/** Single quotes: the only escape inside is a doubled quote, so any text prints safely. */
function entraScalar(value: Scalar): string {
  return typeof value === 'string' ? `'${value.replace(/'/g, "''")}'` : String(value)
}

function isoDuration(d: Duration): string | null {
  const seconds = d.milliseconds / 1000
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds - h * 3600 - m * 60
  const date = `${d.years ? `${d.years}y` : ''}${d.months ? `${d.months}m` : ''}${d.days ? `${d.days}d` : ''}`
  const time = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`
  if (date === '' && time === '') return null
  return `p${date}${time === '' ? '' : `t${time}`}`
}

function oktaTarget(node: CompareNode): string {
  const key = node.path[0] as string
  const base =
    key === INTERNAL_ID
      ? 'user.getInternalProperty("id")'
      : key === INTERNAL_STATUS
        ? 'user.getInternalProperty("status")'
        : `user.${key}`
  switch (node.transform) {
    case 'lower':
      return `String.toLowerCase(${base})`
    case 'upper':
      return `String.toUpperCase(${base})`
    case 'length':
      return `String.len(${base})`
    default:
      return base
  }
}

function oktaValue(value: Scalar | null): string {
  if (value === null) return 'null'
  return typeof value === 'string' ? `"${value.replace(/"/g, '""')}"` : String(value)
}

function googlePath(path: readonly string[], item: string | null): string {
  const root = item ?? 'user'
  return path.length === 0 ? root : `${root}.${path.join('.')}`
}

function celValue(value: Scalar | null): string {
  if (value === null) return 'null'
  if (typeof value !== 'string') return String(value)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range names every control character on purpose
  const escaped = value.replace(/[\\'\u0000-\u001f\u2028\u2029]/g, c =>
    c === '\\' ? '\\\\' : c === "'" ? "\\'" : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  return `'${escaped}'`
}
