// The diagnostics room's channels: the open diagnostics and the workspace overview that counts
// them with everything else (workspace/summary).
import type { HandlersOf } from '../../shared/contract'
import type { Store } from '../store'
import type { Diagnostic } from '../../shared/domain'

export interface DiagnosticsService {
  list(): Diagnostic[]
}

export function diagnosticsHandlers({
  diagnostics,
  store,
}: {
  diagnostics: DiagnosticsService
  store: Store
}): HandlersOf<'diagnostics' | 'workspace'> {
  return {
    'workspace/summary': () => ({
      users: store.users.count(),
      groups: store.groups.count(),
      policies: store.policies.count(),
      devices: store.devices.count(),
      queuedCommands: store.devices.pendingCommandCount(),
      openDiagnostics: diagnostics.list().length,
    }),
    'diagnostics/list': () => diagnostics.list(),
  }
}
