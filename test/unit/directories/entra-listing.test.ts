// How the Entra connector reads a group's members@delta entries (entra.ts listMember and
// fullListing): a full pull keeps them as a list and ends with each member listed and not removed
// after, once, as a set would; an incremental one says who joined and who left, the later entry
// winning. Graph repeats a large group across entries and pages, so the entries merge
// (learn.microsoft.com/graph/delta-query-groups).
import { describe, expect, it } from 'vitest'
import { fullListing, listMember, type Listing } from '../../../src/main/directories/entra'

type Entry = [id: string, present: boolean]

const full = (entries: Entry[]): string[] => {
  const listing: Listing = { ids: [], removed: null }
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
