// Counts per day for the overview's chart: enrollments (from the audit log, which records each
// one, re-enrollments included) and deliveries (commands the devices acknowledged).
import type { Db } from './db'

export function activityQueries(db: Db) {
  const enrollments = db
    .prepare(`SELECT substr(at, 1, 10) AS day, COUNT(*) AS n FROM audit_log
    WHERE action = 'devices/enroll' AND at >= ? GROUP BY day`)
    .raw(true)
  const deliveries = db
    .prepare(`SELECT substr(acknowledged_at, 1, 10) AS day, COUNT(*) AS n FROM commands
    WHERE state = 'acknowledged' AND acknowledged_at >= ? GROUP BY day`)
    .raw(true)
  const heldRebinds = db.prepare(`SELECT COUNT(*) FROM device_rebinds WHERE status = 'held'`).pluck()
  const toMap = (rows: unknown[]): Map<string, number> => new Map(rows as [string, number][])
  return {
    /** Per UTC day (YYYY-MM-DD) from `since` (an ISO time). */
    perDay(since: string): { enrollments: Map<string, number>; deliveries: Map<string, number> } {
      return { enrollments: toMap(enrollments.all(since)), deliveries: toMap(deliveries.all(since)) }
    },
    heldRebinds: (): number => heldRebinds.get() as number,
  }
}
