// The diagnostics room: every open failure, computed from the local store so it works offline.
// GROUP_RULE_FAIL is raised by rule-fail.ts (the IdP disagrees, a clause can't be evaluated, AND/OR
// grouping decides) and asked for ("why is U not in G") through the groups room's explain.
//
// Detecting reads every unknown membership (200,000 at 100,000 users with one missing column),
// so the rule side (SYNC_ATTR_MISSING from rules, GROUP_RULE_FAIL) is kept until a write it reads
// moves the store's diagnostics revision (migration 17's triggers: unknown memberships, user names,
// groups, directories; and the rule-fail revision), by this process or another. In the app it is
// read again on a worker thread (thread.ts) while the one read before is served, and the new one
// is announced when it lands; the first is read when the app opens, and callers wait for it
// (ready()). It is kept as columns (rule-side.ts, rule-view.ts). The device side (profiles'
// variables, PAYLOAD_LATENCY) is small and read again after any write or when the clock passes the
// next command deadline. The sidebar's count and each page are served from memory.
import type { Diagnostic, DiagnosticFilter, DiagnosticsSummary } from '../../shared/domain'
import { type Clock, type Log, silentLog } from '../ports'
import type { Store } from '../store'
import { entriesSide } from './causes'
import type { AttributeSourceLookup } from './detectors'
import { type DeviceSideData, deviceSide, readDeviceEntries, sameDeviceSide } from './device-side'
import type { Side } from './entries'
import { createRuleFailDetector, type RuleInputs } from './rule-fail'
import { readRuleSide } from './rule-side'
import { type RuleSide, ruleSide } from './rule-view'
import type { DiagnosticsThread } from './thread'

export { diagnosticsHandlers } from './handlers'
export { diagnosticsByDevice, rootCause, type PushStatus, type RootCauseInput } from './by-device'
export { readSides, sidesTransfers, type ReadRequest, type SidesData } from './sides'
export { createRuleFailDetector } from './rule-fail'
export { diagnosticsOnThread, readsOnThread, type DiagnosticsReply, type DiagnosticsThread } from './thread'
import type { DiagnosticsService } from './handlers'
export type { DiagnosticsService, AttributeSourceLookup }

const renderAll = (side: Side): Diagnostic[] => Array.from({ length: side.length }, (_, i) => side.entry(i).render())

/** Failures of the thread in a row after which the diagnostics are read in process again (a broken build). */
const THREAD_FAILURES_ALLOWED = 3

/** Whether diagnostics revision a ("n.m", two counters that only grow) was read before b. */
export function readBefore(a: string, b: string): boolean {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number)
  const [b1 = 0, b2 = 0] = b.split('.').map(Number)
  return a1 <= b1 && a2 <= b2 && (a1 < b1 || a2 < b2)
}

/** The unfiltered summary of the rule side followed by the device side: their causes never share a key. */
export function joinSummaries(a: DiagnosticsSummary, b: DiagnosticsSummary): DiagnosticsSummary {
  const counts = { ...a.counts }
  for (const code of Object.keys(b.counts) as (keyof typeof counts)[]) counts[code] += b.counts[code]
  return { total: a.total + b.total, counts, causes: [...a.causes, ...b.causes] }
}

/** Profiles' variables and PAYLOAD_LATENCY: kept until the next write or `until` (ISO). */
interface DeviceSide {
  /** The store's revision (any write) they were read at (or after). */
  revision: string
  until: string
  side: Side
  /** As read on the thread (to tell whether the next read found anything new). */
  data?: DeviceSideData
}

