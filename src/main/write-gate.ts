// While another thread of this process holds the database's write lock for a long transaction
// (a file import writes 100,000 users in one, seconds long), this process's own writes wait for
// it here, as promises. Without it a write on the main thread meets the lock in SQLite, whose busy
// handler sleeps on that thread: the app stopped answering for up to busy_timeout (5 s) and the
// write then failed with "database is locked". Reads go on: WAL lets them.

export interface WriteGate {
  /** Runs while `job` runs: writes asked for meanwhile wait until it settles (either way). */
  hold<T>(job: Promise<T>): Promise<T>
  /** Resolves once nothing holds the gate (at once when nothing does). */
  clear(): Promise<void>
  /** Whether something holds it now (a timer's write skips its turn rather than wait). */
  readonly held: boolean
}

export function createWriteGate(): WriteGate {
  const holders = new Set<Promise<unknown>>()
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
    async clear() {
      while (holders.size > 0) await Promise.all([...holders])
    },
    get held() {
      return holders.size > 0
    },
  }
}
