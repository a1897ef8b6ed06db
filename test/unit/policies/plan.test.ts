import { describe, expect, it } from 'vitest'
import { desiredState as desiredOf, indexPolicies, planDevice } from '../../../src/main/policies'
import type { PayloadItem, Platform, Policy } from '../../../src/shared/domain'
import type { SentItem } from '../../../src/main/store'

const desiredState = (policies: Policy[], groups: Set<string>, platform: Platform) =>
  desiredOf(indexPolicies(policies), groups, platform)

const item = (
  id: string,
  kind: PayloadItem['kind'],
  identifier: string,
  extra: Partial<PayloadItem> = {},
): PayloadItem => ({
  id,
  kind,
  identifier,
  name: identifier,
  platform: null,
  settings: {},
  removeOnUnassign: false,
  ...extra,
})

const policy = (id: string, items: PayloadItem[], include: string[], extra: Partial<Policy> = {}): Policy => ({
  id,
  name: id,
  description: '',
  priority: 0,
  platforms: ['ios', 'android', 'macos'],
  items,
  targets: include.map(g => ({ groupId: g, groupName: g, mode: 'include' as const })),
  ...extra,
})

const crm = policy(
  'CRM',
  [item('crm-app', 'app', 'com.crm'), item('crm-limit', 'restriction', 'cellularLimit', { settings: { value: 5120 } })],
  ['Sales'],
)
const mkt = policy(
  'MKT',
  [item('mkt-app', 'app', 'com.mkt'), item('mkt-wifi', 'profile', 'wifi.mkt', { settings: { ssid: 'MKT' } })],
  ['Marketing'],
)
const flagged = policy('CRM', [item('crm-app', 'app', 'com.crm', { removeOnUnassign: true })], ['Sales'])

const plan = (policies: Policy[], groups: string[], sent: SentItem[], platform: Platform = 'ios') => {
  const items = new Map(policies.flatMap(p => p.items.map(i => [i.id, i] as const)))
  return planDevice(sent, desiredState(policies, new Set(groups), platform), {
    removeOnUnassign: id => items.get(id)?.removeOnUnassign ?? false,
    policyName: id => id,
  })
}

/** What a device holds after it was sent everything these policies give these groups. */
const sentFor = (policies: Policy[], groups: string[]): SentItem[] => plan(policies, groups, []).put

const types = (p: ReturnType<typeof plan>) =>
  p.commands.map(c => `${c.type} ${String(c.payload['identifier'] ?? '')}`.trim()).sort()

