import { describe, expect, it } from 'vitest'
import { desiredState, indexPolicies } from '../../../src/main/policies'
import type { Attributes, PayloadItem, Policy } from '../../../src/shared/domain'

const item = (
  id: string,
  kind: PayloadItem['kind'],
  identifier: string,
  settings: Record<string, unknown>,
): PayloadItem => ({
  id,
  kind,
  identifier,
  name: identifier,
  platform: null,
  settings,
  removeOnUnassign: false,
})
const policy = (name: string, priority: number, items: PayloadItem[]): Policy => ({
  id: name,
  name,
  description: '',
  priority,
  platforms: ['ios', 'android', 'macos'],
  items,
  targets: [{ groupId: 'G', groupName: 'G', mode: 'include' }],
})

const resolve = (policies: Policy[], key: string, platform: 'ios' | 'macos' = 'ios') => {
  // Whatever order the policies come in, the outcome is the same: never "last applied".
  const forward = desiredState(indexPolicies(policies), new Set(['G']), platform)
  const backward = desiredState(indexPolicies([...policies].reverse()), new Set(['G']), platform)
  expect(backward.items.get(key)?.value).toEqual(forward.items.get(key)?.value)
  return { desired: forward.items.get(key), conflict: forward.conflicts.find(c => c.key === key) }
}

describe('the conflict rule', () => {
  const restrictions: {
    name: string
    key: string
    values: [unknown, unknown]
    winner: unknown
    platform?: 'ios' | 'macos'
  }[] = [
    { name: 'camera allowed vs blocked → blocked', key: 'allowCamera', values: [true, false], winner: false },
    {
      name: 'FileVault off vs required → required',
      key: 'requireFileVault',
      values: [false, true],
      winner: true,
      platform: 'macos',
    },
    { name: 'auto-lock 5 vs 2 minutes → 2', key: 'maxInactivityMinutes', values: [5, 2], winner: 2 },
    { name: 'passcode length 6 vs 8 → 8', key: 'minPasscodeLength', values: [6, 8], winner: 8 },
    {
      name: 'complexity numeric vs complex → complex',
      key: 'passcodeComplexity',
      values: ['numeric', 'complex'],
      winner: 'complex',
    },
  ]
  for (const r of restrictions) {
    it(`restrictions: most restrictive wins, whatever the priority (${r.name})`, () => {
      // The lenient value comes from the higher-priority policy, so priority must not decide.
      const high = policy('High', 90, [item('h', 'restriction', r.key, { value: r.values[0] })])
      const low = policy('Low', 1, [item('l', 'restriction', r.key, { value: r.values[1] })])
      const { desired, conflict } = resolve([high, low], `restriction:${r.key}`, r.platform)
      expect(desired?.value).toEqual(r.winner)
      expect(desired?.policy.name).toBe('Low')
      expect(conflict).toMatchObject({
        rule: 'most-restrictive',
        winner: { policyName: 'Low' },
        losers: [{ policyName: 'High' }],
        tie: false,
      })
    })
  }

  it('apps: union, installed once; required beats available', () => {
    const a = policy('A', 50, [item('a', 'app', 'com.crm', { intent: 'available' })])
    const b = policy('B', 1, [
      item('b', 'app', 'com.crm', { intent: 'required' }),
      item('b2', 'app', 'com.mail', { intent: 'required' }),
    ])
    const { desired, conflict } = resolve([a, b], 'app:com.crm')
    expect(desired?.value).toEqual({ intent: 'required' })
    expect(desired?.contributors).toEqual(['B', 'A'])
    expect(conflict).toMatchObject({ rule: 'union', winner: { policyName: 'B' } })
    expect(resolve([a, b], 'app:com.mail').conflict).toBeUndefined()
  })

  it('Wi-Fi, VPN and email profiles with different identifiers: union, no conflict', () => {
    const a = policy('A', 1, [
      item('a', 'profile', 'wifi.office', { type: 'wifi', ssid: 'Office' }),
      item('v', 'profile', 'vpn.a', { type: 'vpn' }),
    ])
    const b = policy('B', 2, [
      item('b', 'profile', 'wifi.guest', { type: 'wifi', ssid: 'Guest' }),
      item('m', 'profile', 'mail', { type: 'email' }),
    ])
    const state = desiredState(indexPolicies([a, b]), new Set(['G']), 'ios')
    expect([...state.items.keys()].sort()).toEqual([
      'profile:mail',
      'profile:vpn.a',
      'profile:wifi.guest',
      'profile:wifi.office',
    ])
    expect(state.conflicts).toEqual([])
  })

  it('the same profile carrying the same settings from two policies is merged, not a conflict', () => {
    const a = policy('A', 1, [item('a', 'profile', 'wifi', { type: 'wifi', ssid: 'Office' })])
    const b = policy('B', 2, [item('b', 'profile', 'wifi', { type: 'wifi', ssid: 'Office' })])
    expect(resolve([a, b], 'profile:wifi').conflict).toBeUndefined()
  })

  it('single-value settings: the higher explicit priority wins', () => {
    const a = policy('A', 10, [item('a', 'profile', 'wifi', { type: 'wifi', ssid: 'Office' })])
    const b = policy('B', 20, [item('b', 'profile', 'wifi', { type: 'wifi', ssid: 'Office-5G' })])
    const { desired, conflict } = resolve([a, b], 'profile:wifi')
    expect(desired?.value).toMatchObject({ ssid: 'Office-5G' })
    expect(conflict).toMatchObject({
      rule: 'priority',
      winner: { policyName: 'B', priority: 20 },
      losers: [{ policyName: 'A' }],
      tie: false,
    })
  })

  it('single-value settings at equal priority: decided by name and flagged as a tie to fix', () => {
    const a = policy('Alpha', 5, [item('a', 'profile', 'wifi', { type: 'wifi', ssid: 'A' })])
    const b = policy('Beta', 5, [item('b', 'profile', 'wifi', { type: 'wifi', ssid: 'B' })])
    const { desired, conflict } = resolve([b, a], 'profile:wifi')
    expect(desired?.policy.name).toBe('Alpha')
    expect(conflict?.tie).toBe(true)
    expect(conflict?.reason).toContain('Give one of them a higher priority')
  })

  it('excluded policies and other platforms take no part', () => {
    const a = policy('A', 1, [item('a', 'restriction', 'allowCamera', { value: false })])
    a.targets.push({ groupId: 'VIP', groupName: 'VIP', mode: 'exclude' })
    const b = policy('B', 1, [item('b', 'restriction', 'allowCamera', { value: true })])
    expect(
      desiredState(indexPolicies([a, b]), new Set(['G', 'VIP']), 'ios').items.get('restriction:allowCamera')?.value,
    ).toBe(true)
    const mac = { ...a, id: 'Mac', name: 'Mac', platforms: ['macos' as const], targets: a.targets.slice(0, 1) }
    expect(desiredState(indexPolicies([mac, b]), new Set(['G']), 'ios').conflicts).toEqual([])
  })
})

