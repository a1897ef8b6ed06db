import { describe, expect, it } from 'vitest'
import { GROUP_IDS, GROUP_NAMES, INTERNAL_ID, INTERNAL_STATUS, ruleInputFrom } from '../../../src/main/rules'

describe('ruleInputFrom', () => {
  it.each(['entra', 'okta', 'google'] as const)(
    'reads anything that is not an object as a user with nothing (%s)',
    dialect => {
      for (const value of [null, undefined, 42, 'x', [1, 2]]) expect(ruleInputFrom(dialect, value)).toEqual({})
    },
  )

  it('keeps a Graph user as is, with extension attributes and memberOf flattened', () => {
    expect(
      ruleInputFrom('entra', {
        id: 'u',
        department: 'Sales',
        onPremisesExtensionAttributes: { extensionAttribute3: 'x' },
        memberOf: [{ id: 'g1' }, { displayName: 'no id' }],
      }),
    ).toEqual({
      id: 'u',
      department: 'Sales',
      extensionAttribute3: 'x',
      [GROUP_IDS]: ['g1'],
    })
  })

  it('reads an Okta user: the profile, id and status, and groups only when given', () => {
    expect(ruleInputFrom('okta', { id: '00u1', status: 'ACTIVE', profile: { login: 'a@x.com' } })).toEqual({
      login: 'a@x.com',
      [INTERNAL_ID]: '00u1',
      [INTERNAL_STATUS]: 'ACTIVE',
    })
    expect(
      ruleInputFrom('okta', { profile: {}, groups: [{ id: '00g1', profile: { name: 'Sales' } }, 'Everyone', 7] }),
    ).toEqual({ [GROUP_NAMES]: ['Sales', 'Everyone'], [GROUP_IDS]: ['00g1'] })
  })

  it('keeps custom schema names as written and leaves undocumented enum names as text', () => {
    expect(
      ruleInputFrom('google', {
        customSchemas: { HR_Data: { costCenter: 'CC1' } },
        phones: [{ type: 'work', value: '1' }],
        relations: [{ type: 'assistant', value: 'b' }],
      }),
    ).toEqual({
      custom_schemas: { HR_Data: { costCenter: 'CC1' } },
      phones: [{ type: 'work', value: '1' }],
      relations: [{ type: 'assistant', value: 'b' }],
    })
  })
})
