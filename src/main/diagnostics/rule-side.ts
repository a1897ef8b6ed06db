// The rule side of the diagnostics (SYNC_ATTR_MISSING from rules, GROUP_RULE_FAIL) read from the
// store as columns: one row per diagnostic in display order, every string once in a text table.
// At 100,000 users one missing column is 200,000 rows; the app reads them on a worker thread
// (thread.ts) and this form crosses to the main thread as one string and a few typed arrays, whose
// buffers are transferred, not copied: receiving it costs a few milliseconds where 200,000 objects
// would cost hundreds. Read in process the same way when there is no thread (tests, the CLI).
import type { Diagnostic, DiagnosticCode } from '../../shared/domain'
import type { Store } from '../store'
import type { RuleFailTrigger } from './rule-fail'

/** What the rows of one cause share; the main thread makes its CauseSpec (and looks up the attribute's source). */
export interface RuleSideCause {
  key: string
  code: Extract<DiagnosticCode, 'SYNC_ATTR_MISSING' | 'GROUP_RULE_FAIL'>
  /** SYNC_ATTR_MISSING: the users' directory; GROUP_RULE_FAIL: the group's. */
  directoryId: string | null
  /** SYNC_ATTR_MISSING: the attribute the rules read. */
  attribute?: string
  /** GROUP_RULE_FAIL: the trigger, the group as named in the title, and the first diagnostic's remediation. */
  trigger?: RuleFailTrigger
  groupTitle?: string
  remediation?: string
}

/** One cause's numbers over some rows: how many, distinct users, and rows per group (id, display name). */
export interface CauseCounts {
  cause: number
  count: number
  users: number
  groups: { id: string; name: string; count: number }[]
}

/** Indices into the text table, one per row; -1 for none. */
export interface RuleSideRows {
  cause: Int32Array
  user: Int32Array
  upn: Int32Array
  group: Int32Array
  groupName: Int32Array
  /** SYNC_ATTR_MISSING: when the membership became unknown; GROUP_RULE_FAIL: when detected. */
  at: Int32Array
  /** GROUP_RULE_FAIL's texts (SYNC_ATTR_MISSING's are built from the other columns). */
  title: Int32Array
  explanation: Int32Array
  remediation: Int32Array
}

export interface RuleSideData {
  /** The store's diagnostics revision, read in the same transaction as the rows. */
  revision: string
  /** Every string, joined; string i is text.slice(offsets[i], offsets[i + 1]). */
  text: string
  offsets: Uint32Array
  causes: RuleSideCause[]
  rows: RuleSideRows
  /** Every cause's numbers over all rows, in the order their first rows come. */
  counts: CauseCounts[]
}

const COLUMNS: readonly (keyof RuleSideRows)[] = [
  'cause',
  'user',
  'upn',
  'group',
  'groupName',
  'at',
  'title',
  'explanation',
  'remediation',
]

/** The buffers to transfer with a postMessage of this data. */
export const transferList = (data: RuleSideData): ArrayBuffer[] => [
  data.offsets.buffer as ArrayBuffer,
  ...COLUMNS.map(c => data.rows[c].buffer as ArrayBuffer),
]

/** Reads a string of the table by index. */
export type TextAt = (i: number) => string

/** Numbers per cause over the given rows (all when `only` is null), causes in the order their first rows come. */
export function countCauses(rows: RuleSideRows, textAt: TextAt, only: Int32Array | null): CauseCounts[] {
  const acc = new Map<
    number,
    { count: number; users: Set<number>; groups: Map<number, { name: number; count: number }> }
  >()
  const n = only ? only.length : rows.cause.length
  for (let k = 0; k < n; k++) {
    const i = only ? (only[k] as number) : k
    const cause = rows.cause[i] as number
    let a = acc.get(cause)
    if (!a) {
      a = { count: 0, users: new Set(), groups: new Map() }
      acc.set(cause, a)
    }
    a.count++
    const user = rows.user[i] as number
    if (user >= 0) a.users.add(user)
    const group = rows.group[i] as number
    if (group >= 0) {
      const g = a.groups.get(group)
      if (g) g.count++
      else a.groups.set(group, { name: rows.groupName[i] as number, count: 1 })
    }
  }
  return [...acc].map(([cause, a]) => ({
    cause,
    count: a.count,
    users: a.users.size,
    groups: [...a.groups].map(([g, { name, count }]) => {
      const id = textAt(g)
      return { id, name: name >= 0 ? textAt(name) : id, count }
    }),
  }))
}

