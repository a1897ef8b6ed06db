// The devices room's channels (devices/*).
import type { HandlersOf } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { Clock } from '../ports'
import type { Store } from '../store'
import type { DeviceService } from './service'
import { type PushConfigured, runBulk } from './actions/bulk'

/** Acknowledgement latencies the delivery chart reads by default. */
const LATENCY_SAMPLES = 500

/** A command the device has not answered yet. */
const OPEN_STATES = ['queued', 'pushed', 'sent'] as const

export function deviceHandlers({
  devices,
  store,
  clock,
  push,
}: {
  devices: DeviceService
  store: Store
  clock: Clock
  push?: PushConfigured
}): HandlersOf<'devices'> {
  const audit = (action: string, deviceId: string, details: Record<string, unknown>) =>
    store.audit.append({ at: clock.now().toISOString(), actor: 'admin', action, subject: deviceId, details })
  return {
    'devices/list': () => devices.list(),
    'devices/page': args => store.deviceList.page(args, clock.now().toISOString()),
    'devices/commands': ({ deviceId, open, offset, limit }) => {
      if (!store.devices.get(deviceId)) throw new AppError('NOT_FOUND', `No device with id ${deviceId}.`, { deviceId })
      return store.historyPages.commands(deviceId, {
        offset: offset ?? 0,
        limit: limit ?? 50,
        ...(open ? { states: OPEN_STATES } : {}),
      })
    },
    'devices/get': ({ deviceId }) => devices.get(deviceId),
    'devices/enroll': ({ move, ...req }) => {
      // Enrolling a serial another user holds would move the device: only when the admin says so.
      const bound = store.devices.enrollmentOf(req.serial)
      const to = store.users.idByPrincipalName(req.userPrincipalName)
      // A user not stored yet (the enrollment would fetch them just in time) is another user too.
      if (bound?.userId && bound.userId !== to && move !== true) {
        const owner = store.devices.get(bound.deviceId)
        throw new AppError(
          'CONFLICT',
          `Serial ${req.serial} belongs to ${owner?.userPrincipalName ?? 'another user'}. Move it to ${req.userPrincipalName} explicitly ("Move to another user" on the device's page, or enroll with move).`,
          { field: 'serial', serial: req.serial, deviceId: bound.deviceId },
        )
      }
      return devices.enroll(req)
    },
    'devices/acknowledge': ({ deviceId, commandId, status, error }) =>
      devices.acknowledge(deviceId, commandId, status, error),
    'devices/scan': async ({ deviceId }) => {
      const detail = await devices.scan(deviceId)
      audit('devices/scan', deviceId, {})
      return detail
    },
    'devices/repush': async ({ deviceId }) => {
      const detail = await devices.repush(deviceId)
      audit('devices/repush', deviceId, {})
      return detail
    },
    'devices/cancel': ({ deviceId, commandId }) => {
      const detail = devices.cancel(deviceId, commandId ?? null)
      audit('devices/cancel', deviceId, { commandId: commandId ?? 'all open commands' })
      return detail
    },
    'devices/decideRebind': ({ heldRebindId, approve }) => devices.decideRebind(heldRebindId, approve),
    'devices/rename': ({ deviceId, name }) => devices.rename(deviceId, name),
    'devices/unbind': async ({ deviceId }) => {
      if (!devices.get(deviceId).device.userId)
        throw new AppError('CONFLICT', 'This device belongs to no user already.', { deviceId })
      await devices.unbind([deviceId], { actor: 'admin', reason: 'unbound by the admin' })
      return devices.get(deviceId)
    },
    'devices/rebind': ({ deviceId, userPrincipalName }) => devices.rebind(deviceId, userPrincipalName),
    'devices/latency': ({ limit }) => store.outbox.ackLatencies(limit ?? LATENCY_SAMPLES),
    'devices/actions': ({ deviceId }) => devices.actions.info(deviceId),
    'devices/action': ({ deviceId, action, params }) => devices.actions.run(deviceId, action, params ?? {}),
    'devices/bulk': async ({ action, deviceIds }) => {
      const outcome = await runBulk({ devices, store, push }, action, deviceIds)
      for (const d of outcome.done) audit(`devices/${action}`, d.deviceId, { bulk: true, commands: d.commands })
      return outcome
    },
  }
}
