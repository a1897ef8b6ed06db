import { describe, expect, it } from 'vitest'
import type { Attributes } from '../../../src/shared/domain'
import { entra } from './helpers'

describe('explain: the clause tree', () => {
  it('quotes each clause and shows the values it compared', () => {
    const rule = entra('(user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE")')
    const explanation = rule.explain({ department: 'Sales', jobTitle: 'SDE II' })
    expect(explanation).toEqual({
      result: false,
      missing: [],
      hints: [],
      root: {
        text: '(user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE")',
        operator: 'and',
        result: false,
        children: [
          {
            text: '(user.department -eq "Sales")',
            operator: 'eq',
            result: true,
            attribute: 'department',
            actual: 'Sales',
            expected: 'Sales',
            missing: false,
          },
          {
            text: '-not (user.jobTitle -startsWith "SDE")',
            operator: 'not',
            result: false,
            children: [
              {
                text: '(user.jobTitle -startsWith "SDE")',
                operator: 'startsWith',
                result: true,
                attribute: 'jobTitle',
                actual: 'SDE II',
                expected: 'SDE',
                missing: false,
              },
            ],
          },
        ],
      },
    })
  })

  it('marks a missing attribute with actual null', () => {
    const { root, missing } = entra('user.Mobile -ne null').explain({})
    expect(root).toEqual({
      text: 'user.Mobile -ne null',
      operator: 'ne',
      result: false,
      attribute: 'mobilePhone',
      actual: null,
      expected: null,
      missing: true,
    })
    expect(missing).toEqual(['mobilePhone'])
  })

  it('shows list values as text and multi-value attributes as lists', () => {
    const { root } = entra('user.proxyAddresses -in ["smtp:a@b.c", 42, true]').explain({
      proxyAddresses: ['SMTP:a@b.c'],
    })
    expect(root).toMatchObject({
      operator: 'in',
      result: true,
      actual: ['SMTP:a@b.c'],
      expected: ['smtp:a@b.c', '42', 'true'],
    })
  })

  it('keeps multi-line clause text as written', () => {
    const { root } = entra('user.a -eq "x"\n  -or user.b -eq "y"').explain({ a: 'x' })
    expect(root.text).toBe('user.a -eq "x"\n  -or user.b -eq "y"')
    expect(root.children?.map(child => child.text)).toEqual(['user.a -eq "x"', 'user.b -eq "y"'])
  })

  it('explains clauses evaluation skipped, without counting their missing attributes', () => {
    const explanation = entra('user.department -eq "Sales" -or user.country -eq "US"').explain({ department: 'Sales' })
    expect(explanation.result).toBe(true)
    expect(explanation.missing).toEqual([])
    expect(explanation.root.children?.[1]).toMatchObject({ attribute: 'country', result: false, missing: true })
  })
})

describe('explain agrees with evaluate', () => {
  const RULES = [
    'user.a -eq "x" -and user.b -eq "y" -or user.c -eq "z"',
    '-not (user.a -eq "x" -or user.b -ne null) -and user.c -in ["z", "w"]',
    'user.a -contains "x" -or -not user.b -startsWith "y" -or user.c -notEndsWith "z"',
    '(user.a -ne null) -and ((user.b -eq "y") -or (user.c -notIn ["z"]))',
  ]
  const values = [undefined, null, '', 'x', 'y', 'z', ' x', ['x', 'w'], []] as const
  const users: Attributes[] = values.flatMap(a =>
    values.flatMap(b =>
      values.map(c => Object.fromEntries(Object.entries({ a, b, c }).filter(([, v]) => v !== undefined)) as Attributes),
    ),
  )

  it.each(RULES)('%s', text => {
    const rule = entra(text)
    let members = 0
    for (const user of users) {
      const evaluation = rule.evaluate(user)
      const explanation = rule.explain(user)
      expect({ result: explanation.result, missing: explanation.missing, rootResult: explanation.root.result }).toEqual(
        {
          ...evaluation,
          rootResult: evaluation.result,
        },
      )
      if (evaluation.result) members++
    }
    expect(members).toBeGreaterThan(0)
    expect(members).toBeLessThan(users.length)
  })
})

