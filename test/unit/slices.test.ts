// Time-sized slices (src/main/slices.ts): each slice holds about the budget at the last one's pace.
import { describe, expect, it } from 'vitest'
import { inSlices, nextSliceSize } from '../../src/main/slices'
import { ticking } from '../helpers/macrotasks'

describe('nextSliceSize', () => {
  it.each([
    // size, elapsed ms, budget, max → next
    { size: 10, elapsed: 5, budget: 25, max: 1000, next: 20, why: 'quick: grows, at most twofold' },
    { size: 10, elapsed: 0, budget: 25, max: 1000, next: 20, why: 'no time measured: twofold' },
    { size: 100, elapsed: 100, budget: 25, max: 1000, next: 25, why: 'slow: as many as the budget holds' },
    { size: 10, elapsed: 500, budget: 25, max: 1000, next: 1, why: 'one item over the budget: one at a time' },
    { size: 150, elapsed: 1, budget: 25, max: 200, next: 200, why: 'never above max' },
    { size: 40, elapsed: 40, budget: 25, max: 1000, next: 25, why: 'at pace' },
  ])('$why', ({ size, elapsed, budget, max, next }) => {
    expect(nextSliceSize(size, elapsed, budget, max)).toBe(next)
  })
})

describe('inSlices', () => {
  it('covers every item once, in order, sizes slices by the pace and yields between slices only', async () => {
    let t = 0
    const items = Array.from({ length: 100 }, (_, i) => i)
    const seen: number[][] = []
    let pauses = 0
    const out = await inSlices(
      items,
      slice => {
        seen.push([...slice])
        t += slice.length * 5 // 5 ms an item: five fit a 25 ms budget
        return slice.length
      },
      {
        first: 10,
        now: () => t,
        yieldToEventLoop: async () => {
          pauses++
        },
      },
    )
    expect(seen.flat()).toEqual(items)
    expect(out[0]).toBe(10)
    expect(out.slice(1, -1).every(n => n === 5)).toBe(true)
    expect(out.reduce((a, b) => a + b, 0)).toBe(100)
    expect(pauses).toBe(seen.length - 1)
  })

  it('runs one slice without yielding when the items fit the first', async () => {
    let pauses = 0
    const out = await inSlices([1, 2, 3], s => s.length, {
      yieldToEventLoop: async () => {
        pauses++
      },
    })
    expect(out).toEqual([3])
    expect(pauses).toBe(0)
  })

  it('lets other macrotasks run between slices', async () => {
    const { ticks } = await ticking(() =>
      inSlices(
        Array.from({ length: 50 }, (_, i) => i),
        s => s,
        { first: 5, max: 5 },
      ),
    )
    expect(ticks).toBeGreaterThanOrEqual(9)
  })
})
