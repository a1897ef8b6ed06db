import { describe, expect, it } from 'vitest'
import {
  countMembershipRemovals,
  decideRemovalHold,
  DEFAULT_REMOVAL_LIMITS,
  heldMessage,
} from '../../../src/main/directories/removal-guard'
import type { SyncRemovals } from '../../../src/shared/domain'

const none: SyncRemovals = { usersRemoved: 0, usersTotal: 0, membershipsRemoved: 0, membershipsTotal: 0 }

describe('when a directory sync is held for removing too much (20% of memberships, 10% of users, from 20)', () => {
  const cases: { name: string; counts: Partial<SyncRemovals>; held: RegExp[] | false }[] = [
    { name: 'never on the first sync of an empty directory', counts: {}, held: false },
    {
      name: 'not for one user leaving, even from a directory of one',
      counts: { usersRemoved: 1, usersTotal: 1, membershipsRemoved: 1, membershipsTotal: 1 },
      held: false,
    },
    {
      name: 'not for one user leaving a directory of 20',
      counts: { usersRemoved: 1, usersTotal: 20, membershipsRemoved: 3, membershipsTotal: 60 },
      held: false,
    },
    {
      name: 'not on a directory too small for a share to mean much',
      counts: { usersRemoved: 5, usersTotal: 19, membershipsRemoved: 10, membershipsTotal: 19 },
      held: false,
    },
    {
      name: 'not at the user share',
      counts: { usersRemoved: 10, usersTotal: 100, membershipsRemoved: 10, membershipsTotal: 400 },
      held: false,
    },
    {
      name: 'above the user share',
      counts: { usersRemoved: 11, usersTotal: 100, membershipsRemoved: 11, membershipsTotal: 400 },
      held: [/11 of 100 users \(11%, above 10%\)/],
    },
    {
      name: 'at the size where shares start to count',
      counts: { usersRemoved: 3, usersTotal: 20, membershipsRemoved: 3, membershipsTotal: 60 },
      held: [/3 of 20 users/],
    },
    {
      name: 'not at the membership share',
      counts: { usersRemoved: 0, usersTotal: 100, membershipsRemoved: 80, membershipsTotal: 400 },
      held: false,
    },
    {
      name: 'above the membership share without any user leaving',
      counts: { usersRemoved: 0, usersTotal: 100, membershipsRemoved: 81, membershipsTotal: 400 },
      held: [/81 of 400 memberships \(20%, above 20%\)/],
    },
    {
      name: 'both shares, named both',
      counts: { usersRemoved: 50, usersTotal: 100, membershipsRemoved: 200, membershipsTotal: 400 },
      held: [/50 of 100 users/, /200 of 400 memberships/],
    },
    {
      name: 'everything, in a large directory',
      counts: { usersRemoved: 100_000, usersTotal: 100_000, membershipsRemoved: 500_000, membershipsTotal: 500_000 },
      held: [/100000 of 100000 users \(100%/, /500000 of 500000 memberships/],
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const d = decideRemovalHold({ ...none, ...c.counts }, DEFAULT_REMOVAL_LIMITS)
      if (c.held === false) expect(d).toEqual({ hold: false })
      else {
        expect(d.hold).toBe(true)
        const text = d.hold ? d.reasons.join(' and ') : ''
        for (const r of c.held) expect(text).toMatch(r)
        expect(d.hold && d.reasons).toHaveLength(c.held.length)
      }
    })
  }

  it('follows configured limits', () => {
    const counts = { usersRemoved: 5, usersTotal: 10, membershipsRemoved: 5, membershipsTotal: 10 }
    expect(decideRemovalHold(counts, DEFAULT_REMOVAL_LIMITS).hold).toBe(false)
    expect(decideRemovalHold(counts, { membershipShare: 0.2, userShare: 0.1, minimum: 10 }).hold).toBe(true)
    expect(decideRemovalHold(counts, { membershipShare: 0.5, userShare: 0.5, minimum: 10 }).hold).toBe(false)
  })

  it('says what would go, that nothing changed, and how to confirm', () => {
    const m = heldMessage('Contoso', ['11 of 100 users (11%, above 10%)'])
    expect(m).toContain('would remove 11 of 100 users')
    expect(m).toContain('Nothing was changed')
    expect(m).toContain('Confirm and apply')
    expect(m).toContain('jit-mapper sync --directory "Contoso" --confirm-removals')
  })
})

describe('counting the memberships a sync plan drops', () => {
  const reads = {
    membershipsOfUser: (id: string) => ({ u1: 3, u2: 2 })[id] ?? 0,
    membersOfGroup: (id: string) => ({ g1: ['u1', 'u3', 'u4'], g2: [] as string[] })[id] ?? [],
  }
  const cases: {
    name: string
    plan: { removeUserIds: string[]; removeGroupIds: string[]; dropMembers: unknown[] }
    expected: number
  }[] = [
    { name: 'nothing', plan: { removeUserIds: [], removeGroupIds: [], dropMembers: [] }, expected: 0 },
    {
      name: 'dropped synced memberships',
      plan: {
        removeUserIds: [],
        removeGroupIds: [],
        dropMembers: [
          ['g', 'u'],
          ['g', 'v'],
        ],
      },
      expected: 2,
    },
    {
      name: 'every membership of removed users',
      plan: { removeUserIds: ['u1', 'u2'], removeGroupIds: [], dropMembers: [] },
      expected: 5,
    },
    {
      name: 'members of removed groups, each membership once',
      plan: { removeUserIds: ['u1'], removeGroupIds: ['g1', 'g2'], dropMembers: [['g3', 'u5']] },
      expected: 3 + 2 + 1,
    },
  ]
  for (const c of cases) it(c.name, () => expect(countMembershipRemovals(c.plan, reads)).toBe(c.expected))
})
