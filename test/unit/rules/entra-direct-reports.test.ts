// Entra's `Direct Reports for "<manager object id>"` (groups-dynamic-membership.md, "Create a
// Direct reports rule"): members are the users whose manager is that object, direct reports only;
// the rule can't be combined with any other.

import { describe, expect, it } from 'vitest'
import { MANAGER, MANAGER_ID, printRule, ruleInputFrom } from '../../../src/main/rules'
import { entra, entraError } from './helpers'

const BOSS = '62e19b97-8b3d-4d4a-a106-4ce66896a863'
const OTHER = '7a1c0000-1111-4222-8333-444455556666'
const RULE = `Direct Reports for "${BOSS}"`

describe('Direct Reports for "<manager object id>"', () => {
  it.each([
    ['a direct report', { [MANAGER_ID]: [BOSS] }, { result: true, missing: [] }],
    ['a report of another manager', { [MANAGER_ID]: [OTHER] }, { result: false, missing: [] }],
    // Object ids are GUIDs: case doesn't tell two apart.
    ['the id in upper case', { [MANAGER_ID]: [BOSS.toUpperCase()] }, { result: true, missing: [] }],
    // The directory said there is no manager: out, and nothing is missing.
    ['a user without a manager', { [MANAGER_ID]: [] }, { result: false, missing: [] }],
    // The manager wasn't synced: unknown (SYNC_ATTR_MISSING), never silently out.
    ['a user whose manager was not synced', { department: 'Sales' }, { result: false, missing: [MANAGER_ID] }],
    // Only direct reports: the manager's manager isn't read.
    ['the manager themself', { id: BOSS, [MANAGER_ID]: [OTHER] }, { result: false, missing: [] }],
  ])('%s', (_name, user, expected) => {
    const rule = entra(RULE)
    expect(rule.evaluate(user)).toEqual(expected)
    expect(rule.explain(user)).toMatchObject(expected)
    expect(rule.attributes).toEqual([MANAGER_ID])
  })

  it('reads the words case-insensitively, like operators, and single quotes too', () => {
    for (const text of [
      `direct reports for "${BOSS}"`,
      `DIRECT REPORTS FOR '${BOSS}'`,
      `  Direct  Reports\tfor "${BOSS}"  `,
    ])
      expect(entra(text).evaluate({ [MANAGER_ID]: [BOSS] }).result).toBe(true)
  })

  it('prints back as written and parses to the same rule', () => {
    const printed = printRule('entra', entra(RULE).parsed.root)
    expect(printed).toBe(RULE)
    expect(entra(printed).parsed.root).toEqual(entra(RULE).parsed.root)
  })

  it('says whose reports the user is, naming the manager when the directory gave the name', () => {
    const rule = entra(RULE)
    const named = { [MANAGER_ID]: [BOSS], [MANAGER]: 'Ada Lovelace <ada@contoso.com>' }
    expect(rule.explain(named).hints).toEqual([
      `The user reports to Ada Lovelace <ada@contoso.com>, object id ${BOSS}: they are one of that manager's direct reports.`,
    ])
    expect(rule.explain({ [MANAGER_ID]: [OTHER] }).hints).toEqual([
      `The user reports to ${OTHER}, not to ${BOSS}: only ${BOSS}'s direct reports are members.`,
    ])
    expect(rule.explain({ [MANAGER_ID]: [] }).hints[0]).toMatch(/has no manager in the directory/)
    expect(rule.explain({}).hints[0]).toMatch(/manager isn't known.*full sync/)
    const clause = rule.explain(named).root
    expect(clause).toMatchObject({ text: RULE, attribute: MANAGER_ID, actual: [BOSS], expected: BOSS, result: true })
  })

  it("reads Graph's expanded manager in the CLI's users: the id, the name, and null as no manager", () => {
    const rule = entra(RULE)
    const graphUser = {
      id: 'u1',
      manager: { '@odata.type': '#microsoft.graph.user', id: BOSS, displayName: 'Ada', userPrincipalName: 'ada@x' },
    }
    expect(ruleInputFrom('entra', graphUser)).toMatchObject({ [MANAGER_ID]: [BOSS], [MANAGER]: 'Ada <ada@x>' })
    expect(rule.evaluate(ruleInputFrom('entra', graphUser)).result).toBe(true)
    expect(rule.evaluate(ruleInputFrom('entra', { id: 'u2', manager: null }))).toEqual({ result: false, missing: [] })
    expect(rule.evaluate(ruleInputFrom('entra', { id: 'u3' }))).toEqual({ result: false, missing: [MANAGER_ID] })
  })

  it.each([
    // "This rule can't be combined with any other membership rules."
    [`${RULE} -and user.country -eq "US"`, "can't be combined with other conditions", 59],
    [`${RULE} -or ${RULE}`, "can't be combined with other conditions", 59],
    [`user.country -eq "US" -or ${RULE}`, 'must be the whole rule', 27],
    [`(${RULE})`, 'must be the whole rule', 2],
    [`-not ${RULE}`, 'must be the whole rule', 6],
    // The manager is named by object id.
    ['Direct Reports for "ada@contoso.com"', "isn't an object id", 20],
    ['Direct Reports for "{objectID_of_manager}"', "isn't an object id", 20],
    [`Direct Reports for ${BOSS}`, "Expected the manager's object id in quotes", 20],
    ['Direct Reports for', "Expected the manager's object id in quotes", 19],
    [`Direct Report for "${BOSS}"`, 'Expected "Reports"', 8],
    [`Direct Reports of "${BOSS}"`, 'Expected "for"', 16],
  ])('%s fails: %s (column %i)', (text, message, column) => {
    const error = entraError(text)
    expect(error.message).toContain(message)
    expect(error.column).toBe(column)
  })
})
