// Shapes of day-to-day administration shared by main and renderer: removing a directory, the
// health board, the audit log and exports. Plain JSON.
import type { DiagnosticCode, DirectoryKind, Platform, SyncRun } from './domain'

/** What removing a directory would do, computed without writing anything. */
export interface DirectoryRemoval {
  directoryId: string
  name: string
  kind: DirectoryKind
  users: number
  /** Its synced groups and the rule groups that read only its users: they go with it. */
  groups: { id: string; name: string; kind: 'synced' | 'rule' }[]
  /** Policies that target one of those groups: they lose that target. */
  policies: { id: string; name: string }[]
  /** Devices of its users: each loses its user and every policy (what each loses is listed). */
  devices: {
    deviceId: string
    name: string
    platform: Platform
    userPrincipalName: string
    removals: string[]
    /** Withdrawn from management but left installed (apps not flagged for removal). */
    unmanaged: string[]
  }[]
  /** Devices that lose at least one policy. */
  devicesWithdrawn: number
  devicesTotal: number
  /** Whether it is held until the admin confirms (like a sync that removes too much). */
  wouldHold: boolean
  summary: string
}

export type DirectoryRemovalOutcome =
  | { status: 'held'; removal: DirectoryRemoval }
  | { status: 'removed'; removal: DirectoryRemoval; devicesUpdated: number }

export type HealthTone = 'good' | 'warn' | 'bad' | 'neutral'

/** One line of the health board: what it says, how bad, and where it is fixed. */
export interface HealthItem {
  key: string
  tone: HealthTone
  title: string
  detail: string
  /** The app's route where it is fixed (a hash such as #/directories). */
  href: string
  count?: number
}

export interface ActivityDay {
  /** YYYY-MM-DD (UTC). */
  day: string
  enrollments: number
  deliveries: number
}

export interface HealthBoard {
  generatedAt: string
  items: HealthItem[]
  directories: {
    id: string
    name: string
    kind: DirectoryKind
    lastSync: SyncRun | null
    /** When the last succeeded sync or import finished, or null. */
    lastSucceededAt: string | null
    /** Failed runs since the last succeeded one. */
    failuresSinceSuccess: number
  }[]
  diagnostics: { code: DiagnosticCode; count: number }[]
  activity: ActivityDay[]
  /** Devices not seen for this many days count as not seen. */
  staleDays: number
}

export interface AuditRecord {
  id: number
  at: string
  actor: string
  action: string
  subject: string
  details: Record<string, unknown>
}

export interface AuditFilter {
  since?: string
  until?: string
  actor?: string
  /** An action or its domain prefix (`policies/` matches every policies/… action). */
  action?: string
  /** Text found in the subject or the details. */
  text?: string
  limit?: number
}

export type ExportKind = 'devices' | 'users' | 'policy-status' | 'audit'
export const EXPORT_KINDS: readonly ExportKind[] = ['devices', 'users', 'policy-status', 'audit']

export interface ExportFile {
  fileName: string
  mimeType: string
  content: string
  rows: number
}
