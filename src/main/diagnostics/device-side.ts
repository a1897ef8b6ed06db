// The device side of the diagnostics (SYNC_ATTR_MISSING from profiles, PAYLOAD_LATENCY): read again
// after any write and when the clock passes the next command deadline. At 10,000 devices with
// their commands overdue it is 17,000 diagnostics and takes a few hundred milliseconds (every
// overdue command's payload is read), so the app reads it on the diagnostics thread too. It crosses
// as columns of one text table (as the rule side does): 17,000 objects would take longer to
// receive than to read. Unpacked, each entry carries its ids and renders from the columns.
import type { Diagnostic, DiagnosticCode, DiagnosticsSummary } from '../../shared/domain'
import type { Store } from '../store'
import { androidNotApplied } from './android'
import { summarize } from './causes'
import { latency, latencyCause, notVerified, variableCause, variableMissing } from './detectors'
import type { CauseSpec, Entry } from './entries'
import { textTable } from './rule-side'

/** How late a PAYLOAD_LATENCY may appear after its deadline: the device side lives this long at least. */
const LATENCY_SLACK_MS = 10_000

/** The later of two ISO times. */
const later = (a: string, b: string): string => (a < b ? b : a)

/** The device side's entries, and until when (ISO) they hold if nothing is written. */
export function readDeviceEntries(store: Store, now: Date): { entries: Entry[]; until: string } {
  // Read in one transaction, so the detectors see one state.
  return store.transaction(() => {
    const at = now.toISOString()
    const next = store.devices.nextDeadline(at)
    const slack = new Date(now.getTime() + LATENCY_SLACK_MS).toISOString()
    return {
      entries: [
        ...variableMissing(store),
        ...latency(store, now),
        ...notVerified(store),
        ...androidNotApplied(store, now),
      ],
      // No open command waiting for its deadline: nothing turns late until something is written.
      until: next === null ? '9999' : later(next, slack),
    }
  })
}

const FIELDS = [
  'title',
  'explanation',
  'remediation',
  'userId',
  'deviceId',
  'commandId',
  'attribute',
  'detectedAt',
  /** The entry's directory (a filter), which its diagnostic does not name. */
  'directoryId',
] as const
type Field = (typeof FIELDS)[number]

/** What a cause's CauseSpec is made again from: PAYLOAD_LATENCY's cause or SYNC_ATTR_MISSING's attribute. */
export interface DeviceSideCause {
  code: DiagnosticCode
  cause?: Diagnostic['cause']
  attribute?: string
}

export interface DeviceSideData {
  until: string
  text: string
  offsets: Uint32Array
  causes: DeviceSideCause[]
  /** One row per diagnostic: its cause's index, and each field's index in the text table (-1: none). */
  cause: Int32Array
  fields: Record<Field, Int32Array>
  /** The unfiltered summary. */
  summary: DiagnosticsSummary
}

export function readDeviceSide(store: Store, now: Date): DeviceSideData {
  const { entries, until } = readDeviceEntries(store, now)
  const table = textTable()
  const causes: DeviceSideCause[] = []
  const causeIndex = new Map<string, number>()
  const cause = new Int32Array(entries.length)
  const fields = Object.fromEntries(FIELDS.map(f => [f, new Int32Array(entries.length).fill(-1)])) as Record<
    Field,
    Int32Array
  >
  entries.forEach((e, r) => {
    let c = causeIndex.get(e.cause.key)
    if (c === undefined) {
      c = causes.push({ code: e.code, cause: e.cause.cause, attribute: e.cause.attribute }) - 1
      causeIndex.set(e.cause.key, c)
    }
    cause[r] = c
    const d = e.render()
    for (const f of FIELDS) (fields[f] as Int32Array)[r] = table.add(f === 'directoryId' ? e.directoryId : d[f])
  })
  return { until, ...table.done(), causes, cause, fields, summary: summarize(entries, {}) }
}

export const deviceSideTransfers = (data: DeviceSideData): ArrayBuffer[] => [
  data.offsets.buffer as ArrayBuffer,
  data.cause.buffer as ArrayBuffer,
  ...FIELDS.map(f => data.fields[f].buffer as ArrayBuffer),
]

/** The entries again, their ids read from the table now and their text when rendered. */
export function deviceEntries(data: DeviceSideData): Entry[] {
  const { text, offsets, fields } = data
  const at = (i: number): string | undefined => (i < 0 ? undefined : text.slice(offsets[i], offsets[i + 1]))
  const specs = data.causes.map(
    (c): CauseSpec =>
      c.code === 'PAYLOAD_LATENCY' && c.cause ? latencyCause(c.cause) : variableCause(c.attribute ?? ''),
  )
  const out: Entry[] = []
  for (let r = 0; r < data.cause.length; r++) {
    const spec = specs[data.cause[r] as number] as CauseSpec
    const raw = data.causes[data.cause[r] as number] as DeviceSideCause
    const deviceId = at(fields.deviceId[r] as number)
    const userId = at(fields.userId[r] as number)
    const directoryId = at(fields.directoryId[r] as number)
    out.push({
      code: spec.code,
      cause: spec,
      ...(deviceId !== undefined ? { deviceId } : {}),
      ...(userId !== undefined ? { userId } : {}),
      ...(directoryId !== undefined ? { directoryId } : {}),
      render: (): Diagnostic => {
        const d: Diagnostic = {
          code: spec.code,
          title: at(fields.title[r] as number) ?? '',
          explanation: at(fields.explanation[r] as number) ?? '',
          remediation: at(fields.remediation[r] as number) ?? '',
          detectedAt: at(fields.detectedAt[r] as number) ?? '',
        }
        if (raw.cause !== undefined) d.cause = raw.cause
        if (spec.remediations !== undefined) d.remediations = spec.remediations
        if (userId !== undefined) d.userId = userId
        if (deviceId !== undefined) d.deviceId = deviceId
        const commandId = at(fields.commandId[r] as number)
        if (commandId !== undefined) d.commandId = commandId
        const attribute = at(fields.attribute[r] as number)
        if (attribute !== undefined) d.attribute = attribute
        return d
      },
    })
  }
  return out
}
