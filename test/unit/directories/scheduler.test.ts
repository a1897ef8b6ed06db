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

  it.each([
    { name: 'never synced: at once', ended: null, delay: 0 },
    { name: 'last run 2 hours ago on a 60-minute schedule: at once', ended: '2026-11-02T07:00:00Z', delay: 0 },
    {
      name: 'last run 10 minutes ago on a 60-minute schedule: in 50',
      ended: '2026-11-02T08:50:00Z',
      delay: 50 * 60_000,
    },
    {
      name: 'a last run in the future (clock moved back): one interval',
      ended: '2026-11-02T12:00:00Z',
      delay: 60 * 60_000,
    },
  ])('catches up an overdue directory at start — $name', ({ ended, delay }) => {
    const t = manualTimers()
    const s = createSyncScheduler({
      schedules: () => new Map([['d1', 60]]),
      runSync: async () => {},
      timers: t.timers,
      log: silentLog,
      lastRunEnded: () => (ended === null ? null : new Date(ended)),
      now: () => new Date('2026-11-02T09:00:00Z'),
    })
    s.start()
    expect([...t.pending.values()].map(p => p.ms)).toEqual([delay])
  })

  it('gives a schedule set while running a full interval, even for a directory never synced', () => {
    const t = manualTimers()
    const schedules = new Map<string, number>()
    const s = createSyncScheduler({
      schedules: () => schedules,
      runSync: async () => {},
      timers: t.timers,
      log: silentLog,
      lastRunEnded: () => null,
      now: () => new Date('2026-11-02T09:00:00Z'),
    })
    s.start()
    schedules.set('d1', 15)
    s.refresh()
    expect([...t.pending.values()].map(p => p.ms)).toEqual([15 * 60_000])
  })
})
