// Device actions on Apple devices, as MDM commands through the outbox. Where each command and key
// runs — platform, first OS version, supervision — is read from Apple's schema (commandSchema:
// apple/device-management mdm/commands, the snapshot in test/fixtures/apple-schema), not restated.
import { ACTION_LABELS, type DeviceActionName, type DeviceActionParams } from '../../../shared/device-actions'
import type { CommandType } from '../../../shared/domain'
import { availableOn, commandSchema, type OsSupport } from '../../policies'
import type { ActionContext, ActionHandler, ActionTransport } from './transport'
import { compareVersions } from './versions'

type ApplePlatform = 'ios' | 'macos'
const PLATFORM_NAME: Record<ApplePlatform, string> = { ios: 'iOS', macos: 'macOS' }

/** The Apple request each action sends and the outbox command type that carries it. */
export const APPLE_ACTIONS: Record<DeviceActionName, { requestType: string; type: CommandType }> = {
  lock: { requestType: 'DeviceLock', type: 'device_lock' },
  restart: { requestType: 'RestartDevice', type: 'restart_device' },
  'clear-passcode': { requestType: 'ClearPasscode', type: 'clear_passcode' },
  'lost-mode-on': { requestType: 'EnableLostMode', type: 'enable_lost_mode' },
  'lost-mode-off': { requestType: 'DisableLostMode', type: 'disable_lost_mode' },
  locate: { requestType: 'DeviceLocation', type: 'device_location' },
  'play-sound': { requestType: 'PlayLostModeSound', type: 'play_lost_mode_sound' },
  wipe: { requestType: 'EraseDevice', type: 'erase_device' },
  retire: { requestType: 'RemoveProfile', type: 'unenroll' },
}

/** A six-digit PIN: the Find My PIN a locked or erased Mac asks for (device.lock.yaml, device.erase.yaml). */
export const MAC_PIN = /^\d{6}$/

const platformOf = (ctx: ActionContext): ApplePlatform => (ctx.device.platform === 'macos' ? 'macos' : 'ios')

/** Why a command or key with this availability can't run on the device (null: it can, as far as we know). */
function osRefusal(what: string, support: OsSupport | undefined, ctx: ActionContext): string | null {
  const platform = platformOf(ctx)
  const os = PLATFORM_NAME[platform]
  if (!availableOn(support)) return `${what} is not available on ${os} (Apple's MDM protocol has it elsewhere only).`
  const version = ctx.facts?.osVersion
  if (support?.introduced && version && compareVersions(version, support.introduced) < 0)
    return `${what} needs ${os} ${support.introduced} or later; ${ctx.device.name} runs ${os} ${version}.`
  return null
}

function supervisionRefusal(what: string, support: OsSupport | undefined, ctx: ActionContext): string | null {
  if (support?.supervised !== true) return null
  if (ctx.facts?.supervised === true) return null
  return ctx.facts?.supervised === false
    ? `${what} needs a supervised device (Automated Device Enrollment or Apple Configurator); ${ctx.device.name} is not supervised.`
    : `${what} needs a supervised device, and ${ctx.device.name} has not reported whether it is: Scan Device first.`
}

/** The key's availability on the device's platform, inheriting the command's (as Apple's schema does). */
function keySupport(requestType: string, key: string, platform: ApplePlatform): OsSupport | undefined {
  const schema = commandSchema(requestType)
  const parent = schema.os[platform]
  const own = schema.keys.find(k => k.key === key)?.os?.[platform]
  if (!own) return parent
  return { ...parent, ...own, introduced: own.introduced === '' ? (parent?.introduced ?? '') : own.introduced }
}

/** Refuses a parameter the device's platform or OS does not take. */
function keyRefusal(requestType: string, key: string, label: string, ctx: ActionContext): string | null {
  return osRefusal(`${label} (${requestType} ${key})`, keySupport(requestType, key, platformOf(ctx)), ctx)
}

const MAX_TEXT = 500
const textProblem = (label: string, v: string | undefined): string | null =>
  v !== undefined && v.length > MAX_TEXT ? `${label} is longer than ${MAX_TEXT} characters.` : null

function handler(
  action: DeviceActionName,
  extra: {
    refuse?: (ctx: ActionContext) => string | null
    checkParams?: (ctx: ActionContext, p: DeviceActionParams) => string | null
    payload?: (ctx: ActionContext, p: DeviceActionParams) => Record<string, unknown>
  } = {},
): ActionHandler {
  const { requestType, type } = APPLE_ACTIONS[action]
  const label = ACTION_LABELS[action]
  return {
    refuse(ctx) {
      if (ctx.checkedOutAt)
        return `${ctx.device.name} checked out at ${ctx.checkedOutAt} (its MDM profile was removed): nothing reaches it until it enrolls again.`
      const support = commandSchema(requestType).os[platformOf(ctx)]
      return (
        osRefusal(`${label} (${requestType})`, support, ctx) ??
        supervisionRefusal(`${label} (${requestType})`, support, ctx) ??
        extra.refuse?.(ctx) ??
        null
      )
    },
    checkParams: (ctx, p) => extra.checkParams?.(ctx, p) ?? null,
    run: (ctx, p, queue) =>
      queue([{ type, payload: { platform: ctx.device.platform, ...(extra.payload?.(ctx, p) ?? {}) } }]),
  }
}

