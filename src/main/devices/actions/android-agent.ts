// Device actions through our Android agent (a device policy controller that fetches its commands
// after an FCM wake-up: GET /android/v1/commands). The agent's protocol is ours; these are its
// action commands, each run with Android's DevicePolicyManager on the device:
//   device_lock    {message?}  lockNow(); the message as the lock-screen info (setDeviceOwnerLockScreenInfo)
//   restart_device {}          reboot() (device owner only: the agent answers an error otherwise)
//   erase_device   {}          wipeData(0)
//   unenroll       {}          the agent clears its device-owner or profile-owner role and stops checking in
// Lost Mode and clearing the passcode are not part of the agent's protocol: the Android Management
// API has them (START_LOST_MODE, RESET_PASSWORD) for devices it manages.
import { ACTION_LABELS, type DeviceActionName } from '../../../shared/device-actions'
import type { CommandType } from '../../../shared/domain'
import type { ActionHandler, ActionTransport } from './transport'

const simple = (type: CommandType, payload: (message?: string) => Record<string, unknown>): ActionHandler => ({
  refuse: () => null,
  checkParams: (_ctx, p) =>
    p.pin || p.phoneNumber || p.notifyUser || p.preserveDataPlan || p.disallowProximitySetup
      ? 'The Android agent takes only a lock-screen message; PIN, phone number and the Apple options do not apply.'
      : p.message !== undefined && p.message.length > 500
        ? 'The message is longer than 500 characters.'
        : null,
  run: (_ctx, p, queue) =>
    queue([{ type, payload: { platform: 'android', ...payload(p.message?.trim() || undefined) } }]),
})

const NO_EXTRAS = () => ({})

export function androidAgentTransport(): ActionTransport {
  return {
    name: 'android-agent',
    reaches: d => d.platform === 'android',
    unsupported: (action: DeviceActionName) =>
      `${ACTION_LABELS[action]} is not part of the Android agent's protocol (Lost Mode and passcode reset come with the Android Management API).`,
    actions: {
      lock: simple('device_lock', message => (message ? { message } : {})),
      restart: simple('restart_device', NO_EXTRAS),
      wipe: simple('erase_device', NO_EXTRAS),
      retire: simple('unenroll', NO_EXTRAS),
    },
  }
}
