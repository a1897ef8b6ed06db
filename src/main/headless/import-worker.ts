// The import thread's entry (directories/import-thread.ts): opens the workspace on its own
// connection, imports the file as the main thread would, answers with the outcome and stops.
// Only the store, the groups room and the import: no sync engine (whose start-up recovery is the
// main thread's), no watchers, no timers. Built as a bundle of its own (vite.cli.config.mts,
// electron.vite.config.ts).
import { join } from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { AppError } from '../../shared/errors'
import { DATABASE_FILE } from '../app'
import { type ImportJob, type ImportProgressMessage, type ImportReply, importReply, importUsers } from '../directories'
import { createGroupService } from '../groups'
import { readPolicySettings } from '../policies'
import { systemClock, timeOrderedIds } from '../ports'
import { createStore } from '../store'

const job = workerData as ImportJob

const store = createStore(join(job.dataDir, DATABASE_FILE))

/**
 * Copies the import's pages from the WAL into the database on this thread before answering: the
 * main connection's next commit (the redeploy's first) would otherwise copy them itself, hundreds
 * of megabytes after a 100,000-row import, and answer nothing for most of a second. A reader on an
 * older snapshot (the diagnostics thread mid-read) holds some pages back: tried again for a while.
 */
function checkpointHere(): void {
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (let tries = 0; tries < 100; tries++) {
    if (store.checkpoint()) return
    Atomics.wait(pause, 0, 0, 50)
  }
}

let reply: ImportReply
try {
  const settings = readPolicySettings(store)
  const clock = systemClock
  const ids = timeOrderedIds()
  const groups = createGroupService({
    store,
    clock,
    ids,
    grace: () => ({ syncs: settings.graceSyncs, minutes: settings.graceMinutes }),
  })
  const outcome = importUsers(
    {
      store,
      groups,
      ids,
      clock,
      removalLimits: {
        membershipShare: settings.syncHoldMembershipShare,
        userShare: settings.syncHoldUserShare,
        minimum: settings.syncHoldMinimum,
      },
    },
    job,
    users => parentPort?.postMessage({ progress: 'parsed', users } satisfies ImportProgressMessage),
  )
  // Only users with a device have anything to redeploy: the main thread then looks up the
  // 10,000 of those, not every one of 100,000 changed users (its first block after the import).
  const bound = store.sync.usersWithDevices()
  reply = importReply({ ...outcome, changedUserIds: outcome.changedUserIds.filter(id => bound.has(id)) })
  checkpointHere()
} catch (e) {
  if (!(e instanceof AppError)) throw e
  reply = { ok: false, error: e.toInfo() }
} finally {
  store.close()
}
parentPort?.postMessage(reply)
