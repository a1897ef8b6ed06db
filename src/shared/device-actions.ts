// Device actions an admin runs on one device (lock, restart, wipe, …): their names, what each
// takes, and what the app says about whether a device can run it.
import type { Command } from './domain'

export const DEVICE_ACTIONS = [
  'lock',
  'restart',
  'clear-passcode',
  'lost-mode-on',
  'lost-mode-off',
  'locate',
  'play-sound',
  'wipe',
  'retire',
] as const
export type DeviceActionName = (typeof DEVICE_ACTIONS)[number]

export const ACTION_LABELS: Record<DeviceActionName, string> = {
  lock: 'Lock',
  restart: 'Restart',
  'clear-passcode': 'Clear passcode',
  'lost-mode-on': 'Enable Lost Mode',
  'lost-mode-off': 'Disable Lost Mode',
  locate: 'Locate (Lost Mode)',
  'play-sound': 'Play sound (Lost Mode)',
  wipe: 'Wipe',
  retire: 'Retire (unenroll)',
}

/** What an action takes; each action reads only its own fields. */
export interface DeviceActionParams {
  /** lock, lost-mode-on: shown on the device's screen. */
  message?: string
  /** lock, lost-mode-on: a number shown on the device's screen. */
  phoneNumber?: string
  /** lost-mode-on: a footnote under the message. */
  footnote?: string
  /** lock, wipe on macOS: the six-digit PIN that unlocks the Mac afterwards. */
  pin?: string
  /** restart on macOS: ask the user to restart instead of restarting now. */
  notifyUser?: boolean
  /** wipe on iOS: keep the cellular data plan. */
  preserveDataPlan?: boolean
  /** wipe on iOS: don't offer Proximity Setup after the erase. */
  disallowProximitySetup?: boolean
  /** wipe: the device's serial number typed by the admin, as confirmation. */
  confirm?: string
}

/** Whether a device can run an action now, and why not. */
export interface ActionAvailability {
  action: DeviceActionName
  label: string
  allowed: boolean
  /** Why it is refused (platform, supervision, OS version, a missing token …); null when allowed. */
  reason: string | null
  /** What the admin must confirm; 'typed' = type the serial number. */
  confirm: 'click' | 'typed'
  /** The transport that carries it: 'apple-mdm', 'android-agent', or a plugged-in one. */
  transport: string | null
}

/** The device's action panel: what it can do, and what its last actions reported. */
export interface DeviceActionsInfo {
  deviceId: string
  actions: ActionAvailability[]
  /** Lost Mode as the command history says: on after an acknowledged or waiting EnableLostMode. */
  lostMode: boolean
  /** The last location the device reported in Lost Mode. */
  location: DeviceLocationReport | null
}

export interface DeviceLocationReport {
  commandId: string
  latitude: number
  longitude: number
  horizontalAccuracy: number | null
  /** When the device took it (its own Timestamp), else when we received it. */
  at: string
}

/** What running an action did: the commands it queued (with their ids, for the history). */
export interface ActionOutcome {
  deviceId: string
  action: DeviceActionName
  queued: Command[]
  /** Commands this action cancelled first (a wipe cancels what the device would never run). */
  cancelled: number
  summary: string
}

/** A bulk remediation's answer per device: what was queued, what was refused and why. */
export interface BulkOutcome {
  action: 'repush' | 'scan'
  done: { deviceId: string; deviceName: string; commands: number }[]
  refused: { deviceId: string; deviceName: string; reason: string }[]
}
