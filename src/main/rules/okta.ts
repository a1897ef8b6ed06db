// Parser for Okta Expression Language as group rules allow it (directory.md §4.2, Okta's
// "Expressions in group rules"): `user.<attr>` compared with == != < > <= >=, combined with
// AND/&& OR/|| and !, String.* and Arrays.* functions, and the group functions
// (isMemberOfGroupName, isMemberOfAnyGroup, …). Precedence as in SpEL, which Okta EL is based
// on: comparisons, then !, then AND, then OR. (SpEL applies ! to the operand before a
// comparison, but a negated attribute compared with text is a type error in Okta, so reading
// `!user.a == "x"` as `!(user.a == "x")` changes no rule Okta accepts.)
//
// Okta's semantics, spelled out on the nodes: comparisons are case-sensitive and treat spaces as
// characters (support article "Are Group Rule Expressions Case Sensitive"); a never-populated
// attribute is null but a cleared one is "" (so "" is a value); values compare typed.
// Group functions read the user's groups from the reserved keys in reserved.ts.

import type { CompareNode, CompareOperator, ParseResult, QuantifierNode, RuleNode, Scalar, Transform } from './ast'
import { ExprParser, type Operand } from './expr-parser'
import { type ExprToken, tokenizeExpr } from './expr-tokens'
import { compileRegex } from './regex'
import { GROUP_IDS, GROUP_NAMES, INTERNAL_ID, INTERNAL_STATUS } from './reserved'

/** Okta's documented limit is on the rule's name, not the expression; ours keeps parsing far from any limit. */
const MAX_RULE_LENGTH = 16_384

const STRING_FUNCTIONS = [
  'append',
  'join',
  'len',
  'removeSpaces',
  'replace',
  'replaceFirst',
  'startsWith',
  'stringContains',
  'stringSwitch',
  'substring',
  'substringAfter',
  'substringBefore',
  'toLowerCase',
  'toUpperCase',
]
const ARRAYS_FUNCTIONS = ['add', 'remove', 'clear', 'get', 'flatten', 'contains', 'size', 'isEmpty', 'toCsvString']
const GROUP_FUNCTIONS = [
  'isMemberOfGroupName',
  'isMemberOfGroup',
  'isMemberOfAnyGroup',
  'isMemberOfGroupNameStartsWith',
  'isMemberOfGroupNameContains',
  'isMemberOfGroupNameRegex',
]
const TRANSFORMS: Readonly<Record<string, Transform>> = {
  'String.toLowerCase': 'lower',
  'String.toUpperCase': 'upper',
  'String.len': 'length',
  'Arrays.size': 'length',
}
const RELATIONS: Readonly<Record<string, CompareOperator>> = {
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
}
const EXAMPLE = 'user.department == "Sales"'

export function parseOkta(text: string): ParseResult {
  if (text.length > MAX_RULE_LENGTH) {
    return OktaParser.tooLong(text, MAX_RULE_LENGTH)
  }
  return new OktaParser(text).run()
}

class OktaParser extends ExprParser {
  constructor(text: string) {
    super(text, tokenizeExpr(text, { name: 'Okta expressions', escapes: 'double' }), {
      and: ['AND', '&&'],
      or: ['OR', '||'],
      example: EXAMPLE,
      conditionStart: ['user.<attribute>', 'String.…(…)', 'Arrays.…(…)', 'isMemberOf…(…)', '(', '!'],
    })
  }

  protected isAnd(token: ExprToken): boolean {
    return (
      (token.kind === 'op' && token.text === '&&') || (token.kind === 'ident' && token.text.toUpperCase() === 'AND')
    )
  }

  protected isOr(token: ExprToken): boolean {
    return (token.kind === 'op' && token.text === '||') || (token.kind === 'ident' && token.text.toUpperCase() === 'OR')
  }

  protected parsePredicate(): RuleNode {
    const left = this.parseOperand()
    const relation = this.peek(['==', '!=', '<', '>', '<=', '>=', 'AND', 'OR', ')'])
    if (relation.kind === 'ident' && relation.text === 'matches') {
      this.fail(
        relation.start,
        "Okta's deprecated matches operator isn't supported in group rules",
        ['==', '!='],
        'Use String.stringContains or String.startsWith, or isMemberOfGroupNameRegex for group names.',
      )
    }
    const operator = relation.kind === 'op' ? RELATIONS[relation.text] : undefined
    if (operator === undefined) return this.asCondition(left)
    this.index++
    const right = this.parseOperand()
    return this.comparison(left, operator, right, relation)
  }

