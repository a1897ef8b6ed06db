// The device side of the diagnostics (SYNC_ATTR_MISSING from profiles, PAYLOAD_LATENCY): read again
// after any write and when the clock passes the next command deadline. At 10,000 devices with
// their commands overdue it is 17,000 diagnostics and takes a few hundred milliseconds (every
// overdue command's payload is read), so the app reads it on the diagnostics thread too. It crosses
// as columns of one text table (as the rule side does): 17,000 objects would take longer to
// receive than to read. Unpacked, each entry carries its ids and renders from the columns.
import type { Diagnostic, DiagnosticCode, DiagnosticsSummary } from '../../shared/domain'
import type { Store } from '../store'
import { androidNotApplied } from './android'
import { isEmptyFilter, summarize, summaryOf } from './causes'
import { latency, latencyCause, notVerified, variableCause, variableMissing } from './detectors'
import type { CauseSpec, Entry, Side } from './entries'
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

const sameInts = (a: Int32Array | Uint32Array, b: Int32Array | Uint32Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i])

/** Whether two reads found the same diagnostics (the same text, rows and causes): then nothing is announced. */
export function sameDeviceSide(a: DeviceSideData, b: DeviceSideData): boolean {
  return (
    a.text === b.text &&
    sameInts(a.offsets, b.offsets) &&
    sameInts(a.cause, b.cause) &&
    FIELDS.every(f => sameInts(a.fields[f], b.fields[f])) &&
    JSON.stringify(a.causes) === JSON.stringify(b.causes)
  )
}

export const deviceSideTransfers = (data: DeviceSideData): ArrayBuffer[] => [
  data.offsets.buffer as ArrayBuffer,
  data.cause.buffer as ArrayBuffer,
  ...FIELDS.map(f => data.fields[f].buffer as ArrayBuffer),
]

/** The entries again, each made (its ids read from the table) when asked for and rendered from the columns. */
export function deviceSide(data: DeviceSideData): Side {
  const { text, offsets, fields } = data
  const strings: (string | undefined)[] = []
  const at = (i: number): string | undefined => {
    if (i < 0) return undefined
    let s = strings[i]
    if (s === undefined) {
      s = text.slice(offsets[i], offsets[i + 1])
      strings[i] = s
    }
    return s
  }
  /** A string's index in the table (each is there once), or -1. */
  const indexOf = (s: string): number => {
    for (let i = 0; i + 1 < offsets.length; i++)
      if ((offsets[i + 1] as number) - (offsets[i] as number) === s.length && text.startsWith(s, offsets[i])) return i
    return -1
  }
  const specs = data.causes.map(
    (c): CauseSpec =>
      c.code === 'PAYLOAD_LATENCY' && c.cause ? latencyCause(c.cause) : variableCause(c.attribute ?? ''),
  )
  const length = data.cause.length
  const made: (Entry | undefined)[] = []
  const render = (r: number, spec: CauseSpec, raw: DeviceSideCause): Diagnostic => {
    const d: Diagnostic = {
      code: spec.code,
      title: at(fields.title[r] as number) ?? '',
      explanation: at(fields.explanation[r] as number) ?? '',
      remediation: at(fields.remediation[r] as number) ?? '',
      detectedAt: at(fields.detectedAt[r] as number) ?? '',
    }
    if (raw.cause !== undefined) d.cause = raw.cause
    if (spec.remediations !== undefined) d.remediations = spec.remediations
    for (const f of ['userId', 'deviceId', 'commandId', 'attribute'] as const) {
      const v = at(fields[f][r] as number)
      if (v !== undefined) d[f] = v
    }
    return d
  }
  const entry = (r: number): Entry => {
    const known = made[r]
    if (known) return known
    const c = data.cause[r] as number
    const spec = specs[c] as CauseSpec
    const raw = data.causes[c] as DeviceSideCause
    const e: Entry = { code: spec.code, cause: spec, render: () => render(r, spec, raw) }
    const deviceId = at(fields.deviceId[r] as number)
    if (deviceId !== undefined) e.deviceId = deviceId
    const userId = at(fields.userId[r] as number)
    if (userId !== undefined) e.userId = userId
    const directoryId = at(fields.directoryId[r] as number)
    if (directoryId !== undefined) e.directoryId = directoryId
    made[r] = e
    return e
  }
  return {
    length,
    select(f) {
      if (isEmptyFilter(f)) return null
      // No device-side diagnostic names a group.
      if (f.groupId !== undefined) return new Int32Array(0)
      const causeOk = specs.map(
        spec => (f.code === undefined || spec.code === f.code) && (f.cause === undefined || spec.key === f.cause),
      )
      const wanted: [Int32Array, number][] = []
      for (const k of ['deviceId', 'userId', 'directoryId'] as const) {
        const v = f[k]
        if (v === undefined) continue
        const i = indexOf(v)
        if (i < 0) return new Int32Array(0)
        wanted.push([fields[k], i])
      }
      const out = new Int32Array(length)
      let n = 0
      for (let r = 0; r < length; r++)
        if (causeOk[data.cause[r] as number] && wanted.every(([column, i]) => column[r] === i)) out[n++] = r
      return out.subarray(0, n)
    },
    summary: only => (only === null ? data.summary : summaryOf(length, Array.from(only, entry))),
    entry,
  }
}
