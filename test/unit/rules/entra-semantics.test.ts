import { describe, expect, it } from 'vitest'
import type { Attributes } from '../../../src/shared/domain'
import { entra } from './helpers'

/** All eight combinations of three conditions a, b, c being true. */
const ABC: Attributes[] = [0, 1, 2, 3, 4, 5, 6, 7].map(bits => ({
  a: bits & 4 ? 'yes' : 'no',
  b: bits & 2 ? 'yes' : 'no',
  c: bits & 1 ? 'yes' : 'no',
}))
const members = (rule: string): number[] => ABC.flatMap((user, i) => (entra(rule).evaluate(user).result ? [i] : []))

const A = 'user.a -eq "yes"'
const B = 'user.b -eq "yes"'
const C = 'user.c -eq "yes"'

describe('precedence: comparison, then -not, then -and, then -or', () => {
  it.each([
    [`${A} -and ${B} -or ${C}`, `(${A} -and ${B}) -or ${C}`, `${A} -and (${B} -or ${C})`],
    [`${A} -or ${B} -and ${C}`, `${A} -or (${B} -and ${C})`, `(${A} -or ${B}) -and ${C}`],
    [`-not ${A} -and ${B}`, `(-not ${A}) -and ${B}`, `-not (${A} -and ${B})`],
    [`-not ${A} -or ${B}`, `(-not ${A}) -or ${B}`, `-not (${A} -or ${B})`],
    [`${A} -or -not ${B} -and ${C}`, `${A} -or ((-not ${B}) -and ${C})`, `(${A} -or -not ${B}) -and ${C}`],
    [`-not -not ${A}`, A, `-not ${A}`],
  ])('%s reads as %s, not %s', (rule, intended, other) => {
    expect(members(rule)).toEqual(members(intended))
    expect(members(rule)).not.toEqual(members(other))
  })

  it('parentheses override precedence', () => {
    expect(entra(`${A} -and (${B} -or ${C})`).evaluate({ a: 'no', b: 'no', c: 'yes' }).result).toBe(false)
    expect(entra(`${A} -and ${B} -or ${C}`).evaluate({ a: 'no', b: 'no', c: 'yes' }).result).toBe(true)
  })

  it('evaluates long -or and -and chains', () => {
    const ors = Array.from({ length: 120 }, (_, i) => `user.a -eq "v${i}"`).join(' -or ')
    expect(entra(ors).evaluate({ a: 'v119' }).result).toBe(true)
    expect(entra(ors).evaluate({ a: 'v120' }).result).toBe(false)
    const ands = Array.from({ length: 120 }, (_, i) => `user.a -ne "v${i}"`).join(' -and ')
    expect(entra(ands).evaluate({ a: 'v120' }).result).toBe(true)
    expect(entra(ands).evaluate({ a: 'v0' }).result).toBe(false)
  })
})

describe('operators are case-insensitive and the hyphen is optional', () => {
  it.each([
    'user.department -EQ "Sales"',
    'user.department eq "Sales"',
    'user.department Eq "Sales"',
    'user.department -in ["Sales"]',
    'user.department -IN ["Sales"]',
    'user.department -startswith "Sa"',
    'user.department STARTSWITH "Sa"',
    'user.department -EndsWith "les"',
    'user.department -CONTAINS "ale"',
    'user.department -notin ["HR"]',
    'user.department notIn ["HR"]',
    'user.department -notContains "HR"',
    'user.department -notstartswith "HR"',
    'user.department -NOTENDSWITH "HR"',
    'user.department -ne "HR"',
    'user.department -eq "Sales" AND user.country -eq "US"',
    'user.department -eq "Sales" -And user.country -eq "US"',
    'user.department -eq "Sales" or user.country -eq "XX"',
    'user.department -eq "XX" -OR user.country -eq "US"',
    'NOT user.department -eq "HR"',
    'not (user.department -eq "HR")',
    '-Not(user.department -eq "HR")',
  ])('%s matches a US Sales user', rule => {
    const rule_ = entra(rule)
    expect(rule_.evaluate({ department: 'Sales', country: 'US' }).result).toBe(true)
    expect(rule_.evaluate({ department: 'HR', country: 'GB' }).result).toBe(false)
  })
})

