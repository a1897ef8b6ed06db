import { describe, expect, it } from 'vitest'
import { backoffMs } from '../../../src/main/devices/backoff'

describe('push backoff', () => {
  it.each([
    [1, {}, 30_000],
    [2, {}, 120_000],
    [3, {}, 480_000],
    [4, {}, 1_800_000],
    [9, {}, 1_800_000],
    [1, { retryAfterMs: 300_000 }, 300_000],
    [3, { retryAfterMs: 1_000 }, 480_000],
    [1, { minBackoffMs: 60_000 }, 60_000],
    [2, { minBackoffMs: 60_000 }, 120_000],
  ])('attempt %i with %o waits %i ms', (attempt, hints, ms) => {
    expect(backoffMs(attempt, hints)).toBe(ms)
  })
})
