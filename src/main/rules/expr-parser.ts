// What the Okta and Google parsers share: C-like boolean structure (!, AND, OR, parentheses),
// comparisons between an attribute and a literal, and errors with position, expectation and
// hint. Each dialect supplies its operands (paths, functions, macros) and node flags.

import type { CompareNode, CompareOperator, ParseResult, ParsedRule, RuleNode, Scalar, Span, Transform } from './ast'
import { describeToken, type ExprToken } from './expr-tokens'
import { lineColumn, ruleError } from './position'
import type { RuleError } from './types'

/** Ours: keeps parsing and evaluation far from the stack limit. */
const MAX_NESTING = 100

export type Operand = { start: number; end: number } & (
  | { kind: 'literal'; value: Scalar | null }
  | { kind: 'list'; items: Scalar[] }
  | { kind: 'attribute'; path: readonly string[]; attribute: string; transform?: Transform }
  | { kind: 'condition'; node: RuleNode }
)

export interface ExprOptions {
  and: string[]
  or: string[]
  example: string
  conditionStart: string[]
}

class ParseFailure {
  constructor(readonly error: RuleError) {}
}

const FLIPPED: Partial<Record<CompareOperator, CompareOperator>> = { lt: 'gt', gt: 'lt', le: 'ge', ge: 'le' }
const SPELLING: Partial<Record<CompareOperator, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }

export abstract class ExprParser {
  protected index = 0
  private depth = 0
  private readonly mixed: Span[] = []
  private readonly hints: string[] = []

  constructor(
    protected readonly text: string,
    protected readonly tokens: ExprToken[],
    protected readonly options: ExprOptions,
  ) {}

  static tooLong(text: string, max: number): ParseResult {
    return {
      ok: false,
      error: ruleError(
        text,
        max,
        `The rule is ${text.length.toLocaleString('en-US')} characters long; JIT Mapper reads at most ${max.toLocaleString('en-US')}`,
        ['end of rule'],
        'Shorten the rule.',
      ),
    }
  }

  run(): ParseResult {
    try {
      const first = this.peek(this.options.conditionStart)
      if (first.kind === 'end')
        this.fail(
          first.start,
          'The rule is empty',
          this.options.conditionStart,
          `Write a condition such as ${this.options.example}.`,
        )
      const root = this.parseOr()
      const end = this.peek([...this.options.and, ...this.options.or, 'end of rule'])
      if (end.kind !== 'end') this.failAfterCondition(end, null)
      const parsed: ParsedRule = { root, hints: this.hints, mixedLogic: this.mixed }
      return { ok: true, parsed }
    } catch (failure) {
      if (failure instanceof ParseFailure) return { ok: false, error: failure.error }
      throw failure
    }
  }

  protected abstract isAnd(token: ExprToken): boolean
  protected abstract isOr(token: ExprToken): boolean
  protected abstract parsePredicate(): RuleNode
  protected abstract compare(
    target: { path: readonly string[]; attribute: string; transform?: Transform },
    operator: CompareOperator,
    value: Scalar | Scalar[] | null,
    span: Span,
  ): CompareNode

  protected parseOr(): RuleNode {
    const operands = [this.parseAnd()]
    while (this.isOr(this.peek([]))) {
      this.index++
      operands.push(this.parseAnd())
    }
    if (operands.length === 1) return (operands[0] as { node: RuleNode }).node
    const span = { start: operands[0]!.node.span.start, end: operands[operands.length - 1]!.node.span.end }
    if (operands.some(operand => operand.chain)) {
      this.mixed.push(span)
      const parts = operands.map(operand =>
        operand.chain ? `(${this.slice(operand.node.span)})` : this.slice(operand.node.span),
      )
      this.hints.push(
        `${this.options.and[0]} binds tighter than ${this.options.or[0]}: read as ${parts.join(` ${this.options.or[0]} `)}. Add parentheses if you meant another grouping.`,
      )
    }
    return { kind: 'or', children: operands.map(operand => operand.node), span }
  }

  private parseAnd(): { node: RuleNode; chain: boolean } {
    const children = [this.parseUnary()]
    while (this.isAnd(this.peek([]))) {
      this.index++
      children.push(this.parseUnary())
    }
    if (children.length === 1) return { node: children[0] as RuleNode, chain: false }
    return {
      node: {
        kind: 'and',
        children,
        span: { start: children[0]!.span.start, end: children[children.length - 1]!.span.end },
      },
      chain: true,
    }
  }

  private parseUnary(): RuleNode {
    const token = this.peek(this.options.conditionStart)
    if (token.kind === 'op' && token.text === '!') {
      this.index++
      this.enter(token)
      const child = this.parseUnary()
      this.depth--
      this.checkNegation(child, token.start)
      return { kind: 'not', child, span: { start: token.start, end: child.span.end } }
    }
    return this.parsePredicate()
  }

