// The diagnostics room's channels: the open diagnostics and the workspace overview that counts
// them with everything else (workspace/summary).
import type { HandlersOf } from '../../shared/contract'
import type { Store } from '../store'
import type { Clock } from '../ports'
import { diagnosticsByDevice, type PushStatus } from './by-device'
import type { Diagnostic, DiagnosticCode, DiagnosticFilter, DiagnosticsSummary } from '../../shared/domain'

export interface DiagnosticsService {
  /**
   * Settles when the diagnostics have been read once (on the app's thread, started when the app
   * opens); every other method answers at once after that. Callers on a channel await it first.
   */
  ready(): Promise<void>
  /** Every open diagnostic (the CLI's `diagnose`). */
  list(): Diagnostic[]
  /** The open diagnostics that concern a device (the rule side's never do). */
  deviceList(): Diagnostic[]
  count(): number
  /** How many are open of each code (the overview's board), without rendering any. */
  counts(): Record<DiagnosticCode, number>
  /** Counts by code and the causes, narrowed by the filter. */
  summary(filter: DiagnosticFilter): DiagnosticsSummary
  page(filter: DiagnosticFilter, offset: number, limit: number): { rows: Diagnostic[]; total: number }
  /** Stops the thread, if any. */
  close(): void
}

export function diagnosticsHandlers({
  diagnostics,
  store,
  clock,
  push,
}: {
  diagnostics: DiagnosticsService
  store: Store
  clock: Clock
  push: PushStatus
}): HandlersOf<'diagnostics' | 'workspace'> {
  return {
    'workspace/summary': async () => {
      await diagnostics.ready()
      return {
        users: store.users.count(),
        groups: store.groups.count(),
        policies: store.policies.count(),
        devices: store.devices.count(),
        queuedCommands: store.devices.pendingCommandCount(),
        openDiagnostics: diagnostics.count(),
      }
    },
    'diagnostics/list': async () => {
      await diagnostics.ready()
      return diagnostics.list()
    },
    'diagnostics/summary': async filter => {
      await diagnostics.ready()
      return diagnostics.summary(filter)
    },
    // Only diagnostics with a device are grouped, and the rule side has none.
    'diagnostics/byDevice': async () => {
      await diagnostics.ready()
      return diagnosticsByDevice(store, diagnostics.deviceList(), push, clock.now())
    },
    'diagnostics/page': async ({ offset, limit, ...filter }) => {
      await diagnostics.ready()
      return diagnostics.page(filter, offset ?? 0, limit ?? 50)
    },
  }
}
