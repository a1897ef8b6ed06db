// One read of the diagnostics for the thread (thread.ts): the device side always, the rule side
// only when the diagnostics revision moved past the one the main thread holds.
import type { Diagnostic } from '../../shared/domain'
import type { Store } from '../store'
import { type DeviceSideData, deviceSideTransfers, readDeviceSide } from './device-side'
import { type RuleSideData, readRuleSide, transferList } from './rule-side'

export interface ReadRequest {
  /** The main thread's clock (ISO): PAYLOAD_LATENCY is late against it. */
  now: string
  /** The diagnostics revision of the rule side the main thread holds (null: none). */
  rulesRevision: string | null
}

export interface SidesData {
  /** Null: the rule side held is current. */
  rules: RuleSideData | null
  devices: DeviceSideData
}

export function readSides(store: Store, ruleFail: { list(): Diagnostic[] } | null, request: ReadRequest): SidesData {
  const current = request.rulesRevision !== null && request.rulesRevision === store.revision.diagnostics()
  return {
    rules: current ? null : readRuleSide(store, ruleFail),
    devices: readDeviceSide(store, new Date(request.now)),
  }
}

/** The buffers to transfer with a postMessage of a read. */
export const sidesTransfers = (data: SidesData): ArrayBuffer[] => [
  ...(data.rules ? transferList(data.rules) : []),
  ...deviceSideTransfers(data.devices),
]