  /** A dialect rejects negations its IdP doesn't support. */
  protected checkNegation(_node: RuleNode, _at: number): void {}

  /** `(` condition `)` as an operand: it can stand alone or be compared with true/false. */
  protected parseParenthesised(open: ExprToken): Operand {
    this.index++
    this.enter(open)
    const inner = this.parseOr()
    const close = this.peek([...this.options.and, ...this.options.or, ')'])
    if (!(close.kind === 'op' && close.text === ')')) this.failAfterCondition(close, open)
    this.index++
    this.depth--
    inner.span = { start: open.start, end: close.end }
    return { kind: 'condition', node: inner, start: open.start, end: close.end }
  }

  /** An operand with no comparison after it must itself be true or false. */
  protected asCondition(operand: Operand): RuleNode {
    const span = { start: operand.start, end: operand.end }
    switch (operand.kind) {
      case 'condition':
        return operand.node
      case 'attribute':
        if (operand.transform === undefined) return this.compare(operand, 'eq', true, span)
        return this.fail(
          operand.end,
          `${this.slice(span)} is a value, not a condition`,
          ['==', '!='],
          `Compare it: ${this.slice(span)} == "value".`,
        )
      default:
        return this.fail(
          operand.start,
          `${this.slice(span)} alone isn't a condition`,
          this.options.conditionStart,
          `Write a condition such as ${this.options.example}.`,
        )
    }
  }

  /** attribute op literal, literal op attribute (flipped), or a condition == true/false. */
  protected comparison(left: Operand, operator: CompareOperator, right: Operand, relation: ExprToken): RuleNode {
    const span = { start: left.start, end: right.end }
    const symbol = SPELLING[operator] ?? operator
    if (left.kind === 'condition' || right.kind === 'condition') {
      const [condition, other] = left.kind === 'condition' ? [left, right] : [right, left]
      if ((operator === 'eq' || operator === 'ne') && other.kind === 'literal' && typeof other.value === 'boolean') {
        const node = (condition as { node: RuleNode }).node
        const wanted = (operator === 'eq') === other.value
        return wanted ? node : { kind: 'not', child: node, span }
      }
      return this.fail(
        relation.start,
        `A condition can only be compared with true or false using == or !=`,
        ['==', '!='],
        `Write the condition on its own: ${this.options.example}.`,
      )
    }
    if (left.kind === 'attribute' && right.kind === 'attribute') {
      return this.fail(
        right.start,
        "Comparing two attributes with each other isn't supported",
        ['"text"', 'number', 'true', 'false', 'null'],
        'Compare an attribute with a value in quotes.',
      )
    }
    if (left.kind !== 'attribute' && right.kind !== 'attribute') {
      return this.fail(
        left.start,
        `${this.slice(span)} compares two values and no attribute`,
        this.options.conditionStart,
        `Compare an attribute: ${this.options.example}.`,
      )
    }
    const flip = left.kind !== 'attribute'
    const attribute = (flip ? right : left) as Operand & { kind: 'attribute' }
    const value = (flip ? left : right) as Operand & { kind: 'literal' | 'list' }
    if (value.kind === 'list')
      return this.fail(
        value.start,
        `${symbol} can't compare with a list`,
        ['"text"'],
        'Use in to test membership in a list.',
      )
    const op = flip ? (FLIPPED[operator] ?? operator) : operator
    if (value.value === null && op !== 'eq' && op !== 'ne') {
      return this.fail(
        value.start,
        `null can only be compared with == or !=, not ${symbol}`,
        ['"text"', 'number'],
        `Test for no value with ${this.slice(attribute)} == null.`,
      )
    }
    if ((op === 'lt' || op === 'le' || op === 'gt' || op === 'ge') && typeof value.value === 'boolean') {
      return this.fail(value.start, `${symbol} can't order true and false`, ['"text"', 'number'], 'Use == or !=.')
    }
    return this.compare(attribute, op, value.value, span)
  }

  /** ( arg, … ) after a function name; the arguments are operands. */
  protected parseArguments(name: string): Operand[] {
    const open = this.expectOp('(', `Expected ( after ${name}`, `Call it: ${name}(…).`)
    const args: Operand[] = []
    let token = this.peek(['argument', ')'])
    if (token.kind === 'op' && token.text === ')') {
      this.index++
      return args
    }
    for (;;) {
      args.push(this.parseArgument())
      token = this.peek([',', ')'])
      if (token.kind === 'op' && token.text === ',') {
        this.index++
        continue
      }
      if (token.kind === 'op' && token.text === ')') {
        this.index++
        return args
      }
      if (token.kind === 'end')
        this.fail(
          token.start,
          `Missing ) for the ( at ${this.where(open.start)}`,
          [',', ')'],
          'Add ) after the last argument.',
        )
      return this.fail(token.start, `Expected , or ) in the arguments of ${name}`, [',', ')'])
    }
  }

