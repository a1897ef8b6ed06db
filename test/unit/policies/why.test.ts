import { describe, expect, it } from 'vitest'
import { desiredState, indexPolicies } from '../../../src/main/policies'
import { explainPolicy } from '../../../src/main/policies/why'
import type { PayloadItem, Platform, Policy } from '../../../src/shared/domain'
import type { SentItem } from '../../../src/main/store'

const item = (id: string, identifier: string, value: unknown): PayloadItem => ({
  id,
  kind: 'restriction',
  identifier,
  name: identifier,
  platform: null,
  settings: { value },
  removeOnUnassign: false,
})
const policy = (
  name: string,
  items: PayloadItem[],
  targets: Policy['targets'],
  platforms: Platform[] = ['ios'],
): Policy => ({ id: name, name, description: '', priority: 1, platforms, items, targets })
const include = (g: string) => ({ groupId: g, groupName: g, mode: 'include' as const })
const exclude = (g: string) => ({ groupId: g, groupName: g, mode: 'exclude' as const })

const strict = policy('Strict', [item('s', 'allowCamera', false)], [include('All')])
const lenient = policy('Lenient', [item('l', 'allowCamera', true)], [include('Sales'), exclude('VIP')])
const macOnly = policy('Mac only', [item('m', 'allowCamera', false)], [include('Sales')], ['macos'])
const all = [strict, lenient, macOnly]

const why = (policyId: string, groups: string[], sent: SentItem[] = [], held = false) => {
  const g = new Set(groups)
  return explainPolicy({
    policyId,
    policy: all.find(p => p.id === policyId),
    groups: g,
    platform: 'ios',
    state: desiredState(indexPolicies(all), g, 'ios'),
    sent,
    chain: groupId => [{ step: 'membership', outcome: g.has(groupId) ? 'pass' : 'fail', text: groupId }],
    held,
  })
}

describe('explainPolicy', () => {
  const cases: {
    name: string
    policyId: string
    groups: string[]
    sent?: SentItem[]
    held?: boolean
    status: string
    summary: RegExp
    last: string
  }[] = [
    {
      name: 'assigned through an included group',
      policyId: 'Lenient',
      groups: ['All', 'Sales'],
      status: 'assigned',
      summary: /in Sales, which Lenient includes/,
      last: 'conflict',
    },
    {
      name: 'excluded: exclusion wins',
      policyId: 'Lenient',
      groups: ['Sales', 'VIP'],
      status: 'not-assigned',
      summary: /VIP, which Lenient excludes/,
      last: 'target',
    },
    {
      name: 'not for the device platform',
      policyId: 'Mac only',
      groups: ['Sales'],
      status: 'not-assigned',
      summary: /not for ios/,
      last: 'platform',
    },
    {
      name: 'in none of the included groups',
      policyId: 'Lenient',
      groups: ['All'],
      status: 'not-assigned',
      summary: /not in Sales/,
      last: 'target',
    },
    {
      name: 'withdrawn but its item still on the device',
      policyId: 'Lenient',
      groups: ['All'],
      sent: [
        {
          key: 'restriction:allowCamera',
          kind: 'restriction',
          identifier: 'allowCamera',
          name: 'allowCamera',
          value: true,
          policyId: 'Lenient',
          itemId: 'l',
        },
      ],
      status: 'withdrawn-kept',
      summary: /stay installed, unmanaged/,
      last: 'target',
    },
    {
      name: 'held by the circuit breaker',
      policyId: 'Lenient',
      groups: ['All', 'Sales'],
      held: true,
      status: 'held',
      summary: /in Sales/,
      last: 'conflict',
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const w = why(c.policyId, c.groups, c.sent, c.held)
      expect(w.status).toBe(c.status)
      expect(w.summary).toMatch(c.summary)
      expect(w.steps.at(-1)?.step).toBe(c.last)
    })
  }

  it('says which item lost its conflict and why', () => {
    const w = why('Lenient', ['All', 'Sales'])
    expect(w.items).toEqual([
      expect.objectContaining({
        key: 'restriction:allowCamera',
        outcome: 'lost-conflict',
        detail: expect.stringContaining('Most restrictive wins'),
      }),
    ])
    expect(why('Strict', ['All', 'Sales']).items[0]?.outcome).toBe('sent')
  })

  // The desired state decides whether a keep-only membership (unknown, or left within its grace
  // period) carries the policy on this device (policies/grace.ts); the explanation follows it.
  const withState = (policyId: string, groups: string[], stateGroups: string[]) => {
    const g = new Set(groups)
    return explainPolicy({
      policyId,
      policy: all.find(p => p.id === policyId),
      groups: g,
      platform: 'ios',
      state: desiredState(indexPolicies(all), new Set(stateGroups), 'ios'),
      sent: [],
      chain: groupId => [{ step: 'membership', outcome: 'pass', text: `Unknown in ${groupId}` }],
      held: false,
    })
  }

  it('an unknown membership that gives this device nothing is not an assignment', () => {
    const w = withState('Lenient', ['Sales'], [])
    expect(w.status).toBe('not-assigned')
    expect(w.summary).toMatch(/membership in Sales is unknown \(SYNC_ATTR_MISSING\)/)
  })

  it('a group the user left that the policy excludes does not hold back what the state grants', () => {
    const w = withState('Lenient', ['Sales', 'VIP'], ['Sales'])
    expect(w.status).toBe('assigned')
    expect(w.summary).toMatch(/in Sales, which Lenient includes/)
  })

  it('explains a deleted policy', () => {
    expect(why('Gone', ['All']).summary).toBe('The policy was deleted; its items were withdrawn.')
  })
})