  /** One side of a comparison: an attribute (maybe inside a function), a literal, or a function call. */
  protected parseOperandForArgument(): Operand {
    return this.parseOperand()
  }

  private parseOperand(): Operand {
    const token = this.peek(this.options.conditionStart)
    if (token.kind === 'string') {
      this.index++
      return { kind: 'literal', value: token.value, start: token.start, end: token.end }
    }
    if (token.kind === 'number') {
      this.index++
      return { kind: 'literal', value: token.value, start: token.start, end: token.end }
    }
    if (token.kind === 'op' && token.text === '(') return this.parseParenthesised(token)
    if (token.kind !== 'ident') return this.failCondition(token)
    const word = token.text
    if (word === 'true' || word === 'false') {
      this.index++
      return { kind: 'literal', value: word === 'true', start: token.start, end: token.end }
    }
    if (word === 'null' || word === 'NULL') {
      this.index++
      return { kind: 'literal', value: null, start: token.start, end: token.end }
    }
    if (word === 'user') return this.parseUser(token)
    if (word === 'String' || word === 'Arrays') return this.parseNamespaced(token)
    if (GROUP_FUNCTIONS.includes(word)) return this.parseGroupFunction(token)
    if (word === 'Convert' || word === 'Time' || word === 'Iso3166Convert' || word === 'Groups') {
      return this.fail(
        token.start,
        `${word}.* functions aren't allowed in Okta group rules`,
        this.options.conditionStart,
        'Group rules allow only user, String.* and Arrays.* expressions and the group functions (Okta, "Expressions in group rules").',
      )
    }
    const group = GROUP_FUNCTIONS.find(name => name.toLowerCase() === word.toLowerCase())
    if (group !== undefined)
      return this.fail(token.start, `Okta function names are case-sensitive: ${word}`, [group], `Write ${group}(…).`)
    return this.fail(
      token.start,
      `"${word}" isn't something an Okta group rule can read`,
      this.options.conditionStart,
      `Attributes start with "user.": user.${word}.`,
    )
  }

  private parseUser(token: ExprToken & { kind: 'ident' }): Operand {
    this.index++
    this.expectOp('.', 'Expected . after user', 'Name the attribute: user.department.')
    const name = this.peek(['attribute name'])
    if (name.kind !== 'ident')
      return this.fail(
        name.start,
        'Expected an attribute name after "user."',
        ['attribute name'],
        'Name the attribute, e.g. user.department.',
      )
    this.index++
    if (name.text === 'getInternalProperty') {
      const args = this.parseArguments(name.text)
      const property = args.length === 1 ? args[0] : undefined
      const key =
        property?.kind === 'literal' && property.value === 'id'
          ? INTERNAL_ID
          : property?.kind === 'literal' && property.value === 'status'
            ? INTERNAL_STATUS
            : undefined
      if (key === undefined) {
        return this.fail(
          property?.start ?? name.end,
          'user.getInternalProperty reads "id" or "status"',
          ['"id"', '"status"'],
          'Write user.getInternalProperty("status") == "ACTIVE".',
        )
      }
      return { kind: 'attribute', path: [key], attribute: key, start: token.start, end: this.previousEnd() }
    }
    if (name.text === 'isMemberOf') return this.parseIsMemberOf(token)
    const after = this.peek(['=='])
    if (after.kind === 'op' && after.text === '(') {
      return this.fail(
        after.start,
        `Okta group rules can't call user.${name.text}(…)`,
        ['=='],
        'Group rules read attributes (user.department) and user.getInternalProperty("id" | "status").',
      )
    }
    if (after.kind === 'op' && after.text === '.') {
      return this.fail(
        after.start,
        'Okta profile attributes are one name: user.<attribute>',
        ['=='],
        `Write user.${name.text} and compare it.`,
      )
    }
    return { kind: 'attribute', path: [name.text], attribute: name.text, start: token.start, end: name.end }
  }

