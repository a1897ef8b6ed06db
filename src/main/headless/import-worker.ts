// The import thread's entry (directories/import-thread.ts): opens the workspace on its own
// connection, imports the file as the main thread would, answers with the outcome and stops.
// Built as a bundle of its own (vite.cli.config.mts, electron.vite.config.ts).
import { parentPort, workerData } from 'node:worker_threads'
import { AppError } from '../../shared/errors'
import { createApp } from '../app'
import type { ImportJob, ImportReply } from '../directories'

const job = workerData as ImportJob
// No watcher: the main thread announces the import when this answers.
const app = createApp({ dataDir: job.dataDir, changePollMs: 0 })
let reply: ImportReply
try {
  const outcome = app.services.directories.importUsers(job.directoryId, job.format, job.content, job.mode, {
    confirmRemovals: job.confirmRemovals,
  })
  reply = { ok: true, outcome }
} catch (e) {
  if (!(e instanceof AppError)) throw e
  reply = { ok: false, error: e.toInfo() }
} finally {
  app.close()
}
parentPort?.postMessage(reply)
