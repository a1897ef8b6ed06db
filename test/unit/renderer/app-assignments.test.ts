import { describe, expect, it } from 'vitest'
import type { PayloadItem, Policy } from '../../../src/shared/domain'
import { assignmentsByApp } from '../../../src/renderer/components/app-assignments'

const app = (identifier: string, platform: PayloadItem['platform'], intent?: string, remove = false): PayloadItem => ({
  id: `${identifier}-${platform}`,
  kind: 'app',
  identifier,
  name: identifier,
  platform,
  settings: intent ? { intent } : {},
  removeOnUnassign: remove,
})

const policy = (name: string, platforms: Policy['platforms'], items: PayloadItem[]): Policy => ({
  id: name,
  name,
  description: '',
  priority: 0,
  platforms,
  items,
  targets: [],
})

describe("the Apps page's assignments", () => {
  const map = assignmentsByApp([
    policy('Sales CRM', ['ios', 'android'], [app('com.salesforce.chatter', 'ios', 'required', true)]),
    policy('Self service', ['ios', 'macos'], [app('com.salesforce.chatter', null, 'available')]),
    policy('Baseline', ['ios'], [{ ...app('allowCamera', null), kind: 'restriction' }]),
  ])

  it('lists every policy that assigns an app on its platform, with intent and removal', () => {
    expect(map.get('ios|com.salesforce.chatter')).toEqual([
      { policyName: 'Sales CRM', intent: 'required', removeOnUnassign: true },
      { policyName: 'Self service', intent: 'available', removeOnUnassign: false },
    ])
  })

  it("counts an item for all platforms on each of its policy's platforms, and only those", () => {
    expect(map.get('macos|com.salesforce.chatter')).toEqual([
      { policyName: 'Self service', intent: 'available', removeOnUnassign: false },
    ])
    expect(map.has('android|com.salesforce.chatter')).toBe(false)
  })

  it('reads a missing intent as required, and ignores payloads that are not apps', () => {
    expect(assignmentsByApp([policy('P', ['ios'], [app('a.b', 'ios')])]).get('ios|a.b')?.[0]?.intent).toBe('required')
    expect(map.has('ios|allowCamera')).toBe(false)
  })
})
