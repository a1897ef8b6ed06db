// How the Entra connector reads a group's members@delta entries (entra.ts listMember and
// fullListing): a full pull keeps them as a list and ends with each member listed and not removed
// after, once, as a set would; an incremental one says who joined and who left, the later entry
// winning. Graph repeats a large group across entries and pages, so the entries merge
// (learn.microsoft.com/graph/delta-query-groups).
import { describe, expect, it } from 'vitest'
import { endEntry, type FullListing, fullListing, listMember, type Listing } from '../../../src/main/directories/entra'
import { JoinedIds } from '../../../src/main/store'

type Entry = [id: string, present: boolean]

const full = (entries: Entry[]): string[] => {
  const listing: FullListing = { ids: [], entries: [], removed: null }
  for (const [id, present] of entries) listMember(listing, id, present)
  const change = fullListing(listing)
  return 'replace' in change ? [...change.replace].sort() : []
}

describe('a full pull of a group', () => {
  it.each<[string, Entry[], string[]]>([
    [
      'lists each member',
      [
        ['a', true],
        ['b', true],
      ],
      ['a', 'b'],
    ],
    [
      'keeps a member listed twice once',
      [
        ['a', true],
        ['b', true],
        ['a', true],
      ],
      ['a', 'b'],
    ],
    [
      'leaves out a member removed after being listed',
      [
        ['a', true],
        ['b', true],
        ['a', false],
      ],
      ['b'],
    ],
    [
      'keeps a member listed again after a removal',
      [
        ['a', true],
        ['a', false],
        ['a', true],
      ],
      ['a'],
    ],
    [
      'leaves out a removal of someone never listed',
      [
        ['b', true],
        ['a', false],
      ],
      ['b'],
    ],
    [
      'leaves out a member listed twice and removed',
      [
        ['a', true],
        ['a', true],
        ['a', false],
      ],
      [],
    ],
    ['is empty without entries', [], []],
  ])('%s', (_, entries, members) => {
    expect(full(entries)).toEqual(members)
  })
})

describe('a full pull of a group listed over several entries', () => {
  const read = (entries: Entry[][]) => {
    const listing: FullListing = { ids: [], entries: [], removed: null }
    for (const entry of entries) {
      for (const [id, present] of entry) listMember(listing, id, present)
      endEntry(listing)
    }
    return fullListing(listing)
  }

  it('keeps the listed ids as the text the store writes, each read once', () => {
    const change = read([
      [
        ['a', true],
        ['b', true],
      ],
      [
        ['c', true],
        ['a', true],
      ],
    ])
    const replace = 'replace' in change ? change.replace : null
    expect(replace).toBeInstanceOf(JoinedIds)
    expect((replace as JoinedIds).text).toBe('a,b,c,a')
    expect([...(replace as JoinedIds)].sort()).toEqual(['a', 'b', 'c'])
  })

  it('leaves out a member a later entry removed, and keeps one listed again after', () => {
    const change = read([
      [
        ['a', true],
        ['b', true],
      ],
      [
        ['a', false],
        ['b', false],
      ],
      [['b', true]],
    ])
    expect('replace' in change ? [...change.replace].sort() : null).toEqual(['b'])
  })
})

describe('an incremental pull of a group', () => {
  it('says who joined and who left, the later entry winning', () => {
    const listing: Listing = { add: new Set(), remove: new Set() }
    for (const [id, present] of [
      ['a', true],
      ['b', false],
      ['c', true],
      ['c', false],
      ['b', true],
    ] as Entry[])
      listMember(listing, id, present)
    expect(listing).toEqual({ add: new Set(['a', 'b']), remove: new Set(['c']) })
  })
})
