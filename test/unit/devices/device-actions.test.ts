// Device actions as Apple MDM requests, checked against Apple's command schema (the snapshot in
// test/fixtures/apple-schema: apple/device-management release b6202ca), and the rules that refuse
// an action a device's platform, supervision, OS or state does not allow.
import { describe, expect, it } from 'vitest'
import { androidAgentTransport, appleTransport, lostModeOf } from '../../../src/main/devices/actions'
import { actionResult } from '../../../src/main/devices/actions/results'
import type { ActionContext, ActionTransport } from '../../../src/main/devices/actions/transport'
import { compareVersions } from '../../../src/main/devices/actions/versions'
import { mdmCommand } from '../../../src/main/devices/mdm-commands'
import { EMPTY_FACTS } from '../../../src/main/store/apple'
import { checkCommand } from '../../../src/main/policies/apple/schema'
import type { DeviceActionName, DeviceActionParams } from '../../../src/shared/device-actions'
import type { Command, CommandState, CommandType, DeviceFacts, Platform } from '../../../src/shared/domain'

const facts = (f: Partial<DeviceFacts>): DeviceFacts => ({ ...EMPTY_FACTS, ...f })

const ctx = (
  platform: Platform,
  f: Partial<DeviceFacts> = {},
  more: Partial<Omit<ActionContext, 'device' | 'facts'>> = {},
): ActionContext => ({
  device: {
    id: 'D1',
    name: 'Alex iPhone',
    serial: 'F5JM992LF193',
    platform,
    userId: 'U1',
    userPrincipalName: 'alex@example.test',
    enrolledAt: '2026-01-01T00:00:00.000Z',
    lastSeenAt: null,
    pendingCommands: 0,
  },
  facts: facts(f),
  checkedOutAt: null,
  hasUnlockToken: true,
  lostMode: false,
  ...more,
})

const command = (
  type: CommandType,
  payload: Record<string, unknown>,
  state: CommandState = 'queued',
  seq = 1,
): Command => ({
  id: `C-${seq}`,
  deviceId: 'D1',
  seq,
  type,
  payload,
  state,
  reason: { policyId: '', policyName: 'Device action', groupId: null, groupName: null, summary: '' },
  createdAt: '',
  pushedAt: null,
  acknowledgedAt: null,
  deadlineAt: '',
  error: null,
  sentAt: null,
  finishedAt: null,
  attempts: 0,
  nextAttemptAt: null,
  channel: null,
})

/** What the transport queues for an action, as the MDM request a device is handed. */
function requestFor(
  t: ActionTransport,
  c: ActionContext,
  action: DeviceActionName,
  params: DeviceActionParams,
  unlockToken: Uint8Array | null = null,
) {
  const handler = t.actions[action]
  if (!handler) throw new Error(`no ${action}`)
  expect(handler.refuse(c)).toBeNull()
  expect(handler.checkParams(c, params)).toBeNull()
  let seq = 0
  const queued = handler.run(c, params, cs => cs.map(x => command(x.type, x.payload, 'queued', ++seq)))
  expect(queued).toHaveLength(1)
  return mdmCommand(queued[0] as Command, { unlockToken })['Command'] as Record<string, unknown>
}

const IPHONE = ctx('ios', { osVersion: '17.4', supervised: true })
const MAC = ctx('macos', { osVersion: '14.5', supervised: false })
const TOKEN = new Uint8Array([1, 2, 3, 4])

