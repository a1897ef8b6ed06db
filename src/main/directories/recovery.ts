// At start-up, what syncs left behind when the process died (the store's sync journal):
// - a sync marked as running whose process is gone stopped before it finished. Its apply is one
//   transaction (or, for a streamed first sync, undone by first-sync.ts), so it changed nothing:
//   it is recorded as a failed run, so the history says what happened, and the next sync pulls
//   the same changes again.
// - users a committed sync or import changed whose devices were not redeployed yet are redeployed
//   now, so no command is lost between a commit and its redeploy.
// Another process (the CLI, cron) may be running a sync of the same workspace right now: its mark
// stays while its process is alive.
import type { SyncRun } from '../../shared/domain'
import type { Clock, Log } from '../ports'
import type { Store } from '../store'

/** The process a sync runs in, and whether another one is still alive (a port: tests fake it). */
export interface ProcessPort {
  readonly pid: number
  alive(pid: number): boolean
}

export const systemProcess: ProcessPort = {
  pid: process.pid,
  alive(pid) {
    try {
      // Signal 0 checks that the process exists without touching it (EPERM: it exists, not ours).
      process.kill(pid, 0)
      return true
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM'
    }
  },
}

export interface RecoveryDeps {
  store: Store
  clock: Clock
  log: Log
  proc: ProcessPort
  /** Runs this process is running now (none at start-up, unless two engines share the process). */
  runningHere: ReadonlySet<string>
}

/** Whether a sync marked as running has stopped without recording its run. */
export const stoppedMidway = (d: Pick<RecoveryDeps, 'proc' | 'runningHere'>, runId: string, pid: number): boolean =>
  !d.runningHere.has(runId) && (pid === d.proc.pid || !d.proc.alive(pid))

/** Records the syncs that stopped mid-way as failed runs; they changed nothing. */
export function recordStoppedSyncs(d: RecoveryDeps): void {
  for (const m of d.store.syncJournal.runningSyncs()) {
    if (!stoppedMidway(d, m.runId, m.pid)) continue
    d.log.warn('recording a directory sync the app stopped in the middle of', {
      directoryId: m.directoryId,
      runId: m.runId,
    })
    const run: SyncRun = {
      id: m.runId,
      directoryId: m.directoryId,
      mode: m.hadCursor ? 'incremental' : 'full',
      status: 'failed',
      startedAt: m.startedAt,
      finishedAt: d.clock.now().toISOString(),
      added: 0,
      changed: 0,
      removed: 0,
      error: `The sync of ${m.directoryName} stopped before it finished (the app was closed or stopped); nothing was changed. The next sync pulls the same changes again.`,
    }
    d.store.transaction(() => {
      d.store.directories.recordSyncRun(run)
      d.store.syncJournal.endSync(m.directoryId, m.runId)
    })
  }
}

/** Redeploys the users that committed syncs and imports still owe a redeploy, then clears them. */
export async function redeployOwed(
  d: Pick<RecoveryDeps, 'store' | 'log'>,
  redeployUsers: (userIds: string[]) => Promise<unknown>,
): Promise<void> {
  const owed = d.store.syncJournal.pendingRedeploys()
  if (owed.size === 0) {
    // Devices of users a committed sync removed, whose withdrawal the stop interrupted: the state
    // is its own journal (devices room, withdrawOrphans runs with every redeploy).
    if (d.store.devices.orphanedIds().length > 0) await redeployUsers([])
    return
  }
  const users = new Set([...owed.values()].flat())
  d.log.warn('redeploying devices a sync changed before the app stopped', { users: users.size, syncs: owed.size })
  await redeployUsers([...users])
  d.store.transaction(() => {
    for (const source of owed.keys()) d.store.syncJournal.redeployed(source)
  })
}
