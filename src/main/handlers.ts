// The contract's implementation: each room's handler map for its channels, joined. The type
// proves every channel has exactly one handler: a missing one fails to compile, and each room's
// map may only hold channels under its own prefixes, which no two rooms share.
import type { Handlers } from '../shared/contract'
import type { SyncProgress } from '../shared/domain'
import { adminHandlers, previewRemoval, removeDirectory } from './admin'
import {
  adeHandlers,
  type AdeService,
  androidHandlers,
  type AndroidEnterprise,
  deviceHandlers,
  type DeviceService,
} from './devices'
import { diagnosticsHandlers, type DiagnosticsService } from './diagnostics'
import {
  directoryHandlers,
  type DirectoryService,
  type ImportJob,
  type ImportProgressMessage,
  type ImportOutcome,
  notificationHandlers,
  type NotificationService,
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
  /** Android Enterprise through the Android Management API. */
  android: AndroidEnterprise
  /** Automated Device Enrollment: Apple Business Manager's device list and the default profile. */
  ade: AdeService
  /** The IdPs' change notifications: subscriptions, the receiver, the queue of notified users. */
  notifications: NotificationService
  /** The workspace's log folder: the diagnostic bundle carries the tail of its logs. */
  logsDir?: string
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
        remove: async (directoryId, confirm) => {
          const unsubscribe = await s.notifications.forget(directoryId)
          const outcome = await removeDirectory(s, directoryId, confirm)
          if (outcome.status === 'removed') await unsubscribe()
          return outcome
        },
      },
    }),
    ...adminHandlers(s),
    ...groupHandlers({ ...s, redeployUsers: redeploys.users }),
    ...policyHandlers({ ...s, redeployApproved: redeploys.approved }),
    ...deviceHandlers(s),
    ...pushHandlers(s),
    ...ingressHandlers(s),
    ...androidHandlers(s),
    ...adeHandlers(s),
    ...notificationHandlers(s),
  }
}
