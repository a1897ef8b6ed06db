// Reads the diagnostics (sides.ts: the rule side when it moved, the device side) on a worker
// thread with its own connection to the workspace: at 100,000 users it takes seconds, and on the
// main thread nothing else would be answered meanwhile (the app's pages, the ingress). The thread
// (headless/diagnostics-worker.ts, a bundle of its own) lives as long as the app and reads once
// per request; it does not keep the process alive while idle. When it fails or stops, the request
// fails and the next one starts a new thread.
import { Worker } from 'node:worker_threads'
import type { ReadRequest, SidesData } from './sides'

/** What the thread posts for each request: the rows or what went wrong. */
export type DiagnosticsReply = { ok: true; data: SidesData } | { ok: false; error: string }

export interface DiagnosticsThread {
  /** Reads the diagnostics on the thread; one request at a time. */
  compute(request: ReadRequest): Promise<SidesData>
  close(): void
}

/** Runs reads on a thread made by `start` (new Worker(script, { workerData: { dataDir } }) in the app). */
export function readsOnThread(start: () => Worker): DiagnosticsThread {
  let worker: Worker | null = null
  /** The request in flight and the thread it was posted to (a thread stopping late must not fail the next's). */
  let pending: { worker: Worker; resolve(d: SidesData): void; reject(e: Error): void } | null = null
  let closed = false

  const settle = (w: Worker, outcome: { data: SidesData } | { error: Error }): void => {
    w.unref()
    const p = pending
    if (p?.worker !== w) return
    pending = null
    if ('data' in outcome) p.resolve(outcome.data)
    else p.reject(outcome.error)
  }
  const spawn = (): Worker => {
    const w = start()
    w.on('message', (m: DiagnosticsReply) =>
      settle(w, m.ok ? { data: m.data } : { error: new Error(`The diagnostics thread failed: ${m.error}`) }),
    )
    const gone = (error: Error): void => {
      if (worker === w) worker = null
      settle(w, { error })
    }
    w.once('error', e => gone(e instanceof Error ? e : new Error(String(e))))
    w.once('exit', code => gone(new Error(`The diagnostics thread stopped (exit code ${code}) before it answered.`)))
    return w
  }

  return {
    compute(request) {
      if (closed) return Promise.reject(new Error('The diagnostics thread is closed.'))
      if (pending) return Promise.reject(new Error('The diagnostics thread is already reading.'))
      worker ??= spawn()
      const w = worker
      // Kept alive while it reads, so a caller waiting for it is not left behind at exit.
      w.ref()
      return new Promise<SidesData>((resolve, reject) => {
        pending = { worker: w, resolve, reject }
        w.postMessage(request)
      })
    },
    close() {
      closed = true
      const w = worker
      worker = null
      if (w) settle(w, { error: new Error('The diagnostics thread was closed.') })
      void w?.terminate()
    },
  }
}

/** The app's thread: the built diagnostics-worker script on the workspace in dataDir. */
export const diagnosticsOnThread = (script: string, dataDir: string): DiagnosticsThread =>
  readsOnThread(() => new Worker(script, { workerData: { dataDir } }))
