// Bulk Re-push and Scan Device from the Diagnostics page: each device is done or refused with a
// reason the admin can act on, and the answer says which, so nothing happens silently.
import type { BulkOutcome } from '../../../shared/device-actions'
import type { Platform } from '../../../shared/domain'
import type { Store } from '../../store'
import type { DeviceService } from '../service'

/** The push settings as the push room reports them (PushService.info has this shape). */
export interface PushConfigured {
  info(): Promise<{ apns: { configured: boolean }; fcm: { configured: boolean } }>
}

const OPEN = new Set(['queued', 'pushed', 'sent', 'dead'])

export async function runBulk(
  d: { devices: DeviceService; store: Store; push?: PushConfigured },
  action: 'repush' | 'scan',
  deviceIds: readonly string[],
): Promise<BulkOutcome> {
  const out: BulkOutcome = { action, done: [], refused: [] }
  const settings = d.push ? await d.push.info() : null
  const pushMissing = (p: Platform): string | null => {
    if (!settings) return null
    if (p === 'android') return settings.fcm.configured ? null : 'FCM is not configured: no push can wake it.'
    return settings.apns.configured ? null : 'APNs is not configured: no push can wake it.'
  }
  for (const deviceId of new Set(deviceIds)) {
    const device = d.store.devices.get(deviceId)
    if (!device) {
      out.refused.push({ deviceId, deviceName: deviceId, reason: 'No such device (removed meanwhile?).' })
      continue
    }
    const deviceName = device.name
    const refuse = (reason: string) => out.refused.push({ deviceId, deviceName, reason })
    const checkedOut = device.platform === 'android' ? null : d.store.apple.checkedOutAt(deviceId)
    if (checkedOut) {
      refuse(`Checked out at ${checkedOut} (its MDM profile was removed): nothing reaches it until it enrolls again.`)
      continue
    }
    const before = d.store.devices.commands(deviceId)
    if (action === 'repush') {
      if (!before.some(c => OPEN.has(c.state))) {
        refuse('Nothing waits for this device: there is nothing to re-push.')
        continue
      }
      const missing = pushMissing(device.platform)
      if (missing) {
        refuse(`${missing} Its commands stay queued for its next check-in.`)
        continue
      }
      const after = await d.devices.repush(deviceId)
      out.done.push({
        deviceId,
        deviceName,
        commands: after.commands.filter(c => c.state === 'queued' || c.state === 'pushed').length,
      })
      continue
    }
    const known = new Set(before.map(c => c.id))
    const after = await d.devices.scan(deviceId)
    const queued = after.commands.filter(c => !known.has(c.id)).length
    if (queued === 0) refuse('Its queries are still waiting for the device from the last Scan: nothing new queued.')
    else out.done.push({ deviceId, deviceName, commands: queued })
  }
  return out
}
