// Device actions on devices managed through Android Enterprise, as Android Management API calls
// (developers.google.com/android/management: reference enterprises.devices/issueCommand and
// enterprises.devices/delete, the "Wipe and deprovision a device" and "Lost mode" guides):
//   lock          LOCK                       every management mode
//   restart       REBOOT                     fully managed devices only (CommandType REBOOT)
//   lost-mode-on  START_LOST_MODE            company-owned: fully managed on Android 11+, work profile on 13+;
//                                            startLostModeParams needs at least one of message, phone number,
//                                            email, street address (the organization name alone doesn't do)
//   lost-mode-off STOP_LOST_MODE
//   wipe          enterprises.devices.delete a company-owned device is factory reset, a personally-owned
//                                            one loses its work profile; the record goes at once
//   retire        RELINQUISH_OWNERSHIP       company-owned work profile: the profile goes, the personal side
//                                            stays and the device leaves management
//                 enterprises.devices.delete personally-owned work profile: only the work profile goes
// A fully managed device can't leave management without a factory reset: Retire is refused there
// (Wipe is the action). Clearing the passcode is refused: the reference documents RESET_PASSWORD's
// newPassword only as the password to set (optional, at least 6 digits when numeric on Android 14);
// it does not say what an empty one does, so we don't send one. Locate and the Lost Mode sound have
// no AMAPI command.
//
// Each action is recorded as an outbox command on AMAPI_CHANNEL (never pushed, never carried by a
// policy); `deliver` calls the API after the commit and closes it: acknowledged when Google accepted
// the call (issueCommand's Operation runs on the device later), failed with the API's message.
import { ACTION_LABELS, type DeviceActionName, type DeviceActionParams } from '../../../shared/device-actions'
import type { Command, CommandType, DeviceSummary } from '../../../shared/domain'
import { errorMessage } from '../../../shared/errors'
import type { Clock, Log } from '../../ports'
import type { AndroidDeviceRecord, Store } from '../../store'
import { AMAPI_CHANNEL } from '../android/channel'
import type { AmapiCommand, StartLostModeParams } from '../android/client'
import type { ActionContext, ActionHandler, ActionTransport } from './transport'

/** What the transport needs of Android Enterprise (its service depends on the devices service, so no import back). */
export interface AmapiCommands {
  issueCommand(deviceId: string, command: AmapiCommand): Promise<unknown>
  wipe(deviceId: string): Promise<void>
}

export const AMAPI_TRANSPORT = 'android-management'

/** What an action's command asks of the API (kept as its payload, so the history shows it). */
export type AmapiCall = { api: 'issueCommand'; command: AmapiCommand } | { api: 'delete' }

export interface AmapiTransportDeps {
  store: Store
  clock: Clock
  log: Log
  /** Android Enterprise, looked up when an action is delivered (it is made after the devices room). */
  /** The two calls of Android Enterprise's service this transport makes (android/service.ts). */
  android: () => AmapiCommands
}

const FULLY_MANAGED = 'DEVICE_OWNER'
const WORK_PROFILE = 'PROFILE_OWNER'
const COMPANY_OWNED = 'COMPANY_OWNED'
const PERSONALLY_OWNED = 'PERSONALLY_OWNED'

const text = (v: string | undefined): string | undefined => {
  const t = v?.trim()
  return t ? t : undefined
}

const MAX_TEXT = 500

/** The parameters an action takes here; any other one is refused rather than dropped. */
function onlyParams(label: string, p: DeviceActionParams, takes: readonly (keyof DeviceActionParams)[]): string | null {
  const given = (
    ['message', 'phoneNumber', 'footnote', 'pin', 'notifyUser', 'preserveDataPlan', 'disallowProximitySetup'] as const
  ).filter(k => p[k] !== undefined && p[k] !== false && p[k] !== '' && !takes.includes(k))
  if (given.length > 0)
    return `${label} through the Android Management API takes ${takes.length > 0 ? `only ${takes.join(' and ')}` : 'no options'}; ${given.join(', ')} do not apply.`
  for (const k of takes) {
    const v = p[k]
    if (typeof v === 'string' && v.length > MAX_TEXT) return `The ${k} is longer than ${MAX_TEXT} characters.`
  }
  return null
}

/** The management mode and ownership as words for a refusal. */
const modeOf = (r: AndroidDeviceRecord): string =>
  `${r.ownership === COMPANY_OWNED ? 'company-owned' : r.ownership === PERSONALLY_OWNED ? 'personally-owned' : 'unknown-ownership'} ${
    r.managementMode === FULLY_MANAGED
      ? 'fully managed device'
      : r.managementMode === WORK_PROFILE
        ? 'work profile'
        : 'device'
  }`

