import type {
  Command,
  CommandReason,
  CommandState,
  CommandType,
  DeviceAssignment,
  DeviceSummary,
  PayloadKind,
  Platform,
} from '../../shared/domain'
import type { Db } from './db'

interface DeviceRow {
  id: string
  serial: string
  name: string
  platform: Platform
  user_id: string | null
  user_principal_name: string | null
  enrolled_at: string
  last_seen_at: string | null
  pending: number
}

const DEVICE_COLUMNS = `d.id, d.serial, d.name, d.platform, d.user_id, u.user_principal_name, d.enrolled_at, d.last_seen_at,
  (SELECT COUNT(*) FROM commands c WHERE c.device_id = d.id AND c.state IN ('queued', 'pushed', 'sent')) AS pending`

const toDevice = (r: DeviceRow): DeviceSummary => ({
  id: r.id,
  serial: r.serial,
  name: r.name,
  platform: r.platform,
  userId: r.user_id,
  userPrincipalName: r.user_principal_name,
  enrolledAt: r.enrolled_at,
  lastSeenAt: r.last_seen_at,
  pendingCommands: r.pending,
})

export interface CommandRow {
  id: string
  device_id: string
  seq: number
  type: CommandType
  payload: string
  state: CommandState
  reason: string
  created_at: string
  pushed_at: string | null
  acknowledged_at: string | null
  deadline_at: string
  error: string | null
  sent_at: string | null
  finished_at: string | null
  attempts: number
  next_attempt_at: string | null
}

export const toCommand = (r: CommandRow): Command => ({
  id: r.id,
  deviceId: r.device_id,
  seq: r.seq,
  type: r.type,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  state: r.state,
  reason: JSON.parse(r.reason) as CommandReason,
  createdAt: r.created_at,
  pushedAt: r.pushed_at,
  acknowledgedAt: r.acknowledged_at,
  deadlineAt: r.deadline_at,
  error: r.error,
  sentAt: r.sent_at,
  finishedAt: r.finished_at,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
})

/** One payload item as last sent to a device. */
export interface SentItem {
  key: string
  kind: PayloadKind
  identifier: string
  name: string
  value: unknown
  policyId: string
  itemId: string
}

export interface NewCommand {
  id: string
  type: CommandType
  payload: Record<string, unknown>
  reason: CommandReason
  deadlineAt: string
}

export interface DeviceRecord {
  id: string
  serial: string
  name: string
  platform: Platform
  userId: string
  pushToken: string | null
}

