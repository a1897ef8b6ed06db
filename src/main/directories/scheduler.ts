// Scheduled syncs while the app runs: each directory with a schedule syncs every N minutes,
// counted from the end of its previous run so a slow sync never overlaps itself. Timers come
// in as a port so tests fire them by hand.
import type { Log, TimerPort } from '../ports'
import { errorMessage } from '../../shared/errors'

export interface SyncScheduler {
  /** Arms a timer for each scheduled directory. */
  start(): void
  /** Re-reads the schedules (after an admin changed one). */
  refresh(): void
  stop(): void
}

export interface SchedulerDeps {
  /** Directory id → minutes between syncs. */
  schedules(): Map<string, number>
  /** Runs one scheduled sync; failures are recorded in the sync history by the engine. */
  runSync(directoryId: string): Promise<unknown>
  timers: TimerPort
  log: Log
}

export function createSyncScheduler(deps: SchedulerDeps): SyncScheduler {
  const armed = new Map<string, { minutes: number; handle: unknown }>()
  let started = false

  const arm = (directoryId: string, minutes: number) => {
    const handle = deps.timers.setTimeout(() => {
      void deps
        .runSync(directoryId)
        .catch((e: unknown) => deps.log.warn('scheduled sync failed', { directoryId, error: errorMessage(e) }))
        .finally(() => {
          const current = armed.get(directoryId)
          // Re-arm only if the schedule still stands and was not replaced meanwhile.
          if (started && current !== undefined && current.handle === handle) arm(directoryId, current.minutes)
        })
    }, minutes * 60_000)
    armed.set(directoryId, { minutes, handle })
  }

  const refresh = () => {
    if (!started) return
    const wanted = deps.schedules()
    for (const [id, entry] of armed) {
      if (wanted.get(id) !== entry.minutes) {
        deps.timers.clearTimeout(entry.handle)
        armed.delete(id)
      }
    }
    for (const [id, minutes] of wanted) if (!armed.has(id)) arm(id, minutes)
  }

  return {
    start() {
      started = true
      refresh()
    },
    refresh,
    stop() {
      started = false
      for (const entry of armed.values()) deps.timers.clearTimeout(entry.handle)
      armed.clear()
    },
  }
}
