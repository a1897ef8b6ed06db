// Parser for Google Workspace / Cloud Identity dynamic-group membership queries: the CEL subset
// Google documents (Cloud Identity, "Create membership queries for dynamic groups"): field
// paths into the Directory API user in snake_case (user.organizations, user.addresses,
// user.locations, user.name.value, user.custom_schemas.<schema>.<field>), exists()/all()
// macros, == != in, && || !, startsWith endsWith contains matches, equalsIgnoreCase, and
// orgUnitId('…'). CEL is case-sensitive; `matches` is RE2 and unanchored (CEL language
// definition). Enum fields (`type`) compare as numbers, which the Directory API adapter
// produces from the API's type names.

import type {
  CompareNode,
  CompareOperator,
  ParseResult,
  QuantifierNode,
  RuleNode,
  Scalar,
  Span,
  Transform,
} from './ast'
import { ExprParser, type Operand } from './expr-parser'
import { describeToken, type ExprToken, tokenizeExpr } from './expr-tokens'
import { compileRegex } from './regex'

/** Ours: Google documents no length limit for a membership query. */
const MAX_RULE_LENGTH = 16_384

const RELATIONS: Readonly<Record<string, CompareOperator>> = {
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
}
const TEXT_METHODS: Readonly<Record<string, CompareOperator>> = {
  startsWith: 'startsWith',
  endsWith: 'endsWith',
  contains: 'contains',
  matches: 'match',
  equalsIgnoreCase: 'eq',
}
const EXAMPLE = "user.organizations.exists(org, org.department == 'Sales')"
const START = ['user.<field>', '(', '!']

interface Scope {
  /** The variable an exists()/all() bound, e.g. org. */
  name: string
}

export function parseGoogle(text: string): ParseResult {
  if (text.length > MAX_RULE_LENGTH) return ExprParser.tooLong(text, MAX_RULE_LENGTH)
  return new GoogleParser(text).run()
}

class GoogleParser extends ExprParser {
  private readonly scopes: Scope[] = []

  constructor(text: string) {
    super(text, tokenizeExpr(text, { name: 'Google queries', escapes: 'backslash' }), {
      and: ['&&'],
      or: ['||'],
      example: EXAMPLE,
      conditionStart: START,
    })
  }

  protected isAnd(token: ExprToken): boolean {
    if (token.kind === 'ident' && (token.text === 'AND' || token.text === 'and')) {
      this.fail(token.start, `CEL writes ${token.text} as &&`, ['&&'], 'Use && to require both conditions.')
    }
    return token.kind === 'op' && token.text === '&&'
  }

  protected isOr(token: ExprToken): boolean {
    if (token.kind === 'ident' && (token.text === 'OR' || token.text === 'or')) {
      this.fail(token.start, `CEL writes ${token.text} as ||`, ['||'], 'Use || to accept either condition.')
    }
    return token.kind === 'op' && token.text === '||'
  }

  protected parsePredicate(): RuleNode {
    const left = this.parseOperand()
    const relation = this.peek(['==', '!=', 'in', '&&', '||', ')'])
    if (relation.kind === 'ident' && relation.text === 'in') {
      this.index++
      const right = this.parseOperand()
      return this.membership(left, right)
    }
    const operator = relation.kind === 'op' ? RELATIONS[relation.text] : undefined
    if (operator === undefined) return this.asCondition(left)
    if (operator !== 'eq' && operator !== 'ne') {
      this.fail(
        relation.start,
        `Google dynamic-group queries don't compare with ${relation.kind === 'op' ? relation.text : ''}`,
        ['==', '!=', 'in'],
        'Google documents ==, != and in for membership queries.',
      )
    }
    this.index++
    const right = this.parseOperand()
    return this.comparison(left, operator, right, relation)
  }

  protected parseOperandForArgument(): Operand {
    return this.parseOperand()
  }

  /** `x in [list]`, or `'value' in user.list` (some item equals the value). */
  private membership(left: Operand, right: Operand): RuleNode {
    const span = { start: left.start, end: right.end }
    if (left.kind === 'attribute' && right.kind === 'list') return this.compare(left, 'in', right.items, span)
    if (left.kind === 'literal' && left.value !== null && right.kind === 'attribute') {
      const child = this.compare({ path: [], attribute: '_' }, 'eq', left.value, span)
      return { kind: 'any', path: right.path, attribute: right.attribute, loose: false, item: '_', child, span }
    }
    return this.fail(
      right.start,
      'in needs a field and a list, or a value and a list field',
      ['[…]'],
      "Write user.name.given_name in ['Ada', 'Grace'].",
    )
  }

  private parseOperand(): Operand {
    const token = this.peek(START)
    switch (token.kind) {
      case 'string':
        this.index++
        return { kind: 'literal', value: token.value, start: token.start, end: token.end }
      case 'number':
        this.index++
        return { kind: 'literal', value: token.value, start: token.start, end: token.end }
      case 'op':
        if (token.text === '(') return this.parseParenthesised(token)
        if (token.text === '[') return this.parseList(token)
        return this.failCondition(token)
      case 'ident':
        return this.parseIdentifier(token)
      default:
        return this.failCondition(token)
    }
  }

