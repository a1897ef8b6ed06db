import { describe, expect, it } from 'vitest'
import { GROUP_IDS, ruleInputFrom } from '../../../src/main/rules'
import { entra, entraError } from './helpers'

const NOW = new Date('2026-03-10T12:00:00Z')

describe('-match and -notMatch: .NET regular expressions, unanchored, case-insensitive', () => {
  it.each([
    // groups-dynamic-membership.md: "^Da.*" is true for Da, Dav, David and false for aDa.
    ['user.displayName -match "^Da.*"', 'Da', true],
    ['user.displayName -match "^Da.*"', 'David', true],
    ['user.displayName -match "^Da.*"', 'aDa', false],
    ['user.displayName -match ".*vid"', 'David', true],
    ['user.displayName -match ".*vid"', 'Da', false],
    // groups-dynamic-rule-more-efficient.md: "ago" matches Lagos (unanchored).
    ['user.city -match "ago"', 'Lagos', true],
    ['user.city -match ".*?ago.*"', 'Lagos', true],
    ['user.city -match "ago"', 'LAGOS', true],
    ['user.city -match "ago"', 'Lisbon', false],
    ['(user.userPrincipalName -match ".*@domain.ext")', 'ada@domain.ext', true],
    ['(user.userPrincipalName -match "@domain.ext$")', 'ada@DOMAIN.EXT', true],
    ['(user.userPrincipalName -match "@domain.ext$")', 'ada@domain.ext.org', false],
    ['user.city -match "\\Alag"', 'Lagos', true],
    ['user.city -match "\\Alag"', 'Olag', false],
    ['user.city -match "(?i)LAG"', 'lagos', true],
    ['user.city -notMatch "ago"', 'Lagos', false],
    ['user.city -notMatch "ago"', 'Lisbon', true],
  ])('%s on %s is %s', (rule, value, expected) => {
    const attribute = rule.includes('displayName')
      ? 'displayName'
      : rule.includes('userPrincipalName')
        ? 'userPrincipalName'
        : 'city'
    expect(entra(rule).evaluate({ [attribute]: value }).result).toBe(expected)
  })

  it('-notMatch on a missing attribute is true and reports it', () => {
    expect(entra('user.city -notMatch "ago"').evaluate({})).toEqual({ result: true, missing: ['city'] })
  })

  it('rejects constructs JavaScript reads differently, at their position', () => {
    expect(entraError('user.city -match "a*+"')).toMatchObject({
      message: expect.stringMatching(/possessive/),
      column: 20,
    })
    expect(entraError('user.city -match "a\\Z"')).toMatchObject({ message: expect.stringMatching(/\\Z/) })
    expect(entraError('user.city -match "(?i:a)"')).toMatchObject({ message: expect.stringMatching(/inline option/) })
  })
})

describe('-le and -ge with dates and system.now', () => {
  const hired = (employeeHireDate: string | null) => ({ employeeHireDate })

  it.each([
    // groups-dynamic-membership.md: hire date on or after tomorrow / on or before 2020-06-10.
    ['user.employeehiredate -ge system.now -plus p1d', '2026-03-11T12:00:00Z', true],
    ['user.employeehiredate -ge system.now -plus p1d', '2026-03-11T11:59:59Z', false],
    ['user.employeehiredate -le 2020-06-10T18:13:20Z', '2020-06-10T18:13:20Z', true],
    ['user.employeehiredate -le 2020-06-10T18:13:20Z', '2020-06-10T18:13:21Z', false],
    ['user.employeeHireDate -ge system.now -minus p30d', '2026-02-09T12:00:00Z', true],
    ['user.employeeHireDate -ge system.now -minus p30d', '2026-02-08T11:00:00Z', false],
    ['user.employeeHireDate -le system.now', '2026-03-10T12:00:00Z', true],
    ['user.employeeHireDate -ge system.now -plus p1m', '2026-04-10T12:00:00Z', true],
    ['user.employeeHireDate -ge system.now -plus p1m', '2026-04-10T11:00:00Z', false],
    ['user.employeeHireDate -ge system.now -plus pt12h', '2026-03-11T00:00:00Z', true],
    ['user.employeeHireDate -ge "2020-01-01"', '2021-05-01T00:00:00Z', true],
    ['user.employeeHireDate -ge 2020-01-01', 'not a date', false],
  ])('%s with %s is %s', (rule, date, expected) => {
    expect(entra(rule).evaluate(hired(date), NOW).result).toBe(expected)
  })

  it('takes the evaluation time as a parameter, never the machine clock', () => {
    const rule = entra('user.employeeHireDate -le system.now')
    expect(rule.readsClock).toBe(true)
    expect(rule.evaluate(hired('2030-01-01T00:00:00Z'), new Date('2029-12-31T00:00:00Z')).result).toBe(false)
    expect(rule.evaluate(hired('2030-01-01T00:00:00Z'), new Date('2030-01-02T00:00:00Z')).result).toBe(true)
    expect(() => rule.evaluate(hired('2030-01-01T00:00:00Z'))).toThrow(/evaluation time/)
    expect(entra('user.city -eq "x"').readsClock).toBe(false)
  })

  it('a missing hire date is false either way and reported', () => {
    expect(entra('user.employeeHireDate -le system.now').evaluate(hired(null), NOW)).toEqual({
      result: false,
      missing: ['employeeHireDate'],
    })
    expect(entra('-not (user.employeeHireDate -le system.now)').evaluate({}, NOW)).toEqual({
      result: true,
      missing: ['employeeHireDate'],
    })
  })
})

