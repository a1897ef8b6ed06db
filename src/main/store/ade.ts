// Automated Device Enrollment's tables (ade_devices, ade_profiles, ade_state): the devices Apple
// lists for this MDM server, the profiles we defined with Apple, and the sync's cursor and summary.
import type { AdeAccount, AdeDevice, AdeEnrollmentState, AdeSyncSummary } from '../../shared/ade'
import type { Db } from './db'

/** One device as Apple's fetch or sync describes it (its snake_case fields, mapped). */
export interface AdeDeviceUpsert {
  serial: string
  model: string
  description: string
  color: string
  deviceFamily: string
  os: string
  profileStatus: string
  profileUuid: string | null
  profileAssignedAt: string | null
  assignedAt: string | null
  assignedBy: string | null
  /** The change's op_date (sync), null for a fetch. */
  opDate: string | null
}

export interface AdeProfileRecord {
  uuid: string
  name: string
  definition: Record<string, unknown>
  isDefault: boolean
  definedAt: string
}

interface DeviceRow {
  serial: string
  model: string
  description: string
  color: string
  device_family: string
  os: string
  profile_status: string
  profile_uuid: string | null
  profile_assigned_at: string | null
  assigned_at: string | null
  profile_name: string | null
  device_id: string | null
  user_principal_name: string | null
}

const stateOf = (r: DeviceRow): AdeEnrollmentState =>
  r.device_id ? 'enrolled' : r.profile_status === 'removed' ? 'removed' : r.profile_uuid ? 'assigned' : 'not-assigned'

const toDevice = (r: DeviceRow): AdeDevice => ({
  serial: r.serial,
  model: r.model,
  description: r.description,
  color: r.color,
  deviceFamily: r.device_family,
  os: r.os,
  profileStatus: r.profile_status,
  profileUuid: r.profile_uuid,
  profileName: r.profile_name,
  profileAssignedAt: r.profile_assigned_at,
  assignedToServerAt: r.assigned_at,
  state: stateOf(r),
  deviceId: r.device_id,
  userPrincipalName: r.user_principal_name,
})

const DEVICE_SELECT = `
SELECT a.serial, a.model, a.description, a.color, a.device_family, a.os, a.profile_status, a.profile_uuid,
       a.profile_assigned_at, a.assigned_at, p.name AS profile_name, d.id AS device_id,
       u.user_principal_name
FROM ade_devices a
LEFT JOIN ade_profiles p ON p.uuid = a.profile_uuid
LEFT JOIN devices d ON d.serial = a.serial
LEFT JOIN users u ON u.id = d.user_id`

