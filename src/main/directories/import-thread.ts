// Runs a file import on a worker thread with its own connection to the workspace: parsing 100,000
// rows, matching them to the stored users, evaluating every rule and writing them takes seconds,
// and on the main thread nothing else would be answered meanwhile (the app's pages, the ingress).
// The worker (headless/import-worker.ts, a bundle of its own) writes everything in one
// transaction as an import on the main thread does, so nothing is half-imported; the main thread
// then redeploys the users it changed.
import { Worker } from 'node:worker_threads'
import { AppError, type ErrorInfo } from '../../shared/errors'
import type { ImportMode } from './file-import'
import type { ImportOutcome } from './service'

export interface ImportJob {
  dataDir: string
  directoryId: string
  format: 'csv' | 'json'
  content: string
  mode: ImportMode
  confirmRemovals: boolean
}

/**
 * What the worker posts: its outcome or its expected failure; an unexpected one is a thread error.
 * The changed users' ids come as one newline-joined string: 100,000 strings cloned one by one
 * took the main thread tens of milliseconds to receive, one string splits in a few.
 */
export type ImportReply =
  | { ok: true; outcome: Omit<ImportOutcome, 'changedUserIds'>; changedUserIds: string }
  | { ok: false; error: ErrorInfo }

/** The worker's reply for this outcome. */
export const importReply = ({ changedUserIds, ...outcome }: ImportOutcome): ImportReply => ({
  ok: true,
  outcome,
  changedUserIds: changedUserIds.join('\n'),
})

/** What the worker posts on the way: the file is parsed (so many users), the import is being written. */
export interface ImportProgressMessage {
  progress: 'parsed'
  users: number
}

/** Runs imports on a worker thread started from this script; one thread per import. */
export type ImportRunner = (job: ImportJob, onProgress?: (p: ImportProgressMessage) => void) => Promise<ImportOutcome>

export function importOnThread(script: string): ImportRunner {
  return (job, onProgress) =>
    new Promise<ImportOutcome>((resolve, reject) => {
      const worker = new Worker(script, { workerData: job })
      let replied = false
      worker.on('message', (m: ImportReply | ImportProgressMessage) => {
        if ('progress' in m) {
          onProgress?.(m)
          return
        }
        if (replied) return
        replied = true
        if (m.ok) resolve({ ...m.outcome, changedUserIds: m.changedUserIds === '' ? [] : m.changedUserIds.split('\n') })
        else reject(new AppError(m.error.code, m.error.message, m.error.details))
      })
      worker.once('error', e => {
        replied = true
        reject(e)
      })
      worker.once('exit', code => {
        if (!replied) reject(new Error(`The import thread stopped (exit code ${code}) before it answered.`))
      })
    })
}
