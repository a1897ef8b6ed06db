// What a device's queue should hold once a new plan lands: commands that no longer serve the
// desired state are cancelled before the device fetches them, and a removal is sent only for
// something the device may have installed (a command it fetched or acknowledged).
import type { CommandType } from '../../shared/domain'
import type { PlannedCommand } from '../policies'

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

const INSTALL_OF: Partial<Record<CommandType, CommandType>> = {
  remove_app: 'install_app',
  remove_profile: 'install_profile',
}
const REMOVAL_OF: Partial<Record<CommandType, CommandType>> = {
  install_app: 'remove_app',
  install_profile: 'remove_profile',
}

const identifierOf = (c: PlannedCommand): string | null =>
  typeof c.payload['identifier'] === 'string' ? c.payload['identifier'] : null

/**
 * `waiting` are the device's commands it has not fetched; `delivered(type, identifier)` says
 * whether it ever fetched or acknowledged such a command.
 */
export function reconcileQueue(
  planned: readonly PlannedCommand[],
  waiting: readonly WaitingCommand[],
  delivered: (type: CommandType, identifier: string) => boolean,
): QueueDecision {
  const decision: QueueDecision = { enqueue: [], cancel: [] }
  const cancelled = new Set<string>()
  const cancel = (w: WaitingCommand, why: string) => {
    if (cancelled.has(w.id)) return
    cancelled.add(w.id)
    decision.cancel.push({ id: w.id, why })
  }
  for (const c of planned) {
    const identifier = identifierOf(c)
    const install = INSTALL_OF[c.type]
    if (install && identifier !== null) {
      for (const w of waiting)
        if (w.type === install && w.identifier === identifier)
          cancel(w, `Withdrawn before the device fetched it: ${c.reason.summary}.`)
      // Nothing of it ever reached the device: there is nothing to remove.
      if (!delivered(install, identifier)) continue
    }
    const removal = REMOVAL_OF[c.type]
    if (removal && identifier !== null) {
      for (const w of waiting)
        if ((w.type === removal || w.type === c.type) && w.identifier === identifier)
          cancel(w, `Replaced before the device fetched it by a newer ${c.type.replace('_', ' ')}.`)
    }
    if (c.type === 'apply_restrictions') {
      for (const w of waiting)
        if (w.type === 'apply_restrictions')
          cancel(w, 'Replaced before the device fetched it by a newer restriction set.')
    }
    decision.enqueue.push(c)
  }
  return decision
}