describe('values compare case-insensitively', () => {
  it.each([
    ['user.department -eq "SALES"', 'sales', true],
    ['user.department -eq "sales"', 'SaLeS', true],
    ['user.department -ne "SALES"', 'sales', false],
    ['user.department -contains "ALE"', 'Sales', true],
    ['user.department -notContains "ALE"', 'Sales', false],
    ['user.department -startsWith "sA"', 'Sales', true],
    ['user.department -endsWith "LES"', 'Sales', true],
    ['user.department -in ["HR", "SALES"]', 'sales', true],
    ['user.department -notIn ["HR", "SALES"]', 'sales', false],
    ['user.department -eq "Sales"', 'Sale', false],
    ['user.department -contains "xyz"', 'Sales', false],
  ])('%s on %j is %s', (rule, department, expected) => {
    expect(entra(rule).evaluate({ department }).result).toBe(expected)
  })

  it('-contains is a substring test, not list membership', () => {
    expect(entra('user.department -contains "ales"').evaluate({ department: 'Wholesales' }).result).toBe(true)
    expect(entra('user.department -in ["ales"]').evaluate({ department: 'Wholesales' }).result).toBe(false)
  })

  it("doesn't trim whitespace: it is part of the value", () => {
    expect(entra('user.department -eq "Sales"').evaluate({ department: 'Sales ' }).result).toBe(false)
    expect(entra('user.department -eq "Sales "').evaluate({ department: 'Sales ' }).result).toBe(true)
  })
})

describe('property names', () => {
  it.each([
    ['user.DEPARTMENT -eq "Sales"', { department: 'Sales' }, 'department'],
    ['user.mailNickName -eq "ada"', { mailNickname: 'ada' }, 'mailNickname'],
    ['user.mobile -eq "+1 555 0100"', { mobilePhone: '+1 555 0100' }, 'mobilePhone'],
    ['user.telephoneNumber -eq "+1 555 0101"', { businessPhones: ['+1 555 0101'] }, 'businessPhones'],
    ['user.facsimileTelephoneNumber -eq "+1 555 0102"', { faxNumber: '+1 555 0102' }, 'faxNumber'],
    ['user.physicalDeliveryOfficeName -eq "B40"', { officeLocation: 'B40' }, 'officeLocation'],
    ['user.dirSyncEnabled -eq true', { onPremisesSyncEnabled: true }, 'onPremisesSyncEnabled'],
    ['user.objectId -eq "5f0c"', { id: '5f0c' }, 'id'],
    ['user.EXTENSIONATTRIBUTE3 -eq "x"', { extensionAttribute3: 'x' }, 'extensionAttribute3'],
    ['user.costCenter -eq "C1"', { costCenter: 'C1' }, 'costCenter'],
  ])('%s reads %j', (rule, user, attribute) => {
    const compiled = entra(rule)
    expect(compiled.attributes).toEqual([attribute])
    expect(compiled.evaluate(user).result).toBe(true)
    expect(compiled.evaluate({}).result).toBe(false)
  })

  it("finds the user's attribute whatever the key's casing", () => {
    expect(entra('user.department -eq "Sales"').evaluate({ Department: 'Sales' }).result).toBe(true)
    expect(entra('user.jobTitle -eq "CEO"').evaluate({ JOBTITLE: 'CEO' }).result).toBe(true)
    expect(entra('user.jobTitle -eq null').evaluate({ JOBTITLE: 'CEO' }).result).toBe(false)
  })

  it('prefers the exact key when two keys differ only in case', () => {
    expect(entra('user.department -eq "Sales"').evaluate({ DEPARTMENT: 'HR', department: 'Sales' }).result).toBe(true)
  })

  it('lists the attributes a rule reads once each, in order', () => {
    expect(
      entra('user.country -eq "US" -and (user.Department -eq "A" -or user.department -eq "B" -or user.mobile -ne null)')
        .attributes,
    ).toEqual(['country', 'department', 'mobilePhone'])
  })

  it('never reads properties of Object.prototype', () => {
    expect(entra('user.constructor -eq null').evaluate({}).result).toBe(true)
    expect(entra('user.toString -ne null').evaluate({}).result).toBe(false)
    expect(entra('user.hasOwnProperty -eq null').evaluate({}).missing).toEqual(['hasOwnProperty'])
    expect(entra('user.constructor -eq "x"').evaluate({ constructor: 'x' } as Attributes).result).toBe(true)
    expect(entra('user.constructor -eq "x"').evaluate({ Constructor: 'x' }).result).toBe(true)
  })
})

