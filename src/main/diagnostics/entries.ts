// What a detector finds, before it is written out: one entry per diagnostic, carrying the ids it
// can be filtered by and its cause, and rendered to text only when a page shows it. At 100,000
// users one missing column is 200,000 diagnostics; their text is built for the fifty on screen.
import type {
  Diagnostic,
  DiagnosticCode,
  DiagnosticCause,
  DiagnosticFilter,
  DiagnosticsSummary,
} from '../../shared/domain'

/** What entries of one cause share, and how to say it once for all of them. */
export interface CauseSpec {
  key: string
  code: DiagnosticCode
  directoryId?: string
  attribute?: string
  cause?: Diagnostic['cause']
  remediations?: string[]
  describe(n: { count: number; users: number; devices: number }): { title: string; remediation: string }
}

export interface Entry {
  code: DiagnosticCode
  cause: CauseSpec
  userId?: string
  groupId?: string
  groupName?: string
  deviceId?: string
  directoryId?: string
  render(): Diagnostic
}

/**
 * One side's entries in display order, read by index: in process an array, from the thread
 * columns whose entries are made only for the rows asked for.
 */
export interface Side {
  readonly length: number
  /** The rows that match the filter, by index; null: the filter is empty (all). */
  select(f: DiagnosticFilter): Int32Array | null
  /** The summary of the selected rows (null: all); its total counts every row. */
  summary(only: Int32Array | null): DiagnosticsSummary
  entry(i: number): Entry
}

export type { DiagnosticCause }