describe('variables', () => {
  const mail = policy('Mail', 1, [
    item('m', 'profile', 'mail', {
      type: 'email',
      emailAddress: '{{user.mail}}',
      username: '{{ user.userPrincipalName }}',
    }),
  ])

  it("fills {{user.x}} from the device user's attributes", () => {
    const state = desiredState(indexPolicies([mail]), new Set(['G']), 'ios', () => ({
      mail: 'a@corp.example',
      userPrincipalName: 'a@example.test',
    }))
    expect(state.items.get('profile:mail')?.value).toEqual({
      type: 'email',
      emailAddress: 'a@corp.example',
      username: 'a@example.test',
    })
    expect(state.unresolved).toEqual([])
  })

  it('does not send a profile whose variable the user cannot fill, and names the attribute', () => {
    for (const attrs of [{}, { mail: '' }, { mail: null }] as Attributes[]) {
      const state = desiredState(indexPolicies([mail]), new Set(['G']), 'ios', () => ({
        ...attrs,
        userPrincipalName: 'a@example.test',
      }))
      expect(state.items.has('profile:mail')).toBe(false)
      expect(state.unresolved).toEqual([expect.objectContaining({ key: 'profile:mail', variables: ['mail'] })])
      expect(state.blocked.has('profile:mail')).toBe(true)
    }
  })
})
