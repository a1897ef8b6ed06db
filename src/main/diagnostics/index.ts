// The diagnostics room: every open failure, computed from the local store so it works offline.
// GROUP_RULE_FAIL is asked for ("why is U not in G") through the groups room's explain.
//
// Detecting reads every unknown membership (200,000 at 100,000 users with one missing column),
// so the entries are kept until the store's revision moves (any write, by this process or
// another) or the clock passes the next command deadline; the sidebar's count and each page are
// then served from memory.
import type { Diagnostic, DiagnosticFilter, DiagnosticsSummary } from '../../shared/domain'
import type { Clock } from '../ports'
import type { Store } from '../store'
import { isEmptyFilter, page, summarize } from './causes'
import { attributeMissing, latency, variableMissing, type AttributeSourceLookup } from './detectors'
import type { Entry } from './entries'

export { diagnosticsHandlers } from './handlers'
import type { DiagnosticsService } from './handlers'
export type { DiagnosticsService, AttributeSourceLookup }

/** Every detector, in display order: SYNC_ATTR_MISSING from rules, then from profiles, then PAYLOAD_LATENCY. */
export function detect(store: Store, now: Date, directories?: AttributeSourceLookup): Entry[] {
  return [...attributeMissing(store, directories), ...variableMissing(store), ...latency(store, now)]
}

interface Snapshot {
  revision: string
  /** Until when (ISO) no further command becomes overdue; null: no open command is waiting for its deadline. */
  until: string | null
  entries: Entry[]
  summary?: DiagnosticsSummary
}

export function createDiagnosticsService({
  store,
  clock,
  directories,
}: {
  store: Store
  clock: Clock
  directories?: AttributeSourceLookup
}): DiagnosticsService {
  let snapshot: Snapshot | null = null

  const entries = (): Entry[] => {
    const now = clock.now()
    const at = now.toISOString()
    const revision = store.revision.current()
    if (snapshot && snapshot.revision === revision && (snapshot.until === null || at <= snapshot.until))
      return snapshot.entries
    // Read in one transaction, so the detectors see one state and the revision is the one they saw.
    snapshot = store.transaction(() => ({
      revision: store.revision.current(),
      until: store.devices.nextDeadline(at),
      entries: detect(store, now, directories),
    }))
    return snapshot.entries
  }

  return {
    list: (): Diagnostic[] => entries().map(e => e.render()),
    count: () => entries().length,
    summary(filter: DiagnosticFilter): DiagnosticsSummary {
      const all = entries()
      if (!isEmptyFilter(filter)) return summarize(all, filter)
      const s = snapshot as Snapshot
      s.summary ??= summarize(all, filter)
      return s.summary
    },
    page: (filter, offset, limit) => page(entries(), filter, offset, limit),
  }
}