describe('a missing attribute behaves like null and is reported', () => {
  it.each([
    ['user.department -eq "Sales"', false],
    ['user.department -ne "Sales"', true],
    ['user.department -eq null', true],
    ['user.department -ne null', false],
    ['user.department -contains "S"', false],
    ['user.department -notContains "S"', true],
    ['user.department -startsWith "S"', false],
    ['user.department -notStartsWith "S"', true],
    ['user.department -endsWith "S"', false],
    ['user.department -notEndsWith "S"', true],
    ['user.department -in ["Sales"]', false],
    ['user.department -notIn ["Sales"]', true],
    ['user.department -contains ""', false],
  ])('%s is %s', (rule, expected) => {
    for (const user of [{}, { department: null }, { department: '' }] as Attributes[]) {
      expect(entra(rule).evaluate(user)).toEqual({ result: expected, missing: ['department'] })
    }
  })

  it("doesn't report attributes the user has", () => {
    expect(
      entra('user.department -eq "HR" -or user.country -eq "US"').evaluate({ department: 'Sales', country: 'US' })
        .missing,
    ).toEqual([])
  })

  it('treats false, 0 and whitespace as values, not missing', () => {
    expect(entra('user.accountEnabled -eq false').evaluate({ accountEnabled: false })).toEqual({
      result: true,
      missing: [],
    })
    expect(entra('user.employeeId -eq 0').evaluate({ employeeId: 0 })).toEqual({ result: true, missing: [] })
    expect(entra('user.department -eq null').evaluate({ department: ' ' })).toEqual({ result: false, missing: [] })
  })

  it('reports each missing attribute once, in reading order', () => {
    const rule = entra('user.b -eq "x" -or user.a -eq "x" -or user.b -eq "y" -or user.c -ne null')
    expect(rule.evaluate({ c: 'set' })).toEqual({ result: true, missing: ['b', 'a'] })
  })

  it('reports only attributes actually read: -or stops at the first true clause', () => {
    const rule = entra('user.department -eq "Sales" -or user.country -eq "US"')
    expect(rule.evaluate({ department: 'Sales' })).toEqual({ result: true, missing: [] })
    expect(rule.evaluate({ department: 'HR' })).toEqual({ result: false, missing: ['country'] })
  })

  it('reports only attributes actually read: -and stops at the first false clause', () => {
    const rule = entra('user.department -eq "Sales" -and user.country -eq "US"')
    expect(rule.evaluate({ department: 'HR' })).toEqual({ result: false, missing: [] })
    expect(rule.evaluate({ department: 'Sales' })).toEqual({ result: false, missing: ['country'] })
    expect(rule.evaluate({})).toEqual({ result: false, missing: ['department'] })
  })

  it('short-circuits inside nested groups and under -not', () => {
    const rule = entra('-not (user.a -eq "x" -and user.b -eq "x") -or (user.c -eq "x" -and user.d -eq "x")')
    expect(rule.evaluate({ a: 'y' })).toEqual({ result: true, missing: [] })
    expect(rule.evaluate({ a: 'x', b: 'x', c: 'y' })).toEqual({ result: false, missing: [] })
    expect(rule.evaluate({ a: 'x' })).toEqual({ result: true, missing: ['b'] })
    expect(rule.evaluate({ a: 'x', b: 'x' })).toEqual({ result: false, missing: ['c'] })
    expect(rule.evaluate({ a: 'x', b: 'x', c: 'x' })).toEqual({ result: false, missing: ['d'] })
  })

  it('returns a fresh missing list each evaluation', () => {
    const rule = entra('user.a -eq "x"')
    const first = rule.evaluate({})
    first.missing.push('tampered')
    expect(rule.evaluate({}).missing).toEqual(['a'])
  })
})

describe('null', () => {
  it.each([
    [{ mail: 'ada@contoso.com' }, false],
    [{ mail: null }, true],
    [{ mail: '' }, true],
    [{ otherMails: [] }, true],
    [{ otherMails: ['a@b.c'] }, false],
    [{ mail: ' ' }, false],
  ] as [Attributes, boolean][])('-eq null on %j is %s, -ne null the opposite', (user, expected) => {
    const attribute = Object.keys(user)[0] as string
    expect(entra(`user.${attribute} -eq null`).evaluate(user).result).toBe(expected)
    expect(entra(`user.${attribute} -ne null`).evaluate(user).result).toBe(!expected)
    expect(entra(`user.${attribute} -eq NULL`).evaluate(user).result).toBe(expected)
  })

  it('-eq "" is the same test as -eq null, since "" is no value', () => {
    for (const user of [{}, { mail: null }, { mail: '' }, { mail: 'a@b.c' }] as Attributes[]) {
      expect(entra('user.mail -eq ""').evaluate(user)).toEqual(entra('user.mail -eq null').evaluate(user))
      expect(entra('user.mail -ne ""').evaluate(user)).toEqual(entra('user.mail -ne null').evaluate(user))
    }
    expect(entra('user.mail -ne ""').evaluate({ mail: 'a@b.c' }).result).toBe(true)
  })

  it('an empty list is a value the directory gave, so it is not missing', () => {
    expect(entra('user.otherMails -eq null').evaluate({ otherMails: [] })).toEqual({ result: true, missing: [] })
  })
})

