// A sync's apply is written once, as a generator of steps, and run one of two ways:
// - atomic (runAtomic): every step in the caller's one transaction, with no turn of the event loop
//   in between, so a process that dies mid-apply leaves nothing of it (SQLite rolls back a
//   transaction without its commit). Other code on the main connection cannot slip into it, which
//   yielding inside an open transaction would allow. This is how every sync but a streamed first
//   sync applies.
// - chunked (runChunked): each stretch between two pauses in a transaction of its own, yielding to
//   the event loop at each pause; work handed to a writer thread is awaited outside any
//   transaction. Only a streamed first sync applies this way: it is marked and undone as a whole
//   should it stop (first-sync.ts), so its commits in between never show a half-applied sync.

/** Where a chunked apply commits and lets the event loop run. */
export const COMMIT: unique symbol = Symbol('commit')

/** A pause: a commit point, or work a chunked apply awaits outside any transaction (a writer thread). */
export type Pause = typeof COMMIT | (() => Promise<void>)

export type Steps<R> = Generator<Pause, R, void>

export interface Pacing {
  /** Most items between two commit points. */
  chunkSize: number
  /** A stretch also ends once it has run this long, so the app answers between stretches. */
  sliceMs: number
  now(): number
}

/**
 * Writes items 50 at a time, pausing once a stretch has written `chunkSize` items or run `sliceMs`.
 * `release`: written items are let go (a sync's new users are most of its memory).
 */
export function* each<T>(pacing: Pacing, items: T[], write: (slice: T[]) => void, release = false): Steps<void> {
  const step = 50
  let started = pacing.now()
  let stretch = 0
  for (let i = 0; i < items.length; ) {
    const slice = items.slice(i, i + step)
    write(slice)
    if (release) (items as unknown[]).fill(undefined, i, i + slice.length)
    i += slice.length
    stretch += slice.length
    if (i < items.length && (stretch >= pacing.chunkSize || pacing.now() - started >= pacing.sliceMs)) {
      yield COMMIT
      started = pacing.now()
      stretch = 0
    }
  }
}

/** Runs every step now, inside the caller's transaction. A step that would wait is a bug. */
export function runAtomic<R>(steps: Steps<R>): R {
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
    if (r.value !== COMMIT) throw new Error('An atomic apply cannot wait on other work; only a chunked one can.')
  }
}

/** Runs each stretch in a transaction of its own, yielding to the event loop between them. */
export async function runChunked<R>(
  steps: Steps<R>,
  transaction: <T>(fn: () => T) => T,
  yieldToLoop: () => Promise<void>,
): Promise<R> {
  for (;;) {
    const r = transaction(() => steps.next())
    if (r.done) return r.value
    if (r.value === COMMIT) await yieldToLoop()
    else await r.value()
  }
}