  private parseList(open: ExprToken): Operand {
    this.index++
    const items: Scalar[] = []
    for (;;) {
      const token = this.peek(['value', ']'])
      if (token.kind === 'op' && token.text === ']' && items.length === 0) break
      if (token.kind === 'string' || token.kind === 'number') items.push(token.value)
      else if (token.kind === 'ident' && (token.text === 'true' || token.text === 'false'))
        items.push(token.text === 'true')
      else if (token.kind === 'end')
        this.fail(token.start, 'Missing ] for this list', [']'], 'Add ] after the last value.')
      else this.fail(token.start, `Expected a value in the list, found ${describeToken(token)}`, ["'text'", 'number'])
      this.index++
      const next = this.peek([',', ']'])
      if (next.kind === 'op' && next.text === ',') {
        this.index++
        continue
      }
      if (next.kind === 'op' && next.text === ']') break
      this.fail(next.start, `Expected , or ] in the list, found ${describeToken(next)}`, [',', ']'])
    }
    const close = this.peek([']'])
    this.index++
    return { kind: 'list', items, start: open.start, end: close.end }
  }

  private parseIdentifier(token: ExprToken & { kind: 'ident' }): Operand {
    const word = token.text
    if (word === 'true' || word === 'false') {
      this.index++
      return { kind: 'literal', value: word === 'true', start: token.start, end: token.end }
    }
    if (word === 'null') {
      this.index++
      return { kind: 'literal', value: null, start: token.start, end: token.end }
    }
    if (word === 'orgUnitId') {
      // user.org_unit_id == orgUnitId('03ph8a2z1enx4lx'): the function names an org unit by ID.
      this.index++
      const args = this.parseArguments(word)
      const arg = args[0]
      if (args.length !== 1 || arg?.kind !== 'literal' || typeof arg.value !== 'string') {
        return this.fail(
          arg?.start ?? token.end,
          'orgUnitId takes one org unit ID in quotes',
          ["'03ph8a2z1enx4lx'"],
          "Write user.org_unit_id == orgUnitId('03ph8a2z1enx4lx').",
        )
      }
      return { kind: 'literal', value: arg.value, start: token.start, end: this.previousEnd() }
    }
    const scope = this.scopes.find(s => s.name === word)
    if (word !== 'user' && scope === undefined) {
      if (word === 'User' || word === 'USER')
        return this.fail(token.start, `CEL is case-sensitive: write user, not ${word}`, ['user'])
      return this.fail(
        token.start,
        `"${word}" isn't defined here`,
        START,
        this.scopes.length > 0
          ? `Fields of the item are read through ${this.scopes[this.scopes.length - 1]?.name}.`
          : `Fields start with "user.": user.${word}.`,
      )
    }
    if (word === 'user' && this.scopes.length > 0) {
      return this.fail(
        token.start,
        'JIT Mapper reads only the item inside exists()/all(), not user',
        START,
        `Move the condition on user outside the macro and join it with &&.`,
      )
    }
    if (scope !== undefined && scope !== this.scopes[this.scopes.length - 1]) {
      return this.fail(
        token.start,
        `JIT Mapper can't read ${word} inside a nested exists()/all()`,
        START,
        'Read only the innermost item inside nested macros.',
      )
    }
    this.index++
    return this.parsePath(token, word === 'user' ? 'user' : 'item')
  }

  private parsePath(root: ExprToken & { kind: 'ident' }, from: 'user' | 'item'): Operand {
    const path: string[] = []
    for (;;) {
      const dot = this.peek(['.', '==', '!=', 'in'])
      if (dot.kind === 'op' && dot.text === '[') {
        return this.fail(
          dot.start,
          "Indexing with [ ] isn't supported in membership queries",
          ['.'],
          'Use exists() to test the items of a list.',
        )
      }
      if (!(dot.kind === 'op' && dot.text === '.')) break
      this.index++
      const name = this.peek(['field name'])
      if (name.kind !== 'ident')
        return this.fail(name.start, 'Expected a field name after .', ['field name'], `Write ${EXAMPLE}.`)
      this.index++
      const call = this.peek(['('])
      if (call.kind === 'op' && call.text === '(') return this.parseMethod(root, from, path, name)
      if (from === 'user' && path.length === 0 && /[A-Z]/.test(name.text)) {
        this.fail(
          name.start,
          `Membership queries name fields in snake_case: ${name.text} isn't a field`,
          ['field name'],
          `Write ${snake(name.text)}.`,
        )
      }
      path.push(name.text)
    }
    if (from === 'user' && path.length === 0)
      return this.fail(root.end, 'Expected a field after user', ['.'], 'Name a field, e.g. user.name.value.')
    return { kind: 'attribute', path, attribute: path.join('.'), start: root.start, end: this.previousEnd() }
  }

