// The circuit breaker's hold: a recompute that would withdraw policies from too many devices
// (settings.ts tripsBreaker) is not sent. It is kept as a held change with each device's
// difference, for an admin to approve or reject, and each affected assignment's history says so.
import type { HeldChange, HeldChangeCause } from '../../shared/policy'
import type { Clock, IdSource } from '../ports'
import type { Store } from '../store'
import { deviceDelta, queueView, withdraws } from './delta'
import type { DevicePlanResult } from './service'
import { readPolicySettings, tripsBreaker } from './settings'

/** Devices whose difference a held change (or a what-if) lists at most. */
export const HELD_DIFF_LIMIT = 5000

/** Holds a batch of device plans if it trips the breaker: the held change, or null when it may go. */
export function createBreakerHold({
  store,
  ids,
  clock,
  policyName,
}: {
  store: Store
  ids: IdSource
  clock: Clock
  policyName: (policyId: string) => string
}): (results: readonly DevicePlanResult[], cause: HeldChangeCause) => HeldChange | null {
  return (results, cause) => {
    const settings = readPolicySettings(store)
    const withdrawing = results.filter(r => withdraws(r.plan))
    const total = store.bulkReads.boundDeviceCount()
    if (!tripsBreaker(withdrawing.length, total, settings)) return null
    const changing = results.filter(r => r.plan.commands.length > 0 || r.plan.drop.length > 0)
    const diff = changing.slice(0, HELD_DIFF_LIMIT).map(r =>
      deviceDelta(
        {
          deviceId: r.device.id,
          deviceName: r.device.name,
          userId: r.device.userId,
          userPrincipalName: r.device.userPrincipalName,
          platform: r.device.platform,
        },
        r.sent ?? [],
        r.state,
        r.plan,
        { gained: [], lost: [] },
        policyName,
        queueView(
          r.plan,
          r.sent ?? [],
          store.devices.waitingCommands(r.device.id),
          (types, id) => store.devices.lastDelivered(r.device.id, types, id),
          policyName,
        ),
      ),
    )
    const heldChange: HeldChange = {
      id: ids.next(),
      createdAt: clock.now().toISOString(),
      cause,
      summary: `A ${cause === 'sync' ? 'directory sync' : cause.replace('-', ' ')} would withdraw policies from ${withdrawing.length} of ${total} devices; nothing was sent.`,
      status: 'held',
      decidedAt: null,
      change: null,
      devicesAffected: withdrawing.length,
      devicesTotal: total,
      threshold: { devices: settings.breakerDevices, share: settings.breakerShare },
      diff,
    }
    store.heldChanges.hold(
      heldChange,
      changing.map(r => r.device.id),
    )
    const at = heldChange.createdAt
    for (const r of withdrawing) {
      const policyIds = new Set(
        r.plan.drop.map(k => r.sent?.find(s => s.key === k)?.policyId).filter((p): p is string => p !== undefined),
      )
      for (const policyId of policyIds) {
        store.assignmentHistory.append({
          deviceId: r.device.id,
          at,
          policyId,
          policyName: policyName(policyId),
          action: 'held',
          summary: heldChange.summary,
          steps: [
            {
              step: 'hold',
              outcome: 'info',
              text: `Held change ${heldChange.id}: waiting for an admin to approve or reject.`,
            },
          ],
          commands: [],
        })
      }
    }
    return heldChange
  }
}