describe('device actions as Apple MDM commands (keys from apple/device-management mdm/commands)', () => {
  it.each([
    [
      'lock an iPhone with a message and a number',
      IPHONE,
      'lock',
      { message: ' Call IT ', phoneNumber: '+1 555 0100' },
      { RequestType: 'DeviceLock', Message: 'Call IT', PhoneNumber: '+1 555 0100' },
    ],
    ['lock a Mac with its PIN', MAC, 'lock', { pin: '123456' }, { RequestType: 'DeviceLock', PIN: '123456' }],
    ['restart an iPhone', IPHONE, 'restart', {}, { RequestType: 'RestartDevice' }],
    [
      'ask a Mac user to restart',
      MAC,
      'restart',
      { notifyUser: true },
      { RequestType: 'RestartDevice', NotifyUser: true },
    ],
    ['clear the passcode', IPHONE, 'clear-passcode', {}, { RequestType: 'ClearPasscode', UnlockToken: TOKEN }],
    [
      'enable Lost Mode',
      IPHONE,
      'lost-mode-on',
      { message: 'Lost', phoneNumber: '555', footnote: 'Reward' },
      { RequestType: 'EnableLostMode', Message: 'Lost', PhoneNumber: '555', Footnote: 'Reward' },
    ],
    ['disable Lost Mode', { ...IPHONE, lostMode: true }, 'lost-mode-off', {}, { RequestType: 'DisableLostMode' }],
    ['locate', { ...IPHONE, lostMode: true }, 'locate', {}, { RequestType: 'DeviceLocation' }],
    ['play the sound', { ...IPHONE, lostMode: true }, 'play-sound', {}, { RequestType: 'PlayLostModeSound' }],
    [
      'wipe an iPhone keeping its data plan',
      IPHONE,
      'wipe',
      { preserveDataPlan: true, disallowProximitySetup: true },
      { RequestType: 'EraseDevice', PreserveDataPlan: true, DisallowProximitySetup: true },
    ],
    ['wipe a Mac with its PIN', MAC, 'wipe', { pin: '654321' }, { RequestType: 'EraseDevice', PIN: '654321' }],
    [
      'retire: remove the enrollment profile',
      IPHONE,
      'retire',
      {},
      { RequestType: 'RemoveProfile', Identifier: 'com.jitmapper.enrollment' },
    ],
  ] as const)('%s', (_name, c, action, params, expected) => {
    const request = requestFor(appleTransport(), c, action, params, TOKEN)
    expect(request).toEqual(expected)
    const { RequestType, ...keys } = request
    const platform = c.device.platform as 'ios' | 'macos'
    expect(
      checkCommand(String(RequestType), keys as never, { platform, supervised: c.facts?.supervised === true }),
    ).toEqual([])
  })

  it('keeps the PIN under a secret-named key, so the store seals it at rest', () => {
    const handler = appleTransport().actions.lock
    const [queued] = handler?.run(MAC, { pin: '123456' }, cs => cs.map(x => command(x.type, x.payload))) ?? []
    expect(queued?.payload).toEqual({ platform: 'macos', secrets: { pin: '123456' } })
  })
})

describe('what an Apple device may not run, and why', () => {
  const refusal = (c: ActionContext, action: DeviceActionName) => appleTransport().actions[action]?.refuse(c) ?? null
  it.each([
    ['restart on an unsupervised iPhone', ctx('ios', { supervised: false }), 'restart', /not supervised/],
    ['restart on an iPhone that has not said', ctx('ios'), 'restart', /Scan Device first/],
    ['Lost Mode on a Mac', MAC, 'lost-mode-on', /not available on macOS/],
    ['clearing a Mac passcode', MAC, 'clear-passcode', /not available on macOS/],
    ['clearing without an UnlockToken', ctx('ios', {}, { hasUnlockToken: false }), 'clear-passcode', /UnlockToken/],
    ['Lost Mode on iOS 9.0', ctx('ios', { osVersion: '9.0', supervised: true }), 'lost-mode-on', /needs iOS 9\.3/],
    [
      'the sound on iOS 10.2',
      ctx('ios', { osVersion: '10.2', supervised: true }, { lostMode: true }),
      'play-sound',
      /10\.3/,
    ],
    ['locating outside Lost Mode', IPHONE, 'locate', /only in Lost Mode/],
    ['disabling Lost Mode that is off', IPHONE, 'lost-mode-off', /not in Lost Mode/],
    ['anything once checked out', ctx('ios', {}, { checkedOutAt: '2026-02-01T00:00:00Z' }), 'lock', /checked out/],
  ] as const)('refuses %s', (_name, c, action, reason) => {
    expect(refusal(c, action)).toMatch(reason)
  })

  it.each([
    ['lock', ctx('ios')],
    ['wipe', ctx('ios')],
    ['retire', ctx('ios')],
    ['clear-passcode', ctx('ios')],
    ['restart', MAC],
    ['lost-mode-on', IPHONE],
  ] as const)('allows %s where Apple allows it', (action, c) => {
    expect(refusal(c, action)).toBeNull()
  })

  const params = (c: ActionContext, action: DeviceActionName, p: DeviceActionParams) =>
    appleTransport().actions[action]?.checkParams(c, p) ?? null
  it.each([
    ['a Mac lock without a PIN', MAC, 'lock', {}, /six-digit PIN/],
    ['a Mac lock with a short PIN', MAC, 'lock', { pin: '1234' }, /six-digit PIN/],
    ['a PIN for an iPhone', IPHONE, 'lock', { pin: '123456' }, /Macs only/],
    [
      'a phone number on macOS 11.0',
      ctx('macos', { osVersion: '11.0' }),
      'lock',
      { pin: '123456', phoneNumber: '5' },
      /macOS 11\.5/,
    ],
    ['Lost Mode with nothing to show', IPHONE, 'lost-mode-on', {}, /message or a phone number/],
    ['keeping a data plan on a Mac', MAC, 'wipe', { pin: '123456', preserveDataPlan: true }, /not available on macOS/],
    ['NotifyUser on an iPhone', IPHONE, 'restart', { notifyUser: true }, /not available on iOS/],
  ] as const)('refuses %s', (_name, c, action, p, reason) => {
    expect(params(c, action, p)).toMatch(reason)
  })
})

