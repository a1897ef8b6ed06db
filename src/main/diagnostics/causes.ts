// Pure functions over detector entries: narrow them by a filter, count them by code, group them by
// cause, and cut a page. Entries arrive in display order; every function keeps it.
import type { DiagnosticCause, DiagnosticCode, DiagnosticFilter, DiagnosticsSummary } from '../../shared/domain'
import type { CauseSpec, Entry, Side } from './entries'

export const DIAGNOSTIC_CODES: readonly DiagnosticCode[] = ['SYNC_ATTR_MISSING', 'GROUP_RULE_FAIL', 'PAYLOAD_LATENCY']

/** How many groups a cause names. */
const TOP_GROUPS = 10

export const isEmptyFilter = (f: DiagnosticFilter): boolean =>
  f.code === undefined &&
  f.cause === undefined &&
  f.directoryId === undefined &&
  f.groupId === undefined &&
  f.deviceId === undefined &&
  f.userId === undefined

export function matches(e: Entry, f: DiagnosticFilter): boolean {
  return (
    (f.code === undefined || e.code === f.code) &&
    (f.cause === undefined || e.cause.key === f.cause) &&
    (f.directoryId === undefined || e.directoryId === f.directoryId) &&
    (f.groupId === undefined || e.groupId === f.groupId) &&
    (f.deviceId === undefined || e.deviceId === f.deviceId) &&
    (f.userId === undefined || e.userId === f.userId)
  )
}

export const narrow = (entries: readonly Entry[], f: DiagnosticFilter): readonly Entry[] =>
  isEmptyFilter(f) ? entries : entries.filter(e => matches(e, f))

export function countByCode(entries: readonly Entry[]): Record<DiagnosticCode, number> {
  const counts = Object.fromEntries(DIAGNOSTIC_CODES.map(c => [c, 0])) as Record<DiagnosticCode, number>
  for (const e of entries) counts[e.code]++
  return counts
}

/** One cause per distinct cause key, in the order their first entries come, with what they concern. */
export function groupByCause(entries: readonly Entry[]): DiagnosticCause[] {
  const acc = new Map<
    string,
    { entries: Entry[]; users: Set<string>; devices: Set<string>; groups: Map<string, { name: string; count: number }> }
  >()
  for (const e of entries) {
    let a = acc.get(e.cause.key)
    if (!a) {
      a = { entries: [], users: new Set(), devices: new Set(), groups: new Map() }
      acc.set(e.cause.key, a)
    }
    a.entries.push(e)
    if (e.userId !== undefined) a.users.add(e.userId)
    if (e.deviceId !== undefined) a.devices.add(e.deviceId)
    if (e.groupId !== undefined) {
      const g = a.groups.get(e.groupId)
      if (g) g.count++
      else a.groups.set(e.groupId, { name: e.groupName ?? e.groupId, count: 1 })
    }
  }
  return [...acc.values()].map(a =>
    describeCause(
      (a.entries[0] as Entry).cause,
      { count: a.entries.length, users: a.users.size, devices: a.devices.size },
      [...a.groups.entries()].map(([id, g]) => ({ id, name: g.name, count: g.count })),
    ),
  )
}

/** A cause as shown: its spec's words for these numbers, and its most named groups (at most TOP_GROUPS). */
export function describeCause(
  spec: CauseSpec,
  n: { count: number; users: number; devices: number },
  groups: DiagnosticCause['groups'],
): DiagnosticCause {
  const c: DiagnosticCause = {
    key: spec.key,
    code: spec.code,
    ...spec.describe(n),
    ...n,
    groups: groups
      .sort((x, y) => y.count - x.count || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
      .slice(0, TOP_GROUPS),
  }
  if (spec.directoryId !== undefined) c.directoryId = spec.directoryId
  if (spec.attribute !== undefined) c.attribute = spec.attribute
  if (spec.cause !== undefined) c.cause = spec.cause
  if (spec.remediations !== undefined) c.remediations = spec.remediations
  return c
}

/** Entries in process as a Side. */
export function entriesSide(entries: readonly Entry[]): Side {
  let all: DiagnosticsSummary | undefined
  return {
    length: entries.length,
    select(f) {
      if (isEmptyFilter(f)) return null
      const out: number[] = []
      entries.forEach((e, i) => {
        if (matches(e, f)) out.push(i)
      })
      return Int32Array.from(out)
    },
    summary(only) {
      if (only === null) {
        all ??= summarize(entries, {})
        return all
      }
      return summaryOf(
        entries.length,
        Array.from(only, i => entries[i] as Entry),
      )
    },
    entry: i => entries[i] as Entry,
  }
}

/** The summary of some entries out of `total`. */
export const summaryOf = (total: number, some: readonly Entry[]): DiagnosticsSummary => ({
  total,
  counts: countByCode(some),
  causes: groupByCause(some),
})

export function summarize(all: readonly Entry[], f: DiagnosticFilter): DiagnosticsSummary {
  const narrowed = narrow(all, f)
  return { total: all.length, counts: countByCode(narrowed), causes: groupByCause(narrowed) }
}

/** One page of the narrowed entries, rendered, and how many there are in all. */
export function page(
  all: readonly Entry[],
  f: DiagnosticFilter,
  offset: number,
  limit: number,
): { rows: ReturnType<Entry['render']>[]; total: number } {
  const narrowed = narrow(all, f)
  return { rows: narrowed.slice(offset, offset + limit).map(e => e.render()), total: narrowed.length }
}
