import type { CommandType, Platform } from '../../shared/domain'
import type { DeviceDelta, ItemRef } from '../../shared/policy'
import type { SentItem } from '../store'
import type { DesiredState } from './desired'
import type { DevicePlan, PlannedCommand } from './diff'
import { type LastDelivered, reconcileQueue, type WaitingCommand } from './queue'

export interface DeltaSubject {
  deviceId: string | null
  deviceName: string
  userId: string | null
  userPrincipalName: string | null
  platform: Platform
}

/**
 * What the device's queue does with a plan (queue.ts, as applying it would): the commands that go
 * out, the waiting installs cancelled instead, and the dropped items that never reached the device.
 */
export interface QueueView {
  enqueue: PlannedCommand[]
  cancelled: ItemRef[]
  /** Item keys (`app:<id>`, `profile:<id>`) the device never got: dropping them leaves nothing unmanaged. */
  neverDelivered: ReadonlySet<string>
}

const INSTALL_KIND: Partial<Record<CommandType, 'app' | 'profile'>> = { install_app: 'app', install_profile: 'profile' }

/** The queue's answer to a plan for one device that exists, from its waiting and delivered commands. */
export function queueView(
  plan: DevicePlan,
  sent: readonly SentItem[],
  waiting: readonly WaitingCommand[],
  lastDelivered: LastDelivered,
  policyName: (id: string) => string,
): QueueView {
  const decision = reconcileQueue(plan.commands, waiting, lastDelivered, plan.drop)
  const byKey = new Map(sent.map(s => [s.key, s]))
  const cancelled: ItemRef[] = []
  for (const c of decision.cancel) {
    const w = waiting.find(x => x.id === c.id)
    const kind = w ? INSTALL_KIND[w.type] : undefined
    if (!w || !kind || w.identifier === null) continue
    const s = byKey.get(`${kind}:${w.identifier}`)
    cancelled.push({
      kind,
      identifier: w.identifier,
      name: s?.name ?? w.identifier,
      policyName: s ? policyName(s.policyId) : '',
    })
  }
  const neverDelivered = new Set(
    plan.drop.filter(key => {
      const [kind, ...rest] = key.split(':')
      if (kind !== 'app' && kind !== 'profile') return false
      const types: CommandType[] =
        kind === 'app' ? ['install_app', 'remove_app'] : ['install_profile', 'remove_profile']
      return lastDelivered(types, rest.join(':'))?.type !== types[0]
    }),
  )
  return { enqueue: decision.enqueue, cancelled, neverDelivered }
}

/**
 * What a device's plan does, in the admin's words: installs, removals, items left unmanaged, and
 * the conflicts it resolves. Given the queue's answer (`queue`), installs and removals are the
 * commands that would really go out, and waiting installs it cancels are listed apart.
 */
export function deviceDelta(
  subject: DeltaSubject,
  sent: readonly SentItem[],
  state: DesiredState,
  plan: DevicePlan,
  groups: { gained: string[]; lost: string[] },
  policyName: (id: string) => string,
  queue?: QueueView,
): DeviceDelta {
  const commands = queue?.enqueue ?? plan.commands
  const ref = (c: DevicePlan['commands'][number]): ItemRef => ({
    kind: c.type.endsWith('_app') ? 'app' : 'profile',
    identifier: String(c.payload['identifier'] ?? ''),
    name: String(c.payload['name'] ?? ''),
    policyName: c.reason.policyName,
  })
  const removed = new Set(commands.filter(c => c.type === 'remove_app').map(c => String(c.payload['identifier'])))
  const bySentKey = new Map(sent.map(s => [s.key, s]))
  const unmanage = plan.drop
    .map(k => bySentKey.get(k))
    .filter(
      (s): s is SentItem =>
        s !== undefined && s.kind === 'app' && !removed.has(s.identifier) && !queue?.neverDelivered.has(s.key),
    )
    .map(s => ({ kind: s.kind, identifier: s.identifier, name: s.name, policyName: policyName(s.policyId) }))
  return {
    ...subject,
    groupsGained: groups.gained,
    groupsLost: groups.lost,
    install: commands.filter(c => c.type === 'install_app' || c.type === 'install_profile').map(ref),
    remove: commands.filter(c => c.type === 'remove_app' || c.type === 'remove_profile').map(ref),
    unmanage,
    ...(queue ? { cancel: queue.cancelled } : {}),
    restrictions: commands.some(c => c.type === 'apply_restrictions'),
    unresolved: state.unresolved.map(u => ({ item: u.itemName, variable: u.variables.join(', ') })),
    conflicts: state.conflicts,
  }
}

export const withdraws = (plan: DevicePlan): boolean => plan.drop.length > 0