  /** An argument is an operand; dialects with richer arguments override this. */
  protected parseArgument(): Operand {
    return this.parseOperandForArgument()
  }

  protected abstract parseOperandForArgument(): Operand

  protected singleAttribute(name: string, args: Operand[], at: number): Operand & { kind: 'attribute' } {
    const arg = args[0]
    if (args.length !== 1 || arg?.kind !== 'attribute')
      return this.fail(
        arg?.start ?? at,
        `${name} takes one attribute`,
        ['user.<attribute>'],
        `Write ${name}(user.department).`,
      )
    return arg
  }

  protected attributeAndText(name: string, args: Operand[], at: number): [Operand & { kind: 'attribute' }, string] {
    const [target, value] = this.attributeAndLiteral(name, args, at)
    if (typeof value !== 'string')
      return this.fail(
        (args[1] as Operand).start,
        `${name} compares with text in quotes`,
        ['"text"'],
        `Write ${name}(user.email, "@example.com").`,
      )
    return [target, value]
  }

  protected attributeAndLiteral(name: string, args: Operand[], at: number): [Operand & { kind: 'attribute' }, Scalar] {
    const [target, value] = args
    if (args.length !== 2 || target?.kind !== 'attribute')
      return this.fail(
        target?.start ?? at,
        `${name} takes an attribute and a value`,
        ['user.<attribute>'],
        `Write ${name}(user.email, "@example.com").`,
      )
    if (value?.kind !== 'literal' || value.value === null)
      return this.fail(value?.start ?? at, `${name} compares with a value such as "text"`, ['"text"', 'number'])
    return [target, value.value]
  }

  protected expectOp(op: string, message: string, hint?: string): ExprToken {
    const token = this.peek([op])
    if (!(token.kind === 'op' && token.text === op)) this.fail(token.start, message, [op], hint)
    this.index++
    return token
  }

  protected failCondition(token: ExprToken): never {
    const start = this.options.conditionStart
    if (token.kind === 'end')
      return this.fail(
        token.start,
        'The rule ends where a condition was expected',
        start,
        `Write a condition such as ${this.options.example}.`,
      )
    if (token.kind === 'op' && token.text === ')')
      return this.fail(
        token.start,
        'Expected a condition before )',
        start,
        `Write a condition such as ${this.options.example}.`,
      )
    return this.fail(
      token.start,
      `Expected a condition, found ${describeToken(token)}`,
      start,
      `Write a condition such as ${this.options.example}.`,
    )
  }

  protected failAfterCondition(token: ExprToken, open: ExprToken | null): never {
    const expected = [...this.options.and, ...this.options.or, open === null ? 'end of rule' : ')']
    if (open !== null && token.kind === 'end')
      this.fail(
        token.start,
        `Missing ) for the ( at ${this.where(open.start)}`,
        expected,
        'Add ) where the group ends.',
      )
    if (token.kind === 'op' && token.text === ')')
      this.fail(token.start, 'This ) has no matching (', expected, 'Remove the ) or add the ( it closes.')
    if (
      token.kind === 'ident' ||
      token.kind === 'string' ||
      token.kind === 'number' ||
      (token.kind === 'op' && (token.text === '(' || token.text === '!'))
    ) {
      this.fail(
        token.start,
        `Missing ${this.options.and.join(' or ')} / ${this.options.or.join(' or ')} between two conditions`,
        expected,
        `Join conditions, e.g. ${this.options.example} ${this.options.or[0]} ${this.options.example.replace('Sales', 'Marketing')}.`,
      )
    }
    return this.fail(token.start, `Unexpected ${describeToken(token)} after a complete condition`, expected)
  }

  protected enter(token: ExprToken): void {
    if (++this.depth > MAX_NESTING)
      this.fail(
        token.start,
        `The rule nests parentheses and negations more than ${MAX_NESTING} deep`,
        this.options.conditionStart,
        'Simplify the rule.',
      )
  }

  protected leave(): void {
    this.depth--
  }

  /** The next token; reaching a token the tokenizer couldn't read is the error. */
  protected peek(expected: readonly string[]): ExprToken {
    const token = this.tokens[Math.min(this.index, this.tokens.length - 1)] as ExprToken
    if (token.kind === 'invalid') this.fail(token.start, token.message, expected, token.hint)
    return token
  }

  protected previousEnd(): number {
    return (this.tokens[this.index - 1] as ExprToken).end
  }

  protected slice(span: { start: number; end: number }): string {
    return this.text.slice(span.start, span.end)
  }

  protected where(offset: number): string {
    const { line, column } = lineColumn(this.text, offset)
    return `line ${line}, column ${column}`
  }

  protected fail(offset: number, message: string, expected: readonly string[], hint?: string): never {
    throw new ParseFailure(ruleError(this.text, offset, message, expected, hint))
  }
}
