// Whether a device is in MDM Lost Mode, as its command history says: the latest EnableLostMode or
// DisableLostMode that was not refused, cancelled or given up decides (one waiting counts, since
// the device runs its commands in order).
import type { Command } from '../../../shared/domain'

const COUNTS = new Set<Command['state']>(['queued', 'pushed', 'sent', 'acknowledged'])

export function lostModeOf(commands: readonly Command[]): boolean {
  let on = false
  let seq = -1
  for (const c of commands) {
    if (c.type !== 'enable_lost_mode' && c.type !== 'disable_lost_mode') continue
    if (!COUNTS.has(c.state) || c.seq < seq) continue
    seq = c.seq
    on = c.type === 'enable_lost_mode'
  }
  return on
}
