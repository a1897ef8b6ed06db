// The devices room: the JIT path (enrollment → memberships → policies → outbox → push) and
// keeping bound devices right when memberships or targets change.
import type { Command, DeviceDetail, DeviceSummary, EnrollResult, HeldRebind, Platform } from '../../shared/domain'
import { AppError, errorStack } from '../../shared/errors'
import type { GroupService } from '../groups'
import {
  type DevicePlan,
  type PolicyService,
  readPolicySettings,
  reconcileQueue,
  tripsBreaker,
  withdraws,
} from '../policies'
import { noFaults, type Clock, type Faults, type IdSource, type Log } from '../ports'
import type { PushTransport } from '../push'
import type { HeldRebindRecord, Store } from '../store'
import { unverified, verificationQueries } from '../policies'
import { inSlices, yieldToEventLoop } from '../slices'
import { createOutbox } from './outbox'
import { inventoryQueries } from './apple/queries'
import { type EnrollIdentity, REBIND_HELD } from './rebind'
import { type ActionTransport, createDeviceActions, defaultTransports, hidePayloadSecrets } from './actions'

export { startIngress, type Ingress, type IngressOptions } from './ingress'
export { createIdpHttp } from './http'
export { discoverOidc } from './discovery'
export type { DeviceService, EnrollRequest, JitUserSource, RedeployOptions } from './service'
export { deviceHandlers } from './handlers'
export {
  createAndroidEnterprise,
  policyIdOf,
  SERVICE_ACCOUNT_SECRET as ANDROID_SERVICE_ACCOUNT_SECRET,
  type AndroidEnterprise,
  type EnrolledToken,
} from './android/service'
export { androidHandlers } from './android/handlers'
export { androidRedirectUri, ENROLL_INVALID, ENROLL_SUCCESS } from './android/routes'
export { createAmapiClient, type AmapiClient } from './android/client'
export { adeHandlers, type AdeService, createAdeService } from './apple/ade'
import type { DeviceService, EnrollRequest, JitUserSource, RedeployOptions } from './service'
export { type EnrollIdentity, REBIND_HELD } from './rebind'
export { defaultTransports, type ActionTransport, type ActionHandler, type DeviceActions } from './actions'
export { amapiTransport, AMAPI_TRANSPORT } from './actions'

interface Deps {
  store: Store
  /** Absent: enrollment evaluates the cached attributes. */
  jit?: JitUserSource
  groups: GroupService
  policies: PolicyService
  push: PushTransport
  clock: Clock
  ids: IdSource
  log: Log
  /** How long a device has to acknowledge a command before PAYLOAD_LATENCY. */
  ackDeadlineMs: number
  /** Pushes per command before it is dead-lettered (default 8). */
  maxAttempts?: number
  faults?: Faults
  /** Carries device actions; the first that reaches a device is used (default: Apple MDM, Android agent). */
  actionTransports?: readonly ActionTransport[]
}

const publicRebind = (r: HeldRebindRecord): HeldRebind => ({
  id: r.id,
  deviceId: r.deviceId,
  serial: r.serial,
  platform: r.platform,
  fromUserPrincipalName: r.fromUserPrincipalName,
  toUserPrincipalName: r.toUserPrincipalName,
  requestedAt: r.requestedAt,
  status: r.status,
  decidedAt: r.decidedAt,
})

const ORPHANED = "Cancelled: the device's user was removed from the directory"

/**
 * Up to this many devices a redeploy is planned and written in one transaction; a larger one (an
 * import that moves 10,000 devices) goes in time-sized slices (slices.ts) with the event loop
 * running between two, so the app and the ingress answer meanwhile.
 */
const ONE_TRANSACTION = 20
/** Devices in one slice at most: planDevices reads per device up to 200 and in bulk above. */
const SLICE_MAX = 200
/** Above this many users their devices are found with one read of the bound devices. */
const BULK_USERS = 2_000

const DEFAULT_DEVICE_NAMES: Record<Platform, string> = { ios: 'iPhone', macos: 'Mac', android: 'Android device' }

