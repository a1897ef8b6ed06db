// Android Enterprise through the Android Management API (AMAPI): Google's Android Device Policy
// app enforces a policy we write, so no app of ours runs on the device. This module binds the
// workspace to an enterprise, enrolls a device for a user (the device row is made and bound, and
// its policy written, before the device exists at Google), compiles each device's desired state
// into its own AMAPI policy (Google's create-policy guide recommends one policy per device), and
// reads devices back by polling devices.list with a page cursor.
//
// The outbox stays the record of what a device was sent: the commands the devices room queues for
// an AMAPI device are handed out when the policy that carries them is patched, and acknowledged
// when the device reports it applied that policy version (appliedPolicyVersion ≥ the version the
// patch returned). Until then they are late like any command: PAYLOAD_LATENCY says the device has
// not applied the policy version that carries them.
import { createHash, randomBytes } from 'node:crypto'
import type { AndroidDeviceStatus, AndroidStatus } from '../../../shared/android'
import { AppError } from '../../../shared/errors'
import { compileAndroidPolicy, type AmapiPolicy } from '../../policies'
import type { Clock, HttpPort, Log, Secrets } from '../../ports'
import type { AndroidDeviceRecord, AndroidEnterpriseRecord, Store } from '../../store'
import type { DeviceService } from '../service'
import {
  type AmapiClient,
  type AmapiCommand,
  type AmapiDevice,
  type CommandType,
  createAmapiClient,
  type EnrollmentToken,
  parseServiceAccount,
  type ProvisioningInfo,
} from './client'
import { sentThroughApi } from './channel'

export const SERVICE_ACCOUNT_SECRET = 'android.serviceAccount'
/** Where Android Device Policy sends the user during setup (the enterprise's signinDetails[].signinUrl). */
export const SIGNIN_PATH = '/android/enterprise/signin'
/** Where Google sends the admin back after the enterprise signup, with enterpriseToken appended. */
export const SIGNUP_CALLBACK_PATH = '/android/enterprise/bound'

const OPEN = new Set(['queued', 'pushed', 'sent'])

export interface AndroidEnterpriseDeps {
  store: Store
  devices: DeviceService
  clock: Clock
  log: Log
  secrets: Secrets
  http: HttpPort
  /** The ingress's public URL, for the signup callback and the sign-in URL; null while it is not running. */
  ingressUrl: () => Promise<string | null>
  /** Tests and the lead's wiring may pass a client; default: made from the stored service account. */
  client?: AmapiClient
}

export interface EnrolledToken extends EnrollmentToken {
  deviceId: string
}

export interface AndroidEnterprise {
  status(): Promise<AndroidStatus>
  setServiceAccount(json: string): Promise<AndroidStatus>
  /** Starts the enterprise signup: the Google page the admin opens to create the enterprise. */
  startSignup(): Promise<{ url: string }>
  /** Google's callback: creates the enterprise and points its sign-in URL at the ingress. */
  completeSignup(state: string, enterpriseToken: string): Promise<AndroidStatus>
  provisioningInfo(name: string): Promise<ProvisioningInfo>
  /**
   * Binds a new device to the user now (their attributes fetched, groups evaluated), writes its
   * policy and makes a one-time enrollment token for that policy.
   */
  enrollUser(req: {
    userPrincipalName: string
    serial?: string
    name?: string
    via: 'signin' | 'token'
  }): Promise<EnrolledToken>
  /** Writes the policy of every AMAPI device (or these) whose compiled policy changed; how many were patched. */
  syncPolicies(deviceIds?: readonly string[]): Promise<number>
  /** Reads devices back (a full devices.list pass, resumable by its page cursor) and acknowledges applied commands. */
  poll(): Promise<{ seen: number; acknowledged: number }>
  lock(deviceId: string): Promise<void>
  reboot(deviceId: string): Promise<void>
  resetPassword(deviceId: string, newPassword: string): Promise<void>
  relinquishOwnership(deviceId: string): Promise<void>
  /** Sends one command through enterprises.devices.issueCommand; the operation's name. */
  issueCommand(deviceId: string, command: AmapiCommand): Promise<{ operation: string | null }>
  wipe(deviceId: string, reason?: string): Promise<void>
}

/** The AMAPI policy id of one of our devices: letters and digits only. */
export const policyIdOf = (deviceId: string): string => `jm${deviceId.replace(/[^A-Za-z0-9]/g, '')}`

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

