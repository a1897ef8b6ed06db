// Android Enterprise: the bound enterprise (one row) and the devices managed through the Android
// Management API with their compiled policy and what they last reported (devices/android).
import type { Db } from './db'
import type { PayloadSealer } from './sealed'

export interface AndroidEnterpriseRecord {
  projectId: string
  /** enterprises/{id}; null while a signup is under way. */
  name: string | null
  displayName: string | null
  signupName: string | null
  signupState: string | null
  signinUrl: string | null
  signinToken: string | null
  boundAt: string | null
  devicePageToken: string | null
  polledAt: string | null
}

export interface AndroidDeviceRecord {
  deviceId: string
  via: 'signin' | 'token'
  policyName: string
  policyVersion: string | null
  policyHash: string | null
  policyJson: string | null
  patchedAt: string | null
  kept: string[]
  refused: { key: string; name: string; reason: string }[]
  /** Outbox command ids that policyVersion carries. */
  carried: string[]
  patchError: string | null
  tokenName: string | null
  /** The enrollment token's value and QR code JSON (sealed at rest). */
  token: { value: string; qrCode: string } | null
  tokenExpiresAt: string | null
  amapiName: string | null
  hardwareSerial: string | null
  state: string | null
  appliedPolicyVersion: string | null
  compliant: boolean | null
  nonCompliance: unknown[]
  lastReportAt: string | null
  /** Device.managementMode as last reported (DEVICE_OWNER, PROFILE_OWNER); null until it reports. */
  managementMode: string | null
  /** Device.ownership as last reported (COMPANY_OWNED, PERSONALLY_OWNED); null until it reports. */
  ownership: string | null
  createdAt: string
}

interface DeviceRow {
  device_id: string
  via: 'signin' | 'token'
  policy_name: string
  policy_version: string | null
  policy_hash: string | null
  policy_json: string | null
  patched_at: string | null
  kept: string
  refused: string
  carried: string
  patch_error: string | null
  token_name: string | null
  token: string | null
  token_expires_at: string | null
  amapi_name: string | null
  hardware_serial: string | null
  state: string | null
  applied_policy_version: string | null
  compliant: number | null
  non_compliance: string
  last_report_at: string | null
  management_mode: string | null
  ownership: string | null
  created_at: string
}

export interface AndroidReport {
  amapiName: string
  hardwareSerial: string | null
  state: string | null
  appliedPolicyVersion: string | null
  compliant: boolean | null
  nonCompliance: unknown[]
  lastReportAt: string | null
}

