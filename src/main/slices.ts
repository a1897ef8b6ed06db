// Long work on the main thread (a redeploy of 10,000 devices, settling 100,000 users' withdrawals)
// cut into slices sized by time, with the event loop running between two: the app's pages and the
// device ingress answer meanwhile. A fixed count per slice is either too small on a fast machine
// or too large on a busy one (a slice of 100 devices took 60–160 ms on a loaded 2-core host), so
// each slice is sized from how long the items of the one before took.

/** How long one slice may keep the event loop; a ping waits at most about this. */
export const SLICE_BUDGET_MS = 25

export interface SliceOptions {
  budgetMs?: number
  /** Items in the first slice, before any was timed. */
  first?: number
  /** Items in one slice at most (a slice's work may read per-slice data in bulk). */
  max?: number
  now?: () => number
  yieldToEventLoop?: () => Promise<void>
}

export const yieldToEventLoop = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

/** The next slice's size: as many items as the budget holds at the last slice's pace, within [1, max]. */
export function nextSliceSize(size: number, elapsedMs: number, budgetMs: number, max: number): number {
  if (elapsedMs <= 0) return Math.min(max, size * 2)
  const fits = Math.floor((budgetMs * size) / elapsedMs)
  // Grow at most twofold a step: one quick slice (a cache warm, items with nothing to do) is no pace.
  return Math.max(1, Math.min(max, fits, size * 2))
}

/**
 * Runs `work` over the items, a slice at a time, yielding to the event loop after each slice but
 * the last. `work` sees the slices in order; whatever it returns is collected in that order.
 */
export async function inSlices<T, R>(
  items: readonly T[],
  work: (slice: readonly T[]) => R,
  opts: SliceOptions = {},
): Promise<R[]> {
  const budget = opts.budgetMs ?? SLICE_BUDGET_MS
  const max = opts.max ?? 1_000
  const now = opts.now ?? (() => performance.now())
  const pause = opts.yieldToEventLoop ?? yieldToEventLoop
  const out: R[] = []
  let size = Math.min(max, opts.first ?? 10)
  for (let i = 0; i < items.length; ) {
    const started = now()
    const slice = items.slice(i, i + size)
    out.push(work(slice))
    i += slice.length
    if (i >= items.length) break
    size = nextSliceSize(slice.length, now() - started, budget, max)
    await pause()
  }
  return out
}