export function createDeviceService(deps: Deps): DeviceService {
  const { store, groups, policies, push, clock, ids, log } = deps
  const outbox = createOutbox({
    store,
    push,
    clock,
    ids,
    log,
    ackDeadlineMs: deps.ackDeadlineMs,
    maxAttempts: deps.maxAttempts ?? 8,
    faults: deps.faults ?? noFaults,
  })

  /** Writes one device's plan to the outbox; returns the commands queued. */
  const applyPlan = (deviceId: string, plan: DevicePlan): Command[] => {
    const now = clock.now()
    const deadlineAt = new Date(now.getTime() + deps.ackDeadlineMs).toISOString()
    for (const key of plan.drop) store.devices.dropSentItem(deviceId, key)
    for (const item of plan.put) store.devices.putSentItem(deviceId, item)
    if (plan.commands.length === 0 && plan.drop.length === 0) return []
    const { enqueue, cancel } = reconcileQueue(
      plan.commands,
      store.devices.waitingCommands(deviceId),
      (types, id) => store.devices.lastDelivered(deviceId, types, id),
      plan.drop,
    )
    for (const c of cancel) store.outbox.cancel(deviceId, c.id, now.toISOString(), c.why)
    if (enqueue.length === 0) return []
    const queued = enqueue.map(c => ({ id: ids.next(), ...c, deadlineAt }))
    store.devices.enqueue(deviceId, queued, now.toISOString())
    const queuedIds = new Set(queued.map(q => q.id))
    return store.devices.commands(deviceId).filter(c => queuedIds.has(c.id))
  }

  /**
   * Applies plans (unless the circuit breaker holds them) and records each assignment change.
   * Returns the commands queued per device, or null when the circuit breaker held the batch.
   */
  const applyAll = (
    deviceIds: readonly string[],
    opts: RedeployOptions,
    fresh = false,
    /** False when the circuit breaker already passed the whole batch this part belongs to. */
    checkBreaker = !opts.approved,
  ): Map<string, Command[]> | null => {
    const results = policies.planDevices(deviceIds, { includeHeld: opts.approved, fresh })
    const queued = new Map<string, Command[]>()
    if (checkBreaker && policies.holdIfTripped(results, opts.cause ?? 'sync')) return null
    for (const r of results) {
      const commands = applyPlan(r.device.id, r.plan)
      if (commands.length > 0) queued.set(r.device.id, commands)
    }
    policies.record(results, queued)
    groups.settleWithdrawals(results.map(r => r.device.userId))
    return queued
  }

  /** A device just enrolled (or rebound): it gets exactly its user's current policies. */
  const recomputeEnrolled = (deviceId: string): Command[] =>
    applyAll([deviceId], { approved: true }, true)?.get(deviceId) ?? []

  // Pushes happen after the outbox commit: a crash in between leaves due commands that the
  // next pump delivers, never a push for commands that were not stored. A transport that
  // throws is a bug in it; the commands stay due and the next pump retries.
  const wake = async (): Promise<void> => {
    try {
      await outbox.pump()
    } catch (e) {
      log.error('push pump failed', { error: errorStack(e) })
    }
  }

  const redeploy = async (
    deviceIds: readonly string[],
    opts: RedeployOptions = {},
  ): Promise<{ touched: number; held: boolean }> => {
    if (deviceIds.length > ONE_TRANSACTION) return redeployInSlices(deviceIds, opts)
    const queued = store.transaction(() => applyAll(deviceIds, opts))
    const touched = queued?.size ?? 0
    if (touched > 0) await wake()
    return { touched, held: queued === null }
  }

  /**
   * A large redeploy, a slice per transaction with the event loop running in between. The circuit
   * breaker still judges the whole batch before anything is written: a first pass plans every
   * slice without writing; each slice is then planned again in the transaction that writes it, so
   * what is written follows whatever committed in between (a device's acknowledgement, an
   * enrollment). A crash part-way leaves the redeploy journaled by its caller, and the next start
   * redeploys it whole (plans are idempotent: a device already brought to its state gets nothing).
   */
  const redeployInSlices = async (
    deviceIds: readonly string[],
    opts: RedeployOptions,
  ): Promise<{ touched: number; held: boolean }> => {
    if (!opts.approved) {
      const plan = (slice: readonly string[]) =>
        store.transaction(() => policies.planDevices(slice, { includeHeld: false }))
      // Only how many would lose policies is kept across slices: 10,000 plans with their payloads
      // held until the end would fill the heap the event loop's collector then has to sweep.
      let withdrawing = 0
      await inSlices(deviceIds, slice => (withdrawing += plan(slice).filter(r => withdraws(r.plan)).length), {
        max: SLICE_MAX,
      })
      if (tripsBreaker(withdrawing, store.bulkReads.boundDeviceCount(), readPolicySettings(store))) {
        // Rare: the held change lists each device's difference, so the batch is planned whole again.
        const planned = (await inSlices(deviceIds, plan, { max: SLICE_MAX })).flat()
        if (store.transaction(() => policies.holdIfTripped(planned, opts.cause ?? 'sync')))
          return { touched: 0, held: true }
      }
    }
    let touched = 0
    let done = 0
    await inSlices(
      deviceIds,
      slice => {
        touched += store.transaction(() => applyAll(slice, opts, false, false))?.size ?? 0
        done += slice.length
        opts.progress?.(done, deviceIds.length)
      },
      { max: SLICE_MAX },
    )
    if (touched > 0) await wake()
    return { touched, held: false }
  }

  const detail = (deviceId: string): DeviceDetail => {
    const device = store.devices.get(deviceId)
    if (!device) throw new AppError('NOT_FOUND', `No device with id ${deviceId}.`, { deviceId })
    return {
      device,
      assignments: store.devices.assignments(deviceId),
      commands: store.devices.commands(deviceId).map(hidePayloadSecrets),
      rebinds: store.devices.rebinds(deviceId).map(publicRebind),
      facts: store.apple.facts(deviceId),
      userChannels: store.apple.userChannels(deviceId),
      checkedOutAt: store.apple.checkedOutAt(deviceId),
    }
  }

  /**
   * Queues the questions a device answers about itself (Apple: DeviceInformation, SecurityInfo,
   * installed apps and profiles, each user channel's profiles; Android: its inventory report).
   */
  /** Sends again what the device acknowledged but its later lists contradict, unless it is waiting already. */
  const resendUnverified = (deviceId: string): void => {
    const commands = store.devices.commands(deviceId)
    const found = unverified(commands, store.apple.facts(deviceId))
    if (found.length === 0) return
    const waiting = new Set(store.devices.waitingCommands(deviceId).map(c => `${c.type}/${c.identifier ?? ''}`))
    const now = clock.now()
    const deadlineAt = new Date(now.getTime() + deps.ackDeadlineMs).toISOString()
    const again = found
      .map(u => commands.find(c => c.id === u.commandId) as Command)
      .filter(
        c => !waiting.has(`${c.type}/${typeof c.payload['identifier'] === 'string' ? c.payload['identifier'] : ''}`),
      )
      .map(c => ({
        id: ids.next(),
        type: c.type,
        channel: null,
        payload: c.payload,
        reason: {
          ...c.reason,
          summary: `Sent again: the device acknowledged it, but its own list did not confirm it.`,
        },
        deadlineAt,
      }))
    if (again.length > 0) store.devices.enqueue(deviceId, again, now.toISOString())
  }

  const queueInventory = (device: DeviceSummary, policyName: string, summary: string): void => {
    const now = clock.now()
    const deadlineAt = new Date(now.getTime() + deps.ackDeadlineMs).toISOString()
    const channels = store.apple.userChannels(device.id).map(c => c.channel)
    // A query still waiting for the device is not asked twice (a renewal's Authenticate, a second Scan).
    const waiting = new Set(store.devices.waitingCommands(device.id).map(c => `${c.type}/${c.channel ?? ''}`))
    const queries = inventoryQueries(device.platform, channels).filter(
      q => !waiting.has(`${q.type}/${q.channel ?? ''}`),
    )
    if (queries.length === 0) return
    store.devices.enqueue(
      device.id,
      queries.map(q => ({
        id: ids.next(),
        type: q.type,
        channel: q.channel,
        payload: { name: policyName },
        reason: { policyId: '', policyName, groupId: null, groupName: null, summary },
        deadlineAt,
      })),
      now.toISOString(),
    )
  }

  /**
   * A rebind cancels the previous user's open installs (they may carry that user's secrets: a
   * Wi-Fi password, a mail account). Their sent-item records go too, or are marked as matching
   * no value where an earlier version reached the device, so the new user's plan sends what it
   * wants again and removes what the device holds. Removals and restriction sets stay: they say
   * what the device holds, not what the previous user is owed.
   */
  const cancelPreviousInstalls = (deviceId: string): void => {
    const sent = new Map(store.devices.sentItems(deviceId).map(s => [s.key, s]))
    const why = 'Cancelled: the device was re-enrolled by another user'
    for (const c of store.devices.commands(deviceId)) {
      // A command the device already fetched (sent) may be carried out: it stays, and so does its record.
      const open = c.state === 'queued' || c.state === 'pushed' || c.state === 'dead'
      if (!open || (c.type !== 'install_app' && c.type !== 'install_profile')) continue
      outbox.cancel(deviceId, c.id, why)
      const identifier = typeof c.payload['identifier'] === 'string' ? c.payload['identifier'] : null
      const item =
        identifier === null ? undefined : sent.get(`${c.type === 'install_app' ? 'app' : 'profile'}:${identifier}`)
      if (!item) continue
      if (store.devices.lastDelivered(deviceId, [c.type], identifier) === undefined)
        store.devices.dropSentItem(deviceId, item.key)
      else store.devices.putSentItem(deviceId, { ...item, value: { undelivered: c.id } })
    }
  }

  /**
   * Binds the serial to the user (new device, same user again, or an allowed rebind) and the
   * identity it proves itself with. A rebind to another user cancels the previous user's open
   * installs (cancelPreviousInstalls). Inside the caller's transaction.
   */
  const bind = (
    d: { serial: string; platform: Platform; userId: string; name: string; pushToken: string | null },
    identity: EnrollIdentity | undefined,
    at: string,
  ) => {
    const before = store.devices.enrollmentOf(d.serial)
    if (before?.userId && before.userId !== d.userId) cancelPreviousInstalls(before.deviceId)
    const enrolled = store.devices.enroll({ id: ids.next(), ...d }, at)
    if (identity?.kind === 'apple') store.outbox.bindAppleIdentity(enrolled.id, identity.udid, identity.fingerprint)
    if (identity?.kind === 'android') store.outbox.setCredentialHash(enrolled.id, identity.credentialHash)
    return { ...enrolled, previousUserId: before?.userId ?? null }
  }

  /**
   * Devices whose user the directory removed lose everything they were sent at once (README,
   * "Safe withdrawal": grace is for users who leave groups, a removal is deliberate and the removal
   * guard holds one that removes too many). Their waiting installs are cancelled, flagged apps and
   * profiles removed where they reached the device. The state itself is the journal: a device
   * without a user that still holds something is owed this, after any restart.
   */
  const withdrawOrphans = (): number => {
    let touched = 0
    for (const deviceId of store.devices.orphanedIds()) {
      const sent = store.devices.sentItems(deviceId)
      const commands = applyPlan(deviceId, policies.planWithdrawal(deviceId))
      // Waiting installs without a sent item (none is expected) go the same way.
      for (const w of store.devices.waitingCommands(deviceId))
        if (w.type === 'install_app' || w.type === 'install_profile')
          store.outbox.cancel(deviceId, w.id, clock.now().toISOString(), ORPHANED)
      policies.recordWithdrawal(deviceId, sent, commands)
      if (commands.length > 0) touched++
    }
    return touched
  }

  const redeployUsers: DeviceService['redeployUsers'] = async (userIds, opts) => {
    const matured = groups.usersWithMaturedWithdrawals()
    const users = [...userIds, ...matured]
    // An import that changes 100,000 users: one read of the bound devices (10,000), each user
    // looked up among their users, not a set of 100,000 built (tens of milliseconds) nor one read
    // per user; then the event loop runs before the redeploy starts.
    let deviceIds: string[]
    if (users.length > BULK_USERS) {
      await yieldToEventLoop()
      const pairs = store.bulkReads.boundDeviceUsers()
      const devicesOf = new Map<string, string[]>()
      for (const [deviceId, userId] of pairs) devicesOf.set(userId, [...(devicesOf.get(userId) ?? []), deviceId])
      const wanted = new Set<string>()
      for (const u of users) for (const d of devicesOf.get(u) ?? []) wanted.add(d)
      deviceIds = pairs.flatMap(([deviceId]) => (wanted.has(deviceId) ? [deviceId] : []))
      await yieldToEventLoop()
    } else deviceIds = [...new Set(users)].flatMap(u => store.devices.ofUser(u).map(d => d.id))
    if (store.transaction(withdrawOrphans) > 0) await wake()
    const { touched, held } = await redeploy(deviceIds, opts)
    // A held batch keeps its pending withdrawals, so the next sync holds it again until an admin
    // decides. Settling drops only the withdrawals whose grace was over when these devices were
    // planned: the users found matured above, not each of the 100,000 an import changed.
    if (!held) await inSlices(matured, slice => store.transaction(() => groups.settleWithdrawals(slice)))
    return touched
  }

  /**
   * The JIT read changed the user's memberships: the user's other devices follow at once (the
   * enrolling one gets its plan with the enrollment). The read journaled this redeploy with its
   * commit; it is cleared here, or redeployed at the next start if the app stops first.
   */
  const followJitRead = async (read: Awaited<ReturnType<JitUserSource['refreshUser']>> | undefined) => {
    if (!read?.journal) return
    if (read.changedUserIds && read.changedUserIds.length > 0) await redeployUsers(read.changedUserIds)
    store.syncJournal.redeployed(read.journal)
  }

  const enroll: DeviceService['enroll'] = async req => {
    const fresh = await deps.jit?.refreshUser(req.userPrincipalName)
    try {
      return await enrollBound(req, fresh?.warning ?? null)
    } finally {
      await followJitRead(fresh)
    }
  }

  const enrollBound = async (req: EnrollRequest, warning: string | null): Promise<EnrollResult> => {
    const userId = store.users.idByPrincipalName(req.userPrincipalName)
    if (!userId) {
      throw new AppError(
        'NOT_FOUND',
        `No user ${req.userPrincipalName} in any directory. Check the spelling, or sync the directory first.`,
        {
          field: 'userPrincipalName',
          userPrincipalName: req.userPrincipalName,
        },
      )
    }
    const at = clock.now().toISOString()
    const existing = store.devices.enrollmentOf(req.serial)
    if (existing && existing.platform !== req.platform)
      throw new AppError(
        'CONFLICT',
        `Serial ${req.serial} is enrolled as a ${existing.platform} device; a device never changes platform. Check the serial, or remove that device first.`,
        { field: 'platform', serial: req.serial, platform: existing.platform },
      )
    if (existing?.userId && existing.userId !== userId && req.rebind === 'hold') {
      const heldRebindId = ids.next()
      store.transaction(() => {
        store.devices.holdRebind(
          {
            id: heldRebindId,
            deviceId: existing.deviceId,
            fromUserId: existing.userId,
            toUserId: userId,
            name: req.name ?? null,
            pushToken: req.pushToken ?? null,
            udid: req.identity?.kind === 'apple' ? req.identity.udid : null,
            fingerprint: req.identity?.kind === 'apple' ? req.identity.fingerprint : null,
            credentialHash: req.identity?.kind === 'android' ? req.identity.credentialHash : null,
          },
          at,
        )
        store.audit.append({
          at,
          actor: 'enrollment',
          action: 'devices/holdRebind',
          subject: existing.deviceId,
          details: { heldRebindId, fromUserId: existing.userId, toUserId: userId, serial: req.serial },
        })
      })
      log.warn('re-enrollment by another user held for an admin', { deviceId: existing.deviceId, heldRebindId })
      throw new AppError(
        'CONFLICT',
        `Device ${req.serial} belongs to another user. An admin must approve moving it to ${req.userPrincipalName} on the device's page.`,
        { reason: REBIND_HELD, heldRebindId, deviceId: existing.deviceId },
      )
    }
    const { deviceId, commands } = store.transaction(() => {
      groups.evaluateUser(userId)
      const enrolled = bind(
        {
          serial: req.serial,
          name: req.name ?? `${DEFAULT_DEVICE_NAMES[req.platform]} ${req.serial}`,
          platform: req.platform,
          userId,
          pushToken: req.pushToken ?? null,
        },
        req.identity,
        at,
      )
      store.audit.append({
        at,
        actor: 'enrollment',
        action: 'devices/enroll',
        subject: enrolled.id,
        details: {
          userId,
          serial: req.serial,
          reenrolled: enrolled.reenrolled,
          ...(enrolled.previousUserId && enrolled.previousUserId !== userId
            ? { previousUserId: enrolled.previousUserId, rebind: req.rebind ?? 'admin' }
            : {}),
        },
      })
      return { deviceId: enrolled.id, commands: recomputeEnrolled(enrolled.id) }
    })
    log.info('device enrolled', {
      deviceId,
      serial: req.serial,
      platform: req.platform,
      userId,
      commandsQueued: commands.length,
    })
    if (commands.length > 0) await wake()
    const memberOf = store.groups
      .membershipsOf(userId)
      .filter(m => m.effective)
      .map(m => m.groupName)
    const assigned = new Set(store.devices.assignments(deviceId).map(a => a.policyName))
    const device = store.devices.get(deviceId)
    if (!device) throw new Error(`device ${deviceId} vanished after enrollment`)
    const queued = new Set(commands.map(c => c.id))
    const result: EnrollResult = {
      device,
      groups: memberOf,
      policies: [...assigned].sort(),
      commands: store.devices.commands(deviceId).filter(c => queued.has(c.id)),
    }
    if (warning) result.warnings = [warning]
    return result
  }

  const actions = createDeviceActions({
    store,
    clock,
    ids,
    log,
    ackDeadlineMs: deps.ackDeadlineMs,
    wake,
    unbind: (deviceIds, why) => service.unbind(deviceIds, why),
    transports: deps.actionTransports ?? defaultTransports(),
  })

  const service: DeviceService = {
    enroll,
    redeployUsers,
    redeployAll: async opts => (await redeploy(store.devices.boundIds(), { cause: 'target-edit', ...opts })).touched,
    redeployDevices: async (deviceIds, opts) => (await redeploy(deviceIds, opts)).touched,
    acknowledge(deviceId, commandId, status, error) {
      outbox.answer(deviceId, commandId, status, error)
      return detail(deviceId)
    },
    async scan(deviceId) {
      const device = detail(deviceId).device
      queueInventory(device, 'Scan Device', `The admin asked ${device.name} to report its state.`)
      await wake()
      return detail(deviceId)
    },
    async queryAfterEnrollment(deviceId) {
      const device = store.devices.get(deviceId)
      if (!device) throw new AppError('NOT_FOUND', `No device with id ${deviceId}.`, { deviceId })
      store.transaction(() =>
        queueInventory(device, 'Enrollment', `${device.name} enrolled; it reports its state once.`),
      )
      // A first enrollment has no push token yet: its TokenUpdate pushes. A renewal's has one.
      if (store.outbox.pushTarget(deviceId)?.pushToken) await wake()
    },
    queueVerification(deviceId) {
      const types = verificationQueries(store.devices.commands(deviceId))
      if (types.length === 0) return false
      const now = clock.now()
      const deadlineAt = new Date(now.getTime() + deps.ackDeadlineMs).toISOString()
      const policyName = 'Verification'
      const summary = 'The device lists its managed apps and profiles, to confirm what it acknowledged.'
      store.devices.enqueue(
        deviceId,
        types.map(type => ({
          id: ids.next(),
          type,
          channel: null,
          payload: { name: policyName },
          reason: { policyId: '', policyName, groupId: null, groupName: null, summary },
          deadlineAt,
        })),
        now.toISOString(),
      )
      return true
    },
    async repush(deviceId) {
      detail(deviceId)
      resendUnverified(deviceId)
      outbox.repush(deviceId)
      await wake()
      return detail(deviceId)
    },
    cancel(deviceId, commandId) {
      detail(deviceId)
      if (commandId && !store.devices.command(deviceId, commandId)) {
        throw new AppError('NOT_FOUND', `Device ${deviceId} has no command ${commandId}.`, { deviceId, commandId })
      }
      outbox.cancel(deviceId, commandId, 'Cancelled by the admin')
      return detail(deviceId)
    },
    async decideRebind(heldRebindId, approve) {
      const held = store.devices.rebind(heldRebindId)
      if (!held) throw new AppError('NOT_FOUND', `No held re-enrollment ${heldRebindId}.`, { heldRebindId })
      if (held.status !== 'held')
        throw new AppError('CONFLICT', `The re-enrollment of ${held.serial} was already ${held.status}.`, {
          heldRebindId,
          status: held.status,
        })
      const at = clock.now().toISOString()
      const identity: EnrollIdentity | undefined =
        held.udid && held.fingerprint
          ? { kind: 'apple', udid: held.udid, fingerprint: held.fingerprint }
          : held.credentialHash
            ? { kind: 'android', credentialHash: held.credentialHash }
            : undefined
      const commands = store.transaction(() => {
        store.devices.decideRebind(heldRebindId, approve ? 'approved' : 'rejected', at)
        store.audit.append({
          at,
          actor: 'admin',
          action: approve ? 'devices/approveRebind' : 'devices/rejectRebind',
          subject: held.deviceId,
          details: { heldRebindId, toUserId: held.toUserId },
        })
        if (!approve) return []
        groups.evaluateUser(held.toUserId)
        const device = store.devices.get(held.deviceId)
        bind(
          {
            serial: held.serial,
            platform: held.platform,
            userId: held.toUserId,
            name: held.name ?? device?.name ?? `${DEFAULT_DEVICE_NAMES[held.platform]} ${held.serial}`,
            pushToken: held.pushToken,
          },
          identity,
          at,
        )
        return recomputeEnrolled(held.deviceId)
      })
      if (commands.length > 0) await wake()
      return detail(held.deviceId)
    },
    rename(deviceId, name) {
      const before = detail(deviceId).device.name
      store.transaction(() => {
        store.devices.rename(deviceId, name)
        store.audit.append({
          at: clock.now().toISOString(),
          actor: 'admin',
          action: 'devices/rename',
          subject: deviceId,
          details: { before, after: name },
        })
      })
      return detail(deviceId)
    },
    async unbind(deviceIds, why) {
      const queued = store.transaction(() => {
        const at = clock.now().toISOString()
        const results = policies.planRelease(deviceIds)
        const out = new Map<string, Command[]>()
        for (const r of results) {
          const commands = applyPlan(r.device.id, r.plan)
          if (commands.length > 0) out.set(r.device.id, commands)
        }
        policies.record(results, out)
        for (const r of results) {
          store.devices.unbind(r.device.id)
          store.audit.append({
            at,
            actor: why.actor,
            action: 'devices/unbind',
            subject: r.device.id,
            details: {
              reason: why.reason,
              before: { userId: r.device.userId, userPrincipalName: r.device.userPrincipalName },
              after: null,
              commandsQueued: out.get(r.device.id)?.length ?? 0,
            },
          })
        }
        return out
      })
      if (queued.size > 0) await wake()
      return queued.size
    },
    async rebind(deviceId, userPrincipalName) {
      const device = detail(deviceId).device
      await deps.jit?.refreshUser(userPrincipalName)
      const userId = store.users.idByPrincipalName(userPrincipalName)
      if (!userId)
        throw new AppError('NOT_FOUND', `No user ${userPrincipalName} in any directory.`, {
          field: 'userPrincipalName',
          userPrincipalName,
        })
      if (userId === device.userId)
        throw new AppError('CONFLICT', `${device.name} already belongs to ${userPrincipalName}.`, {
          field: 'userPrincipalName',
        })
      const at = clock.now().toISOString()
      const commands = store.transaction(() => {
        groups.evaluateUser(userId)
        bind(
          { serial: device.serial, platform: device.platform, userId, name: device.name, pushToken: null },
          undefined,
          at,
        )
        store.audit.append({
          at,
          actor: 'admin',
          action: 'devices/rebind',
          subject: deviceId,
          details: {
            before: { userId: device.userId, userPrincipalName: device.userPrincipalName },
            after: { userId, userPrincipalName },
          },
        })
        return recomputeEnrolled(deviceId)
      })
      if (commands.length > 0) await wake()
      return detail(deviceId)
    },
    pump: () => outbox.pump(),
    outbox,
    actions,
    list: () => store.devices.list(),
    get: detail,
  }
  return service
}