describe('the Android agent', () => {
  const agent = androidAgentTransport()
  it('carries lock, restart, wipe and retire as its own commands', () => {
    const c = ctx('android')
    const types = (['lock', 'restart', 'wipe', 'retire'] as const).map(a => {
      const h = agent.actions[a]
      expect(h?.refuse(c)).toBeNull()
      return h?.run(c, a === 'lock' ? { message: 'Call IT' } : {}, cs => cs.map(x => command(x.type, x.payload)))[0]
    })
    expect(types.map(t => [t?.type, t?.payload])).toEqual([
      ['device_lock', { platform: 'android', message: 'Call IT' }],
      ['restart_device', { platform: 'android' }],
      ['erase_device', { platform: 'android' }],
      ['unenroll', { platform: 'android' }],
    ])
  })

  it('has no Lost Mode and no passcode reset, and says where they are', () => {
    expect(agent.actions['lost-mode-on']).toBeUndefined()
    expect(agent.actions['clear-passcode']).toBeUndefined()
    expect(agent.unsupported('lost-mode-on')).toMatch(/Android Management API/)
  })

  it('refuses Apple-only parameters', () => {
    expect(agent.actions.lock?.checkParams(ctx('android'), { pin: '123456' })).toMatch(/only a lock-screen message/)
  })
})

describe('Lost Mode from the command history', () => {
  it.each([
    ['nothing', [], false],
    ['an acknowledged enable', [command('enable_lost_mode', {}, 'acknowledged', 1)], true],
    ['a waiting enable', [command('enable_lost_mode', {}, 'queued', 1)], true],
    ['a failed enable', [command('enable_lost_mode', {}, 'failed', 1)], false],
    [
      'an enable then a disable',
      [command('enable_lost_mode', {}, 'acknowledged', 1), command('disable_lost_mode', {}, 'queued', 2)],
      false,
    ],
    [
      'a disable then an enable, listed out of order',
      [command('enable_lost_mode', {}, 'acknowledged', 3), command('disable_lost_mode', {}, 'acknowledged', 2)],
      true,
    ],
    [
      'a cancelled disable after an enable',
      [command('enable_lost_mode', {}, 'acknowledged', 1), command('disable_lost_mode', {}, 'cancelled', 2)],
      true,
    ],
  ] as const)('%s', (_name, commands, on) => {
    expect(lostModeOf(commands)).toBe(on)
  })
})

describe('what an action reports back', () => {
  it('keeps a location (accuracy -1 means unknown) and a lock message result', () => {
    expect(
      actionResult('device_location', { Latitude: 52.1, Longitude: 4.3, HorizontalAccuracy: -1, Timestamp: 'T' }),
    ).toEqual({ latitude: 52.1, longitude: 4.3, horizontalAccuracy: null, timestamp: 'T' })
    expect(actionResult('device_location', { Latitude: 'x' })).toBeNull()
    expect(actionResult('device_lock', { MessageResult: 'Success' })).toEqual({ messageResult: 'Success' })
    expect(actionResult('install_app', { Status: 'Acknowledged' })).toBeNull()
  })
})

describe('OS versions', () => {
  it.each([
    ['17.4.1', '17.4', 1],
    ['9.3', '9.3.0', 0],
    ['10.2', '10.3', -1],
    ['11.0', '10.15', 1],
  ] as const)('%s against %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign)
  })
})
