// Device actions (lock, restart, clear passcode, Lost Mode, wipe, retire): the admin asks, the
// device's transport says whether it can and what to send, the commands go through the outbox
// (pushed after the commit, acknowledged at check-in, shown in the command history) and the
// request is audited. The transport is the first of `transports` that reaches the device, so a
// platform API (the Android Management API) is plugged in by putting it ahead of the agent.
import {
  ACTION_LABELS,
  type ActionAvailability,
  type ActionOutcome,
  DEVICE_ACTIONS,
  type DeviceActionName,
  type DeviceActionParams,
  type DeviceActionsInfo,
  type DeviceLocationReport,
} from '../../../shared/device-actions'
import type { Command } from '../../../shared/domain'
import { AppError } from '../../../shared/errors'
import type { Clock, IdSource, Log } from '../../ports'
import type { Store } from '../../store'
import { androidAgentTransport } from './android-agent'
import { appleTransport } from './apple'
import { lostModeOf } from './lost-mode'
import { hidePayloadSecrets } from './secrets'
import type { ActionCommand, ActionContext, ActionTransport } from './transport'

export type { ActionCommand, ActionContext, ActionHandler, ActionTransport } from './transport'
export { appleTransport, APPLE_ACTIONS, MAC_PIN } from './apple'
export { androidAgentTransport } from './android-agent'
export { amapiTransport, AMAPI_TRANSPORT, type AmapiTransportDeps } from './android-enterprise'
export { lostModeOf } from './lost-mode'
export { hidePayloadSecrets } from './secrets'

/** Apple MDM and the Android agent; a platform API goes in front of them. */
export const defaultTransports = (): ActionTransport[] => [appleTransport(), androidAgentTransport()]

export interface DeviceActionsDeps {
  store: Store
  clock: Clock
  ids: IdSource
  log: Log
  ackDeadlineMs: number
  /** Pushes whatever is due (after the commit). */
  wake(): Promise<void>
  /** Retire withdraws every policy and leaves the device with no user first (DeviceService.unbind). */
  unbind(deviceIds: readonly string[], why: { actor: string; reason: string }): Promise<number>
  transports: readonly ActionTransport[]
}

export interface DeviceActions {
  /** What the device can do now, each with the reason when it can't; Lost Mode and the last location. */
  info(deviceId: string): DeviceActionsInfo
  /** Runs one action; a refusal is an ACTION_UNSUPPORTED (or BAD_INPUT for its parameters) error. */
  run(deviceId: string, action: DeviceActionName, params: DeviceActionParams, actor?: string): Promise<ActionOutcome>
}

/** What the audit log keeps of the parameters: never the PIN, nor the typed confirmation. */
const auditedParams = (p: DeviceActionParams): Record<string, unknown> => {
  const { pin, confirm, ...rest } = p
  return { ...rest, ...(pin ? { pin: '[set]' } : {}) }
}

const CONFIRM: Record<DeviceActionName, 'click' | 'typed'> = {
  lock: 'click',
  restart: 'click',
  'clear-passcode': 'click',
  'lost-mode-on': 'click',
  'lost-mode-off': 'click',
  locate: 'click',
  'play-sound': 'click',
  wipe: 'typed',
  retire: 'click',
}

