import { describe, expect, it } from 'vitest'
import { createSyncScheduler } from '../../../src/main/directories/scheduler'
import { silentLog, type TimerPort } from '../../../src/main/ports'

/** Timers fired by hand: no real waiting. */
function manualTimers() {
  let next = 1
  const pending = new Map<number, { fn: () => void; ms: number }>()
  const timers: TimerPort = {
    setTimeout: (fn, ms) => {
      const id = next++
      pending.set(id, { fn, ms })
      return id
    },
    clearTimeout: h => void pending.delete(h as number),
  }
  return {
    timers,
    pending,
    fire(ms: number) {
      const due = [...pending].filter(([, t]) => t.ms === ms)
      for (const [id, t] of due) {
        pending.delete(id)
        t.fn()
      }
      return due.length
    },
  }
}

const settle = () => new Promise(r => setImmediate(r))

describe('the sync scheduler', () => {
  it('syncs each scheduled directory every N minutes, counted from the end of the last run', async () => {
    const t = manualTimers()
    const schedules = new Map([
      ['d1', 15],
      ['d2', 60],
    ])
    const runs: string[] = []
    const s = createSyncScheduler({
      schedules: () => schedules,
      runSync: async id => void runs.push(id),
      timers: t.timers,
      log: silentLog,
    })
    s.start()
    expect([...t.pending.values()].map(p => p.ms).sort((a, b) => a - b)).toEqual([15 * 60_000, 60 * 60_000])
    expect(t.fire(15 * 60_000)).toBe(1)
    expect(t.pending.size).toBe(1)
    await settle()
    expect(runs).toEqual(['d1'])
    expect([...t.pending.values()].map(p => p.ms).sort((a, b) => a - b)).toEqual([15 * 60_000, 60 * 60_000])
  })

  it('re-arms after a failed run and follows schedule changes', async () => {
    const t = manualTimers()
    const schedules = new Map([['d1', 15]])
    const s = createSyncScheduler({
      schedules: () => schedules,
      runSync: () => Promise.reject(new Error('Okta is down')),
      timers: t.timers,
      log: silentLog,
    })
    s.start()
    t.fire(15 * 60_000)
    await settle()
    expect(t.pending.size).toBe(1)
    schedules.set('d1', 60)
    s.refresh()
    expect([...t.pending.values()].map(p => p.ms)).toEqual([60 * 60_000])
    schedules.delete('d1')
    s.refresh()
    expect(t.pending.size).toBe(0)
  })

  it('arms nothing after stop', () => {
    const t = manualTimers()
    const s = createSyncScheduler({
      schedules: () => new Map([['d1', 5]]),
      runSync: async () => {},
      timers: t.timers,
      log: silentLog,
    })
    s.start()
    s.stop()
    expect(t.pending.size).toBe(0)
    s.refresh()
    expect(t.pending.size).toBe(0)
  })
})