export function createDiagnosticsService({
  store,
  clock,
  directories,
  ruleInputs,
  thread,
  changed,
  log = silentLog,
}: {
  store: Store
  clock: Clock
  directories?: AttributeSourceLookup
  ruleInputs?: RuleInputs
  /**
   * Where the diagnostics are read when they are stale: a worker thread (the app's), so the main
   * thread keeps answering. Unset (tests from source, the CLI's one-shot commands): read in process.
   */
  thread?: DiagnosticsThread
  /** Told when a read on the thread is installed (the app announces db/changed). */
  changed?: () => void
  log?: Log
}): DiagnosticsService {
  const ruleFail = ruleInputs ? createRuleFailDetector({ store, clock, inputs: ruleInputs }) : null
  let rules: RuleSide | null = null
  let devices: DeviceSide | null = null
  let joined: { rules: RuleSide; devices: DeviceSide; summary?: DiagnosticsSummary } | null = null

  /** The rule side, read here if the diagnostics revision moved. */
  const rulesHere = (): RuleSide => {
    if (rules?.revision !== store.revision.diagnostics()) rules = ruleSide(readRuleSide(store, ruleFail), directories)
    return rules
  }
  // Deadlines pass all the time in a fleet of 10,000 devices: only the device-side detectors run
  // again for them, at most every LATENCY_SLACK_MS, while the rule side waits for a write it reads.
  const devicesHere = (): DeviceSide => {
    const now = clock.now()
    const revision = store.revision.current()
    if (devices && devices.revision === revision && now.toISOString() <= devices.until) return devices
    const { entries, until } = readDeviceEntries(store, now)
    devices = { revision, until, side: entriesSide(entries) }
    return devices
  }

  // Stale while revalidate: what was read before is served while one read runs on the thread;
  // when it lands it is installed and announced, and if a caller found it stale meanwhile one
  // more runs.
  let refreshing: Promise<void> | null = null
  let again = false
  /** Where the store stood when the thread last failed: not tried again until it moves. */
  let failedAt: string | null = null
  let failures = 0
  let closed = false
  const threadUsable = (): boolean => thread !== undefined && failures < THREAD_FAILURES_ALLOWED
  const stamp = (): string => `${store.revision.diagnostics()}|${store.revision.current()}`
  const stale = (r: RuleSide, d: DeviceSide): boolean =>
    r.revision !== store.revision.diagnostics() ||
    d.revision !== store.revision.current() ||
    clock.now().toISOString() > d.until

  const refresh = (worker: DiagnosticsThread): void => {
    const asked = store.revision.current()
    const at = stamp()
    refreshing = worker
      .compute({ now: clock.now().toISOString(), rulesRevision: rules?.revision ?? null })
      .then(
        data => {
          if (closed) return
          failures = 0
          failedAt = null
          const newRules = data.rules !== null && (!rules || readBefore(rules.revision, data.rules.revision))
          if (newRules && data.rules) rules = ruleSide(data.rules, directories)
          const sameDevices = devices?.data !== undefined && sameDeviceSide(devices.data, data.devices)
          devices = {
            revision: asked,
            until: data.devices.until,
            side: sameDevices && devices ? devices.side : deviceSide(data.devices),
            data: data.devices,
          }
          // A write that changed no diagnostic (most of them) is not announced: pages would refetch for nothing.
          if (newRules || !sameDevices) changed?.()
        },
        (e: unknown) => {
          if (closed) return
          failures++
          failedAt = at
          log.warn('the diagnostics thread failed; the diagnostics read before are served', {
            error: String(e),
            failures,
            ...(failures >= THREAD_FAILURES_ALLOWED ? { next: 'read in process from now on' } : {}),
          })
        },
      )
      .finally(() => {
        refreshing = null
        const wanted = again
        again = false
        if (wanted && !closed && rules && devices && threadUsable() && stale(rules, devices)) ask(worker)
      })
  }
  const ask = (worker: DiagnosticsThread): void => {
    if (refreshing) again = true
    else if (stamp() !== failedAt) refresh(worker)
  }

  const current = () => {
    let r: RuleSide
    let d: DeviceSide
    if (thread && threadUsable() && rules && devices) {
      r = rules
      d = devices
      if (stale(r, d)) ask(thread)
    } else {
      // No thread, or nothing read yet (a caller that did not wait for ready()): read here.
      r = rulesHere()
      d = devicesHere()
    }
    if (joined?.rules !== r || joined.devices !== d) joined = { rules: r, devices: d }
    return joined
  }
  const unfiltered = (): DiagnosticsSummary => {
    const s = current()
    s.summary ??= joinSummaries(s.rules.summary(null), s.devices.side.summary(null))
    return s.summary
  }

  if (thread) refresh(thread)

  return {
    async ready() {
      if (!thread || (rules && devices)) return
      if (!refreshing) refresh(thread)
      await refreshing
      // The thread failed before a first answer: read here rather than answer nothing.
      if (closed) return
      rulesHere()
      devicesHere()
    },
    list(): Diagnostic[] {
      const { rules: r, devices: d } = current()
      return [...renderAll(r), ...renderAll(d.side)]
    },
    // Without the rule side: a caller that did not wait for the first read reads only the device side here.
    deviceList: () => renderAll((rules && devices && threadUsable() ? current().devices : devicesHere()).side),
    count() {
      const s = current()
      return s.rules.length + s.devices.side.length
    },
    counts: () => unfiltered().counts,
    summary(filter: DiagnosticFilter): DiagnosticsSummary {
      const s = current()
      const fromRules = s.rules.select(filter)
      const fromDevices = s.devices.side.select(filter)
      if (fromRules === null || fromDevices === null) return unfiltered()
      return joinSummaries(s.rules.summary(fromRules), s.devices.side.summary(fromDevices))
    },
    page(filter, offset, limit) {
      const { rules: r, devices: d } = current()
      const rows: Diagnostic[] = []
      let skip = offset
      let total = 0
      for (const side of [r, d.side]) {
        const only = side.select(filter)
        const n = only ? only.length : side.length
        total += n
        for (let k = skip; k < n && rows.length < limit; k++)
          rows.push(side.entry(only ? (only[k] as number) : k).render())
        skip = Math.max(0, skip - n)
      }
      return { rows, total }
    },
    close() {
      closed = true
      thread?.close()
    },
  }
}
