import type {
  Command,
  CommandReason,
  CommandState,
  CommandType,
  DeviceAssignment,
  DeviceSummary,
  HeldRebind,
  PayloadKind,
  Platform,
} from '../../shared/domain'
import type { Db } from './db'
import { plainSealer, type PayloadSealer } from './sealed'

export interface DeviceRow {
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

export const DEVICE_COLUMNS = `d.id, d.serial, d.name, d.platform, d.user_id, u.user_principal_name, d.enrolled_at, d.last_seen_at,
  (SELECT COUNT(*) FROM commands c WHERE c.device_id = d.id AND c.state IN ('queued', 'pushed', 'sent')) AS pending`

export const toDevice = (r: DeviceRow): DeviceSummary => ({
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
  channel: string | null
}

export const toCommand = (r: CommandRow, sealer: PayloadSealer = plainSealer): Command => ({
  id: r.id,
  deviceId: r.device_id,
  seq: r.seq,
  type: r.type,
  payload: sealer.open(JSON.parse(r.payload) as Record<string, unknown>),
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
  channel: r.channel ?? null,
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
  /** Apple: the user channel whose queue gets the command; absent or null = the device channel. */
  channel?: string | null
}

export interface DeviceRecord {
  id: string
  serial: string
  name: string
  platform: Platform
  userId: string
  pushToken: string | null
}

export interface SerialEnrollment {
  deviceId: string
  userId: string | null
  platform: Platform
  identityFingerprint: string | null
  credentialHash: string | null
}

export interface NewHeldRebind {
  id: string
  deviceId: string
  fromUserId: string | null
  toUserId: string
  name: string | null
  pushToken: string | null
  udid: string | null
  fingerprint: string | null
  credentialHash: string | null
}

/** A held re-enrollment with what it would bind (kept in the store; the renderer sees HeldRebind). */
export interface HeldRebindRecord extends HeldRebind {
  toUserId: string
  name: string | null
  pushToken: string | null
  udid: string | null
  fingerprint: string | null
  credentialHash: string | null
}

interface RebindRow {
  id: string
  device_id: string
  from_user_id: string | null
  from_upn: string | null
  to_user_id: string
  to_upn: string
  name: string | null
  push_token: string | null
  udid: string | null
  identity_fingerprint: string | null
  credential_hash: string | null
  requested_at: string
  status: HeldRebind['status']
  decided_at: string | null
  serial: string
  platform: Platform
}

const toRebind = (r: RebindRow): HeldRebindRecord => ({
  id: r.id,
  deviceId: r.device_id,
  serial: r.serial,
  platform: r.platform,
  fromUserPrincipalName: r.from_upn,
  toUserPrincipalName: r.to_upn,
  requestedAt: r.requested_at,
  status: r.status,
  decidedAt: r.decided_at,
  toUserId: r.to_user_id,
  name: r.name,
  pushToken: r.push_token,
  udid: r.udid,
  fingerprint: r.identity_fingerprint,
  credentialHash: r.credential_hash,
})

export function deviceQueries(db: Db, sealer: PayloadSealer = plainSealer) {
  const asCommand = (r: CommandRow) => toCommand(r, sealer)
  const bySerial = db.prepare('SELECT id FROM devices WHERE serial = ?')
  const enrollmentBySerial = db.prepare(
    'SELECT id, user_id, platform, identity_fingerprint, credential_hash FROM devices WHERE serial = ?',
  )
  const insertRebind =
    db.prepare(`INSERT INTO device_rebinds (id, device_id, from_user_id, to_user_id, name, push_token, udid,
    identity_fingerprint, credential_hash, requested_at, status)
    VALUES (@id, @deviceId, @fromUserId, @toUserId, @name, @pushToken, @udid, @fingerprint, @credentialHash, @at, 'held')`)
  const REBIND_COLUMNS = `r.id, r.device_id, r.from_user_id, f.user_principal_name AS from_upn, r.to_user_id,
    t.user_principal_name AS to_upn, r.name, r.push_token, r.udid, r.identity_fingerprint, r.credential_hash,
    r.requested_at, r.status, r.decided_at, d.serial, d.platform`
  const REBIND_FROM = `device_rebinds r JOIN devices d ON d.id = r.device_id JOIN users t ON t.id = r.to_user_id
    LEFT JOIN users f ON f.id = r.from_user_id`
  const rebindsOf = db.prepare(
    `SELECT ${REBIND_COLUMNS} FROM ${REBIND_FROM} WHERE r.device_id = ? ORDER BY r.requested_at DESC`,
  )
  const rebindById = db.prepare(`SELECT ${REBIND_COLUMNS} FROM ${REBIND_FROM} WHERE r.id = ?`)
  const decideRebind = db.prepare(
    `UPDATE device_rebinds SET status = ?, decided_at = ? WHERE id = ? AND status = 'held'`,
  )
  const supersedeRebinds = db.prepare(
    `UPDATE device_rebinds SET status = 'rejected', decided_at = ? WHERE device_id = ? AND status = 'held'`,
  )
  const insert =
    db.prepare(`INSERT INTO devices (id, serial, name, platform, user_id, push_token, token_updated_at, enrolled_at, last_seen_at)
    VALUES (@id, @serial, @name, @platform, @userId, @pushToken, CASE WHEN @pushToken IS NOT NULL THEN @at END, @at, @at)`)
  // A re-enrollment never changes the platform: an Android enrollment with an iPhone's serial is
  // refused before it gets here, and the column is not written even if it were not.
  const rebind = db.prepare(`UPDATE devices SET name = @name, user_id = @userId,
    push_token = COALESCE(@pushToken, push_token),
    token_updated_at = CASE WHEN @pushToken IS NOT NULL THEN @at ELSE token_updated_at END,
    token_stale_at = CASE WHEN @pushToken IS NOT NULL THEN NULL ELSE token_stale_at END,
    enrolled_at = @at, last_seen_at = @at WHERE id = @id`)
  const seen = db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?')
  const rename = db.prepare('UPDATE devices SET name = ? WHERE id = ?')
  const unbind = db.prepare('UPDATE devices SET user_id = NULL WHERE id = ?')
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
  const orphaned = db
    .prepare(`SELECT d.id FROM devices d WHERE d.user_id IS NULL AND (
      EXISTS (SELECT 1 FROM device_items i WHERE i.device_id = d.id)
      OR EXISTS (SELECT 1 FROM commands c WHERE c.device_id = d.id AND c.state IN ('queued', 'pushed', 'dead')
        AND c.type IN ('install_app', 'install_profile'))) ORDER BY d.id`)
    .pluck()
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
    db.prepare(`INSERT INTO commands (id, device_id, seq, type, payload, state, reason, created_at, deadline_at, next_attempt_at, channel)
    VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)`)
  const commandsOf = db.prepare('SELECT * FROM commands WHERE device_id = ? ORDER BY seq DESC')
  const commandById = db.prepare('SELECT * FROM commands WHERE id = ? AND device_id = ?')
  const waitingOf = db
    .prepare(`SELECT id, type, json_extract(payload, '$.identifier'), channel FROM commands
    WHERE device_id = ? AND state IN ('queued', 'pushed', 'dead')`)
    .raw(true)
  const lastDeliveredOf = db
    .prepare(`SELECT id FROM commands WHERE device_id = @deviceId AND type IN (SELECT value FROM json_each(@types))
    AND (@identifier IS NULL OR json_extract(payload, '$.identifier') = @identifier)
    AND state IN ('sent', 'acknowledged') ORDER BY seq DESC LIMIT 1`)
    .pluck()
  const overdue = db.prepare(`SELECT c.*, d.name AS device_name FROM commands c JOIN devices d ON d.id = c.device_id
    WHERE c.state IN ('queued', 'pushed', 'sent') AND c.deadline_at < ? ORDER BY c.deadline_at`)
  const overdueCount = db
    .prepare(`SELECT COUNT(*) FROM commands c JOIN devices d ON d.id = c.device_id
    WHERE c.state IN ('queued', 'pushed', 'sent') AND c.deadline_at < ?`)
    .pluck()
  const nextDeadline = db
    .prepare(`SELECT MIN(deadline_at) FROM commands WHERE state IN ('queued', 'pushed', 'sent') AND deadline_at >= ?`)
    .pluck()
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
    /** Who a serial is enrolled to and how its current identity is proved, or undefined. */
    enrollmentOf(serial: string): SerialEnrollment | undefined {
      const r = enrollmentBySerial.get(serial) as
        | {
            id: string
            user_id: string | null
            platform: Platform
            identity_fingerprint: string | null
            credential_hash: string | null
          }
        | undefined
      return r
        ? {
            deviceId: r.id,
            userId: r.user_id,
            platform: r.platform,
            identityFingerprint: r.identity_fingerprint,
            credentialHash: r.credential_hash,
          }
        : undefined
    },
    /** Holds a re-enrollment of a device by another user for an admin; earlier held ones lapse. */
    holdRebind(r: NewHeldRebind, at: string): void {
      supersedeRebinds.run(at, r.deviceId)
      insertRebind.run({ ...r, at })
    },
    rebinds(deviceId: string): HeldRebindRecord[] {
      return (rebindsOf.all(deviceId) as RebindRow[]).map(toRebind)
    },
    rebind(id: string): HeldRebindRecord | undefined {
      const r = rebindById.get(id) as RebindRow | undefined
      return r ? toRebind(r) : undefined
    },
    /** Records the admin's decision; false when the rebind was no longer held. */
    decideRebind(id: string, status: 'approved' | 'rejected', at: string): boolean {
      return decideRebind.run(status, at, id).changes === 1
    },
    rename(deviceId: string, name: string): boolean {
      return rename.run(name, deviceId).changes === 1
    },
    /** The device keeps its serial, identity and command history, and belongs to no user. */
    unbind(deviceId: string): boolean {
      return unbind.run(deviceId).changes === 1
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
    /**
     * Devices without a user (the directory removed it) that still hold something we sent, or have
     * an install waiting: what they were sent is owed a withdrawal.
     */
    orphanedIds(): string[] {
      return orphaned.all() as string[]
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
        value: sealer.open(JSON.parse(r.value) as unknown),
        policyId: r.policy_id,
        itemId: r.item_id,
      }))
    },
    putSentItem(deviceId: string, i: SentItem): void {
      putItem.run(
        deviceId,
        i.key,
        i.kind,
        i.identifier,
        i.name,
        JSON.stringify(sealer.seal(i.value ?? null)),
        i.policyId,
        i.itemId,
      )
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
          JSON.stringify(sealer.seal(c.payload)),
          JSON.stringify(c.reason),
          at,
          c.deadlineAt,
          at,
          c.channel ?? null,
        )
      }
    },
    /** Commands the device has not fetched yet (queued, pushed or dead-lettered). */
    waitingCommands(
      deviceId: string,
    ): { id: string; type: CommandType; identifier: string | null; channel: string | null }[] {
      return (waitingOf.all(deviceId) as [string, CommandType, unknown, string | null][]).map(
        ([id, type, identifier, channel]) => ({
          id,
          type,
          identifier: typeof identifier === 'string' ? identifier : null,
          channel,
        }),
      )
    },
    /**
     * The last command of these types (for this identifier) the device fetched or acknowledged:
     * what it holds of that item now.
     */
    lastDelivered(deviceId: string, types: readonly CommandType[], identifier: string | null): Command | undefined {
      const id = lastDeliveredOf.get({ deviceId, types: JSON.stringify(types), identifier }) as string | undefined
      if (id === undefined) return undefined
      const r = commandById.get(id, deviceId) as CommandRow | undefined
      return r ? asCommand(r) : undefined
    },
    commands(deviceId: string): Command[] {
      return (commandsOf.all(deviceId) as CommandRow[]).map(asCommand)
    },
    command(deviceId: string, commandId: string): Command | undefined {
      const r = commandById.get(commandId, deviceId) as CommandRow | undefined
      return r ? asCommand(r) : undefined
    },
    /** How many overdueCommands(now) would list, without reading them (the overview's count). */
    overdueCount: (now: string): number => overdueCount.get(now) as number,
    overdueCommands(now: string): (Command & { deviceName: string })[] {
      return (overdue.all(now) as (CommandRow & { device_name: string })[]).map(r => ({
        ...asCommand(r),
        deviceName: r.device_name,
      }))
    },
    /** The earliest deadline of an open command that has not passed at `now` (null: none). */
    nextDeadline(now: string): string | null {
      return (nextDeadline.get(now) as string | null | undefined) ?? null
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
