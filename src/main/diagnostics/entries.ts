// What a detector finds, before it is written out: one entry per diagnostic, carrying the ids it
// can be filtered by and its cause, and rendered to text only when a page shows it. At 100,000
// users one missing column is 200,000 diagnostics; their text is built for the fifty on screen.
import type { Diagnostic, DiagnosticCode, DiagnosticCause } from '../../shared/domain'

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

export type { DiagnosticCause }
