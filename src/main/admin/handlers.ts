// The administration room's channels: the overview's health board (overview/*), the audit log
// (audit/*) and CSV exports (exports/*).
import type { HandlersOf } from '../../shared/contract'
import type { DiagnosticsService } from '../diagnostics'
import type { NotificationService } from '../directories'
import type { GroupService } from '../groups'
import type { PolicyService } from '../policies'
import type { Clock } from '../ports'
import type { PushService } from '../push'
import type { Store } from '../store'
import { bundleFile } from './bundle'
import { exportCsv } from './exports'
import { DEFAULT_STALE_DAYS, healthBoard } from './health'

export function adminHandlers(d: {
  store: Store
  clock: Clock
  groups: GroupService
  policies: PolicyService
  diagnostics: DiagnosticsService
  push: PushService
  notifications: NotificationService
  logsDir?: string
}): HandlersOf<'overview' | 'audit' | 'exports'> {
  return {
    'overview/health': async ({ staleDays }) => {
      await d.diagnostics.ready()
      return healthBoard({
        store: d.store,
        now: d.clock.now(),
        push: await d.push.info(),
        diagnostics: d.diagnostics.counts(),
        staleDays: staleDays ?? DEFAULT_STALE_DAYS,
        notifications: await d.notifications.status(),
      })
    },
    'audit/list': filter => d.store.audit.list(filter),
    'exports/csv': ({ kind }) => exportCsv(kind, { ...d, now: d.clock.now() }),
    'exports/bundle': () => bundleFile(d),
  }
}