describe('lists', () => {
  it.each([
    ['user.department -in ["Sales", "HR"]', { department: 'HR' }, true],
    ['user.department -in ["Sales", "HR"]', { department: 'Marketing' }, false],
    ['user.department -notIn ["Sales", "HR"]', { department: 'Marketing' }, true],
    ['user.department -notIn ["Sales", "HR"]', { department: 'HR' }, false],
    ["user.department -in ['Sales', 'HR']", { department: 'HR' }, true],
    ['user.department -in []', { department: 'HR' }, false],
    ['user.department -notIn []', { department: 'HR' }, true],
    ['user.employeeId -in [1001, 1002]', { employeeId: '1002' }, true],
    ['user.employeeId -in [1001, 1002]', { employeeId: 1002 }, true],
    ['user.employeeId -in [1001, 1002]', { employeeId: '1003' }, false],
    ['user.extensionAttribute1 -in [true, false]', { extensionAttribute1: 'TRUE' }, true],
    ['user.department -in [\n  "Sales",\n  "HR"\n]', { department: 'HR' }, true],
  ] as [string, Attributes, boolean][])('%s on %j is %s', (rule, user, expected) => {
    expect(entra(rule).evaluate(user).result).toBe(expected)
  })
})

describe('multi-value attributes (inferred: any item for positive operators, no item for negated ones)', () => {
  const user = { proxyAddresses: ['SMTP:ada@contoso.com', 'smtp:ada@fabrikam.com'] }
  it.each([
    ['user.proxyAddresses -eq "smtp:ada@fabrikam.com"', true],
    ['user.proxyAddresses -eq "smtp:ada@outlook.com"', false],
    ['user.proxyAddresses -ne "smtp:ada@fabrikam.com"', false],
    ['user.proxyAddresses -ne "smtp:ada@outlook.com"', true],
    ['user.proxyAddresses -contains "fabrikam"', true],
    ['user.proxyAddresses -notContains "fabrikam"', false],
    ['user.proxyAddresses -notContains "outlook"', true],
    ['user.proxyAddresses -startsWith "smtp:ada@f"', true],
    ['user.proxyAddresses -notStartsWith "x500:"', true],
    ['user.proxyAddresses -endsWith "contoso.com"', true],
    ['user.proxyAddresses -notEndsWith "contoso.com"', false],
    ['user.proxyAddresses -in ["SMTP:ada@contoso.com", "x"]', true],
    ['user.proxyAddresses -notIn ["SMTP:ada@contoso.com", "x"]', false],
    ['user.proxyAddresses -notIn ["x"]', true],
  ])('%s is %s', (rule, expected) => {
    expect(entra(rule).evaluate(user).result).toBe(expected)
  })
})

describe('literals', () => {
  it.each([
    ["user.department -eq 'O''Brien & Sons'", "O'Brien & Sons", true],
    ['user.department -eq "The `"A`" team"', 'The "A" team', true],
    ['user.department -eq "The \\"A\\" team"', 'The "A" team', true],
    ['user.department -eq "It\'s"', "It's", true],
    ['user.department -eq \'Say "hi"\'', 'Say "hi"', true],
    ['user.employeeId -eq 1001', '1001', true],
    ['user.employeeId -eq 007', '007', true],
    ['user.employeeId -eq 007', '7', false],
    ['user.employeeId -eq 12345678901234567890', '12345678901234567890', true],
    ['user.employeeId -eq -5', '-5', true],
    ['user.employeeId -eq 2.50', '2.50', true],
    ['user.department -eq true', 'True', true],
    ['user.department -eq ""', '', true],
  ])('%s matches %j: %s', (rule, department, expected) => {
    const attribute = rule.startsWith('user.employeeId') ? 'employeeId' : 'department'
    expect(entra(rule).evaluate({ [attribute]: department }).result).toBe(expected)
  })

  it('compares numbers and booleans on the user as text', () => {
    expect(entra('user.employeeId -eq "1001"').evaluate({ employeeId: 1001 }).result).toBe(true)
    expect(entra('user.accountEnabled -eq "TRUE"').evaluate({ accountEnabled: true }).result).toBe(true)
    expect(entra('user.accountEnabled -eq false').evaluate({ accountEnabled: true }).result).toBe(false)
  })
})
