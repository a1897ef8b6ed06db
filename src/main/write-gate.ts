// While another thread of this process holds the database's write lock for a long transaction
// (a file import writes 100,000 users in one, seconds long), this process's own writes wait for
// it here, as promises. Without it a write on the main thread meets the lock in SQLite, whose busy
// handler sleeps on that thread: the app stopped answering for up to busy_timeout (5 s) and the
// write then failed with "database is locked". Reads go on: WAL lets them.
import { AppError } from '../shared/errors'

export interface WriteGate {
  /** Runs while `job` runs: writes asked for meanwhile wait until it settles (either way). */
  hold<T>(job: Promise<T>): Promise<T>
  /**
   * Resolves once nothing holds the gate (at once when nothing does). Waits `limitMs` at most,
   * then rejects with CONFLICT: a holder that never ends must not keep every write waiting.
   */
  clear(limitMs?: number): Promise<void>
  /** Whether something holds it now (a timer's write skips its turn rather than wait). */
  readonly held: boolean
}

export function createWriteGate(): WriteGate {
  const holders = new Set<Promise<unknown>>()
  const drained = async (): Promise<void> => {
    while (holders.size > 0) await Promise.all([...holders])
  }
  return {
    hold(job) {
      const settled = job.then(
        () => {},
        () => {},
      )
      holders.add(settled)
      void settled.then(() => holders.delete(settled))
      return job
    },
    clear(limitMs = Number.POSITIVE_INFINITY) {
      if (holders.size === 0) return Promise.resolve()
      if (!Number.isFinite(limitMs)) return drained()
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new AppError(
                'CONFLICT',
                `An import is still writing to the workspace after ${Math.round(limitMs / 1000)} s; try again once it has finished.`,
                { waitedMs: limitMs },
              ),
            ),
          limitMs,
        )
        timer.unref()
      })
      return Promise.race([drained(), late]).finally(() => clearTimeout(timer))
    },
    get held() {
      return holders.size > 0
    },
  }
}
