// Whether long work lets the event loop run: macrotasks (setImmediate) counted while it is under
// way. Work done in one synchronous block lets none run.

/** Starts `work` once the first tick is queued, and counts the ticks until it settles. */
export async function ticking<T>(work: () => Promise<T>): Promise<{ value: T; ticks: number }> {
  let ticks = 0
  let done = false
  const tick = () => {
    if (done) return
    ticks++
    setImmediate(tick)
  }
  setImmediate(tick)
  const value = await work()
  done = true
  return { value, ticks }
}
