import { describe, expect, it } from 'vitest'
import { fingerprint, mapAttributes, patchAttributes, validateMapping } from '../../../src/main/directories/mapping'

describe('attribute mapping', () => {
  const mapping = [
    { property: 'department', attribute: 'department' },
    { property: 'onPremisesExtensionAttributes.extensionAttribute1', attribute: 'extensionAttribute1' },
  ]

  it('maps delivered properties and leaves unset ones out', () => {
    expect(
      mapAttributes(
        { department: 'Sales', 'onPremisesExtensionAttributes.extensionAttribute1': null, city: 'Paris' },
        mapping,
      ),
    ).toEqual({ department: 'Sales' })
  })

  it('patches a stored user from a partial record: delivered replace, null clears, absent stays', () => {
    expect(
      patchAttributes(
        { department: 'Sales', extensionAttribute1: 'CC-1', jobTitle: 'AE' },
        { department: 'Legal', 'onPremisesExtensionAttributes.extensionAttribute1': null },
        mapping,
      ),
    ).toEqual({ department: 'Legal', jobTitle: 'AE' })
  })

  it.each([
    [
      [
        { property: 'department', attribute: 'department' },
        { property: 'dept', attribute: 'Department' },
      ],
      /rows 1 and 2 both fill Department/,
    ],
    [[{ property: 'bad path!', attribute: 'x' }], /row 1: "bad path!" is not an IdP property path/],
    [[{ property: 'mail', attribute: '1mail' }], /row 1: "1mail" is not a valid attribute name/],
    [
      [{ property: 'mail', attribute: 'userPrincipalName' }],
      /row 1: userPrincipalName always comes from the user's identity/,
    ],
  ])('refuses %j', (rows, message) => expect(() => validateMapping(rows)).toThrow(message))

  it('fingerprints equal content equally, whatever the key order', () => {
    expect(fingerprint('a@x', 'A', { b: 1, a: ['x'] })).toBe(fingerprint('a@x', 'A', { a: ['x'], b: 1 }))
    expect(fingerprint('a@x', 'A', { a: 'x' })).not.toBe(fingerprint('a@x', 'A', { a: 'y' }))
    expect(fingerprint('a@x', 'A', {})).not.toBe(fingerprint('a@x', 'B', {}))
  })
})

describe('what a connector derives for rules (the Entra manager)', () => {
  const mapping = [{ property: 'department', attribute: 'department' }]

  it('stores the manager whatever the mapping, and leaves an unknown name out', () => {
    expect(mapAttributes({ department: 'Sales', $managerId: ['m-1'], $manager: null, city: 'Paris' }, mapping)).toEqual(
      { department: 'Sales', $managerId: ['m-1'] },
    )
  })

  it('patches it like any delivered property: a new manager replaces, no manager is [], a null name clears', () => {
    const stored = { department: 'Sales', $managerId: ['m-1'], $manager: 'Ada <ada@x>' }
    expect(patchAttributes(stored, { $managerId: ['m-2'], $manager: null }, mapping)).toEqual({
      department: 'Sales',
      $managerId: ['m-2'],
    })
    expect(patchAttributes(stored, { $managerId: [] }, mapping)).toMatchObject({ $managerId: [] })
    expect(patchAttributes(stored, { department: 'HR' }, mapping)).toMatchObject({ $managerId: ['m-1'] })
  })
})
