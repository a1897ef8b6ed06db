import { describe, expect, it } from 'vitest'
import { highlightRule } from '../../../src/main/rules'
import { rule } from './helpers'

const kinds = (dialect: 'entra' | 'okta' | 'google', text: string) =>
  highlightRule(dialect, text).map(t => `${t.kind}:${text.slice(t.start, t.end)}`)

describe('highlightRule', () => {
  it('colours each dialect with its own tokenizer', () => {
    expect(kinds('entra', 'user.a -eq "x" -and -not (user.b -in [1, true])')).toEqual([
      'attribute:user.a',
      'operator:-eq',
      'string:"x"',
      'keyword:-and',
      'keyword:-not',
      'punctuation:(',
      'attribute:user.b',
      'operator:-in',
      'punctuation:[',
      'number:1',
      'punctuation:,',
      'literal:true',
      'punctuation:]',
      'punctuation:)',
    ])
    expect(kinds('okta', 'String.stringContains(user.a, "x") AND user.n >= 3')).toEqual([
      'attribute:String',
      'punctuation:.',
      'function:stringContains',
      'punctuation:(',
      'attribute:user',
      'punctuation:.',
      'attribute:a',
      'punctuation:,',
      'string:"x"',
      'punctuation:)',
      'keyword:AND',
      'attribute:user',
      'punctuation:.',
      'attribute:n',
      'operator:>=',
      'number:3',
    ])
    expect(kinds('google', "user.o.exists(x, x.d == 'a') || !user.s")).toContain('function:exists')
  })

  it('marks only the first character it cannot read', () => {
    expect(kinds('entra', 'user.a –eq "x"')).toEqual(['attribute:user.a', 'invalid:–'])
    expect(kinds('okta', 'user.a = "x"')).toEqual(['attribute:user', 'punctuation:.', 'attribute:a', 'invalid:='])
  })
})

describe('explanations of lists', () => {
  it('explains -any item by item', () => {
    const x = rule('entra', 'user.proxyAddresses -any (_ -startsWith "smtp:")').explain({
      proxyAddresses: ['SMTP:a@x.com', 'x500:b'],
    })
    expect(x.result).toBe(true)
    expect(x.root).toMatchObject({ operator: 'any', attribute: 'proxyAddresses', result: true })
    expect(x.root.children?.map(c => [c.actual, c.result])).toEqual([
      ['SMTP:a@x.com', true],
      ['x500:b', false],
    ])
  })

  it('explains a Google exists() with each organization shown', () => {
    const x = rule('google', "user.organizations.exists(o, o.department == 'sales' && o.primary)").explain({
      organizations: [
        { department: 'sales', primary: false },
        { department: 'hr', primary: true },
      ],
    })
    expect(x.result).toBe(false)
    expect(x.root.children).toHaveLength(2)
    expect(x.root.children?.[0]?.children?.map(c => c.result)).toEqual([true, false])
    expect(x.missing).toEqual([])
  })

  it('never reads the prototype, however the attribute is named', () => {
    for (const [dialect, text] of [
      ['okta', 'user.constructor == "x"'],
      ['google', "user.constructor.name == 'Object'"],
      ['entra', 'user.__proto__ -ne null'],
    ] as const) {
      const compiled = rule(dialect, text)
      const evaluation = compiled.evaluate({})
      expect(evaluation.result).toBe(compiled.explain({}).result)
      expect(evaluation.missing).toHaveLength(1)
    }
  })
})