export function adeQueries(db: Db) {
  const upsert = db.prepare(`
INSERT INTO ade_devices (serial, model, description, color, device_family, os, profile_status, profile_uuid,
  profile_assigned_at, assigned_at, assigned_by, op_date, seen_at)
VALUES (@serial, @model, @description, @color, @deviceFamily, @os, @profileStatus, @profileUuid,
  @profileAssignedAt, @assignedAt, @assignedBy, @opDate, @seenAt)
ON CONFLICT (serial) DO UPDATE SET
  model = excluded.model, description = excluded.description, color = excluded.color,
  device_family = excluded.device_family, os = excluded.os, profile_status = excluded.profile_status,
  profile_uuid = excluded.profile_uuid, profile_assigned_at = excluded.profile_assigned_at,
  assigned_at = excluded.assigned_at, assigned_by = excluded.assigned_by,
  op_date = COALESCE(excluded.op_date, ade_devices.op_date), seen_at = excluded.seen_at
WHERE excluded.op_date IS NULL OR ade_devices.op_date IS NULL OR excluded.op_date >= ade_devices.op_date`)
  const remove = db.prepare(
    'DELETE FROM ade_devices WHERE serial = ? AND (op_date IS NULL OR ? IS NULL OR op_date <= ?)',
  )
  const list = db.prepare(`${DEVICE_SELECT} ORDER BY a.serial`)
  const one = db.prepare(`${DEVICE_SELECT} WHERE a.serial = ?`)
  const assigned = db.prepare(
    'UPDATE ade_devices SET profile_uuid = ?, profile_status = ?, profile_assigned_at = ? WHERE serial = ?',
  )
  const needingProfile = db.prepare(`
SELECT a.serial FROM ade_devices a LEFT JOIN devices d ON d.serial = a.serial
WHERE d.id IS NULL AND (a.profile_uuid IS NULL OR a.profile_status IN ('empty', 'removed')) ORDER BY a.serial`)
  const addProfile = db.prepare(
    'INSERT INTO ade_profiles (uuid, name, definition, is_default, defined_at) VALUES (?, ?, ?, ?, ?)',
  )
  const clearDefault = db.prepare('UPDATE ade_profiles SET is_default = 0 WHERE is_default = 1')
  const defaultProfile = db.prepare('SELECT * FROM ade_profiles WHERE is_default = 1')
  const profile = db.prepare('SELECT * FROM ade_profiles WHERE uuid = ?')
  const state = db.prepare('SELECT cursor, cursor_at, account, last_sync FROM ade_state WHERE id = 1')
  const ensureState = db.prepare('INSERT OR IGNORE INTO ade_state (id) VALUES (1)')
  const setCursor = db.prepare('UPDATE ade_state SET cursor = ?, cursor_at = ? WHERE id = 1')
  const setAccount = db.prepare('UPDATE ade_state SET account = ? WHERE id = 1')
  const setLastSync = db.prepare('UPDATE ade_state SET last_sync = ? WHERE id = 1')

  const toProfile = (r: {
    uuid: string
    name: string
    definition: string
    is_default: number
    defined_at: string
  }): AdeProfileRecord => ({
    uuid: r.uuid,
    name: r.name,
    definition: JSON.parse(r.definition) as Record<string, unknown>,
    isDefault: r.is_default === 1,
    definedAt: r.defined_at,
  })
  const readState = () =>
    state.get() as
      | { cursor: string | null; cursor_at: string | null; account: string | null; last_sync: string | null }
      | undefined

  return {
    /** Applies one device from a fetch or sync; an older op_date than the stored one changes nothing. */
    upsertDevice(d: AdeDeviceUpsert, at: string): void {
      upsert.run({ ...d, seenAt: at })
    },
    /** Apple no longer lists the device for this server (op_type deleted) — unless a later change superseded it. */
    deleteDevice(serial: string, opDate: string | null): void {
      remove.run(serial, opDate, opDate)
    },
    devices: (): AdeDevice[] => (list.all() as DeviceRow[]).map(toDevice),
    device(serial: string): AdeDevice | null {
      const r = one.get(serial) as DeviceRow | undefined
      return r ? toDevice(r) : null
    },
    /** Records Apple's answer to an assignment. */
    setProfile(serial: string, profileUuid: string, at: string): void {
      assigned.run(profileUuid, 'assigned', at, serial)
    },
    /** Devices not enrolled yet that have no profile from us (new in Apple's list, or cleared). */
    needingProfile: (): string[] => (needingProfile.all() as { serial: string }[]).map(r => r.serial),
    addProfile(p: AdeProfileRecord): void {
      if (p.isDefault) clearDefault.run()
      addProfile.run(p.uuid, p.name, JSON.stringify(p.definition), p.isDefault ? 1 : 0, p.definedAt)
    },
    defaultProfile(): AdeProfileRecord | null {
      const r = defaultProfile.get() as Parameters<typeof toProfile>[0] | undefined
      return r ? toProfile(r) : null
    },
    profile(uuid: string): AdeProfileRecord | null {
      const r = profile.get(uuid) as Parameters<typeof toProfile>[0] | undefined
      return r ? toProfile(r) : null
    },
    cursor(): { cursor: string; at: string } | null {
      const s = readState()
      return s?.cursor && s.cursor_at ? { cursor: s.cursor, at: s.cursor_at } : null
    },
    setCursor(cursor: string | null, at: string | null): void {
      ensureState.run()
      setCursor.run(cursor, at)
    },
    account(): AdeAccount | null {
      const s = readState()
      return s?.account ? (JSON.parse(s.account) as AdeAccount) : null
    },
    setAccount(account: AdeAccount | null): void {
      ensureState.run()
      setAccount.run(account ? JSON.stringify(account) : null)
    },
    lastSync(): AdeSyncSummary | null {
      const s = readState()
      return s?.last_sync ? (JSON.parse(s.last_sync) as AdeSyncSummary) : null
    },
    setLastSync(summary: AdeSyncSummary): void {
      ensureState.run()
      setLastSync.run(JSON.stringify(summary))
    },
  }
}