  /** A method on a field: text tests (user.name.value.startsWith('A')) and the exists()/all() macros. */
  private parseMethod(
    root: ExprToken,
    from: 'user' | 'item',
    path: string[],
    name: ExprToken & { kind: 'ident' },
  ): Operand {
    const target = { path, attribute: path.length === 0 ? '_' : path.join('.') }
    if (from === 'user' && path.length === 0)
      return this.fail(name.start, `user has no method ${name.text}`, ['field name'])
    if (name.text === 'exists' || name.text === 'all') return this.parseMacro(root, target, name)
    const operator = TEXT_METHODS[name.text]
    if (operator === undefined) {
      const hint =
        name.text === 'exists_one' || name.text === 'map' || name.text === 'filter'
          ? 'Google supports the exists() and all() macros.'
          : `Text fields support ${Object.keys(TEXT_METHODS).join(', ')}.`
      return this.fail(
        name.start,
        `${name.text}() isn't supported in membership queries`,
        Object.keys(TEXT_METHODS),
        hint,
      )
    }
    const args = this.parseArguments(name.text)
    const arg = args[0]
    if (args.length !== 1 || arg?.kind !== 'literal' || typeof arg.value !== 'string') {
      return this.fail(
        arg?.start ?? name.end,
        `${name.text} takes one text in quotes`,
        ["'text'"],
        `Write ${target.attribute}.${name.text}('value').`,
      )
    }
    const span = { start: root.start, end: this.previousEnd() }
    const node = this.compare(target, operator, arg.value, span)
    if (name.text === 'equalsIgnoreCase') node.ignoreCase = true
    if (operator === 'match') {
      const compiled = compileRegex(arg.value, 're2', false)
      if (!compiled.ok)
        this.fail(
          arg.start + (compiled.offset < 0 ? 0 : 1 + compiled.offset),
          compiled.message,
          ["'regular expression'"],
          compiled.hint,
        )
      node.flavour = 're2'
    }
    return { kind: 'condition', node, start: span.start, end: span.end }
  }

  private parseMacro(
    root: ExprToken,
    target: { path: readonly string[]; attribute: string },
    name: ExprToken & { kind: 'ident' },
  ): Operand {
    this.index++
    const open = this.previousToken()
    this.enter(open)
    const variable = this.peek(['variable name'])
    if (variable.kind !== 'ident')
      return this.fail(
        variable.start,
        `${name.text}() starts with a name for the item`,
        ['variable name'],
        `Write ${target.attribute}.${name.text}(org, org.department == 'Sales').`,
      )
    if (variable.text === 'user' || this.scopes.some(s => s.name === variable.text)) {
      return this.fail(variable.start, `${variable.text} is already defined; give the item another name`, [
        'variable name',
      ])
    }
    this.index++
    this.expectOp(
      ',',
      `Expected , after the item name ${variable.text}`,
      `Write ${target.attribute}.${name.text}(${variable.text}, ${variable.text}.department == 'Sales').`,
    )
    this.scopes.push({ name: variable.text })
    const body = this.parseOr()
    this.scopes.pop()
    const close = this.peek([')'])
    if (!(close.kind === 'op' && close.text === ')')) this.failAfterCondition(close, open)
    this.index++
    this.leave()
    if (name.text === 'exists') this.checkExistsBody(body)
    const span: Span = { start: root.start, end: close.end }
    const node: QuantifierNode = {
      kind: name.text === 'exists' ? 'any' : 'all',
      path: target.path,
      attribute: target.attribute,
      loose: false,
      item: variable.text,
      child: body,
      span,
    }
    return { kind: 'condition', node, start: span.start, end: span.end }
  }

  /** Google: "exists(..., … !(…))" isn't supported (Cloud Identity, "Test a dynamic group query"). */
  private checkExistsBody(body: RuleNode): void {
    const negation = findNot(body)
    if (negation !== undefined) {
      this.fail(
        negation.span.start,
        "Google doesn't support ! inside exists()",
        ['condition'],
        'Write the condition without !, e.g. with != instead of !(… == …).',
      )
    }
  }

  protected override checkNegation(node: RuleNode, at: number): void {
    // Google: "!x.exists(..., a && b)" isn't supported.
    if (node.kind === 'any' && node.child.kind === 'and') {
      this.fail(
        at,
        "Google doesn't support ! before exists() with && inside",
        ['condition'],
        'Use all() with the opposite condition, or split the query.',
      )
    }
  }

  private previousToken(): ExprToken {
    return this.tokens[this.index - 1] as ExprToken
  }

  protected compare(
    target: { path: readonly string[]; attribute: string; transform?: Transform },
    operator: CompareOperator,
    value: Scalar | Scalar[] | null,
    span: Span,
  ): CompareNode {
    return {
      kind: 'compare',
      path: target.path,
      attribute: target.attribute,
      ignoreCase: false,
      loose: false,
      emptyIsNull: true,
      operator,
      value,
      span,
    } as CompareNode
  }
}

function findNot(node: RuleNode): RuleNode | undefined {
  switch (node.kind) {
    case 'not':
      return node
    case 'and':
    case 'or':
      for (const child of node.children) {
        const found = findNot(child)
        if (found !== undefined) return found
      }
      return undefined
    default:
      return undefined
  }
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`)
}
