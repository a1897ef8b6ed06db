// The reference model says what the documented rules say (issue #13); these pin it, so a change
// to the model that bends a rule is caught here and not mistaken for a product defect.
import { describe, expect, it } from 'vitest'
import { Model, type ModelUser } from './model'

const user = (key: string, department: string | null, jobTitle = 'Analyst', groups: string[] = []): ModelUser => ({
  key,
  directory: key.startsWith('e') ? 'entra' : 'file',
  upn: `${key}@sim.test`,
  attributes: { department, jobTitle, accountEnabled: true },
  groups: new Set(groups),
})

/** A model with these Entra users synced once. */
function world(...users: ModelUser[]): Model {
  const m = new Model()
  for (const u of users) if (u.directory === 'entra') m.idp.set(u.key, u)
  m.sync()
  m.importFile(
    users.filter(u => u.directory === 'file'),
    'replace',
  )
  return m
}

const keys = (m: Model, serial: string) => [...(m.devices.get(serial)?.desired.keys() ?? [])].sort()
const SALES_IOS = ['app:ios:com.sim.crm', 'restriction:allowCamera']

describe('the reference model', () => {
  it('grants the policies of the user’s groups on the device’s platform', () => {
    const m = world(user('e0', 'Sales'))
    m.enroll('SIM-0', 'ios', 'e0')
    expect(keys(m, 'SIM-0')).toEqual(SALES_IOS)
  })

  it('keeps a leaver’s items until the next sync, which withdraws them in its own run', () => {
    const m = world(user('e0', 'Sales'))
    m.enroll('SIM-0', 'ios', 'e0')
    ;(m.idp.get('e0') as ModelUser).attributes.department = 'Finance'
    m.sync()
    expect(keys(m, 'SIM-0')).toEqual(SALES_IOS)
    expect(m.standing('SIM-0', 'salesKit')).toBe('kept')
    m.sync()
    expect(keys(m, 'SIM-0')).toEqual([])
    // The flagged CRM app goes; the model expects its removal.
    expect(m.devices.get('SIM-0')?.appFate.get('app:ios:com.sim.crm')).toBe('remove')
  })

  it('cancels the withdrawal when the user comes back before the confirming sync', () => {
    const m = world(user('e0', 'Sales'))
    m.enroll('SIM-0', 'ios', 'e0')
    const e0 = m.idp.get('e0') as ModelUser
    e0.attributes.department = 'Finance'
    m.sync()
    e0.attributes.department = 'Sales'
    m.sync()
    m.sync()
    expect(keys(m, 'SIM-0')).toEqual(SALES_IOS)
  })

  it('gives a device enrolled after the user left nothing from the group left', () => {
    const m = world(user('e0', 'Sales'))
    m.enroll('SIM-0', 'ios', 'e0')
    ;(m.idp.get('e0') as ModelUser).attributes.department = 'Finance'
    m.sync()
    m.enroll('SIM-3', 'ios', 'e0')
    expect(keys(m, 'SIM-3')).toEqual([])
    expect(m.absent.get('SIM-3')?.get('app:ios:com.sim.crm')).toBe('new-device-got-left-items')
    expect(keys(m, 'SIM-0')).toEqual(SALES_IOS)
  })

  it('keeps what a device had while the membership is unknown, and gives a new device nothing from it', () => {
    const m = world(user('e0', 'Sales'))
    m.enroll('SIM-0', 'ios', 'e0')
    ;(m.idp.get('e0') as ModelUser).attributes.department = null
    m.sync()
    m.sync()
    expect(keys(m, 'SIM-0')).toEqual(SALES_IOS)
    expect(m.devices.get('SIM-0')?.desired.get('restriction:allowCamera')?.because).toBe('unknown')
    m.enroll('SIM-3', 'ios', 'e0')
    expect(keys(m, 'SIM-3')).toEqual([])
    expect(m.absent.get('SIM-3')?.get('restriction:allowCamera')).toBe('nothing-new-from-unknown')
  })

  it('keeps nothing through an unknown membership of a group the user was never in', () => {
    const m = world(user('e0', 'Finance', 'Analyst', ['team1']))
    m.editPolicy('teamChat', p => {
      p.targets['marketing'] = 'include'
    })
    m.enroll('SIM-0', 'ios', 'e0')
    const e0 = m.idp.get('e0') as ModelUser
    e0.attributes.department = null
    e0.groups.delete('team1')
    m.sync()
    m.sync()
    expect(m.membership('e0', 'marketing')).toBe('unknown')
    expect(keys(m, 'SIM-0')).toEqual([])
  })

  it('lets an unflagged app stay when its policy leaves, and withdraws an admin edit at once', () => {
    const m = world(user('e0', 'Marketing'))
    m.enroll('SIM-0', 'ios', 'e0')
    expect(keys(m, 'SIM-0')).toEqual(['app:ios:com.sim.design', 'profile:com.sim.wifi.marketing'])
    m.editPolicy('marketingKit', p => {
      delete p.targets['marketing']
    })
    expect(keys(m, 'SIM-0')).toEqual([])
    expect(m.devices.get('SIM-0')?.appFate.get('app:ios:com.sim.design')).toBe('keep')
  })

  it('keeps rule groups to their own directory', () => {
    const m = world(user('f0', 'Sales'))
    m.enroll('SIM-0', 'ios', 'f0')
    expect(m.membership('f0', 'sales')).toBe('out')
    expect(keys(m, 'SIM-0')).toEqual([])
    expect(m.absent.get('SIM-0')?.get('restriction:allowCamera')).toBe('rule-group-scope')
  })

  it('withdraws everything from the devices of a user the directory removed, at once (no grace)', () => {
    const m = world(user('e0', 'Sales'), user('f0', 'Marketing', 'Analyst', ['field']))
    m.enroll('SIM-0', 'ios', 'e0')
    m.enroll('SIM-3', 'ios', 'f0')
    m.idp.delete('e0')
    m.sync()
    expect(keys(m, 'SIM-0')).toEqual([])
    expect(m.standing('SIM-0', 'salesKit')).toBe('none')
    expect(m.devices.get('SIM-0')?.appFate.get('app:ios:com.sim.crm')).toBe('remove')
    m.importFile([], 'replace')
    expect(keys(m, 'SIM-3')).toEqual([])
    expect(m.enroll('SIM-0', 'ios', 'e0')).toBe(false)
  })

  it('follows a JIT read on the user’s other devices at once', () => {
    const m = world(user('e0', 'Finance'))
    m.enroll('SIM-0', 'ios', 'e0')
    ;(m.idp.get('e0') as ModelUser).attributes.department = 'Sales'
    m.enroll('SIM-3', 'ios', 'e0')
    expect(keys(m, 'SIM-0')).toEqual(SALES_IOS)
    expect(m.jitFollowers.has('SIM-0')).toBe(true)
  })
})
