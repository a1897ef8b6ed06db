import { describe, expect, it } from 'vitest'
import { decideMembership } from '../../../src/main/groups'
import { newMembership } from '../../../src/main/groups/decide'

describe('decideMembership', () => {
  const cases = [
    {
      name: 'a true rule puts the user in',
      outcome: { result: true, missing: [] },
      previous: undefined,
      expected: { state: 'in', effective: true, missing: [] },
    },
    {
      name: 'a true rule stays in even when it read a missing attribute',
      outcome: { result: true, missing: ['mail'] },
      previous: undefined,
      expected: { state: 'in', effective: true, missing: ['mail'] },
    },
    {
      name: 'a false rule with complete data puts the user out',
      outcome: { result: false, missing: [] },
      previous: { effective: true },
      expected: null,
    },
    {
      name: 'a false rule on missing data keeps a member effective',
      outcome: { result: false, missing: ['department'] },
      previous: { effective: true },
      expected: { state: 'unknown', effective: true, missing: ['department'] },
    },
    {
      name: 'a false rule on missing data does not grant a non-member',
      outcome: { result: false, missing: ['department'] },
      previous: undefined,
      expected: { state: 'unknown', effective: false, missing: ['department'] },
    },
    {
      name: 'an unknown stays as effective as it was',
      outcome: { result: false, missing: ['department'] },
      previous: { effective: false },
      expected: { state: 'unknown', effective: false, missing: ['department'] },
    },
  ] as const

  for (const c of cases) {
    it(c.name, () => {
      const decided = decideMembership('g1', { result: c.outcome.result, missing: [...c.outcome.missing] }, c.previous)
      expect(decided).toEqual(c.expected === null ? null : { groupId: 'g1', ...c.expected })
    })
  }
})

describe('newMembership', () => {
  // A new user has no previous membership: each outcome decides as decideMembership does with none.
  const outcomes = [
    { result: true, missing: [] },
    { result: true, missing: ['mail'] },
    { result: false, missing: [] },
    { result: false, missing: ['department', 'city'] },
  ]
  for (const outcome of outcomes) {
    it(`decides ${JSON.stringify(outcome)} as decideMembership does for a user without memberships`, () => {
      const decided = decideMembership('g1', outcome, undefined)
      expect(newMembership('g1', outcome, '2026-12-07T00:00:00.000Z')).toEqual(
        decided === null ? null : { ...decided, updatedAt: '2026-12-07T00:00:00.000Z' },
      )
    })
  }
})