export function androidQueries(db: Db, sealer: PayloadSealer) {
  const getEnterprise = db.prepare('SELECT * FROM android_enterprise WHERE id = 1')
  const upsertEnterprise = db.prepare(`INSERT INTO android_enterprise (id, project_id, name, display_name, signup_name,
      signup_state, signin_url, signin_token, bound_at, device_page_token, polled_at)
    VALUES (1, @projectId, @name, @displayName, @signupName, @signupState, @signinUrl, @signinToken, @boundAt,
      @devicePageToken, @polledAt)
    ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, name = excluded.name,
      display_name = excluded.display_name, signup_name = excluded.signup_name, signup_state = excluded.signup_state,
      signin_url = excluded.signin_url, signin_token = excluded.signin_token, bound_at = excluded.bound_at,
      device_page_token = excluded.device_page_token, polled_at = excluded.polled_at`)
  const getDevice = db.prepare('SELECT * FROM android_devices WHERE device_id = ?')
  const byAmapi = db.prepare('SELECT * FROM android_devices WHERE amapi_name = ?')
  const byToken = db.prepare('SELECT * FROM android_devices WHERE token_name = ?')
  const all = db.prepare('SELECT * FROM android_devices ORDER BY created_at, device_id')
  const insert = db.prepare(`INSERT INTO android_devices (device_id, via, policy_name, created_at)
    VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET via = excluded.via`)
  const setPolicy = db.prepare(`UPDATE android_devices SET policy_version = @version, policy_hash = @hash,
      policy_json = @json, patched_at = @at, kept = @kept, refused = @refused, carried = @carried, patch_error = NULL
    WHERE device_id = @deviceId`)
  const setPatchError = db.prepare('UPDATE android_devices SET patch_error = ? WHERE device_id = ?')
  const setToken = db.prepare(
    'UPDATE android_devices SET token_name = ?, token = ?, token_expires_at = ? WHERE device_id = ?',
  )
  const setReport = db.prepare(`UPDATE android_devices SET amapi_name = @amapiName, hardware_serial = @hardwareSerial,
      state = @state, applied_policy_version = @appliedPolicyVersion, compliant = @compliant,
      non_compliance = @nonCompliance, last_report_at = @lastReportAt
    WHERE device_id = @deviceId`)
  const setManagement = db.prepare('UPDATE android_devices SET management_mode = ?, ownership = ? WHERE device_id = ?')
  const setCarried = db.prepare('UPDATE android_devices SET carried = ? WHERE device_id = ?')
  const remove = db.prepare('DELETE FROM android_devices WHERE device_id = ?')

  const toEnterprise = (r: Record<string, string | null>): AndroidEnterpriseRecord => ({
    projectId: r['project_id'] as string,
    name: r['name'] ?? null,
    displayName: r['display_name'] ?? null,
    signupName: r['signup_name'] ?? null,
    signupState: r['signup_state'] ?? null,
    signinUrl: r['signin_url'] ?? null,
    signinToken: r['signin_token'] ?? null,
    boundAt: r['bound_at'] ?? null,
    devicePageToken: r['device_page_token'] ?? null,
    polledAt: r['polled_at'] ?? null,
  })
  const toDevice = (r: DeviceRow): AndroidDeviceRecord => {
    const sealed = r.token ? (sealer.open(JSON.parse(r.token)) as { secret: string }) : null
    return {
      deviceId: r.device_id,
      via: r.via,
      policyName: r.policy_name,
      policyVersion: r.policy_version,
      policyHash: r.policy_hash,
      policyJson: r.policy_json,
      patchedAt: r.patched_at,
      kept: JSON.parse(r.kept) as string[],
      refused: JSON.parse(r.refused) as AndroidDeviceRecord['refused'],
      carried: JSON.parse(r.carried) as string[],
      patchError: r.patch_error,
      tokenName: r.token_name,
      token: sealed ? (JSON.parse(sealed.secret) as { value: string; qrCode: string }) : null,
      tokenExpiresAt: r.token_expires_at,
      amapiName: r.amapi_name,
      hardwareSerial: r.hardware_serial,
      state: r.state,
      appliedPolicyVersion: r.applied_policy_version,
      compliant: r.compliant === null ? null : r.compliant === 1,
      nonCompliance: JSON.parse(r.non_compliance) as unknown[],
      lastReportAt: r.last_report_at,
      managementMode: r.management_mode,
      ownership: r.ownership,
      createdAt: r.created_at,
    }
  }
  const one = (r: unknown) => (r ? toDevice(r as DeviceRow) : undefined)

  return {
    enterprise(): AndroidEnterpriseRecord | null {
      const r = getEnterprise.get() as Record<string, string | null> | undefined
      return r ? toEnterprise(r) : null
    },
    putEnterprise(e: AndroidEnterpriseRecord): void {
      upsertEnterprise.run(e)
    },
    device: (deviceId: string) => one(getDevice.get(deviceId)),
    deviceByAmapiName: (name: string) => one(byAmapi.get(name)),
    deviceByTokenName: (name: string) => one(byToken.get(name)),
    devices: (): AndroidDeviceRecord[] => (all.all() as DeviceRow[]).map(toDevice),
    addDevice(deviceId: string, via: 'signin' | 'token', policyName: string, at: string): void {
      insert.run(deviceId, via, policyName, at)
    },
    setPolicy(
      deviceId: string,
      p: {
        version: string | null
        hash: string
        json: string
        at: string
        kept: string[]
        refused: AndroidDeviceRecord['refused']
        carried: string[]
      },
    ): void {
      setPolicy.run({
        deviceId,
        version: p.version,
        hash: p.hash,
        json: p.json,
        at: p.at,
        kept: JSON.stringify(p.kept),
        refused: JSON.stringify(p.refused),
        carried: JSON.stringify(p.carried),
      })
    },
    setPatchError(deviceId: string, error: string | null): void {
      setPatchError.run(error, deviceId)
    },
    setToken(deviceId: string, name: string, token: { value: string; qrCode: string }, expiresAt: string | null) {
      setToken.run(name, JSON.stringify(sealer.seal({ secret: JSON.stringify(token) })), expiresAt, deviceId)
    },
    setReport(deviceId: string, r: AndroidReport): void {
      setReport.run({
        deviceId,
        ...r,
        compliant: r.compliant === null ? null : r.compliant ? 1 : 0,
        nonCompliance: JSON.stringify(r.nonCompliance),
      })
    },
    /** How the device said it is managed (a report without the fields keeps what was known). */
    setManagement(deviceId: string, managementMode: string | null, ownership: string | null): void {
      const r = one(getDevice.get(deviceId))
      if (r) setManagement.run(managementMode ?? r.managementMode, ownership ?? r.ownership, deviceId)
    },
    setCarried(deviceId: string, carried: string[]): void {
      setCarried.run(JSON.stringify(carried), deviceId)
    },
    removeDevice(deviceId: string): void {
      remove.run(deviceId)
    },
  }
}
