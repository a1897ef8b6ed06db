import { describe, expect, it } from 'vitest'
import { mappingEdits } from '../../../src/shared/mapping'

const SAVED = [
  { property: 'department', attribute: 'department' },
  { property: 'officeLocation', attribute: 'office' },
  { property: 'country', attribute: 'country' },
]

describe('mappingEdits', () => {
  const cases = [
    { name: 'an unchanged mapping shifts nothing', edited: SAVED, shifts: [], notSynced: [] },
    {
      name: 'a removed row leaves its attribute without values',
      edited: SAVED.slice(1),
      shifts: [{ attribute: 'department', source: null }],
      notSynced: [],
    },
    {
      name: "a row pointed at a property already synced takes that attribute's values",
      edited: [{ property: 'officeLocation', attribute: 'department' }, ...SAVED.slice(1)],
      shifts: [{ attribute: 'department', source: 'office' }],
      notSynced: [],
    },
    {
      name: 'a property not synced yet can only show its effect after a sync',
      edited: [{ property: 'employeeType', attribute: 'department' }, ...SAVED.slice(1)],
      shifts: [],
      notSynced: [{ attribute: 'department', property: 'employeeType' }],
    },
    {
      name: 'case and whitespace do not count as edits',
      edited: [{ property: ' Department ', attribute: 'DEPARTMENT' }, ...SAVED.slice(1)],
      shifts: [],
      notSynced: [],
    },
    {
      name: 'half-filled rows are ignored',
      edited: [...SAVED, { property: '', attribute: 'title' }],
      shifts: [],
      notSynced: [],
    },
  ]
  for (const c of cases) {
    it(c.name, () => expect(mappingEdits(SAVED, c.edited)).toEqual({ shifts: c.shifts, notSynced: c.notSynced }))
  }
})