describe('explain: hints', () => {
  it.each([
    [
      'user.department -eq "Sales"',
      { department: ' Sales' },
      `user.department -eq "Sales" is false only because of whitespace around the user's department " Sales"; without it the clause would be true. Remove it in the directory.`,
    ],
    [
      'user.department -eq "Sales "',
      { department: 'Sales' },
      `user.department -eq "Sales " is false only because of whitespace around the rule's value "Sales "; without it the clause would be true. Remove it from the rule.`,
    ],
    [
      'user.department -in ["Sales ", "HR"]',
      { department: ' hr' },
      `user.department -in ["Sales ", "HR"] is false only because of whitespace around the user's department " hr" and the rule's value ["Sales ","HR"]; without it the clause would be true. Remove it in the directory and in the rule.`,
    ],
    [
      'user.otherMails -endsWith "@contoso.com"',
      { otherMails: ['ada@contoso.com '] },
      `user.otherMails -endsWith "@contoso.com" is false only because of whitespace around the user's otherMails ["ada@contoso.com "]; without it the clause would be true. Remove it in the directory.`,
    ],
  ] as [string, Attributes, string][])('%s on %j says whitespace is the problem', (rule, user, hint) => {
    expect(entra(rule).explain(user).hints).toEqual([hint])
  })

  it.each([
    ['user.department -eq "Sales"', { department: 'SALES' }, 'case never matters in Entra'],
    ['user.department -eq "Sales"', { department: ' Marketing ' }, 'trimming would not help'],
    ['user.department -eq "Sales"', {}, 'the attribute is missing'],
    ['user.department -ne "Sales"', { department: ' Sales' }, 'the clause is true'],
    [
      'user.country -eq "US" -and user.department -eq "Sales"',
      { country: 'GB', department: 'Sales ' },
      'evaluation never read the clause',
    ],
  ] as [string, Attributes, string][])('%s on %j gives no whitespace hint: %s', (rule, user) => {
    expect(entra(rule).explain(user).hints).toEqual([])
  })

  it('says how Entra groups -and and -or written without parentheses', () => {
    const rule = entra('user.a -eq "x" -and user.b -eq "y" -or user.c -eq "z"')
    expect(rule.explain({}).hints).toEqual([
      '-and binds tighter than -or: read as (user.a -eq "x" -and user.b -eq "y") -or user.c -eq "z". Add parentheses if you meant another grouping.',
    ])
    expect(entra('user.a -eq "x" -or -not user.b -eq "y" and user.c -eq "z"').explain({}).hints).toEqual([
      '-and binds tighter than -or: read as user.a -eq "x" -or (-not user.b -eq "y" and user.c -eq "z"). Add parentheses if you meant another grouping.',
    ])
  })

  it.each([
    '(user.a -eq "x" -and user.b -eq "y") -or user.c -eq "z"',
    'user.a -eq "x" -and (user.b -eq "y" -or user.c -eq "z")',
    'user.a -eq "x" -or user.b -eq "y" -or user.c -eq "z"',
    'user.a -eq "x" -and user.b -eq "y" -and user.c -eq "z"',
  ])('gives no grouping hint for %s', rule => {
    expect(entra(rule).explain({}).hints).toEqual([])
  })

  it('gives one grouping hint per ambiguous -or, plus whitespace hints', () => {
    const rule = entra('(user.a -eq "x" -and user.b -eq "y" -or user.c -eq "z") -or user.d -eq "w" -and user.e -eq "v"')
    const { hints } = rule.explain({ a: 'x', b: 'y ', c: 'q', d: 'q' })
    expect(hints).toHaveLength(3)
    expect(hints[0]).toMatch(/read as \(user\.a -eq "x" -and user\.b -eq "y"\) -or user\.c -eq "z"\./)
    expect(hints[1]).toMatch(/read as \(user\.a .*"z"\) -or \(user\.d -eq "w" -and user\.e -eq "v"\)\./)
    expect(hints[2]).toMatch(/^user\.b -eq "y" is false only because of whitespace/)
  })
})
