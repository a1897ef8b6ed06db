// Scheduled syncs while the app runs: each directory with a schedule syncs every N minutes,
// counted from the end of its previous run so a slow sync never overlaps itself. At start, a
// directory whose last run ended longer ago than its interval (or that never synced) is overdue
// and syncs at once: an always-on box restarted after a day, or the app opened on Monday, does
// not wait another interval. Timers come in as a port so tests fire them by hand.
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
  /** When the directory's last sync run ended (null: never); absent, start waits a full interval. */
  lastRunEnded?(directoryId: string): Date | null
  now?(): Date
}

export function createSyncScheduler(deps: SchedulerDeps): SyncScheduler {
  const armed = new Map<string, { minutes: number; handle: unknown }>()
  let started = false

  /** At start: what is left of the interval since the last run, none when overdue. */
  const firstDelay = (directoryId: string, minutes: number): number => {
    const interval = minutes * 60_000
    if (!deps.lastRunEnded || !deps.now) return interval
    const ended = deps.lastRunEnded(directoryId)
    if (ended === null) return 0
    return Math.min(interval, Math.max(0, ended.getTime() + interval - deps.now().getTime()))
  }

  const arm = (directoryId: string, minutes: number, delay = minutes * 60_000) => {
    const handle = deps.timers.setTimeout(() => {
      void deps
        .runSync(directoryId)
        .catch((e: unknown) => deps.log.warn('scheduled sync failed', { directoryId, error: errorMessage(e) }))
        .finally(() => {
          const current = armed.get(directoryId)
          // Re-arm only if the schedule still stands and was not replaced meanwhile.
          if (started && current !== undefined && current.handle === handle) arm(directoryId, current.minutes)
        })
    }, delay)
    armed.set(directoryId, { minutes, handle })
  }

  const refresh = (starting = false) => {
    if (!started) return
    const wanted = deps.schedules()
    for (const [id, entry] of armed) {
      if (wanted.get(id) !== entry.minutes) {
        deps.timers.clearTimeout(entry.handle)
        armed.delete(id)
      }
    }
    for (const [id, minutes] of wanted)
      if (!armed.has(id)) arm(id, minutes, starting ? firstDelay(id, minutes) : minutes * 60_000)
  }

  return {
    start() {
      started = true
      refresh(true)
    },
    refresh: () => refresh(),
    stop() {
      started = false
      for (const entry of armed.values()) deps.timers.clearTimeout(entry.handle)
      armed.clear()
    },
  }
}
