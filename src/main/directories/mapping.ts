// Attribute mapping: IdP property (a dotted path into the connector's flattened record) →
// the attribute name rules read. Defaults follow each IdP's own names so imported rules work:
// Entra rules use Graph names (but a rule's extensionAttributeN lives under
// onPremisesExtensionAttributes in Graph), Okta rules use Okta profile names (user.title),
// Google's use the Admin SDK user fields.
import { createHash } from 'node:crypto'
import type { AttributeMapping, Attributes, AttributeValue, DirectoryKind } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { MANAGER, MANAGER_ID } from '../rules'
import type { Properties } from './connector'

/**
 * What a connector derives for rules under reserved names (rules/reserved.ts), not IdP
 * properties an admin maps: Entra's manager, which `Direct Reports for "…"` reads. They are
 * stored as delivered whatever the mapping.
 */
const DERIVED = [MANAGER_ID, MANAGER] as const

const same = (...names: string[]): AttributeMapping[] => names.map(n => ({ property: n, attribute: n }))

export const DEFAULT_MAPPINGS: Record<DirectoryKind, AttributeMapping[]> = {
  entra: [
    ...same(
      'givenName',
      'surname',
      'mail',
      'department',
      'jobTitle',
      'companyName',
      'employeeId',
      'employeeType',
      'officeLocation',
      'city',
      'state',
      'country',
      'usageLocation',
      'userType',
      'accountEnabled',
    ),
    ...Array.from({ length: 15 }, (_, i) => ({
      property: `onPremisesExtensionAttributes.extensionAttribute${i + 1}`,
      attribute: `extensionAttribute${i + 1}`,
    })),
  ],
  okta: [
    'firstName',
    'lastName',
    'email',
    'department',
    'title',
    'division',
    'organization',
    'costCenter',
    'employeeNumber',
    'userType',
    'city',
    'countryCode',
  ]
    .map(n => ({ property: `profile.${n}`, attribute: n }))
    .concat([{ property: 'status', attribute: 'status' }]),
  google: [
    { property: 'name.givenName', attribute: 'givenName' },
    { property: 'name.familyName', attribute: 'familyName' },
    { property: 'orgUnitPath', attribute: 'orgUnitPath' },
    { property: 'organizations.department', attribute: 'department' },
    { property: 'organizations.title', attribute: 'title' },
    { property: 'organizations.costCenter', attribute: 'costCenter' },
    { property: 'locations.buildingId', attribute: 'buildingId' },
    { property: 'suspended', attribute: 'suspended' },
    { property: 'isAdmin', attribute: 'isAdmin' },
  ],
  // The file connector already names columns after Graph properties (file.ts).
  file: [],
}

const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,199}$/
const PROPERTY_PATH = /^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z0-9_$-]+)*$/
// Identity fields live on the user row and always come from the IdP's own id/UPN/name.
const RESERVED = new Set(['id', 'userprincipalname', 'displayname', 'objectid'])

/** Checks a mapping; the error names the row and what to change. */
export function validateMapping(mapping: AttributeMapping[]): AttributeMapping[] {
  const seen = new Map<string, number>()
  mapping.forEach((m, i) => {
    const row = i + 1
    if (!PROPERTY_PATH.test(m.property))
      throw new AppError(
        'BAD_INPUT',
        `Mapping row ${row}: "${m.property}" is not an IdP property path (letters, digits and dots, e.g. onPremisesExtensionAttributes.extensionAttribute1).`,
        { row, field: 'property' },
      )
    if (!ATTRIBUTE_NAME.test(m.attribute))
      throw new AppError(
        'BAD_INPUT',
        `Mapping row ${row}: "${m.attribute}" is not a valid attribute name (start with a letter; letters, digits, _ and . only).`,
        { row, field: 'attribute' },
      )
    if (RESERVED.has(m.attribute.toLowerCase()))
      throw new AppError(
        'BAD_INPUT',
        `Mapping row ${row}: ${m.attribute} always comes from the user's identity and cannot be mapped.`,
        { row, field: 'attribute' },
      )
    const key = m.attribute.toLowerCase()
    const earlier = seen.get(key)
    if (earlier !== undefined)
      throw new AppError('BAD_INPUT', `Mapping rows ${earlier} and ${row} both fill ${m.attribute}; keep one.`, {
        row,
        field: 'attribute',
      })
    seen.set(key, row)
  })
  return mapping
}

/**
 * A complete record's attributes: every mapped property that has a value. Null (unset in the
 * IdP) is left out, so a rule reading it sees a missing attribute.
 */
export function mapAttributes(properties: Properties, mapping: AttributeMapping[] | 'all'): Attributes {
  const out: Attributes = {}
  if (mapping === 'all') {
    for (const k in properties)
      if (properties[k] !== null && properties[k] !== undefined) out[k] = properties[k] as AttributeValue
    return out
  }
  for (const m of mapping) {
    const v = properties[m.property]
    if (v !== undefined && v !== null) out[m.attribute] = v
  }
  for (const k of DERIVED) {
    const v = properties[k]
    if (v !== undefined && v !== null) out[k] = v
  }
  return out
}

/** A partial record patches stored attributes: delivered properties replace, null clears, absent stays. */
export function patchAttributes(
  stored: Attributes,
  properties: Properties,
  mapping: AttributeMapping[] | 'all',
): Attributes {
  const out: Attributes = { ...stored }
  const rows = mapping === 'all' ? Object.keys(properties).map(k => ({ property: k, attribute: k })) : mapping
  for (const m of mapping === 'all' ? rows : [...rows, ...DERIVED.map(k => ({ property: k, attribute: k }))]) {
    if (!(m.property in properties)) continue
    const v = properties[m.property] as AttributeValue
    if (v === null) delete out[m.attribute]
    else out[m.attribute] = v
  }
  return out
}

/** A stable digest of what the sync stores for a user: equal strings mean nothing changed. */
export function fingerprint(userPrincipalName: string, displayName: string, attributes: Attributes): string {
  const keys = Object.keys(attributes).sort()
  let s = `${userPrincipalName}\u0000${displayName}`
  for (const k of keys) s += `\u0000${k}\u0001${JSON.stringify(attributes[k])}`
  return createHash('sha1').update(s).digest('base64url')
}
