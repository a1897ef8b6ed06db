// The diagnostics room's channels: the open diagnostics and the workspace overview that counts
// them with everything else (workspace/summary).
import type { HandlersOf } from '../../shared/contract'
import type { Store } from '../store'
import type { Clock } from '../ports'
import { diagnosticsByDevice, type PushStatus } from './by-device'
import type { Diagnostic, DiagnosticCode, DiagnosticFilter, DiagnosticsSummary } from '../../shared/domain'

export interface DiagnosticsService {
  /** Every open diagnostic (the CLI's `diagnose`). */
  list(): Diagnostic[]
  count(): number
  /** How many are open of each code (the overview's board), without rendering any. */
  counts(): Record<DiagnosticCode, number>
  /** Counts by code and the causes, narrowed by the filter. */
  summary(filter: DiagnosticFilter): DiagnosticsSummary
  page(filter: DiagnosticFilter, offset: number, limit: number): { rows: Diagnostic[]; total: number }
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
    'workspace/summary': () => ({
      users: store.users.count(),
      groups: store.groups.count(),
      policies: store.policies.count(),
      devices: store.devices.count(),
      queuedCommands: store.devices.pendingCommandCount(),
      openDiagnostics: diagnostics.count(),
    }),
    'diagnostics/list': () => diagnostics.list(),
    'diagnostics/summary': filter => diagnostics.summary(filter),
    'diagnostics/byDevice': () => diagnosticsByDevice(store, diagnostics.list(), push, clock.now()),
    'diagnostics/page': ({ offset, limit, ...filter }) => diagnostics.page(filter, offset ?? 0, limit ?? 50),
  }
}