export function deviceQueries(db: Db) {
  const bySerial = db.prepare('SELECT id FROM devices WHERE serial = ?')
  const insert =
    db.prepare(`INSERT INTO devices (id, serial, name, platform, user_id, push_token, token_updated_at, enrolled_at, last_seen_at)
    VALUES (@id, @serial, @name, @platform, @userId, @pushToken, CASE WHEN @pushToken IS NOT NULL THEN @at END, @at, @at)`)
  const rebind = db.prepare(`UPDATE devices SET name = @name, platform = @platform, user_id = @userId,
    push_token = COALESCE(@pushToken, push_token),
    token_updated_at = CASE WHEN @pushToken IS NOT NULL THEN @at ELSE token_updated_at END,
    token_stale_at = CASE WHEN @pushToken IS NOT NULL THEN NULL ELSE token_stale_at END,
    enrolled_at = @at, last_seen_at = @at WHERE id = @id`)
  const seen = db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?')
  const all = db.prepare(
    `SELECT ${DEVICE_COLUMNS} FROM devices d LEFT JOIN users u ON u.id = d.user_id ORDER BY d.enrolled_at DESC, d.id`,
  )
  const byId = db.prepare(
    `SELECT ${DEVICE_COLUMNS} FROM devices d LEFT JOIN users u ON u.id = d.user_id WHERE d.id = ?`,
  )
  const ofUser = db.prepare(
    `SELECT ${DEVICE_COLUMNS} FROM devices d LEFT JOIN users u ON u.id = d.user_id WHERE d.user_id = ? ORDER BY d.name`,
  )
  const bound = db.prepare('SELECT id FROM devices WHERE user_id IS NOT NULL ORDER BY id')
  const count = db.prepare('SELECT COUNT(*) AS n FROM devices')

  const items = db.prepare('SELECT * FROM device_items WHERE device_id = ? ORDER BY kind, name')
  const putItem =
    db.prepare(`INSERT INTO device_items (device_id, item_key, kind, identifier, name, value, policy_id, item_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (device_id, item_key) DO UPDATE SET kind = excluded.kind, identifier = excluded.identifier,
      name = excluded.name, value = excluded.value, policy_id = excluded.policy_id, item_id = excluded.item_id`)
  const dropItem = db.prepare('DELETE FROM device_items WHERE device_id = ? AND item_key = ?')
  const assignments =
    db.prepare(`SELECT di.policy_id, COALESCE(p.name, '(deleted policy)') AS policy_name, di.item_id, di.kind, di.identifier, di.name
    FROM device_items di LEFT JOIN policies p ON p.id = di.policy_id WHERE di.device_id = ?
    ORDER BY policy_name COLLATE NOCASE, di.kind, di.name`)

  const nextSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM commands WHERE device_id = ?')
  // A new command is due for a push at once; the outbox dispatcher picks it up by next_attempt_at.
  const insertCommand =
    db.prepare(`INSERT INTO commands (id, device_id, seq, type, payload, state, reason, created_at, deadline_at, next_attempt_at)
    VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)`)
  const commandsOf = db.prepare('SELECT * FROM commands WHERE device_id = ? ORDER BY seq DESC')
  const commandById = db.prepare('SELECT * FROM commands WHERE id = ? AND device_id = ?')
  const waitingOf = db
    .prepare(`SELECT id, type, json_extract(payload, '$.identifier') FROM commands
    WHERE device_id = ? AND state IN ('queued', 'pushed', 'dead')`)
    .raw(true)
  const deliveredOne = db
    .prepare(`SELECT 1 FROM commands WHERE device_id = ? AND type = ? AND json_extract(payload, '$.identifier') = ?
    AND state IN ('sent', 'acknowledged') LIMIT 1`)
    .pluck()
  const overdue = db.prepare(`SELECT c.*, d.name AS device_name FROM commands c JOIN devices d ON d.id = c.device_id
    WHERE c.state IN ('queued', 'pushed', 'sent') AND c.deadline_at < ? ORDER BY c.deadline_at`)
  const pendingAll = db.prepare(`SELECT COUNT(*) AS n FROM commands WHERE state IN ('queued', 'pushed', 'sent')`)
  const failedDeliveries =
    db.prepare(`SELECT p.device_id, d.name AS device_name, p.transport, p.reason, p.created_at FROM push_deliveries p
    JOIN devices d ON d.id = p.device_id
    WHERE p.status = 'failed' AND p.rowid = (SELECT q.rowid FROM push_deliveries q WHERE q.device_id = p.device_id ORDER BY q.created_at DESC, q.rowid DESC LIMIT 1)
    ORDER BY p.created_at`)

  return {
    /** Enrolls a new device, or rebinds a known serial (a re-enrollment) to its new user. */
    enroll(d: DeviceRecord, at: string): { id: string; reenrolled: boolean } {
      const existing = bySerial.get(d.serial) as { id: string } | undefined
      if (existing) {
        rebind.run({ ...d, id: existing.id, at })
        return { id: existing.id, reenrolled: true }
      }
      insert.run({ ...d, at })
      return { id: d.id, reenrolled: false }
    },
    markSeen(deviceId: string, at: string): void {
      seen.run(at, deviceId)
    },
    get(id: string): DeviceSummary | undefined {
      const r = byId.get(id) as DeviceRow | undefined
      return r ? toDevice(r) : undefined
    },
    list(): DeviceSummary[] {
      return (all.all() as DeviceRow[]).map(toDevice)
    },
    ofUser(userId: string): DeviceSummary[] {
      return (ofUser.all(userId) as DeviceRow[]).map(toDevice)
    },
    boundIds(): string[] {
      return (bound.all() as { id: string }[]).map(r => r.id)
    },
    count(): number {
      return (count.get() as { n: number }).n
    },
    sentItems(deviceId: string): SentItem[] {
      return (
        items.all(deviceId) as {
          item_key: string
          kind: PayloadKind
          identifier: string
          name: string
          value: string
          policy_id: string
          item_id: string
        }[]
      ).map(r => ({
        key: r.item_key,
        kind: r.kind,
        identifier: r.identifier,
        name: r.name,
        value: JSON.parse(r.value) as unknown,
        policyId: r.policy_id,
        itemId: r.item_id,
      }))
    },
    putSentItem(deviceId: string, i: SentItem): void {
      putItem.run(deviceId, i.key, i.kind, i.identifier, i.name, JSON.stringify(i.value ?? null), i.policyId, i.itemId)
    },
    dropSentItem(deviceId: string, key: string): void {
      dropItem.run(deviceId, key)
    },
    assignments(deviceId: string): DeviceAssignment[] {
      return (
        assignments.all(deviceId) as {
          policy_id: string
          policy_name: string
          item_id: string
          kind: PayloadKind
          identifier: string
          name: string
        }[]
      ).map(r => ({
        policyId: r.policy_id,
        policyName: r.policy_name,
        itemId: r.item_id,
        kind: r.kind,
        identifier: r.identifier,
        name: r.name,
      }))
    },
    enqueue(deviceId: string, commands: NewCommand[], at: string): void {
      let seq = (nextSeq.get(deviceId) as { seq: number }).seq
      for (const c of commands) {
        insertCommand.run(
          c.id,
          deviceId,
          seq++,
          c.type,
          JSON.stringify(c.payload),
          JSON.stringify(c.reason),
          at,
          c.deadlineAt,
          at,
        )
      }
    },
    /** Commands the device has not fetched yet (queued, pushed or dead-lettered). */
    waitingCommands(deviceId: string): { id: string; type: CommandType; identifier: string | null }[] {
      return (waitingOf.all(deviceId) as [string, CommandType, unknown][]).map(([id, type, identifier]) => ({
        id,
        type,
        identifier: typeof identifier === 'string' ? identifier : null,
      }))
    },
    /** Whether the device ever fetched or acknowledged a command of this type for this identifier. */
    delivered(deviceId: string, type: CommandType, identifier: string): boolean {
      return deliveredOne.get(deviceId, type, identifier) !== undefined
    },
    commands(deviceId: string): Command[] {
      return (commandsOf.all(deviceId) as CommandRow[]).map(toCommand)
    },
    command(deviceId: string, commandId: string): Command | undefined {
      const r = commandById.get(commandId, deviceId) as CommandRow | undefined
      return r ? toCommand(r) : undefined
    },
    overdueCommands(now: string): (Command & { deviceName: string })[] {
      return (overdue.all(now) as (CommandRow & { device_name: string })[]).map(r => ({
        ...toCommand(r),
        deviceName: r.device_name,
      }))
    },
    pendingCommandCount(): number {
      return (pendingAll.get() as { n: number }).n
    },
    latestFailedDeliveries(): {
      deviceId: string
      deviceName: string
      transport: string
      reason: string | null
      at: string
    }[] {
      return (
        failedDeliveries.all() as {
          device_id: string
          device_name: string
          transport: string
          reason: string | null
          created_at: string
        }[]
      ).map(r => ({
        deviceId: r.device_id,
        deviceName: r.device_name,
        transport: r.transport,
        reason: r.reason,
        at: r.created_at,
      }))
    },
  }
}