export function amapiTransport(deps: AmapiTransportDeps): ActionTransport {
  const { store } = deps
  const recordOf = (deviceId: string) => store.android.device(deviceId)

  /** Why nothing reaches the device through the API now, or null. */
  const unreachable = (ctx: ActionContext): string | null => {
    const r = recordOf(ctx.device.id)
    if (!r?.amapiName)
      return `${ctx.device.name} has not provisioned with Android Enterprise yet; actions reach it once it has.`
    if (r.state === 'DELETED')
      return `${ctx.device.name} is no longer managed through Android Enterprise (wiped, relinquished or its work profile removed).`
    return null
  }

  /** Why the device's reported mode doesn't fit, or null; a device that hasn't reported it is refused too. */
  const needs = (
    ctx: ActionContext,
    what: string,
    fits: (r: AndroidDeviceRecord) => boolean,
    why: string,
  ): string | null => {
    const r = recordOf(ctx.device.id) as AndroidDeviceRecord
    if (r.managementMode === null || r.ownership === null)
      return `${ctx.device.name} has not reported its management mode and ownership yet; ${what} waits for its first report.`
    return fits(r) ? null : `${what} ${why}; ${ctx.device.name} is a ${modeOf(r)}.`
  }

  const handler = (
    action: DeviceActionName,
    type: CommandType,
    o: {
      refuse?: (ctx: ActionContext) => string | null
      takes?: readonly (keyof DeviceActionParams)[]
      checkParams?: (p: DeviceActionParams) => string | null
      call: (ctx: ActionContext, p: DeviceActionParams) => AmapiCall
    },
  ): ActionHandler => {
    const label = ACTION_LABELS[action]
    return {
      refuse: ctx => unreachable(ctx) ?? o.refuse?.(ctx) ?? null,
      checkParams: (_ctx, p) => onlyParams(label, p, o.takes ?? []) ?? o.checkParams?.(p) ?? null,
      run: (ctx, p, queue) =>
        queue([{ type, channel: AMAPI_CHANNEL, payload: { platform: 'android', ...o.call(ctx, p) } }]),
    }
  }

  const lostModeParams = (p: DeviceActionParams): StartLostModeParams => {
    const message = text(p.message)
    const phone = text(p.phoneNumber)
    return {
      ...(message ? { lostMessage: { defaultMessage: message } } : {}),
      ...(phone ? { lostPhoneNumber: { defaultMessage: phone } } : {}),
    }
  }

  /** Retire's call: RELINQUISH_OWNERSHIP on a company-owned work profile, delete on a personal one. */
  const retireCall = (ctx: ActionContext): AmapiCall => {
    const r = recordOf(ctx.device.id) as AndroidDeviceRecord
    return r.ownership === COMPANY_OWNED
      ? { api: 'issueCommand', command: { type: 'RELINQUISH_OWNERSHIP' } }
      : { api: 'delete' }
  }

  // Android Enterprise audits each call with the operation Google returned (android/lock, android/wipe …).
  const call = async (device: DeviceSummary, c: AmapiCall): Promise<void> => {
    const android = deps.android()
    if (c.api === 'delete') await android.wipe(device.id)
    else await android.issueCommand(device.id, c.command)
  }

  return {
    name: AMAPI_TRANSPORT,
    // Every device with an Android Enterprise record: one that has not provisioned yet, or was
    // deleted, is refused with the reason rather than handed to the agent it never had.
    reaches: d => d.platform === 'android' && recordOf(d.id) !== undefined,
    unsupported: action =>
      action === 'clear-passcode'
        ? "Clear passcode is not offered through the Android Management API: RESET_PASSWORD's newPassword is documented only as the password to set, not what an empty one does."
        : `${ACTION_LABELS[action]} has no Android Management API command.`,
    actions: {
      lock: handler('lock', 'device_lock', { call: () => ({ api: 'issueCommand', command: { type: 'LOCK' } }) }),
      restart: handler('restart', 'restart_device', {
        refuse: ctx =>
          needs(ctx, 'Restart (REBOOT)', r => r.managementMode === FULLY_MANAGED, 'runs on fully managed devices only'),
        call: () => ({ api: 'issueCommand', command: { type: 'REBOOT' } }),
      }),
      'lost-mode-on': handler('lost-mode-on', 'enable_lost_mode', {
        refuse: ctx =>
          needs(
            ctx,
            'Lost Mode (START_LOST_MODE)',
            r => r.ownership === COMPANY_OWNED,
            'needs a company-owned device (fully managed on Android 11+, work profile on Android 13+)',
          ),
        takes: ['message', 'phoneNumber'],
        checkParams: p =>
          text(p.message) || text(p.phoneNumber)
            ? null
            : 'Lost Mode needs a message or a phone number to show on the device (START_LOST_MODE).',
        call: (_ctx, p) => ({
          api: 'issueCommand',
          command: { type: 'START_LOST_MODE', startLostModeParams: lostModeParams(p) },
        }),
      }),
      'lost-mode-off': handler('lost-mode-off', 'disable_lost_mode', {
        refuse: ctx => (ctx.lostMode ? null : `${ctx.device.name} is not in Lost Mode.`),
        call: () => ({ api: 'issueCommand', command: { type: 'STOP_LOST_MODE', stopLostModeParams: {} } }),
      }),
      wipe: handler('wipe', 'erase_device', { call: () => ({ api: 'delete' }) }),
      retire: handler('retire', 'unenroll', {
        refuse: ctx =>
          needs(
            ctx,
            'Retire',
            r => r.managementMode === WORK_PROFILE,
            'leaves the personal side only on a work profile (a fully managed device leaves management only by a factory reset: use Wipe)',
          ),
        call: retireCall,
      }),
    },
    async deliver(device, commands) {
      for (const c of commands) {
        let error: string | null = null
        try {
          await call(device, c.payload as unknown as AmapiCall)
        } catch (e) {
          error = errorMessage(e)
        }
        finish(device, c, error)
      }
    },
  }

  /** Closes the command: handed to Google, then acknowledged or failed with the API's message. */
  function finish(device: DeviceSummary, c: Command, error: string | null): void {
    const at = deps.clock.now().toISOString()
    store.transaction(() => {
      store.outbox.handOut(c.id, at)
      store.outbox.finish(device.id, c.id, error === null ? 'acknowledged' : 'failed', at, error)
    })
    if (error) deps.log.warn('android enterprise action failed', { deviceId: device.id, type: c.type, error })
  }
}
