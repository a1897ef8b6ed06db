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
