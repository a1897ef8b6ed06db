// What a device's queue should hold once a new plan lands: commands that no longer serve the
// desired state are cancelled before the device fetches them, a removal is sent only for what
// the device holds (its last fetched command for the item installed it), and nothing is sent
// again that the device already holds exactly.
import type { Command, CommandType } from '../../shared/domain'
import type { PlannedCommand } from './diff'

/** A command still waiting for the device: queued, pushed, or dead-lettered (never fetched). */
export interface WaitingCommand {
  id: string
  type: CommandType
  identifier: string | null
}

export interface QueueDecision {
  enqueue: PlannedCommand[]
  cancel: { id: string; why: string }[]
}

/** The last command of these types (for this identifier, or any) the device fetched. */
export type LastDelivered = (
  types: readonly CommandType[],
  identifier: string | null,
) => Pick<Command, 'type' | 'payload'> | undefined

const FAMILY: Partial<Record<CommandType, { install: CommandType; remove: CommandType }>> = {
  install_app: { install: 'install_app', remove: 'remove_app' },
  remove_app: { install: 'install_app', remove: 'remove_app' },
  install_profile: { install: 'install_profile', remove: 'remove_profile' },
  remove_profile: { install: 'install_profile', remove: 'remove_profile' },
}

const identifierOf = (c: PlannedCommand): string | null =>
  typeof c.payload['identifier'] === 'string' ? c.payload['identifier'] : null

const samePayload = (a: Record<string, unknown>, b: Record<string, unknown>): boolean =>
  JSON.stringify(a) === JSON.stringify(b)

/**
 * `dropped` are the item keys (`app:<id>`, `profile:<id>`) the plan stops managing: an app
 * without "remove app when policy is removed" leaves no command behind, but its install must not
 * go out either if the device has not fetched it.
 */
export function reconcileQueue(
  planned: readonly PlannedCommand[],
  waiting: readonly WaitingCommand[],
  lastDelivered: LastDelivered,
  dropped: readonly string[] = [],
): QueueDecision {
  const decision: QueueDecision = { enqueue: [], cancel: [] }
  const cancelled = new Set<string>()
  const cancel = (w: WaitingCommand, why: string) => {
    if (cancelled.has(w.id)) return
    cancelled.add(w.id)
    decision.cancel.push({ id: w.id, why })
  }
  for (const key of dropped) {
    const [kind, ...rest] = key.split(':')
    const identifier = rest.join(':')
    const install = kind === 'app' ? 'install_app' : kind === 'profile' ? 'install_profile' : null
    for (const w of waiting)
      if (install !== null && w.type === install && w.identifier === identifier)
        cancel(w, 'Withdrawn before the device fetched it: the policy no longer applies.')
  }
  for (const c of planned) {
    const identifier = identifierOf(c)
    const family = FAMILY[c.type]
    if (family && identifier !== null) {
      const removing = c.type === family.remove
      for (const w of waiting)
        if ((w.type === family.install || w.type === family.remove) && w.identifier === identifier)
          cancel(
            w,
            removing
              ? `Withdrawn before the device fetched it: ${c.reason.summary}.`
              : `Replaced before the device fetched it by a newer ${c.type.replace('_', ' ')}.`,
          )
      const held = lastDelivered([family.install, family.remove], identifier)
      const holds = held?.type === family.install
      // Nothing of it is on the device: there is nothing to remove.
      if (removing && !holds) continue
      // The device holds exactly this already (a change and its undo both waited, say).
      if (!removing && holds && samePayload(held.payload, c.payload)) continue
    }
    if (c.type === 'apply_restrictions') {
      for (const w of waiting)
        if (w.type === 'apply_restrictions')
          cancel(w, 'Replaced before the device fetched it by a newer restriction set.')
      const held = lastDelivered(['apply_restrictions'], null)
      if (held && samePayload(held.payload, c.payload)) continue
    }
    decision.enqueue.push(c)
  }
  return decision
}
