// The diagnostics room: every open failure, computed from the local store so it works offline.
// GROUP_RULE_FAIL is raised by rule-fail.ts (the IdP disagrees, a clause can't be evaluated, AND/OR
// grouping decides) and asked for ("why is U not in G") through the groups room's explain.
//
// Detecting reads every unknown membership (200,000 at 100,000 users with one missing column),
// so the entries are kept until the store's revision moves (any write, by this process or
// another) or the clock passes the next command deadline; the sidebar's count and each page are
// then served from memory.
import type { Diagnostic, DiagnosticFilter, DiagnosticsSummary } from '../../shared/domain'
import type { Clock } from '../ports'
import type { Store } from '../store'
import { isEmptyFilter, page, summarize } from './causes'
import { androidNotApplied } from './android'
import { attributeMissing, latency, notVerified, variableMissing, type AttributeSourceLookup } from './detectors'
import type { CauseSpec, Entry } from './entries'
import { createRuleFailDetector, type RuleInputs } from './rule-fail'

export { diagnosticsHandlers } from './handlers'
export { diagnosticsByDevice, rootCause, type PushStatus, type RootCauseInput } from './by-device'
import type { DiagnosticsService } from './handlers'
export type { DiagnosticsService, AttributeSourceLookup }

/** How late a PAYLOAD_LATENCY may appear after its deadline: the cache of those lives this long at least. */
const LATENCY_SLACK_MS = 10_000

/** The later of two ISO times. */
const later = (a: string, b: string): string => (a < b ? b : a)

interface Snapshot {
  revision: string
  /** SYNC_ATTR_MISSING from rules: the bulk (every unknown membership), kept for the revision. */
  attributes: Entry[]
  /** Profiles' variables and PAYLOAD_LATENCY: also kept until `until` (ISO). */
  devices: Entry[]
  until: string
  entries: Entry[]
  summary?: DiagnosticsSummary
}

export function createDiagnosticsService({
  store,
  clock,
  directories,
  ruleInputs,
}: {
  store: Store
  clock: Clock
  directories?: AttributeSourceLookup
  ruleInputs?: RuleInputs
}): DiagnosticsService {
  let snapshot: Snapshot | null = null
  const ruleFail = ruleInputs ? createRuleFailDetector({ store, clock, inputs: ruleInputs }) : null

  // Deadlines pass all the time in a fleet of 10,000 devices: only the device-side detectors run
  // again for them, at most every LATENCY_SLACK_MS, while the attribute side waits for a write.
  const entries = (): Entry[] => {
    const now = clock.now()
    const at = now.toISOString()
    const revision = store.revision.current()
    if (snapshot && snapshot.revision === revision && at <= snapshot.until) return snapshot.entries
    const previous = snapshot
    // Read in one transaction, so the detectors see one state and the revision is the one they saw.
    snapshot = store.transaction(() => {
      const seen = store.revision.current()
      const attributes =
        previous && previous.revision === seen
          ? previous.attributes
          : attributeMissing(store, directories).concat(
              ruleFailEntries(ruleFail?.list() ?? [], id => store.groups.get(id)?.name),
            )
      const devices = [
        ...variableMissing(store),
        ...latency(store, now),
        ...notVerified(store),
        ...androidNotApplied(store, now),
      ]
      const next = store.devices.nextDeadline(at)
      const slack = new Date(now.getTime() + LATENCY_SLACK_MS).toISOString()
      return {
        revision: seen,
        attributes,
        devices,
        // No open command waiting for its deadline: nothing turns late until something is written.
        until: next === null ? '9999' : later(next, slack),
        entries: attributes.concat(devices),
      }
    })
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

const TRIGGER_WORDS: Record<NonNullable<Diagnostic['trigger']>, string> = {
  'idp-disagrees': "the IdP's own members disagree with the rule's evaluation",
  'evaluation-error': 'the rule could not be evaluated',
  'mixed-logic': "the rule's AND/OR grouping decides",
}

/** GROUP_RULE_FAIL diagnostics grouped by group and trigger: one cause each. */
function ruleFailEntries(found: Diagnostic[], groupName: (id: string) => string | undefined): Entry[] {
  const causes = new Map<string, CauseSpec>()
  return found.map(d => {
    const trigger = d.trigger ?? 'evaluation-error'
    const key = `GROUP_RULE_FAIL:${d.groupId ?? ''}:${trigger}`
    let cause = causes.get(key)
    if (!cause) {
      const group = (d.groupId && groupName(d.groupId)) ?? d.groupId ?? 'a group'
      cause = {
        key,
        code: 'GROUP_RULE_FAIL',
        ...(d.directoryId ? { directoryId: d.directoryId } : {}),
        describe: n => ({
          title: `${group}, ${n.users.toLocaleString('en-US')} ${n.users === 1 ? 'user' : 'users'}: ${TRIGGER_WORDS[trigger]}`,
          remediation: d.remediation,
        }),
      }
      causes.set(key, cause)
    }
    return {
      code: 'GROUP_RULE_FAIL',
      cause,
      ...(d.userId ? { userId: d.userId } : {}),
      ...(d.groupId ? { groupId: d.groupId, groupName: groupName(d.groupId) ?? d.groupId } : {}),
      ...(d.directoryId ? { directoryId: d.directoryId } : {}),
      render: () => d,
    }
  })
}
