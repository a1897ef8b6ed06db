// The Devices page's list: searched, filtered, sorted and paged in SQL, with the total, so the
// page holds 50 of 10,000 devices. One prepared statement per sort order, made on first use.
import type { DeviceListArgs, DeviceSummary } from '../../shared/domain'
import type { Db } from './db'
import { DEVICE_COLUMNS, type DeviceRow, toDevice } from './devices'
import { containsPattern } from './like'

/** Sort keys → SQL; the id breaks ties so pages never overlap. */
const ORDERS: Record<NonNullable<DeviceListArgs['sort']>, string> = {
  name: 'd.name COLLATE NOCASE',
  serial: 'd.serial COLLATE NOCASE',
  platform: 'd.platform',
  user: 'u.user_principal_name COLLATE NOCASE',
  enrolledAt: 'd.enrolled_at',
  lastSeenAt: 'd.last_seen_at',
  pending: 'pending',
}

const OPEN = `c.state IN ('queued', 'pushed', 'sent')`

// The search matches the device's name and serial, its user, and what the device reported about
// itself (device_facts: the model, its marketing name, and the OS as "<platform> <version>", so
// "ios 17" finds iPhones on iOS 17.x). A contains-search can use no index; at 10,000 devices one
// scan of the joined rows is a few milliseconds.
// A device's status: whether its user's policies are all delivered (no open command), waiting
// (open commands), or late (an open command past its deadline).
const WHERE = `
  (@q IS NULL OR d.name LIKE @q ESCAPE '\\' OR d.serial LIKE @q ESCAPE '\\' OR d.platform LIKE @q ESCAPE '\\'
    OR u.user_principal_name LIKE @q ESCAPE '\\' OR u.display_name LIKE @q ESCAPE '\\'
    OR f.model LIKE @q ESCAPE '\\' OR f.model_name LIKE @q ESCAPE '\\' OR f.product_name LIKE @q ESCAPE '\\'
    OR (d.platform || ' ' || f.os_version) LIKE @q ESCAPE '\\')
  AND (@platform IS NULL OR d.platform = @platform)
  AND (@userId IS NULL OR d.user_id = @userId)
  AND (@status IS NULL
    OR (@status = 'delivered' AND NOT EXISTS (SELECT 1 FROM commands c WHERE c.device_id = d.id AND ${OPEN}))
    OR (@status = 'waiting' AND EXISTS (SELECT 1 FROM commands c WHERE c.device_id = d.id AND ${OPEN}))
    OR (@status = 'late' AND EXISTS (SELECT 1 FROM commands c WHERE c.device_id = d.id AND ${OPEN} AND c.deadline_at < @now)))
  AND (@groupId IS NULL
    OR d.user_id IN (SELECT m.user_id FROM memberships m WHERE m.group_id = @groupId AND m.effective = 1)
    OR d.user_id IN (SELECT r.user_id FROM rule_memberships r
      WHERE instr(',' || r.plain || ',', ',' || @groupId || ',') > 0
        OR (r.other <> '[]' AND EXISTS (SELECT 1 FROM json_each(r.other) e
          WHERE json_extract(e.value, '$[0]') = @groupId AND json_extract(e.value, '$[2]') = 1))))`

const FROM = 'devices d LEFT JOIN users u ON u.id = d.user_id LEFT JOIN device_facts f ON f.device_id = d.id'

export function deviceListQueries(db: Db) {
  const pages = new Map<string, ReturnType<Db['prepare']>>()
  const count = db.prepare(`SELECT COUNT(*) FROM ${FROM} WHERE ${WHERE}`).pluck()
  const pageOf = (sort: keyof typeof ORDERS, dir: 'asc' | 'desc') => {
    const key = `${sort} ${dir}`
    let s = pages.get(key)
    if (!s) {
      s = db.prepare(`SELECT ${DEVICE_COLUMNS} FROM ${FROM} WHERE ${WHERE}
        ORDER BY ${ORDERS[sort]} ${dir}, d.id ${dir} LIMIT @limit OFFSET @offset`)
      pages.set(key, s)
    }
    return s
  }
  return {
    /** One page of the devices matching the arguments, and how many match in all. */
    page(args: DeviceListArgs, now: string): { rows: DeviceSummary[]; total: number } {
      const params = {
        q: containsPattern(args.query),
        platform: args.platform ?? null,
        userId: args.userId ?? null,
        groupId: args.groupId ?? null,
        status: args.status ?? null,
        now,
      }
      const rows = pageOf(args.sort ?? 'name', args.dir ?? 'asc').all({
        ...params,
        limit: args.limit ?? 50,
        offset: args.offset ?? 0,
      }) as DeviceRow[]
      return { rows: rows.map(toDevice), total: count.get(params) as number }
    },
  }
}