export function createDeviceActions(deps: DeviceActionsDeps): DeviceActions {
  const { store, clock, ids } = deps

  const context = (deviceId: string): ActionContext => {
    const device = store.devices.get(deviceId)
    if (!device) throw new AppError('NOT_FOUND', `No device with id ${deviceId}.`, { deviceId })
    const apple = device.platform !== 'android'
    return {
      device,
      facts: store.apple.facts(deviceId),
      checkedOutAt: apple ? store.apple.checkedOutAt(deviceId) : null,
      hasUnlockToken: apple && store.apple.unlockToken(deviceId) !== null,
      lostMode: lostModeOf(store.devices.commands(deviceId)),
    }
  }

  const transportOf = (ctx: ActionContext) => deps.transports.find(t => t.reaches(ctx.device)) ?? null

  const availability = (ctx: ActionContext, action: DeviceActionName): ActionAvailability => {
    const transport = transportOf(ctx)
    const handler = transport?.actions[action]
    const reason = !transport
      ? `No transport reaches ${ctx.device.platform} devices.`
      : !handler
        ? transport.unsupported(action)
        : handler.refuse(ctx)
    return {
      action,
      label: ACTION_LABELS[action],
      allowed: reason === null,
      reason,
      confirm: CONFIRM[action],
      transport: transport?.name ?? null,
    }
  }

  const location = (deviceId: string): DeviceLocationReport | null => {
    const r = store.commandResults.latest(deviceId, 'device_location')
    if (!r) return null
    const v = r.result as {
      latitude: number
      longitude: number
      horizontalAccuracy: number | null
      timestamp: string | null
    }
    return {
      commandId: r.commandId,
      latitude: v.latitude,
      longitude: v.longitude,
      horizontalAccuracy: v.horizontalAccuracy,
      at: v.timestamp ?? r.at,
    }
  }

  return {
    info(deviceId) {
      const ctx = context(deviceId)
      return {
        deviceId,
        actions: DEVICE_ACTIONS.map(a => availability(ctx, a)),
        lostMode: ctx.lostMode,
        location: location(deviceId),
      }
    },

    async run(deviceId, action, params, actor = 'admin') {
      let ctx = context(deviceId)
      const label = ACTION_LABELS[action]
      const available = availability(ctx, action)
      if (!available.allowed)
        throw new AppError('ACTION_UNSUPPORTED', `${label} refused for ${ctx.device.name}: ${available.reason}`, {
          deviceId,
          action,
        })
      if (action === 'wipe' && params.confirm?.trim() !== ctx.device.serial)
        throw new AppError(
          'BAD_INPUT',
          `Type the serial number ${ctx.device.serial} to confirm wiping ${ctx.device.name}.`,
          { field: 'confirm', deviceId, action },
        )
      const transport = transportOf(ctx) as ActionTransport
      const handler = transport.actions[action] as NonNullable<ActionTransport['actions'][DeviceActionName]>
      const problem = handler.checkParams(ctx, params)
      if (problem) throw new AppError('BAD_INPUT', problem, { deviceId, action })
      // Retire: every policy is withdrawn (removals as their flags say) before management ends.
      if (action === 'retire' && ctx.device.userId) {
        await deps.unbind([deviceId], { actor, reason: `retired by ${actor}` })
        ctx = context(deviceId)
      }
      const now = clock.now()
      const at = now.toISOString()
      const deadlineAt = new Date(now.getTime() + deps.ackDeadlineMs).toISOString()
      const summary = `${label} requested by ${actor}.`
      const outcome = store.transaction(() => {
        // A wiped device never answers what waits behind the erase: those commands are cancelled.
        const cancelled =
          action === 'wipe'
            ? store.outbox.cancel(deviceId, null, at, `Cancelled: ${ctx.device.name} is being wiped`)
            : 0
        const queue = (commands: ActionCommand[]): Command[] => {
          const rows = commands.map(c => ({
            id: ids.next(),
            type: c.type,
            channel: c.channel ?? null,
            payload: c.payload,
            reason: { policyId: '', policyName: `Device action: ${label}`, groupId: null, groupName: null, summary },
            deadlineAt,
          }))
          store.devices.enqueue(deviceId, rows, at)
          const queuedIds = new Set(rows.map(r => r.id))
          return store.devices.commands(deviceId).filter(c => queuedIds.has(c.id))
        }
        const queued = handler.run(ctx, params, queue)
        store.audit.append({
          at,
          actor,
          action: `devices/${action}`,
          subject: deviceId,
          details: {
            device: ctx.device.name,
            serial: ctx.device.serial,
            transport: transport.name,
            commandIds: queued.map(c => c.id),
            ...(cancelled > 0 ? { cancelled } : {}),
            ...auditedParams(params),
          },
        })
        return { queued, cancelled }
      })
      deps.log.info('device action requested', { deviceId, action, transport: transport.name, actor })
      if (transport.deliver) await transport.deliver(ctx.device, outcome.queued)
      else await deps.wake()
      // A transport that delivers itself has closed them already: shown as they stand now.
      const closed = transport.deliver
        ? outcome.queued.map(c => store.devices.command(deviceId, c.id) ?? c)
        : outcome.queued
      const failed = closed.find(c => c.state === 'failed')
      return {
        deviceId,
        action,
        queued: closed.map(hidePayloadSecrets),
        cancelled: outcome.cancelled,
        summary: failed
          ? `${label} failed for ${ctx.device.name}: ${failed.error ?? 'no reason given'}`
          : `${label} ${transport.deliver ? 'sent to' : 'queued for'} ${ctx.device.name}${outcome.cancelled > 0 ? `; ${outcome.cancelled} waiting commands cancelled` : ''}.`,
      }
    },
  }
}