const text = (v: string | undefined): string | undefined => {
  const t = v?.trim()
  return t ? t : undefined
}

/** The PIN lives under `secrets`: the store seals it, views never show it. */
const withPin = (pin: string | undefined) => (pin ? { secrets: { pin } } : {})

function pinProblem(ctx: ActionContext, p: DeviceActionParams, requestType: string, label: string): string | null {
  if (platformOf(ctx) === 'macos') {
    if (!p.pin || !MAC_PIN.test(p.pin))
      return `A Mac needs a six-digit PIN to ${label.toLowerCase()}: it is the code that unlocks it afterwards.`
    return keyRefusal(requestType, 'PIN', 'A PIN', ctx)
  }
  return p.pin ? 'A PIN applies to Macs only; leave it empty for an iPhone or iPad.' : null
}

export function appleTransport(): ActionTransport {
  return {
    name: 'apple-mdm',
    reaches: d => d.platform === 'ios' || d.platform === 'macos',
    unsupported: action => `${ACTION_LABELS[action]} is not an Apple MDM action.`,
    actions: {
      lock: handler('lock', {
        checkParams: (ctx, p) =>
          textProblem('The message', p.message) ??
          textProblem('The phone number', p.phoneNumber) ??
          (text(p.message) ? keyRefusal('DeviceLock', 'Message', 'A lock-screen message', ctx) : null) ??
          (text(p.phoneNumber) ? keyRefusal('DeviceLock', 'PhoneNumber', 'A phone number', ctx) : null) ??
          pinProblem(ctx, p, 'DeviceLock', 'Lock'),
        payload: (_ctx, p) => ({
          ...(text(p.message) ? { message: text(p.message) } : {}),
          ...(text(p.phoneNumber) ? { phoneNumber: text(p.phoneNumber) } : {}),
          ...withPin(p.pin),
        }),
      }),
      restart: handler('restart', {
        checkParams: (ctx, p) =>
          p.notifyUser ? keyRefusal('RestartDevice', 'NotifyUser', 'Asking the user to restart', ctx) : null,
        payload: (_ctx, p) => (p.notifyUser ? { notifyUser: true } : {}),
      }),
      'clear-passcode': handler('clear-passcode', {
        refuse: ctx =>
          ctx.hasUnlockToken
            ? null
            : `${ctx.device.name} has not handed over its UnlockToken (it comes with the device's TokenUpdate), so its passcode can't be cleared.`,
      }),
      'lost-mode-on': handler('lost-mode-on', {
        checkParams: (_ctx, p) =>
          textProblem('The message', p.message) ??
          textProblem('The phone number', p.phoneNumber) ??
          textProblem('The footnote', p.footnote) ??
          (text(p.message) || text(p.phoneNumber)
            ? null
            : 'Lost Mode needs a message or a phone number to show on the device (EnableLostMode).'),
        payload: (_ctx, p) => ({
          ...(text(p.message) ? { message: text(p.message) } : {}),
          ...(text(p.phoneNumber) ? { phoneNumber: text(p.phoneNumber) } : {}),
          ...(text(p.footnote) ? { footnote: text(p.footnote) } : {}),
        }),
      }),
      'lost-mode-off': handler('lost-mode-off', {
        refuse: ctx => (ctx.lostMode ? null : `${ctx.device.name} is not in Lost Mode.`),
      }),
      // DeviceLocation and PlayLostModeSound answer only in MDM Lost Mode (device.lostmode.location.yaml).
      locate: handler('locate', {
        refuse: ctx =>
          ctx.lostMode ? null : `${ctx.device.name} reports its location only in Lost Mode: enable it first.`,
      }),
      'play-sound': handler('play-sound', {
        refuse: ctx => (ctx.lostMode ? null : `${ctx.device.name} plays the sound only in Lost Mode: enable it first.`),
      }),
      wipe: handler('wipe', {
        checkParams: (ctx, p) =>
          pinProblem(ctx, p, 'EraseDevice', 'Wipe') ??
          (p.preserveDataPlan ? keyRefusal('EraseDevice', 'PreserveDataPlan', 'Keeping the data plan', ctx) : null) ??
          (p.disallowProximitySetup
            ? keyRefusal('EraseDevice', 'DisallowProximitySetup', 'Turning off Proximity Setup', ctx)
            : null),
        payload: (_ctx, p) => ({
          ...withPin(p.pin),
          ...(p.preserveDataPlan ? { preserveDataPlan: true } : {}),
          ...(p.disallowProximitySetup ? { disallowProximitySetup: true } : {}),
        }),
      }),
      retire: handler('retire'),
    },
  }
}
