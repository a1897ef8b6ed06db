// Held changes (held_changes, held_change_devices): an admin change or recompute the circuit
// breaker stopped, with the devices it would have touched, until an admin approves or rejects it.
import type { HeldChange, HeldChangeStatus } from '../../shared/policy'
import type { Db } from './db'
import { plainSealer, type PayloadSealer } from './sealed'

interface HeldRow {
  id: string
  created_at: string
  cause: HeldChange['cause']
  summary: string
  status: HeldChangeStatus
  decided_at: string | null
  change: string | null
  devices_affected: number
  devices_total: number
  threshold: string
  diff: string
}

const heldOf = (r: HeldRow, sealer: PayloadSealer): HeldChange => ({
  id: r.id,
  createdAt: r.created_at,
  cause: r.cause,
  summary: r.summary,
  status: r.status,
  decidedAt: r.decided_at,
  // A held policy edit carries the draft's settings: its payload secrets are sealed at rest.
  change: r.change === null ? null : sealer.open(JSON.parse(r.change) as HeldChange['change']),
  devicesAffected: r.devices_affected,
  devicesTotal: r.devices_total,
  threshold: JSON.parse(r.threshold) as HeldChange['threshold'],
  diff: JSON.parse(r.diff) as HeldChange['diff'],
})

export function heldChangeQueries(db: Db, sealer: PayloadSealer = plainSealer) {
  const toHeld = (r: HeldRow): HeldChange => heldOf(r, sealer)
  const insert =
    db.prepare(`INSERT INTO held_changes (id, created_at, cause, summary, status, decided_at, change, devices_affected, devices_total, threshold, diff)
    VALUES (@id, @createdAt, @cause, @summary, 'held', NULL, @change, @devicesAffected, @devicesTotal, @threshold, @diff)`)
  const putDevice = db.prepare('INSERT OR IGNORE INTO held_change_devices (held_change_id, device_id) VALUES (?, ?)')
  const byId = db.prepare('SELECT * FROM held_changes WHERE id = ?')
  const all = db.prepare(
    `SELECT * FROM held_changes ORDER BY status = 'held' DESC, created_at DESC, rowid DESC LIMIT 200`,
  )
  const decide = db.prepare(`UPDATE held_changes SET status = ?, decided_at = ? WHERE id = ? AND status = 'held'`)
  const devicesOf = db.prepare('SELECT device_id FROM held_change_devices WHERE held_change_id = ?')
  const openDevices = db.prepare(
    `SELECT hd.device_id FROM held_change_devices hd JOIN held_changes h ON h.id = hd.held_change_id WHERE h.status = 'held'`,
  )

  return {
    hold(h: Omit<HeldChange, 'status' | 'decidedAt'>, deviceIds: readonly string[]): void {
      insert.run({
        ...h,
        change: h.change === null ? null : JSON.stringify(sealer.seal(h.change)),
        threshold: JSON.stringify(h.threshold),
        diff: JSON.stringify(h.diff),
      })
      for (const d of deviceIds) putDevice.run(h.id, d)
    },
    get: (id: string): HeldChange | undefined => {
      const r = byId.get(id) as HeldRow | undefined
      return r ? toHeld(r) : undefined
    },
    list: (): HeldChange[] => (all.all() as HeldRow[]).map(toHeld),
    /** Returns false when the change was already decided. */
    decide(id: string, status: 'approved' | 'rejected', at: string): boolean {
      return decide.run(status, at, id).changes > 0
    },
    devicesOf: (id: string): string[] => (devicesOf.all(id) as { device_id: string }[]).map(r => r.device_id),
    /** Devices that a change still held would touch. */
    openDeviceIds: (): Set<string> => new Set((openDevices.all() as { device_id: string }[]).map(r => r.device_id)),
  }
}
