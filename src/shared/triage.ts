// Diagnostics grouped by device, each with the root cause the app knows ("APNs is not configured",
// "push token stale since …", "offline since …"), and the field tech's diagnostic bundle.
import type { Diagnostic, DiagnosticCode, Platform } from './domain'

/** Why a device's commands are stuck, most decisive first (diagnostics/by-device.ts decides). */
export type RootCauseKind =
  | 'checked-out'
  | 'push-not-configured'
  | 'stale-token'
  | 'no-token'
  | 'push-failed'
  | 'offline'
  | 'awaiting-answer'
  | 'not-delivery'

export interface RootCause {
  kind: RootCauseKind
  /** One sentence naming the cause and what to do. */
  text: string
  /** Since when (ISO), where the cause has a start: the check-out, the stale verdict, the last check-in. */
  since: string | null
}

export interface DeviceDiagnostics {
  deviceId: string
  deviceName: string
  serial: string
  platform: Platform
  userPrincipalName: string | null
  lastSeenAt: string | null
  rootCause: RootCause
  count: number
  counts: Record<DiagnosticCode, number>
  /** The device's diagnostics, at most DEVICE_DIAGNOSTICS_SHOWN of them. */
  diagnostics: Diagnostic[]
  /** Channels that remediate this device (devices/repush, devices/scan …), best first. */
  remediations: string[]
}

export const DEVICE_DIAGNOSTICS_SHOWN = 20

/** The bundle's format: one JSON file (README, "Diagnostic bundle"). */
export const BUNDLE_FORMAT = 'jit-mapper/diagnostic-bundle/v1'