describe('-any and -all over multi-value properties', () => {
  const EXO = 'efb87545-963c-4e0d-99df-69c6916d9eb0'
  const plans = (...items: object[]) => ({ assignedPlans: items })

  it.each([
    // groups-dynamic-membership.md: Exchange Online (Plan 2) enabled.
    [
      `user.assignedPlans -any (assignedPlan.servicePlanId -eq "${EXO}" -and assignedPlan.capabilityStatus -eq "Enabled")`,
      plans({ servicePlanId: EXO, capabilityStatus: 'Enabled' }),
      true,
    ],
    // Both conditions must hold on the same item.
    [
      `user.assignedPlans -any (assignedPlan.servicePlanId -eq "${EXO}" -and assignedPlan.capabilityStatus -eq "Enabled")`,
      plans({ servicePlanId: EXO, capabilityStatus: 'Deleted' }, { servicePlanId: 'x', capabilityStatus: 'Enabled' }),
      false,
    ],
    [
      'user.assignedPlans -any (assignedPlan.service -eq "SCO" -and assignedPlan.capabilityStatus -eq "Enabled")',
      plans({ service: 'sco', capabilityStatus: 'enabled' }),
      true,
    ],
    // "users who have no assigned service plan": -all on an empty collection is true.
    ['user.assignedPlans -all (assignedPlan.servicePlanId -eq null)', plans(), true],
    ['user.assignedPlans -all (assignedPlan.servicePlanId -eq null)', plans({ servicePlanId: EXO }), false],
    [
      '(user.proxyAddresses -any (_ -startsWith "contoso"))',
      { proxyAddresses: ['SMTP:a@b.com', 'contoso@x.com'] },
      true,
    ],
    ['(user.proxyAddresses -any (_ -startsWith "contoso"))', { proxyAddresses: ['SMTP:contoso@x.com'] }, false],
    ['user.otherMails -all (_ -endsWith "@contoso.com")', { otherMails: ['a@contoso.com', 'b@CONTOSO.com'] }, true],
    ['user.otherMails -all (_ -endsWith "@contoso.com")', { otherMails: ['a@contoso.com', 'b@fabrikam.com'] }, false],
  ])('%s on %j is %s', (rule, user, expected) => {
    expect(entra(rule).evaluate(user).result).toBe(expected)
  })

  it('-any on a missing collection is false and reports it; a missing field of an item is data, not a gap', () => {
    expect(entra('user.otherMails -any (_ -eq "x")').evaluate({})).toEqual({ result: false, missing: ['otherMails'] })
    expect(
      entra('user.assignedPlans -any (assignedPlan.service -eq "SCO")').evaluate(
        plans({ capabilityStatus: 'Enabled' }),
      ),
    ).toEqual({ result: false, missing: [] })
  })

  it('memberOf reads the group IDs the caller gives under the reserved key', () => {
    const rule = entra("user.memberof -any (group.objectId -in ['g1', 'g2'])")
    expect(rule.evaluate({ [GROUP_IDS]: ['g0', 'G2'] }).result).toBe(true)
    expect(rule.evaluate({ [GROUP_IDS]: ['g3'] }).result).toBe(false)
    expect(rule.evaluate({})).toEqual({ result: false, missing: [GROUP_IDS] })
  })
})

describe('extension attributes', () => {
  it('reads extensionAttribute1–15 from a Graph user via onPremisesExtensionAttributes', () => {
    const graph = {
      id: 'u1',
      onPremisesExtensionAttributes: { extensionAttribute15: 'Marketing', extensionAttribute1: null },
    }
    const input = ruleInputFrom('entra', graph)
    expect(entra('(user.extensionAttribute15 -eq "Marketing")').evaluate(input).result).toBe(true)
    expect(entra('user.extensionattribute1 -eq null').evaluate(input)).toEqual({
      result: true,
      missing: ['extensionAttribute1'],
    })
  })

  it('reads a custom extension extension_<appId>_<name> by its full name', () => {
    const rule = entra('user.extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber -eq "123"')
    expect(rule.attributes).toEqual(['extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber'])
    expect(rule.evaluate({ extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber: '123' }).result).toBe(true)
  })

  it('turns an expanded Graph memberOf into group IDs', () => {
    const input = ruleInputFrom('entra', { memberOf: [{ '@odata.type': '#microsoft.graph.group', id: 'g1' }] })
    expect(input[GROUP_IDS]).toEqual(['g1'])
  })
})
