import { describe, expect, it } from 'vitest'
import { fieldErrors, fieldName, fieldProblems } from '../../../src/renderer/components/field-errors'

describe('the fields a refused save names', () => {
  it.each([
    ['items.4.settings.ssid', { ssid: 'SSID' }, 'Item 5, SSID'],
    ['items.0.identifier', { identifier: 'Bundle or package id' }, 'Item 1, Bundle or package id'],
    ['items.0.identifier', {}, 'Item 1, identifier'],
    ['storeId', {}, 'Store id'],
    ['targets.2.groupId', {}, 'Target 3, group id'],
    ['breakerShare', { breakerShare: 'Hold above share' }, 'Hold above share'],
    ['', {}, 'This form'],
  ])('%s reads as %s', (path, labels, expected) => {
    expect(fieldName(path, labels)).toBe(expected)
  })

  it('reads only well-formed problems from the details', () => {
    expect(
      fieldProblems({ fields: [{ path: 'name', message: 'is required' }, { path: 3 }, 'x', { message: 'bad' }] }),
    ).toEqual([
      { path: 'name', message: 'is required' },
      { path: '', message: 'bad' },
    ])
    expect(fieldProblems(undefined)).toEqual([])
  })

  it('marks the one field a message is about, or each field of a list', () => {
    expect([...fieldErrors({ field: 'publicUrl' }, 'The public URL x is not a URL.')]).toEqual([
      ['publicUrl', 'The public URL x is not a URL.'],
    ])
    expect([
      ...fieldErrors({ fields: [{ path: 'name', message: 'is required' }] }, 'Not saved: name is required.'),
    ]).toEqual([['name', 'is required']])
    expect(fieldErrors(undefined, 'Network down').size).toBe(0)
  })
})
