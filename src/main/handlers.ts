// The contract's implementation: each room's handler map for its channels, joined. The type
// proves every channel has exactly one handler: a missing one fails to compile, and each room's
// map may only hold channels under its own prefixes, which no two rooms share.
import type { Handlers } from '../shared/contract'
import type { SyncProgress } from '../shared/domain'
import { adminHandlers, previewRemoval, removeDirectory } from './admin'
import { deviceHandlers, type DeviceService } from './devices'
import { diagnosticsHandlers, type DiagnosticsService } from './diagnostics'
import {
  directoryHandlers,
  type DirectoryService,
  type ImportJob,
  type ImportProgressMessage,
  type ImportOutcome,
  type SyncScheduler,
} from './directories'
import { groupHandlers, type GroupService } from './groups'
import { policyHandlers, type PolicyService } from './policies'
import type { Clock } from './ports'
import { pushHandlers, type PushService } from './push'
import { ingressHandlers, type IngressHost } from './serving'
import type { Redeploys } from './redeploys'
import type { Store } from './store'

export interface Services {
  store: Store
  clock: Clock
  directories: DirectoryService
  groups: GroupService
  policies: PolicyService
  devices: DeviceService
  diagnostics: DiagnosticsService
  scheduler: SyncScheduler
  push: PushService
  /** The device ingress run by this process (Settings, `jit-mapper serve`). */
  serving: IngressHost
  /** Imports files on a worker thread (a built app); absent, imports run in the main thread. */
  importOnThread?: (
    job: Omit<ImportJob, 'dataDir'>,
    onProgress?: (p: ImportProgressMessage) => void,
  ) => Promise<ImportOutcome>
  /** Tells the renderer how a running sync or import goes (`directories/syncProgress`). */
  emitProgress?(p: SyncProgress): void
}

export function createHandlers(s: Services, redeploys: Redeploys): Handlers {
  return {
    ...diagnosticsHandlers(s),
    ...directoryHandlers({
      ...s,
      redeployUsers: (userIds, opts) => redeploys.users(userIds, opts),
      removal: {
        preview: directoryId => previewRemoval(s, directoryId),
        remove: (directoryId, confirm) => removeDirectory(s, directoryId, confirm),
      },
    }),
    ...adminHandlers(s),
    ...groupHandlers({ ...s, redeployUsers: redeploys.users }),
    ...policyHandlers({ ...s, redeployApproved: redeploys.approved }),
    ...deviceHandlers(s),
    ...pushHandlers(s),
    ...ingressHandlers(s),
  }
}