/** Strings to indices, each string once; done() joins them into one string and their offsets. */
export function textTable() {
  const index = new Map<string, number>()
  const parts: string[] = []
  const offsets: number[] = [0]
  let length = 0
  return {
    add(s: string | undefined): number {
      if (s === undefined) return -1
      let i = index.get(s)
      if (i === undefined) {
        i = parts.length
        parts.push(s)
        length += s.length
        offsets.push(length)
        index.set(s, i)
      }
      return i
    },
    at: (i: number): string => parts[i] as string,
    done: () => ({ text: parts.join(''), offsets: Uint32Array.from(offsets) }),
  }
}

/** Reads the rule side in one transaction: the rows and the revision they were read at. */
export function readRuleSide(store: Store, ruleFail: { list(): Diagnostic[] } | null): RuleSideData {
  return store.transaction(() => {
    const revision = store.revision.diagnostics()
    const missing = missingRows(store)
    const failed = ruleFail?.list() ?? []
    const table = textTable()
    const n = missing.length + failed.length
    const rows = Object.fromEntries(COLUMNS.map(c => [c, new Int32Array(n).fill(-1)])) as unknown as RuleSideRows
    const causes: RuleSideCause[] = []
    const causeIndex = new Map<string, number>()
    const causeOf = (key: string, make: () => RuleSideCause): number => {
      let i = causeIndex.get(key)
      if (i === undefined) {
        i = causes.push(make()) - 1
        causeIndex.set(key, i)
      }
      return i
    }
    const directoryOf = missing.length > 0 ? store.users.directories() : new Map<string, string | null>()
    let r = 0
    for (const m of missing) {
      const directoryId = directoryOf.get(m.userId) ?? null
      const key = `SYNC_ATTR_MISSING/rule/${directoryId ?? '-'}/${m.attribute}`
      rows.cause[r] = causeOf(key, () => ({ key, code: 'SYNC_ATTR_MISSING', directoryId, attribute: m.attribute }))
      rows.user[r] = table.add(m.userId)
      rows.upn[r] = table.add(m.upn)
      rows.group[r] = table.add(m.groupId)
      rows.groupName[r] = table.add(m.groupName)
      rows.at[r] = table.add(m.updatedAt)
      r++
    }
    const groupNames = new Map<string, string | undefined>()
    const groupName = (id: string): string | undefined => {
      if (!groupNames.has(id)) groupNames.set(id, store.groups.get(id)?.name)
      return groupNames.get(id)
    }
    for (const d of failed) {
      const trigger = d.trigger ?? 'evaluation-error'
      const key = `GROUP_RULE_FAIL:${d.groupId ?? ''}:${trigger}`
      rows.cause[r] = causeOf(key, () => ({
        key,
        code: 'GROUP_RULE_FAIL',
        directoryId: d.directoryId ?? null,
        trigger,
        groupTitle: (d.groupId && groupName(d.groupId)) ?? d.groupId ?? 'a group',
        remediation: d.remediation,
      }))
      rows.user[r] = table.add(d.userId)
      if (d.groupId) {
        rows.group[r] = table.add(d.groupId)
        rows.groupName[r] = table.add(groupName(d.groupId) ?? d.groupId)
      }
      rows.at[r] = table.add(d.detectedAt)
      rows.title[r] = table.add(d.title)
      rows.explanation[r] = table.add(d.explanation)
      rows.remediation[r] = table.add(d.remediation)
      r++
    }
    return { revision, ...table.done(), causes, rows, counts: countCauses(rows, table.at, null) }
  })
}

/** SYNC_ATTR_MISSING from rules: one row per user, group and attribute, by principal name then group name. */
function missingRows(store: Store) {
  const unknown = store.groups.unknownMemberships()
  if (unknown.length === 0) return []
  const upns = store.users.principalNames()
  const rows = unknown.flatMap(m => {
    const upn = upns.get(m.userId) ?? ''
    return m.missing.map(attribute => ({ ...m, attribute, upn }))
  })
  rows.sort((a, b) =>
    a.upn === b.upn ? (a.groupName < b.groupName ? -1 : a.groupName > b.groupName ? 1 : 0) : a.upn < b.upn ? -1 : 1,
  )
  return rows
}
