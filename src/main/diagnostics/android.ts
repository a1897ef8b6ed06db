// PAYLOAD_LATENCY for Android Enterprise devices: the user is in the group, but the device has not
// applied the policy version that carries the group's payloads. Our patch returned a version; the
// device reports appliedPolicyVersion (devices.list); commands carried by a newer version than the
// device applied stay open, and once the oldest is past its deadline the device is late.
import type { Store } from '../store'
import { latencyCause } from './detectors'
import type { Entry } from './entries'

const OPEN = new Set(['queued', 'pushed', 'sent'])

export function androidNotApplied(store: Store, now: Date): Entry[] {
  const at = now.toISOString()
  const cause = latencyCause('policy-not-applied')
  return store.android.devices().flatMap((r): Entry[] => {
    if (r.state === 'DELETED') return []
    const open = store.devices.commands(r.deviceId).filter(c => OPEN.has(c.state))
    const late = open.filter(c => c.deadlineAt < at)
    if (late.length === 0) return []
    const oldest = late.reduce((a, b) => (a.deadlineAt < b.deadlineAt ? a : b))
    const name = store.devices.get(r.deviceId)?.name ?? r.deviceId
    const applied = r.appliedPolicyVersion ?? 'none'
    const wants = r.policyVersion ?? '(not written)'
    const items = [...new Set(late.map(c => String(c.payload['name'] ?? c.type.replace(/_/g, ' '))))]
    return [
      {
        code: 'PAYLOAD_LATENCY',
        cause,
        deviceId: r.deviceId,
        render: () => ({
          code: 'PAYLOAD_LATENCY',
          cause: 'policy-not-applied',
          title: `${name} has not applied policy version ${wants}`,
          explanation: `${items.join(', ')} ${items.length === 1 ? 'is' : 'are'} in policy version ${wants} of ${r.policyName}, written at ${r.patchedAt ?? 'never'}; the device reports version ${applied}${r.lastReportAt ? ` (last report ${r.lastReportAt})` : ' and has not reported yet'}${r.patchError ? `. The last patch failed: ${r.patchError}` : ''}.`,
          remediation:
            r.amapiName === null
              ? 'The device has not provisioned yet: finish its setup with the enrollment token or the sign-in.'
              : 'Check the device is online and Android Device Policy is running; Sync Android re-sends the policy and reads its state again.',
          remediations: cause.remediations ?? [],
          deviceId: r.deviceId,
          commandId: oldest.id,
          detectedAt: oldest.deadlineAt,
        }),
      },
    ]
  })
}
