// The devices room's service as other rooms and its channels see it (index.ts builds it).
import type { DeviceDetail, DeviceSummary, EnrollResult, Platform } from '../../shared/domain'
import type { HeldChangeCause } from '../../shared/policy'
import type { DeviceActions } from './actions'
import type { Outbox } from './outbox'
import type { EnrollIdentity } from './rebind'

export interface EnrollRequest {
  serial: string
  platform: Platform
  userPrincipalName: string
  name?: string
  pushToken?: string
  /** The identity the device proves itself with from now on (set by the enrollment ingress). */
  identity?: EnrollIdentity
  /**
   * A serial bound to another user: 'hold' (a device enrolling over the network without proof
   * from its current identity) holds the change for an admin; 'proven' (the device presented
   * its current identity) and the admin's own enrollment (absent) rebind at once.
   */
  rebind?: 'hold' | 'proven'
}

/**
 * What caused a recompute, for the circuit breaker: a batch that would withdraw policies from
 * too many devices is held (nothing sent) unless an admin already approved it.
 */
export interface RedeployOptions {
  cause?: HeldChangeCause
  approved?: boolean
  /** Told after each part of a large redeploy is written: devices done of the total. */
  progress?(done: number, total: number): void
}

export interface DeviceService {
  enroll(req: EnrollRequest): Promise<EnrollResult>
  /**
   * Recomputes the devices of these users (after a sync or an attribute edit) and pushes.
   * Users whose pending withdrawal just passed its grace period are recomputed too.
   */
  redeployUsers(userIds: Iterable<string>, opts?: RedeployOptions): Promise<number>
  /** Recomputes every bound device (after a target or policy edit) and pushes. */
  redeployAll(opts?: RedeployOptions): Promise<number>
  redeployDevices(deviceIds: readonly string[], opts?: RedeployOptions): Promise<number>
  acknowledge(deviceId: string, commandId: string, status: 'acknowledged' | 'error', error?: string): DeviceDetail
  /**
   * Scan Device: queues the device's queries (Apple: DeviceInformation, SecurityInfo,
   * InstalledApplicationList, ProfileList, and ProfileList on each user channel; Android: an
   * inventory report) and pushes.
   */
  scan(deviceId: string): Promise<DeviceDetail>
  /** The same queries, once an Apple device completed its MDM enrollment (its first TokenUpdate). */
  queryAfterEnrollment(deviceId: string): Promise<void>
  /**
   * After a batch of acknowledged installs and removals: queues InstalledApplicationList and/or
   * ProfileList once, so the device's own lists confirm them (policies/verify.ts). True if queued.
   */
  queueVerification(deviceId: string): boolean
  /**
   * Makes the device's open and dead-lettered commands due and pushes now; commands its lists
   * contradict (acknowledged, not verified) are sent again.
   */
  repush(deviceId: string): Promise<DeviceDetail>
  /** Cancels one open or dead-lettered command, or all of the device's when commandId is null. */
  cancel(deviceId: string, commandId: string | null): DeviceDetail
  /** Approves (the device moves to the new user) or rejects a held re-enrollment. */
  decideRebind(heldRebindId: string, approve: boolean): Promise<DeviceDetail>
  /** Renames the device here (what the admin sees); audited. */
  rename(deviceId: string, name: string): DeviceDetail
  /**
   * Withdraws every policy from these devices (removals as their flags say, open installs
   * cancelled), then leaves them bound to no user; each is audited with its former user.
   * Returns the devices that got commands.
   */
  unbind(deviceIds: readonly string[], why: { actor: string; reason: string }): Promise<number>
  /** The admin moves a device to another user: the previous user's open installs are cancelled; audited. */
  rebind(deviceId: string, userPrincipalName: string): Promise<DeviceDetail>
  /** Pushes whatever is due (retries after backoff, re-pushes after a deadline). */
  pump(): Promise<number>
  list(): DeviceSummary[]
  get(deviceId: string): DeviceDetail
  readonly outbox: Outbox
  /** Lock, restart, wipe, retire …: device actions through the device's transport (actions/). */
  readonly actions: DeviceActions
}

/** The JIT port: asks the user's IdP for their current attributes and groups before evaluating. */
export interface JitUserSource {
  /**
   * Reads the user from the IdP now. `changedUserIds`: users whose memberships changed, whose
   * other devices follow at once; `journal`: the entry that owes them that redeploy until cleared.
   */
  refreshUser(
    userPrincipalName: string,
  ): Promise<{ warning: string | null; changedUserIds?: string[]; journal?: string | null }>
}
