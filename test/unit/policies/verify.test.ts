import { describe, expect, it } from 'vitest'
import { profileIdentifier, RESTRICTIONS_PROFILE } from '../../../src/main/policies/apple/profile'
import { unverified, verificationQueries } from '../../../src/main/policies/verify'
import type { Command, CommandState, CommandType, DeviceFacts } from '../../../src/shared/domain'

let seq = 0
const cmd = (
  type: CommandType,
  payload: Record<string, unknown> = {},
  o: { state?: CommandState; at?: string; channel?: string | null } = {},
): Command => {
  seq++
  const state = o.state ?? 'acknowledged'
  return {
    id: `c${seq}`,
    deviceId: 'd1',
    seq,
    type,
    payload: { platform: 'ios', ...payload },
    state,
    reason: { policyId: 'p1', policyName: 'Sales', groupId: null, groupName: null, summary: '' },
    createdAt: '2026-01-01T00:00:00.000Z',
    pushedAt: null,
    acknowledgedAt: state === 'acknowledged' ? (o.at ?? '2026-01-01T00:01:00.000Z') : null,
    deadlineAt: '2026-01-02T00:00:00.000Z',
    error: null,
    sentAt: null,
    finishedAt: null,
    attempts: 1,
    nextAttemptAt: null,
    channel: o.channel ?? null,
  }
}

const REPORTED = '2026-01-01T00:02:00.000Z'
const facts = (
  apps: string[] | null,
  profiles: string[] | null,
): Pick<DeviceFacts, 'apps' | 'appsAt' | 'profiles' | 'profilesAt'> => ({
  apps: apps?.map(identifier => ({ identifier, name: null, version: null })) ?? null,
  appsAt: apps ? REPORTED : null,
  profiles: profiles?.map(identifier => ({ identifier, name: null, uuid: null })) ?? null,
  profilesAt: profiles ? REPORTED : null,
})

const app = { identifier: 'com.example.crm', name: 'CRM' }
const wifi = { identifier: 'com.example.wifi', name: 'Wi-Fi' }
const appsQuery = () => cmd('installed_application_list')
const profilesQuery = () => cmd('profile_list')

type Row = [string, () => Command[], ReturnType<typeof facts> | null, [string, 'present' | 'absent'][]]

const rows: Row[] = [
  ['an installed app the list shows', () => [cmd('install_app', app), appsQuery()], facts(['com.example.crm'], []), []],
  [
    'an installed app the list lacks',
    () => [cmd('install_app', app), appsQuery()],
    facts([], []),
    [['com.example.crm', 'present']],
  ],
  [
    'a removed app still listed',
    () => [cmd('install_app', app), cmd('remove_app', app), appsQuery()],
    facts(['com.example.crm'], []),
    [['com.example.crm', 'absent']],
  ],
  ['a removed app gone', () => [cmd('install_app', app), cmd('remove_app', app), appsQuery()], facts([], []), []],
  [
    'a profile the list lacks',
    () => [cmd('install_profile', wifi), profilesQuery()],
    facts([], []),
    [[profileIdentifier('com.example.wifi'), 'present']],
  ],
  [
    'a profile the list shows',
    () => [cmd('install_profile', wifi), profilesQuery()],
    facts([], [profileIdentifier('com.example.wifi')]),
    [],
  ],
  [
    'a removed profile still listed',
    () => [cmd('remove_profile', wifi), profilesQuery()],
    facts([], [profileIdentifier('com.example.wifi')]),
    [[profileIdentifier('com.example.wifi'), 'absent']],
  ],
  [
    'restrictions the list lacks',
    () => [cmd('apply_restrictions', { settings: { allowCamera: false } }), profilesQuery()],
    facts([], []),
    [[RESTRICTIONS_PROFILE, 'present']],
  ],
  [
    'restrictions withdrawn but still listed',
    () => [cmd('apply_restrictions', { settings: {} }), profilesQuery()],
    facts([], [RESTRICTIONS_PROFILE]),
    [[RESTRICTIONS_PROFILE, 'absent']],
  ],
  ['a report asked before the install', () => [appsQuery(), cmd('install_app', app)], facts([], []), []],
  ['no report yet', () => [cmd('install_app', app)], facts(null, null), []],
  ['no facts at all', () => [cmd('install_app', app), appsQuery()], null, []],
  [
    'an install not yet acknowledged',
    () => [cmd('install_app', app, { state: 'sent' }), appsQuery()],
    facts([], []),
    [],
  ],
  ['an install that failed', () => [cmd('install_app', app, { state: 'failed' }), appsQuery()], facts([], []), []],
  [
    'a query whose answer is not the stored one (acknowledged after the report)',
    () => [cmd('install_app', app), cmd('installed_application_list', {}, { at: '2026-01-01T00:03:00.000Z' })],
    facts([], []),
    [],
  ],
  [
    'a user-channel profile (its list is the channel’s, not the device’s)',
    () => [cmd('install_profile', wifi, { channel: 'U1' }), profilesQuery()],
    facts([], []),
    [],
  ],
  ['the apps list does not verify profiles', () => [cmd('install_profile', wifi), appsQuery()], facts([], []), []],
]

describe('unverified', () => {
  it.each(rows)('%s', (_, commands, f, expected) => {
    expect(unverified(commands(), f).map(u => [u.reported, u.expected])).toEqual(expected)
  })

  it('names the item, its policy, the acknowledgement and the report time', () => {
    const [u] = unverified([cmd('install_app', app, { at: '2026-01-01T00:01:30.000Z' }), appsQuery()], facts([], []))
    expect(u).toMatchObject({
      type: 'install_app',
      name: 'CRM',
      list: 'apps',
      policyName: 'Sales',
      acknowledgedAt: '2026-01-01T00:01:30.000Z',
      reportedAt: REPORTED,
    })
  })
})

describe('verificationQueries', () => {
  const types = (cs: Command[]) => verificationQueries(cs)
  it.each<[string, () => Command[], CommandType[]]>([
    ['an acknowledged app install', () => [cmd('install_app', app)], ['installed_application_list']],
    [
      'a batch of installs of both kinds: one pair',
      () => [cmd('install_app', app), cmd('install_app', { identifier: 'b' }), cmd('install_profile', wifi)],
      ['installed_application_list', 'profile_list'],
    ],
    ['restrictions', () => [cmd('apply_restrictions', { settings: { a: 1 } })], ['profile_list']],
    ['already asked after the batch', () => [cmd('install_app', app), appsQuery()], []],
    [
      'asked but not answered yet',
      () => [cmd('install_app', app), cmd('installed_application_list', {}, { state: 'sent' })],
      [],
    ],
    [
      'the last query was cancelled',
      () => [cmd('install_app', app), cmd('installed_application_list', {}, { state: 'cancelled' })],
      ['installed_application_list'],
    ],
    [
      'an install asked after the last query',
      () => [appsQuery(), cmd('install_app', app)],
      ['installed_application_list'],
    ],
    ['nothing acknowledged', () => [cmd('install_app', app, { state: 'sent' })], []],
    ['queries alone', () => [appsQuery(), profilesQuery(), cmd('device_information')], []],
    ['a user channel’s profile', () => [cmd('install_profile', wifi, { channel: 'U1' })], []],
  ])('%s', (_, commands, expected) => {
    expect(types(commands())).toEqual(expected)
  })
})
