// The generated evaluator inlines common comparisons; each inline form must agree exactly with
// the matcher the explainer uses, including non-ASCII text, whose lower case can change length.
import { describe, expect, it } from 'vitest'
import { parseTime } from '../../../src/main/rules/values'
import { rule } from './helpers'

const TEXTS: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'Sales',
  'sales',
  'SALES',
  'Sale',
  'Salesforce',
  'xSales',
  'İstanbul',
  'i̇stanbul',
  'ISTANBUL',
  'K',
  '\u212A',
  'k',
  'Straße',
  'STRASSE',
  'ǅ',
  'ǆ',
  'Ǆ',
  7,
  0,
  true,
  false,
  [],
  ['Sales'],
  ['x', 'SALES'],
  [''],
  { department: 'Sales' },
]

const RULES: [dialect: 'entra' | 'okta' | 'google', text: string][] = [
  ...['-eq', '-ne', '-startsWith', '-notStartsWith', '-endsWith', '-contains', '-notContains'].flatMap(op =>
    ['"Sales"', '"sale"', '"k"', '"İstanbul"', '"istanbul"', '"ǆ"', '"7"', '"true"'].map(
      v => ['entra', `user.a ${op} ${v}`] as ['entra', string],
    ),
  ),
  ['entra', 'user.a -in ["Sales", "k", "İstanbul", 7]'],
  ['entra', 'user.a -notIn ["sales", "ǆ"]'],
  ['entra', 'user.a -match "^sal"'],
  ['entra', 'user.a -any (_ -eq "SALES")'],
  ...['"Sales"', '"k"', '7', 'true', 'false', '0', '""', 'null'].map(
    v => ['okta', `user.a == ${v}`] as ['okta', string],
  ),
  ['okta', 'String.startsWith(user.a, "Sa")'],
  ['okta', 'Arrays.contains(user.a, "Sales")'],
  ...["'Sales'", '7', 'true', 'false', '0', "''"].map(v => ['google', `user.a == ${v}`] as ['google', string]),
  ['google', "user.a.equalsIgnoreCase('sales')"],
  ['google', "user.a.equalsIgnoreCase('istanbul')"],
  ['google', "user.a in ['Sales', '']"],
  ['google', "user.a in ['Sales', 'k']"],
  ['google', "user.a.endsWith('es')"],
  ['google', "user.a.matches('s$')"],
]

describe('the generated evaluator agrees with the explainer', () => {
  it.each(RULES)('%s: %s', (dialect, text) => {
    const compiled = rule(dialect, text)
    for (const value of TEXTS) {
      const user = value === undefined ? {} : { a: value }
      const evaluation = compiled.evaluate(user)
      const explanation = compiled.explain(user)
      expect({ value, result: evaluation.result, missing: evaluation.missing }).toEqual({
        value,
        result: explanation.result,
        missing: explanation.missing,
      })
    }
  })
})

describe('parseTime reads Graph date-times as Date.parse does', () => {
  it.each([
    '2020-06-10T18:13:20Z',
    '2020-06-10T18:13:20.123Z',
    '2021-02-28T00:00:00Z',
    '2021-02-29T00:00:00Z',
    '2020-02-31T00:00:00Z',
    '2020-13-01T00:00:00Z',
    '2020-06-10T24:00:00Z',
    '2020-06-10T18:13:20+02:00',
    '2020-06-10',
    'not a date',
    '2020-0a-10T18:13:20Z',
    '0000-01-01T00:00:00Z',
  ])('%s', text => {
    expect(parseTime(text)).toEqual(Date.parse(text))
  })
})