export function createAndroidEnterprise(deps: AndroidEnterpriseDeps): AndroidEnterprise {
  const { store, clock, log } = deps
  let client: AmapiClient | null = deps.client ?? null
  const now = () => clock.now().toISOString()
  const audit = (action: string, subject: string, details: Record<string, unknown>) =>
    store.audit.append({ at: now(), actor: 'admin', action, subject, details })

  const api = async (): Promise<AmapiClient> => {
    if (client) return client
    const raw = await deps.secrets.get(SERVICE_ACCOUNT_SECRET)
    if (!raw)
      throw new AppError(
        'ANDROID_ENTERPRISE',
        'Android Enterprise has no service account: add its JSON key in Settings → Android Enterprise.',
        { field: 'serviceAccount' },
      )
    client = createAmapiClient(parseServiceAccount(raw), deps.http)
    return client
  }

  const bound = (): AndroidEnterpriseRecord & { name: string } => {
    const e = store.android.enterprise()
    if (!e?.name)
      throw new AppError(
        'ANDROID_ENTERPRISE',
        'No Android Enterprise is bound: bind one in Settings → Android Enterprise first.',
        { reason: 'unbound' },
      )
    return e as AndroidEnterpriseRecord & { name: string }
  }

  const ingress = async (): Promise<string> => {
    const url = await deps.ingressUrl()
    if (!url)
      throw new AppError(
        'INGRESS_NOT_CONFIGURED',
        'Android Enterprise needs the device ingress running: Google sends the admin and the devices to it.',
        { field: 'ingress' },
      )
    return url.replace(/\/$/, '')
  }

  const record = (deviceId: string): AndroidDeviceRecord => {
    const r = store.android.device(deviceId)
    if (!r)
      throw new AppError('NOT_FOUND', `Device ${deviceId} is not managed through Android Enterprise.`, { deviceId })
    return r
  }

  /** Google no longer manages the device (wiped, relinquished, its work profile removed). */
  const markDeleted = (r: AndroidDeviceRecord & { amapiName: string }) =>
    store.android.setReport(r.deviceId, {
      amapiName: r.amapiName,
      hardwareSerial: r.hardwareSerial,
      state: 'DELETED',
      appliedPolicyVersion: r.appliedPolicyVersion,
      compliant: r.compliant,
      nonCompliance: r.nonCompliance,
      lastReportAt: r.lastReportAt,
    })
  const provisioned = (deviceId: string): AndroidDeviceRecord & { amapiName: string } => {
    const r = record(deviceId)
    if (!r.amapiName)
      throw new AppError(
        'ANDROID_ENTERPRISE',
        `Device ${deviceId} has not provisioned with Android Enterprise yet; it can take commands once it has.`,
        { deviceId },
      )
    return r as AndroidDeviceRecord & { amapiName: string }
  }

  /**
   * The device's policy as it should be now: what the devices room says the device has (its sent
   * items), apps we placed there before and that were withdrawn kept as AVAILABLE unless a removal
   * of them is queued (the "remove app when policy is removed" flag: the devices room queues a
   * removal only then), and the commands this version carries.
   */
  const desired = (r: AndroidDeviceRecord) => {
    const sent = store.devices.sentItems(r.deviceId)
    // A device action sent through the API is no part of any policy version.
    const open = store.devices.commands(r.deviceId).filter(c => OPEN.has(c.state) && !sentThroughApi(c))
    const removing = new Set(
      open.filter(c => c.type === 'remove_app').map(c => String(c.payload['identifier'] ?? c.payload['name'] ?? '')),
    )
    const previous = r.policyJson ? (JSON.parse(r.policyJson) as AmapiPolicy) : null
    // The always-on VPN's app came with the VPN profile, not the inventory: it goes with it.
    const vpnApp = previous?.alwaysOnVpnPackage?.packageName
    const assigned = new Set(sent.filter(s => s.kind === 'app').map(s => s.identifier))
    const keep = [...new Set([...(previous?.applications ?? []).map(a => a.packageName), ...r.kept])].filter(
      pkg => !assigned.has(pkg) && !removing.has(pkg) && (pkg !== vpnApp || r.kept.includes(pkg)),
    )
    const compiled = compileAndroidPolicy({ items: sent, keep })
    return { compiled, keep, open }
  }

  const syncOne = async (r: AndroidDeviceRecord, force = false): Promise<boolean> => {
    const { compiled, keep, open } = desired(r)
    const json = JSON.stringify(compiled.policy)
    const hash = sha256(json)
    const carried = [...new Set([...r.carried, ...open.map(c => c.id)])]
    if (!force && hash === r.policyHash && r.patchError === null) {
      if (carried.length !== r.carried.length) {
        deps.devices.outbox.pending(r.deviceId)
        store.android.setCarried(r.deviceId, carried)
      }
      return false
    }
    const enterprise = bound()
    let version: string | null
    try {
      version = (
        await (await api()).putPolicy(`${enterprise.name}/policies/${policyIdOf(r.deviceId)}`, compiled.policy)
      ).version
    } catch (e) {
      const message = e instanceof AppError ? e.message : String(e)
      store.android.setPatchError(r.deviceId, message)
      log.warn('android policy patch failed', { deviceId: r.deviceId, error: message })
      throw e
    }
    store.transaction(() => {
      store.android.setPolicy(r.deviceId, {
        version,
        hash,
        json,
        at: now(),
        kept: keep.filter(pkg => compiled.policy.applications.some(a => a.packageName === pkg)),
        refused: compiled.refused,
        carried,
      })
    })
    // Google has them now: the commands the new version carries are handed out.
    deps.devices.outbox.pending(r.deviceId)
    if (compiled.refused.length > 0)
      log.warn('android policy items refused', { deviceId: r.deviceId, refused: compiled.refused.map(x => x.key) })
    log.info('android policy written', { deviceId: r.deviceId, version, commands: carried.length })
    return true
  }

  /** The device's report: stored, and the commands of the version it applied acknowledged. */
  const take = (r: AndroidDeviceRecord, d: AmapiDevice): number => {
    store.android.setReport(r.deviceId, {
      amapiName: d.name,
      hardwareSerial: d.hardwareInfo?.serialNumber ?? null,
      state: d.state ?? null,
      appliedPolicyVersion: d.appliedPolicyVersion ?? null,
      compliant: typeof d.policyCompliant === 'boolean' ? d.policyCompliant : null,
      nonCompliance: d.nonComplianceDetails ?? [],
      lastReportAt: d.lastStatusReportTime ?? null,
    })
    store.android.setManagement(r.deviceId, d.managementMode ?? null, d.ownership ?? null)
    const ours = `${bound().name}/policies/${policyIdOf(r.deviceId)}`
    const applied =
      d.appliedPolicyVersion !== undefined &&
      r.policyVersion !== null &&
      (d.appliedPolicyName === undefined || d.appliedPolicyName === ours) &&
      BigInt(d.appliedPolicyVersion) >= BigInt(r.policyVersion)
    if (!applied || r.carried.length === 0) return 0
    const failed = new Map<string, string>()
    for (const n of (d.nonComplianceDetails ?? []) as { packageName?: string; nonComplianceReason?: string }[])
      if (n.packageName) failed.set(n.packageName, n.nonComplianceReason ?? 'NON_COMPLIANT')
    let acknowledged = 0
    for (const id of r.carried) {
      const c = store.devices.command(r.deviceId, id)
      if (!c || !OPEN.has(c.state) || sentThroughApi(c)) continue
      const pkg = String(c.payload['identifier'] ?? '')
      const reason = c.type === 'install_app' ? failed.get(pkg) : undefined
      deps.devices.outbox.answer(
        r.deviceId,
        id,
        reason ? 'error' : 'acknowledged',
        reason ? `Android Device Policy reports ${pkg}: ${reason}` : null,
      )
      acknowledged++
    }
    store.android.setCarried(r.deviceId, [])
    return acknowledged
  }

  const match = (d: AmapiDevice): AndroidDeviceRecord | undefined => {
    const known = store.android.deviceByAmapiName(d.name)
    if (known) return known
    if (d.enrollmentTokenName) {
      const byToken = store.android.deviceByTokenName(d.enrollmentTokenName)
      if (byToken) return byToken
    }
    try {
      const data = JSON.parse(d.enrollmentTokenData ?? '') as { deviceId?: unknown }
      return typeof data.deviceId === 'string' ? store.android.device(data.deviceId) : undefined
    } catch {
      return undefined
    }
  }

  const command = async (deviceId: string, c: AmapiCommand): Promise<{ operation: string | null }> => {
    const r = provisioned(deviceId)
    const op = await (await api()).issueCommand(r.amapiName, c)
    audit(`android/${c.type.toLowerCase()}`, deviceId, { device: r.amapiName, operation: op.name })
    log.info('android command sent', { deviceId, type: c.type, operation: op.name })
    return { operation: op.name }
  }
  const send = async (deviceId: string, c: AmapiCommand): Promise<void> => {
    await command(deviceId, c)
  }

  const deviceStatus = (r: AndroidDeviceRecord): AndroidDeviceStatus => {
    const d = store.devices.get(r.deviceId)
    return {
      deviceId: r.deviceId,
      deviceName: d?.name ?? r.deviceId,
      userPrincipalName: d?.userPrincipalName ?? null,
      via: r.via,
      amapiName: r.amapiName,
      hardwareSerial: r.hardwareSerial,
      state: r.state,
      policyName: r.policyName,
      policyVersion: r.policyVersion,
      appliedPolicyVersion: r.appliedPolicyVersion,
      compliant: r.compliant,
      nonCompliance: r.nonCompliance,
      refused: r.refused,
      patchError: r.patchError,
      lastReportAt: r.lastReportAt,
    }
  }

  return {
    async status() {
      const raw = await deps.secrets.get(SERVICE_ACCOUNT_SECRET)
      const sa = raw ? parseServiceAccount(raw) : null
      const e = store.android.enterprise()
      return {
        serviceAccount: sa ? { clientEmail: sa.client_email, projectId: sa.project_id } : null,
        enterprise: e?.name
          ? { name: e.name, displayName: e.displayName, boundAt: e.boundAt, signinUrl: e.signinUrl }
          : null,
        signupPending: !e?.name && !!e?.signupName,
        polledAt: e?.polledAt ?? null,
        devices: store.android.devices().map(deviceStatus),
      }
    },
    async setServiceAccount(json) {
      const sa = parseServiceAccount(json)
      await deps.secrets.set(SERVICE_ACCOUNT_SECRET, json)
      client = deps.client ?? null
      audit('android/setServiceAccount', 'android', { clientEmail: sa.client_email, projectId: sa.project_id })
      return this.status()
    },
    async startSignup() {
      const raw = await deps.secrets.get(SERVICE_ACCOUNT_SECRET)
      if (!raw) await api()
      const sa = parseServiceAccount(raw as string)
      const state = randomBytes(24).toString('base64url')
      const callback = `${await ingress()}${SIGNUP_CALLBACK_PATH}?state=${state}`
      const signup = await (await api()).createSignupUrl(sa.project_id, callback)
      const e = store.android.enterprise()
      store.android.putEnterprise({
        projectId: sa.project_id,
        name: e?.name ?? null,
        displayName: e?.displayName ?? null,
        signupName: signup.name,
        signupState: sha256(state),
        signinUrl: e?.signinUrl ?? null,
        signinToken: e?.signinToken ?? null,
        boundAt: e?.boundAt ?? null,
        devicePageToken: null,
        polledAt: e?.polledAt ?? null,
      })
      audit('android/startSignup', 'android', { signupUrlName: signup.name })
      return { url: signup.url }
    },
    async completeSignup(state, enterpriseToken) {
      const e = store.android.enterprise()
      if (!e?.signupName || !e.signupState || e.signupState !== sha256(state))
        throw new AppError(
          'UNAUTHORIZED',
          'This signup callback is not the one the app started; start the binding again.',
          {
            reason: 'state',
          },
        )
      const created = await (await api()).createEnterprise({
        projectId: e.projectId,
        signupUrlName: e.signupName,
        enterpriseToken,
      })
      const signinUrl = `${await ingress()}${SIGNIN_PATH}`
      const { signinEnrollmentToken } = await (await api()).setSigninUrl(created.name, signinUrl)
      store.android.putEnterprise({
        ...e,
        name: created.name,
        displayName: created.displayName,
        signupName: null,
        signupState: null,
        signinUrl,
        signinToken: signinEnrollmentToken,
        boundAt: now(),
        devicePageToken: null,
      })
      audit('android/bind', 'android', { enterprise: created.name, signinUrl })
      log.info('android enterprise bound', { enterprise: created.name })
      return this.status()
    },
    async provisioningInfo(name) {
      bound()
      return (await api()).provisioningInfo(name.startsWith('provisioningInfo/') ? name : `provisioningInfo/${name}`)
    },
    async enrollUser({ userPrincipalName, serial, name, via }) {
      const enterprise = bound()
      const result = await deps.devices.enroll({
        serial: serial ?? `android-${randomBytes(6).toString('hex')}`,
        platform: 'android',
        userPrincipalName,
        name,
        rebind: via === 'signin' ? 'hold' : undefined,
      })
      const deviceId = result.device.id
      const policyName = `${enterprise.name}/policies/${policyIdOf(deviceId)}`
      store.android.addDevice(deviceId, via, policyName, now())
      await syncOne(record(deviceId), true)
      const token = await (await api()).createEnrollmentToken(enterprise.name, {
        policyName,
        additionalData: JSON.stringify({ deviceId }),
        // Sign-in: the device enrolls within seconds; a token for IT to print lasts a day.
        duration: via === 'signin' ? '600s' : '86400s',
        oneTimeOnly: true,
      })
      store.android.setToken(
        deviceId,
        token.name,
        { value: token.value, qrCode: token.qrCode },
        token.expirationTimestamp,
      )
      log.info('android enrollment token made', { deviceId, userPrincipalName, via })
      if (via === 'token') audit('android/enrollmentToken', deviceId, { userPrincipalName, token: token.name })
      return { ...token, deviceId }
    },
    async syncPolicies(deviceIds) {
      const records = deviceIds
        ? deviceIds.map(id => store.android.device(id)).filter((r): r is AndroidDeviceRecord => r !== undefined)
        : store.android.devices()
      let patched = 0
      for (const r of records) {
        if (r.state === 'DELETED') continue
        try {
          if (await syncOne(r)) patched++
        } catch (e) {
          if (!(e instanceof AppError)) throw e
        }
      }
      return patched
    },
    async poll() {
      const enterprise = bound()
      const c = await api()
      let page = enterprise.devicePageToken
      // Only a pass from the first page sees every device: one missing from it is gone.
      const listed = page === null ? new Set<string>() : null
      let seen = 0
      let acknowledged = 0
      do {
        const { devices, next } = await c.listDevices(enterprise.name, page)
        store.transaction(() => {
          for (const d of devices) {
            listed?.add(d.name)
            const r = match(d)
            if (!r) continue
            seen++
            acknowledged += take(r, d)
          }
          // The cursor: an interrupted pass resumes at the page it stopped on.
          store.android.putEnterprise({
            ...(store.android.enterprise() as AndroidEnterpriseRecord),
            devicePageToken: next,
          })
        })
        page = next
      } while (page)
      // devices.list leaves out deleted devices (a relinquished or wiped one, a removed work
      // profile); DELETED itself only ever arrives by notification (reference, Device.state).
      if (listed)
        store.transaction(() => {
          for (const r of store.android.devices())
            if (r.amapiName && r.state !== 'DELETED' && !listed.has(r.amapiName)) {
              markDeleted({ ...r, amapiName: r.amapiName })
              log.info('android device no longer managed', { deviceId: r.deviceId, device: r.amapiName })
            }
        })
      store.android.putEnterprise({ ...(store.android.enterprise() as AndroidEnterpriseRecord), polledAt: now() })
      return { seen, acknowledged }
    },
    lock: deviceId => send(deviceId, { type: 'LOCK' }),
    reboot: deviceId => send(deviceId, { type: 'REBOOT' }),
    resetPassword: (deviceId, newPassword) =>
      send(deviceId, { type: 'RESET_PASSWORD', newPassword, resetPasswordFlags: ['LOCK_NOW'] }),
    relinquishOwnership: deviceId => send(deviceId, { type: 'RELINQUISH_OWNERSHIP' }),
    issueCommand: command,
    async wipe(deviceId, reason) {
      const r = provisioned(deviceId)
      await (await api()).deleteDevice(r.amapiName, reason ? { wipeReasonMessage: reason.slice(0, 200) } : {})
      markDeleted(r)
      audit('android/wipe', deviceId, { device: r.amapiName, reason: reason ?? null })
      log.info('android device wiped', { deviceId })
    },
  }
}

export type { CommandType }
