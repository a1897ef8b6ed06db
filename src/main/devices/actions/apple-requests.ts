// Device actions as Apple MDM requests, with the keys Apple documents (apple/device-management,
// release b6202ca, mdm/commands/device.lock.yaml, device.restart.yaml, passcode.clear.yaml,
// device.lostmode.*.yaml, device.erase.yaml, profile.remove.yaml; copied to
// test/fixtures/apple-schema and checked by the command tests). A key is sent only when the
// outbox payload has it: what a platform or OS lacks was refused when the action was asked for.
import type { CommandType } from '../../../shared/domain'
import { PROFILE_IDENTIFIER } from '../apple/enrollment-profile'
import type { PlistValue } from '../plist'

/** The command types a device action queues. */
export type ActionCommandType = Extract<
  CommandType,
  | 'device_lock'
  | 'restart_device'
  | 'clear_passcode'
  | 'enable_lost_mode'
  | 'disable_lost_mode'
  | 'device_location'
  | 'play_lost_mode_sound'
  | 'erase_device'
  | 'unenroll'
>

const text = (p: Record<string, unknown>, k: string): string | null => {
  const v = p[k]
  return typeof v === 'string' && v.length > 0 ? v : null
}

/** The PIN is kept under `secrets` so the store seals it at rest (store/sealed.ts) and no view shows it. */
export const pinOf = (p: Record<string, unknown>): string | null => {
  const s = p['secrets']
  if (typeof s !== 'object' || s === null) return null
  const pin = (s as Record<string, unknown>)['pin']
  return typeof pin === 'string' && pin.length > 0 ? pin : null
}

const put = (into: Record<string, PlistValue>, key: string, value: PlistValue | null): void => {
  if (value !== null) into[key] = value
}

export function deviceActionRequest(
  type: ActionCommandType,
  p: Record<string, unknown>,
  opts: { unlockToken?: Uint8Array | null },
): Record<string, PlistValue> {
  switch (type) {
    case 'device_lock': {
      const r: Record<string, PlistValue> = { RequestType: 'DeviceLock' }
      put(r, 'Message', text(p, 'message'))
      put(r, 'PhoneNumber', text(p, 'phoneNumber'))
      put(r, 'PIN', pinOf(p))
      return r
    }
    case 'restart_device': {
      const r: Record<string, PlistValue> = { RequestType: 'RestartDevice' }
      if (p['notifyUser'] === true) r['NotifyUser'] = true
      return r
    }
    // UnlockToken is required (passcode.clear.yaml). The action is refused without one; should the
    // token be gone by hand-out time, the device answers the request with an error, which is recorded.
    case 'clear_passcode': {
      const r: Record<string, PlistValue> = { RequestType: 'ClearPasscode' }
      if (opts.unlockToken) r['UnlockToken'] = opts.unlockToken
      return r
    }
    case 'enable_lost_mode': {
      const r: Record<string, PlistValue> = { RequestType: 'EnableLostMode' }
      put(r, 'Message', text(p, 'message'))
      put(r, 'PhoneNumber', text(p, 'phoneNumber'))
      put(r, 'Footnote', text(p, 'footnote'))
      return r
    }
    case 'disable_lost_mode':
      return { RequestType: 'DisableLostMode' }
    case 'device_location':
      return { RequestType: 'DeviceLocation' }
    case 'play_lost_mode_sound':
      return { RequestType: 'PlayLostModeSound' }
    case 'erase_device': {
      const r: Record<string, PlistValue> = { RequestType: 'EraseDevice' }
      put(r, 'PIN', pinOf(p))
      if (p['preserveDataPlan'] === true) r['PreserveDataPlan'] = true
      if (p['disallowProximitySetup'] === true) r['DisallowProximitySetup'] = true
      return r
    }
    // Removing the enrollment profile ends management: the device drops every profile and managed
    // app installed through it (Apple, profile.remove.yaml; "Terminating a management relationship").
    case 'unenroll':
      return { RequestType: 'RemoveProfile', Identifier: PROFILE_IDENTIFIER }
  }
}
