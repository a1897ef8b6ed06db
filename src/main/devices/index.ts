// The devices room: the JIT path (enrollment → memberships → policies → outbox → push) and
// keeping bound devices right when memberships or targets change.
import type { Command, DeviceDetail, DeviceSummary, EnrollResult, Platform } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { MembershipService } from '../groups'
import type { PolicyService } from '../policies'
import type { Clock, IdSource, Log } from '../ports'
import type { PushTransport } from '../push'
import type { Store } from '../store'

export interface EnrollRequest {
  serial: string
  platform: Platform
  userPrincipalName: string
  name?: string
  pushToken?: string
}

export interface DeviceService {
  enroll(req: EnrollRequest): Promise<EnrollResult>
  /** Recomputes the devices of these users (after a sync or an attribute edit) and pushes. */
  redeployUsers(userIds: Iterable<string>): Promise<number>
  /** Recomputes every bound device (after a target or policy edit) and pushes. */
  redeployAll(): Promise<number>
  acknowledge(deviceId: string, commandId: string, status: 'acknowledged' | 'error', error?: string): DeviceDetail
  list(): DeviceSummary[]
  get(deviceId: string): DeviceDetail
}

/** The JIT port: asks the user's IdP for their current attributes and groups before evaluating. */
export interface JitUserSource {
  refreshUser(userPrincipalName: string): Promise<{ warning: string | null }>
}

interface Deps {
  store: Store
  /** Absent: enrollment evaluates the cached attributes. */
  jit?: JitUserSource
  memberships: MembershipService
  policies: PolicyService
  push: PushTransport
  clock: Clock
  ids: IdSource
  log: Log
  /** How long a device has to acknowledge a command before PAYLOAD_LATENCY. */
  ackDeadlineMs: number
}

const DEFAULT_DEVICE_NAMES: Record<Platform, string> = { ios: 'iPhone', macos: 'Mac', android: 'Android device' }

export function createDeviceService(deps: Deps): DeviceService {
  const { store, memberships, policies, push, clock, ids, log } = deps

  /** Writes the device's pending commands to the outbox; returns the commands queued. */
  const recompute = (deviceId: string): Command[] => {
    const device = store.devices.get(deviceId)
    if (!device?.userId) return []
    const plan = policies.plan(memberships.effectiveGroupIds(device.userId), device.platform, store.devices.sentItems(deviceId))
    const now = clock.now()
    const deadlineAt = new Date(now.getTime() + deps.ackDeadlineMs).toISOString()
    for (const key of plan.drop) store.devices.dropSentItem(deviceId, key)
    for (const item of plan.put) store.devices.putSentItem(deviceId, item)
    const queued = plan.commands.map((c) => ({ id: ids.next(), ...c, deadlineAt }))
    store.devices.enqueue(deviceId, queued, now.toISOString())
    return store.devices.commands(deviceId).filter((c) => queued.some((q) => q.id === c.id))
  }

  // Pushes happen after the outbox commit: a crash in between leaves queued commands that the
  // next wake-up delivers, never a push for commands that were not stored.
  const wake = async (deviceId: string): Promise<void> => {
    const identity = store.devices.pushIdentity(deviceId)
    if (!identity) return
    const outcome = await push.wake({ deviceId, ...identity })
    const at = clock.now().toISOString()
    store.transaction(() => {
      store.devices.recordDelivery(ids.next(), deviceId, outcome.transport, outcome.ok ? 'sent' : 'failed', outcome.ok ? null : outcome.reason, at)
      if (outcome.ok) store.devices.markPushed(deviceId, at)
    })
    if (!outcome.ok) log.warn('push failed', { deviceId, transport: outcome.transport, reason: outcome.reason })
  }

  const redeploy = async (deviceIds: string[]): Promise<number> => {
    const touched = store.transaction(() => deviceIds.filter((id) => recompute(id).length > 0))
    for (const id of touched) await wake(id)
    return touched.length
  }

  const detail = (deviceId: string): DeviceDetail => {
    const device = store.devices.get(deviceId)
    if (!device) throw new AppError('NOT_FOUND', `No device with id ${deviceId}.`, { deviceId })
    return { device, assignments: store.devices.assignments(deviceId), commands: store.devices.commands(deviceId) }
  }

  return {
    async enroll(req) {
      const fresh = await deps.jit?.refreshUser(req.userPrincipalName)
      const userId = store.users.idByPrincipalName(req.userPrincipalName)
      if (!userId) {
        throw new AppError('NOT_FOUND', `No user ${req.userPrincipalName} in any directory. Check the spelling, or sync the directory first.`, {
          field: 'userPrincipalName',
          userPrincipalName: req.userPrincipalName,
        })
      }
      const at = clock.now().toISOString()
      const { deviceId, commands } = store.transaction(() => {
        memberships.evaluateUser(userId)
        const enrolled = store.devices.enroll(
          {
            id: ids.next(),
            serial: req.serial,
            name: req.name ?? `${DEFAULT_DEVICE_NAMES[req.platform]} ${req.serial}`,
            platform: req.platform,
            userId,
            pushToken: req.pushToken ?? null,
          },
          at,
        )
        store.audit.append({ at, actor: 'enrollment', action: 'devices/enroll', subject: enrolled.id, details: { userId, serial: req.serial, reenrolled: enrolled.reenrolled } })
        return { deviceId: enrolled.id, commands: recompute(enrolled.id) }
      })
      if (commands.length > 0) await wake(deviceId)
      const groups = store.groups.membershipsOf(userId).filter((m) => m.effective).map((m) => m.groupName)
      const assigned = new Set(store.devices.assignments(deviceId).map((a) => a.policyName))
      const device = store.devices.get(deviceId)
      if (!device) throw new Error(`device ${deviceId} vanished after enrollment`)
      const queued = new Set(commands.map((c) => c.id))
      const result: EnrollResult = { device, groups, policies: [...assigned].sort(), commands: store.devices.commands(deviceId).filter((c) => queued.has(c.id)) }
      if (fresh?.warning) result.warnings = [fresh.warning]
      return result
    },
    async redeployUsers(userIds) {
      const deviceIds = [...new Set(userIds)].flatMap((u) => store.devices.ofUser(u).map((d) => d.id))
      return redeploy(deviceIds)
    },
    redeployAll: () => redeploy(store.devices.boundIds()),
    acknowledge(deviceId, commandId, status, error) {
      const command = store.devices.command(deviceId, commandId)
      if (!command) throw new AppError('NOT_FOUND', `Device ${deviceId} has no command ${commandId}.`, { deviceId, commandId })
      if (command.state === 'acknowledged' || command.state === 'failed' || command.state === 'cancelled') {
        // Devices repeat answers after a lost response; a second answer must not change the first.
        return detail(deviceId)
      }
      const at = clock.now().toISOString()
      store.transaction(() => {
        store.devices.finishCommand(commandId, status === 'acknowledged' ? 'acknowledged' : 'failed', at, status === 'error' ? (error ?? 'The device reported an error') : null)
        store.devices.markSeen(deviceId, at)
      })
      return detail(deviceId)
    },
    list: () => store.devices.list(),
    get: detail,
  }
}
