// The working end of the pipeline: takes notified users from the durable queue, fetches each from
// its IdP (the JIT single-user read: a notification is a hint, the fetch is the truth), applies it as
// a sync applies a user, and redeploys the devices of users whose memberships changed, through the
// same grace rule and circuit breaker as a sync's redeploy. A row is done only once all of that is;
// a process that stops first leaves it queued (its claim lapses) and the next start takes it.
// - Ordered per user: one user is never worked on twice at once; rows that arrive while the user
//   is fetched stay open for another round (the fetch may have read the IdP before that change).
// - A user the IdP no longer knows (deleted, deprovisioned) and a '*' row (a group change, missed
//   notifications) run an incremental sync of the directory, which has the removal guard.
// - A failure is retried with back-off; after MAX_ATTEMPTS the scheduled sync is left to cover it.
import { errorMessage } from '../../../shared/errors'
import type { Clock, Log } from '../../ports'
import type { ClaimedUser, Store } from '../../store'

export interface UserRead {
  /** False when the IdP does not know the user (any more). */
  found: boolean
  changedUserIds: string[]
  /** The redeploy journal entry the read wrote with its commit (cleared once redeployed). */
  journal: string | null
}

export interface ProcessorDeps {
  store: Store
  clock: Clock
  log: Log
  /** Fetches one user by IdP id from the directory and applies it (directories.refreshFromIdp). */
  readUser(directoryId: string, userKey: string): Promise<UserRead>
  /** An incremental sync of the directory (with its redeploys). */
  sync(directoryId: string): Promise<unknown>
  /** Redeploys these users' devices (grace rule, circuit breaker). */
  redeploy(userIds: string[]): Promise<unknown>
  /** After a round that changed something: the app announces it (the admin UI refreshes). */
  changed?(): void
  /** Users fetched concurrently (different users; the IdP's latency overlaps). Default 4. */
  concurrency?: number
  /** How long a claim holds before another process may take the rows (default 2 minutes). */
  claimMs?: number
  /** Timers for back-off waits (tests pass their own). */
  setTimer?(fn: () => void, ms: number): unknown
  clearTimer?(handle: unknown): void
}

export const MAX_ATTEMPTS = 8

/** Back-off after the n-th failed attempt: 5 s doubling, at most 10 minutes. */
export const retryDelayMs = (attempts: number): number => Math.min(10 * 60_000, 5000 * 2 ** attempts)

export interface NotificationProcessor {
  /** Something was queued: drain soon. */
  wake(): void
  /** Drains what is due now; resolves when the queue holds nothing due. */
  drain(): Promise<void>
  stop(): void
}

export function createNotificationProcessor(deps: ProcessorDeps): NotificationProcessor {
  const { store, clock, log } = deps
  const concurrency = deps.concurrency ?? 4
  const claimMs = deps.claimMs ?? 2 * 60_000
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref())
  const clearTimer = deps.clearTimer ?? (h => clearTimeout(h as NodeJS.Timeout))
  let running: Promise<void> | null = null
  let again = false
  let stopped = false
  let timer: unknown = null

  /** Whether the user's processing reached the store (a round that did tells the UI). */
  const process = async (c: ClaimedUser): Promise<boolean> => {
    try {
      if (c.userKey === '*') await deps.sync(c.directoryId)
      else {
        const read = await deps.readUser(c.directoryId, c.userKey)
        if (read.changedUserIds.length > 0) await deps.redeploy(read.changedUserIds)
        if (read.journal) store.syncJournal.redeployed(read.journal)
        if (!read.found && store.notifications.knowsUser(c.directoryId, c.userKey)) await deps.sync(c.directoryId)
      }
      store.notifications.finish(c, clock.now().toISOString())
      return true
    } catch (e) {
      const error = errorMessage(e)
      const now = clock.now()
      if (c.attempts + 1 >= MAX_ATTEMPTS) {
        log.warn('notified user given up on; the scheduled sync will cover it', { ...c, error })
        store.notifications.finish(c, now.toISOString())
        return false
      }
      log.warn('notified user will be fetched again', { ...c, error })
      store.notifications.retryLater(c, new Date(now.getTime() + retryDelayMs(c.attempts)).toISOString(), error)
      return false
    }
  }

  /** Takes due users in rounds of `concurrency` until none is due. */
  const drainOnce = async (): Promise<void> => {
    let changed = false
    for (;;) {
      const now = clock.now()
      const claimed = store.notifications.claimDue(
        now.toISOString(),
        new Date(now.getTime() + claimMs).toISOString(),
        concurrency,
      )
      if (claimed.length === 0) break
      if ((await Promise.all(claimed.map(process))).some(Boolean)) changed = true
      if (stopped) return
    }
    if (changed) deps.changed?.()
    store.notifications.trim(clock.now())
    armBackoff()
  }

  /** A row waiting out a back-off gets a timer for when it is due. */
  const armBackoff = () => {
    if (timer !== null) clearTimer(timer)
    timer = null
    const now = clock.now()
    const next = store.notifications.nextDue(now.toISOString())
    if (next === null || stopped) return
    timer = setTimer(
      () => {
        timer = null
        wake()
      },
      Math.max(0, Date.parse(next) - now.getTime()),
    )
  }

  const drain = (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        await drainOnce().catch((e: unknown) => log.error('notification queue failed', { error: errorMessage(e) }))
      } while (again && !stopped)
    })().finally(() => {
      running = null
    })
    return running
  }

  const wake = () => {
    if (!stopped) void drain()
  }

  return {
    wake,
    drain,
    stop() {
      stopped = true
      if (timer !== null) clearTimer(timer)
    },
  }
}
