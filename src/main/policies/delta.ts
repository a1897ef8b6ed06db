import type { Platform } from '../../shared/domain'
import type { DeviceDelta, ItemRef } from '../../shared/policy'
import type { SentItem } from '../store'
import type { DesiredState } from './desired'
import type { DevicePlan } from './diff'

export interface DeltaSubject {
  deviceId: string | null
  deviceName: string
  userId: string | null
  userPrincipalName: string | null
  platform: Platform
}

/** What a device's plan does, in the admin's words: installs, removals, items left unmanaged, and the conflicts it resolves. */
export function deviceDelta(
  subject: DeltaSubject,
  sent: readonly SentItem[],
  state: DesiredState,
  plan: DevicePlan,
  groups: { gained: string[]; lost: string[] },
  policyName: (id: string) => string,
): DeviceDelta {
  const ref = (c: DevicePlan['commands'][number]): ItemRef => ({
    kind: c.type.endsWith('_app') ? 'app' : 'profile',
    identifier: String(c.payload['identifier'] ?? ''),
    name: String(c.payload['name'] ?? ''),
    policyName: c.reason.policyName,
  })
  const removed = new Set(plan.commands.filter(c => c.type === 'remove_app').map(c => String(c.payload['identifier'])))
  const bySentKey = new Map(sent.map(s => [s.key, s]))
  const unmanage = plan.drop
    .map(k => bySentKey.get(k))
    .filter((s): s is SentItem => s !== undefined && s.kind === 'app' && !removed.has(s.identifier))
    .map(s => ({ kind: s.kind, identifier: s.identifier, name: s.name, policyName: policyName(s.policyId) }))
  return {
    ...subject,
    groupsGained: groups.gained,
    groupsLost: groups.lost,
    install: plan.commands.filter(c => c.type === 'install_app' || c.type === 'install_profile').map(ref),
    remove: plan.commands.filter(c => c.type === 'remove_app' || c.type === 'remove_profile').map(ref),
    unmanage,
    restrictions: plan.commands.some(c => c.type === 'apply_restrictions'),
    unresolved: state.unresolved.map(u => ({ item: u.itemName, variable: u.variables.join(', ') })),
    conflicts: state.conflicts,
  }
}

export const withdraws = (plan: DevicePlan): boolean => plan.drop.length > 0