describe('planDevice', () => {
  const cases: {
    name: string
    policies: Policy[]
    before: string[]
    after: string[]
    platform?: Platform
    expected: string[]
  }[] = [
    {
      name: 'joining a group installs its apps and applies its restrictions',
      policies: [crm],
      before: [],
      after: ['Sales'],
      expected: ['apply_restrictions', 'install_app com.crm'],
    },
    {
      name: 'an unchanged device produces no commands',
      policies: [crm, mkt],
      before: ['Sales'],
      after: ['Sales'],
      expected: [],
    },
    {
      name: 'leaving a group keeps an app that is not flagged for removal',
      policies: [crm],
      before: ['Sales'],
      after: [],
      expected: ['apply_restrictions'],
    },
    {
      name: 'leaving a group removes an app flagged for removal',
      policies: [flagged],
      before: ['Sales'],
      after: [],
      expected: ['remove_app com.crm'],
    },
    {
      name: 'leaving a group removes its profiles',
      policies: [mkt],
      before: ['Marketing'],
      after: [],
      expected: ['remove_profile wifi.mkt'],
    },
    {
      name: 'a department move is one plan: withdraw Sales, deploy Marketing',
      policies: [crm, mkt],
      before: ['Sales'],
      after: ['Marketing'],
      expected: ['apply_restrictions', 'install_app com.mkt', 'install_profile wifi.mkt'],
    },
    {
      name: 'an item for another platform is not sent',
      policies: [policy('P', [item('a', 'app', 'com.android.only', { platform: 'android' })], ['G'])],
      before: [],
      after: ['G'],
      platform: 'ios',
      expected: [],
    },
    {
      name: 'a policy not for the platform is not sent',
      policies: [policy('P', [item('a', 'app', 'com.x')], ['G'], { platforms: ['android'] })],
      before: [],
      after: ['G'],
      platform: 'macos',
      expected: [],
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      expect(types(plan(c.policies, c.after, sentFor(c.policies, c.before), c.platform))).toEqual(c.expected)
    })
  }

  it('sends the full restriction set after a withdrawal', () => {
    const base = policy('Base', [item('pin', 'restriction', 'minPasscodeLength', { settings: { value: 6 } })], ['All'])
    const p = plan([crm, base], ['All'], sentFor([crm, base], ['All', 'Sales']))
    expect(p.commands).toEqual([
      expect.objectContaining({
        type: 'apply_restrictions',
        payload: { settings: { minPasscodeLength: 6 }, platform: 'ios' },
      }),
    ])
  })

  it('never installs an available app on an Apple device, but offers it to Android', () => {
    const offered = policy(
      'Offer',
      [item('crm-app', 'app', 'com.crm', { platform: null, settings: { intent: 'available' } })],
      ['Sales'],
    )
    expect(types(plan([offered], ['Sales'], [], 'ios'))).toEqual([])
    expect(plan([offered], ['Sales'], [], 'ios').put.map(s => s.key)).toEqual(['app:com.crm'])
    expect(types(plan([offered], ['Sales'], [], 'macos'))).toEqual([])
    expect(types(plan([offered], ['Sales'], [], 'android'))).toEqual(['install_app com.crm'])
  })

  it('installs an app once it turns from available to required', () => {
    const offered = policy('CRM', [item('crm-app', 'app', 'com.crm', { settings: { intent: 'available' } })], ['Sales'])
    const required = policy('CRM', [item('crm-app', 'app', 'com.crm', { settings: { intent: 'required' } })], ['Sales'])
    expect(types(plan([required], ['Sales'], sentFor([offered], ['Sales'])))).toEqual(['install_app com.crm'])
  })

  it('asks for removal with the MDM profile only for apps flagged for removal', () => {
    const install = (p: Policy) => plan([p], ['Sales'], []).commands.find(c => c.type === 'install_app')?.payload
    expect(install(flagged)).toMatchObject({ removeWithMdm: true, platform: 'ios' })
    expect(install(policy('CRM', [item('crm-app', 'app', 'com.crm')], ['Sales']))).not.toHaveProperty('removeWithMdm')
  })

  it("binds an app to the per-app VPN that lists it, and names the app's store id", () => {
    const vpn = policy(
      'VPN',
      [
        item('crm-app', 'app', 'com.crm'),
        item('vpn', 'profile', 'corp.vpn', {
          settings: { type: 'vpn', vpnType: 'IKEv2', server: 'v.example.com', perApp: true, apps: ['com.crm'] },
        }),
      ],
      ['Sales'],
    )
    const items = new Map(vpn.items.map(i => [i.id, i] as const))
    const p = planDevice([], desiredState([vpn], new Set(['Sales']), 'ios'), {
      removeOnUnassign: id => items.get(id)?.removeOnUnassign ?? false,
      policyName: id => id,
      appStoreId: (platform, identifier) => (platform === 'ios' && identifier === 'com.crm' ? 404 : null),
    })
    expect(p.commands.find(c => c.type === 'install_app')?.payload).toMatchObject({
      perAppVpn: 'corp.vpn',
      storeId: 404,
    })
  })

  it('re-sends a profile whose settings changed', () => {
    const changed = policy(
      'MKT',
      [item('mkt-wifi', 'profile', 'wifi.mkt', { settings: { ssid: 'MKT-5G' } })],
      ['Marketing'],
    )
    const p = plan([changed], ['Marketing'], sentFor([mkt], ['Marketing']))
    expect(types(p)).toEqual(['install_profile wifi.mkt'])
    expect(p.commands[0]?.payload['settings']).toEqual({ ssid: 'MKT-5G' })
  })
})

describe('desiredState', () => {
  it('lets the higher-priority policy own an item both carry, whatever their order', () => {
    const low = policy('Low', [item('l', 'restriction', 'allowCamera', { settings: { value: true } })], ['G'], {
      priority: 1,
    })
    const high = policy('High', [item('h', 'restriction', 'allowCamera', { settings: { value: false } })], ['G'], {
      priority: 5,
    })
    for (const order of [
      [low, high],
      [high, low],
    ]) {
      const d = desiredState(order, new Set(['G']), 'ios').items.get('restriction:allowCamera')
      expect(d?.policy.name).toBe('High')
      expect(d?.value).toBe(false)
    }
  })

  it('lets an exclude target win over an include target', () => {
    const p = policy('P', [item('a', 'app', 'com.x')], ['G'])
    p.targets.push({ groupId: 'VIP', groupName: 'VIP', mode: 'exclude' })
    expect(desiredState([p], new Set(['G', 'VIP']), 'ios').items.size).toBe(0)
    expect(desiredState([p], new Set(['G']), 'ios').items.size).toBe(1)
  })
})
