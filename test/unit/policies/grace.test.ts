import { describe, expect, it } from 'vitest'
import { desiredState, indexPolicies } from '../../../src/main/policies'
import { graceState } from '../../../src/main/policies/grace'
import type { SentItem } from '../../../src/main/store'
import type { PayloadItem, Policy } from '../../../src/shared/domain'

const profile = (id: string, identifier: string): PayloadItem => ({
  id,
  kind: 'profile',
  identifier,
  name: identifier,
  platform: null,
  settings: { type: 'wifi', ssid: identifier, security: 'none' },
  removeOnUnassign: false,
})
const target = (g: string, mode: 'include' | 'exclude') => ({ groupId: g, groupName: g, mode })
const policy = (name: string, item: PayloadItem, targets: Policy['targets']): Policy => ({
  id: name,
  name,
  description: '',
  priority: 1,
  platforms: ['ios'],
  items: [item],
  targets,
})

// Sales Kit: include Sales. Marketing Kit: include Marketing, exclude Team 2.
const salesWifi = profile('s', 'wifi.sales')
const marketingWifi = profile('m', 'wifi.marketing')
const index = indexPolicies([
  policy('Sales Kit', salesWifi, [target('Sales', 'include')]),
  policy('Marketing Kit', marketingWifi, [target('Marketing', 'include'), target('Team 2', 'exclude')]),
])
const sent = (item: PayloadItem, policyId: string): SentItem => ({
  key: `profile:${item.identifier}`,
  kind: 'profile',
  identifier: item.identifier,
  name: item.name,
  value: item.settings,
  policyId,
  itemId: item.id,
})
const SALES = sent(salesWifi, 'Sales Kit')
const MARKETING = sent(marketingWifi, 'Marketing Kit')

/** The item keys a device gets: `groups` are its user's effective groups, keep-only ones included. */
function keys(c: { groups: string[]; grace?: string[]; unknown?: string[]; sent?: SentItem[]; fresh?: boolean }) {
  const groups = new Set(c.groups)
  const state = graceState(
    {
      index,
      platform: 'ios',
      groups,
      keep: { grace: new Set(c.grace ?? []), unknown: new Set(c.unknown ?? []) },
      withGrace: desiredState(index, groups, 'ios'),
      sent: c.sent ?? [],
      fresh: c.fresh,
    },
    () => ({}),
  )
  return [...state.items.keys()].sort()
}

describe('graceState: keep-only memberships keep what a device has and grant nothing new', () => {
  const cases: { name: string; c: Parameters<typeof keys>[0]; want: string[] }[] = [
    { name: 'a firm membership grants', c: { groups: ['Sales'] }, want: ['profile:wifi.sales'] },
    {
      name: 'an unknown membership keeps what the device has',
      c: { groups: ['Sales'], unknown: ['Sales'], sent: [SALES] },
      want: ['profile:wifi.sales'],
    },
    {
      name: 'an unknown membership gives a device that never had it nothing',
      c: { groups: ['Sales'], unknown: ['Sales'] },
      want: [],
    },
    {
      name: 'a group left within its grace period keeps what the device has',
      c: { groups: ['Sales'], grace: ['Sales'], sent: [SALES] },
      want: ['profile:wifi.sales'],
    },
    {
      name: 'a new device gets nothing from a group its user left within the grace period',
      c: { groups: ['Sales'], grace: ['Sales'] },
      want: [],
    },
    {
      name: 'an enrollment (fresh) gets exactly the firm state, whatever the device was sent before',
      c: {
        groups: ['Sales', 'Marketing'],
        grace: ['Sales'],
        unknown: ['Marketing'],
        sent: [SALES, MARKETING],
        fresh: true,
      },
      want: [],
    },
    {
      name: 'leaving an excluded group grants at once',
      c: { groups: ['Marketing', 'Team 2'], grace: ['Team 2'] },
      want: ['profile:wifi.marketing'],
    },
    {
      name: 'an unknown membership of an excluded group grants nothing new',
      c: { groups: ['Marketing', 'Team 2'], unknown: ['Team 2'] },
      want: [],
    },
    {
      name: 'an unknown membership of an excluded group takes nothing away',
      c: { groups: ['Marketing', 'Team 2'], unknown: ['Team 2'], sent: [MARKETING] },
      want: ['profile:wifi.marketing'],
    },
  ]
  it.each(cases)('$name', ({ c, want }) => {
    expect(keys(c)).toEqual(want)
  })
})