  /**
   * user.isMemberOf({'group.profile.name': 'West Coast Users', 'operator': 'EXACT'}) and
   * user.isMemberOf({'group.id': '00gjitX9HqABSoqTB0g3'}) (Okta, "Examples of Okta Expression
   * Language"). Only the EXACT operator is documented there, so only it is accepted.
   */
  private parseIsMemberOf(token: ExprToken): Operand {
    const open = this.expectOp('(', 'Expected ( after user.isMemberOf', "Write user.isMemberOf({'group.id': '00g…'}).")
    this.expectOp(
      '{',
      'user.isMemberOf takes an object in braces',
      "Write user.isMemberOf({'group.profile.name': 'Sales', 'operator': 'EXACT'}).",
    )
    const fields = new Map<string, { value: string; at: number }>()
    for (;;) {
      const key = this.peek(["'group.id'", "'group.profile.name'", "'operator'"])
      if (key.kind !== 'string')
        return this.fail(key.start, 'Expected a key in quotes', ["'group.id'", "'group.profile.name'", "'operator'"])
      if (!['group.id', 'group.profile.name', 'operator'].includes(key.value)) {
        return this.fail(key.start, `user.isMemberOf doesn't take ${JSON.stringify(key.value)}`, [
          "'group.id'",
          "'group.profile.name'",
          "'operator'",
        ])
      }
      this.index++
      this.expectOp(':', `Expected : after ${JSON.stringify(key.value)}`)
      const value = this.peek(["'text'"])
      if (value.kind !== 'string')
        return this.fail(value.start, `${JSON.stringify(key.value)} takes text in quotes`, ["'text'"])
      this.index++
      fields.set(key.value, { value: value.value, at: value.start })
      const next = this.peek([',', '}'])
      if (next.kind === 'op' && next.text === ',') {
        this.index++
        continue
      }
      if (next.kind === 'op' && next.text === '}') break
      return this.fail(next.start, 'Expected , or } in the object', [',', '}'])
    }
    this.index++
    this.expectOp(')', `Missing ) for the ( at ${this.where(open.start)}`, 'Close the call with ).')
    const span = { start: token.start, end: this.previousEnd() }
    const operator = fields.get('operator')
    if (operator !== undefined && operator.value !== 'EXACT') {
      return this.fail(
        operator.at,
        `JIT Mapper supports only the EXACT operator of user.isMemberOf, not ${operator.value}`,
        ["'EXACT'"],
        'Use isMemberOfGroupNameStartsWith or isMemberOfGroupNameContains for partial names.',
      )
    }
    const id = fields.get('group.id')
    const name = fields.get('group.profile.name')
    if ((id === undefined) === (name === undefined)) {
      return this.fail(token.start, "user.isMemberOf takes either 'group.id' or 'group.profile.name'", [
        "'group.id'",
        "'group.profile.name'",
      ])
    }
    const node =
      id !== undefined
        ? this.anyItem({ path: [GROUP_IDS], attribute: GROUP_IDS }, 'eq', id.value, span)
        : this.anyItem({ path: [GROUP_NAMES], attribute: GROUP_NAMES }, 'eq', (name as { value: string }).value, span)
    return { kind: 'condition', node, start: span.start, end: span.end }
  }

  private parseNamespaced(token: ExprToken & { kind: 'ident' }): Operand {
    this.index++
    this.expectOp(
      '.',
      `Expected . after ${token.text}`,
      `Call a function: ${token.text}.${token.text === 'String' ? 'stringContains' : 'contains'}(…).`,
    )
    const name = this.peek(['function name'])
    if (name.kind !== 'ident')
      return this.fail(name.start, `Expected a function name after ${token.text}.`, ['function name'])
    const known = token.text === 'String' ? STRING_FUNCTIONS : ARRAYS_FUNCTIONS
    const full = `${token.text}.${name.text}`
    if (!known.includes(name.text)) {
      const close = known.find(k => k.toLowerCase() === name.text.toLowerCase())
      return this.fail(
        name.start,
        `Okta has no ${full}`,
        known.map(k => `${token.text}.${k}`),
        close !== undefined
          ? `Function names are case-sensitive: ${token.text}.${close}.`
          : full === 'String.endsWith'
            ? 'Okta has no String.endsWith; isMemberOfGroupName… and String.stringContains are the nearest.'
            : undefined,
      )
    }
    this.index++
    const args = this.parseArguments(full)
    const end = this.previousEnd()
    const transform = TRANSFORMS[full]
    if (transform !== undefined) {
      const target = this.singleAttribute(full, args, name.start)
      return { kind: 'attribute', path: target.path, attribute: target.attribute, transform, start: token.start, end }
    }
    const span = { start: token.start, end }
    switch (full) {
      case 'String.stringContains':
      case 'String.startsWith': {
        const [target, value] = this.attributeAndText(full, args, name.start)
        return {
          kind: 'condition',
          node: this.compare(target, full === 'String.startsWith' ? 'startsWith' : 'contains', value, span),
          start: span.start,
          end,
        }
      }
      case 'Arrays.contains': {
        const [target, value] = this.attributeAndLiteral(full, args, name.start)
        return { kind: 'condition', node: this.anyItem(target, 'eq', value, span), start: span.start, end }
      }
      case 'Arrays.isEmpty': {
        const target = this.singleAttribute(full, args, name.start)
        // Arrays.isEmpty(NULL) is true (§4.2), and so is an empty list or CSV text.
        return {
          kind: 'condition',
          node: { ...this.compare(target, 'eq', null, span), emptyIsNull: true } as CompareNode,
          start: span.start,
          end,
        }
      }
      default:
        return this.fail(
          token.start,
          `${full} returns a value a group rule can't compare`,
          this.options.conditionStart,
          'Compare an attribute: String.stringContains(user.email, "@example.com").',
        )
    }
  }

