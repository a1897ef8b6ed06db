// What an acknowledged device action reports back (Apple response keys: device.lostmode.location.yaml
// Latitude, Longitude, HorizontalAccuracy (-1 when unknown), Timestamp; device.lock.yaml MessageResult).
import type { CommandType } from '../../../shared/domain'
import type { PlistValue } from '../plist'

const num = (v: PlistValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** The part of a command result worth keeping for this command type, or null when there is none. */
export function actionResult(type: CommandType, result: Record<string, PlistValue>): Record<string, unknown> | null {
  if (type === 'device_location') {
    const latitude = num(result['Latitude'])
    const longitude = num(result['Longitude'])
    if (latitude === null || longitude === null) return null
    const accuracy = num(result['HorizontalAccuracy'])
    const timestamp = result['Timestamp']
    return {
      latitude,
      longitude,
      horizontalAccuracy: accuracy === null || accuracy < 0 ? null : accuracy,
      timestamp: typeof timestamp === 'string' ? timestamp.slice(0, 64) : null,
    }
  }
  if (type === 'device_lock') {
    const message = result['MessageResult']
    return typeof message === 'string' ? { messageResult: message.slice(0, 64) } : null
  }
  return null
}

/**
 * What an acknowledged erase or unenroll leaves on the device: nothing we sent. Its sent items
 * go, so a device that enrolls again (a wiped iPhone through Automated Device Enrollment) is sent
 * its policies afresh instead of being taken to hold them already.
 */
export function forgetWhatWasSent(
  store: {
    devices: { sentItems(deviceId: string): { key: string }[]; dropSentItem(deviceId: string, key: string): void }
  },
  deviceId: string,
  type: CommandType,
): void {
  if (type !== 'erase_device' && type !== 'unenroll') return
  for (const item of store.devices.sentItems(deviceId)) store.devices.dropSentItem(deviceId, item.key)
}
