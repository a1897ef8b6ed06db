import { describe, expect, it } from 'vitest'
import { timeOrderedIds } from '../../src/main/ports'

describe('time-ordered ids', () => {
  it('sort by creation, within a millisecond and when the clock steps back, in the UUID layout', () => {
    const times = [1000, 1000, 1000, 999, 2000]
    let r = 0
    const ids = timeOrderedIds(
      () => times.shift() ?? 3000,
      () => `${(9 - r++).toString(16).repeat(8)}-aaaa-bbbb-cccc-dddddddddddd`,
    )
    const list = Array.from({ length: 6 }, () => ids.next())
    expect([...list].sort()).toEqual(list)
    expect(new Set(list).size).toBe(6)
    for (const id of list) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })
})