  private parseGroupFunction(token: ExprToken & { kind: 'ident' }): Operand {
    this.index++
    const args = this.parseArguments(token.text)
    const end = this.previousEnd()
    const span = { start: token.start, end }
    const texts = args.map(arg => {
      if (arg.kind !== 'literal' || typeof arg.value !== 'string') {
        return this.fail(arg.start, `${token.text} takes text in quotes`, ['"text"'], `Write ${token.text}("Sales").`)
      }
      return arg.value
    })
    const many = token.text === 'isMemberOfAnyGroup'
    if (texts.length === 0 || (!many && texts.length !== 1)) {
      return this.fail(
        token.start,
        `${token.text} takes ${many ? 'one or more group IDs' : 'one text'}`,
        ['"text"'],
        `Write ${token.text}("${many ? '00g1' : 'Sales'}").`,
      )
    }
    const text = texts[0] as string
    const names = { path: [GROUP_NAMES], attribute: GROUP_NAMES }
    const ids = { path: [GROUP_IDS], attribute: GROUP_IDS }
    let node: QuantifierNode
    switch (token.text) {
      case 'isMemberOfGroupName':
        node = this.anyItem(names, 'eq', text, span)
        break
      case 'isMemberOfGroup':
        node = this.anyItem(ids, 'eq', text, span)
        break
      case 'isMemberOfAnyGroup':
        node = this.anyItem(ids, 'in', texts, span)
        break
      case 'isMemberOfGroupNameStartsWith':
        node = this.anyItem(names, 'startsWith', text, span)
        break
      case 'isMemberOfGroupNameContains':
        node = this.anyItem(names, 'contains', text, span)
        break
      default: {
        // Java regular expressions, matched against the whole group name (inferred from Java's String.matches).
        const compiled = compileRegex(text, 'java', false)
        const arg = args[0] as Operand
        if (!compiled.ok)
          this.fail(
            arg.start + (compiled.offset < 0 ? 0 : 1 + compiled.offset),
            compiled.message,
            ['"regular expression"'],
            compiled.hint,
          )
        node = this.anyItem(names, 'match', text, span)
      }
    }
    return { kind: 'condition', node, start: span.start, end }
  }

  private anyItem(
    target: { path: readonly string[]; attribute: string },
    operator: CompareOperator,
    value: Scalar | Scalar[],
    span: { start: number; end: number },
  ): QuantifierNode {
    const child = { ...this.compare({ path: [], attribute: '_' }, operator, value, span) } as CompareNode
    if (operator === 'match') child.flavour = 'java'
    return { kind: 'any', path: target.path, attribute: target.attribute, loose: false, item: '_', child, span }
  }

  protected compare(
    target: { path: readonly string[]; attribute: string; transform?: Transform },
    operator: CompareOperator,
    value: Scalar | Scalar[] | null,
    span: { start: number; end: number },
  ): CompareNode {
    const node = {
      kind: 'compare',
      path: target.path,
      attribute: target.attribute,
      ignoreCase: false,
      loose: false,
      emptyIsNull: false,
      operator,
      value,
      span,
    } as CompareNode
    if (target.transform !== undefined) node.transform = target.transform
    return node
  }
}
