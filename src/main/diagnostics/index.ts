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
import { androidNotApplied } from './android'
import { narrow, summarize } from './causes'
import { type AttributeSourceLookup, latency, notVerified, variableMissing } from './detectors'
import type { Entry } from './entries'
import { createRuleFailDetector, type RuleInputs } from './rule-fail'
import { readRuleSide } from './rule-side'
import { type RuleSide, ruleSide } from './rule-view'
import type { RuleSideThread } from './thread'

export { diagnosticsHandlers } from './handlers'
export { diagnosticsByDevice, rootCause, type PushStatus, type RootCauseInput } from './by-device'
export { readRuleSide, transferList, type RuleSideData } from './rule-side'
export { createRuleFailDetector } from './rule-fail'
export { diagnosticsOnThread, ruleSideOnThread, type RuleSideReply, type RuleSideThread } from './thread'
import type { DiagnosticsService } from './handlers'
export type { DiagnosticsService, AttributeSourceLookup }

/** How late a PAYLOAD_LATENCY may appear after its deadline: the cache of those lives this long at least. */
const LATENCY_SLACK_MS = 10_000

/** Failures of the thread in a row after which the rule side is read in process again (a broken build). */
const THREAD_FAILURES_ALLOWED = 3

/** The later of two ISO times. */
const later = (a: string, b: string): string => (a < b ? b : a)

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
  /** The store's revision (any write) they were read at. */
  revision: string
  until: string
  entries: Entry[]
  summary?: DiagnosticsSummary
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
   * Where the rule side is read when it is stale: a worker thread (the app's), so the main thread
   * keeps answering. Unset (tests from source, the CLI's one-shot commands): read in process.
   */
  thread?: RuleSideThread
  /** Told when a rule side read on the thread is installed (the app announces db/changed). */
  changed?: () => void
  log?: Log
}): DiagnosticsService {
  const ruleFail = ruleInputs ? createRuleFailDetector({ store, clock, inputs: ruleInputs }) : null
  const inProcess = (): RuleSide => ruleSide(readRuleSide(store, ruleFail), directories)
  let rules: RuleSide | null = null
  let devices: DeviceSide | null = null
  let joined: { rules: RuleSide; devices: DeviceSide; summary?: DiagnosticsSummary } | null = null

  // Stale while revalidate: the rule side read before is served while one read runs on the thread;
  // when it lands it is installed and announced, and if the revision moved meanwhile one more runs.
  let refreshing: Promise<void> | null = null
  /** The revision at which the thread last failed: not tried again until the revision moves. */
  let failedAt: string | null = null
  let failures = 0
  let closed = false
  const threadUsable = (): boolean => thread !== undefined && failures < THREAD_FAILURES_ALLOWED

  const refresh = (worker: RuleSideThread): void => {
    if (refreshing) return
    const asked = store.revision.diagnostics()
    refreshing = worker
      .compute()
      .then(
        data => {
          if (closed) return
          failures = 0
          failedAt = null
          if (rules && !readBefore(rules.revision, data.revision)) return
          rules = ruleSide(data, directories)
          changed?.()
        },
        (e: unknown) => {
          if (closed) return
          failures++
          failedAt = asked
          log.warn('the diagnostics thread failed; the rule side read before is served', {
            error: String(e),
            failures,
            ...(failures >= THREAD_FAILURES_ALLOWED ? { next: 'read in process from now on' } : {}),
          })
        },
      )
      .finally(() => {
        refreshing = null
        if (closed || !rules || !threadUsable()) return
        const now = store.revision.diagnostics()
        if (rules.revision !== now && now !== failedAt) refresh(worker)
      })
  }

  const rulesNow = (): RuleSide => {
    const revision = store.revision.diagnostics()
    if (rules && rules.revision === revision) return rules
    // Nothing to serve yet (a caller that did not wait for ready()) or no thread: read here.
    if (!rules || !thread || !threadUsable()) {
      rules = inProcess()
      return rules
    }
    if (revision !== failedAt) refresh(thread)
    return rules
  }

  // Deadlines pass all the time in a fleet of 10,000 devices: only the device-side detectors run
  // again for them, at most every LATENCY_SLACK_MS, while the rule side waits for a write it reads.
  const devicesNow = (): DeviceSide => {
    const now = clock.now()
    const at = now.toISOString()
    const revision = store.revision.current()
    if (devices && devices.revision === revision && at <= devices.until) return devices
    // Read in one transaction, so the detectors see one state and the revision is the one they saw.
    devices = store.transaction((): DeviceSide => {
      const next = store.devices.nextDeadline(at)
      const slack = new Date(now.getTime() + LATENCY_SLACK_MS).toISOString()
      return {
        revision: store.revision.current(),
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
    return devices
  }

  const current = () => {
    const r = rulesNow()
    const d = devicesNow()
    if (joined?.rules !== r || joined.devices !== d) joined = { rules: r, devices: d }
    return joined
  }
  const unfiltered = (): DiagnosticsSummary => {
    const s = current()
    s.devices.summary ??= summarize(s.devices.entries, {})
    s.summary ??= joinSummaries(s.rules.summary(null), s.devices.summary)
    return s.summary
  }

  if (thread) refresh(thread)

  return {
    async ready() {
      if (rules || !thread) return
      if (!refreshing) refresh(thread)
      await refreshing
      // The thread failed before a first answer: read here rather than answer nothing.
      if (!rules && !closed) rules = inProcess()
    },
    list(): Diagnostic[] {
      const { rules: r, devices: d } = current()
      const out: Diagnostic[] = []
      for (let i = 0; i < r.length; i++) out.push(r.entry(i).render())
      for (const e of d.entries) out.push(e.render())
      return out
    },
    deviceList: () => devicesNow().entries.map(e => e.render()),
    count() {
      const s = current()
      return s.rules.length + s.devices.entries.length
    },
    counts: () => unfiltered().counts,
    summary(filter: DiagnosticFilter): DiagnosticsSummary {
      const s = current()
      const only = s.rules.select(filter)
      if (only === null) return unfiltered()
      return joinSummaries(s.rules.summary(only), summarize(s.devices.entries, filter))
    },
    page(filter, offset, limit) {
      const { rules: r, devices: d } = current()
      const only = r.select(filter)
      const fromRules = only ? only.length : r.length
      const fromDevices = narrow(d.entries, filter)
      const end = offset + limit
      const rows: Diagnostic[] = []
      for (let k = offset; k < Math.min(end, fromRules); k++)
        rows.push(r.entry(only ? (only[k] as number) : k).render())
      if (end > fromRules)
        for (const e of fromDevices.slice(Math.max(0, offset - fromRules), end - fromRules)) rows.push(e.render())
      return { rows, total: fromRules + fromDevices.length }
    },
    close() {
      closed = true
      thread?.close()
    },
  }
}
