// The devices room's channels (devices/*).
import type { HandlersOf } from '../../shared/contract'
import type { Clock } from '../ports'
import type { Store } from '../store'
import type { DeviceService } from './service'

/** Acknowledgement latencies the delivery chart reads by default. */
const LATENCY_SAMPLES = 500

export function deviceHandlers({
  devices,
  store,
  clock,
}: {
  devices: DeviceService
  store: Store
  clock: Clock
}): HandlersOf<'devices'> {
  return {
    'devices/list': () => devices.list(),
    'devices/page': args => store.deviceList.page(args, clock.now().toISOString()),
    'devices/get': ({ deviceId }) => devices.get(deviceId),
    'devices/enroll': req => devices.enroll(req),
    'devices/acknowledge': ({ deviceId, commandId, status, error }) =>
      devices.acknowledge(deviceId, commandId, status, error),
    'devices/scan': ({ deviceId }) => devices.scan(deviceId),
    'devices/repush': ({ deviceId }) => devices.repush(deviceId),
    'devices/cancel': ({ deviceId, commandId }) => devices.cancel(deviceId, commandId ?? null),
    'devices/decideRebind': ({ heldRebindId, approve }) => devices.decideRebind(heldRebindId, approve),
    'devices/latency': ({ limit }) => store.outbox.ackLatencies(limit ?? LATENCY_SAMPLES),
  }
}
