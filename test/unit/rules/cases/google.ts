// Google Workspace / Cloud Identity dynamic-group membership queries from outside JIT Mapper,
// each with a user in the shape membership queries read (the Admin SDK User in snake_case, enum
// `type` fields as numbers; rules/adapters.ts makes it from a Directory API user) and the result
// Google documents for it.
// Sources:
//   DGQ = Cloud Identity API, DynamicGroupQuery.query ("All users with at least one
//         organizations.department of engineering", …).
//   TQ  = cloud.google.com/identity/docs/how-to/test-query-dynamic-groups ("Sample queries",
//         "Negation in queries").
//   MQ  = support.google.com/a/answer/11358695 "Create membership queries for dynamic groups"
//         (the attribute table's sample code).
//   ATT = cloud.google.com/identity/docs/how-to/dynamic-groups-attributes (custom schemas:
//         "as long as the schema already exists in user.custom_schemas").

import type { RuleCase } from './okta'

const ada = {
  name: { given_name: 'John', family_name: 'Doe', value: 'John Doe' },
  organizations: [{ department: 'engineering', title: 'Engineer', type: 1, primary: true }],
  addresses: [{ locality: 'Sunnyvale', country: 'US', type: 3 }],
  locations: [{ area: 'Sunnyvale', building_id: 'Building 1', type: 'desk' }],
  org_unit_id: '03ph8a2z1enx4lx',
  org_units: [{ org_unit_id: '03ph8a2z1khexns' }, { org_unit_id: '03ph8a2z1enx4lx' }],
}

export const GOOGLE_CASES: RuleCase[] = [
  // DGQ
  { rule: "user.organizations.exists(org, org.department=='engineering')", user: ada, result: true, source: 'DGQ' },
  {
    rule: "user.organizations.exists(org, org.department=='engineering')",
    user: { organizations: [{ department: 'Engineering' }] },
    result: false,
    source: 'DGQ',
  },
  {
    rule: "user.locations.exists(loc, loc.area=='foo' && loc.building_id=='bar')",
    user: { locations: [{ area: 'foo', building_id: 'bar' }] },
    result: true,
    source: 'DGQ',
  },
  // Both on the same location.
  {
    rule: "user.locations.exists(loc, loc.area=='foo' && loc.building_id=='bar')",
    user: {
      locations: [
        { area: 'foo', building_id: 'baz' },
        { area: 'qux', building_id: 'bar' },
      ],
    },
    result: false,
    source: 'DGQ',
  },
  // "case-insensitive queries add equalsIgnoreCase() to the value being queried"
  { rule: "user.name.value.equalsIgnoreCase('jOhn DoE')", user: ada, result: true, source: 'DGQ' },
  { rule: "user.name.value == 'jOhn DoE'", user: ada, result: false, source: 'DGQ' },
  // TQ
  { rule: "user.addresses.exists(ad, ad.locality=='Sunnyvale')", user: ada, result: true, source: 'TQ' },
  {
    rule: "user.locations.exists(loc, loc.area=='Sunnyvale' && loc.building_id=='Building 1')",
    user: ada,
    result: true,
    source: 'TQ',
  },
  { rule: "user.org_unit_id==orgUnitId('03ph8a2z1enx4lx')", user: ada, result: true, source: 'TQ' },
  {
    rule: "user.org_unit_id==orgUnitId('03ph8a2z1enx4lx')",
    user: { org_unit_id: 'other' },
    result: false,
    source: 'TQ',
  },
  {
    rule: "user.org_units.exists(org_unit, org_unit.org_unit_id==orgUnitId('03ph8a2z1khexns'))",
    user: ada,
    result: true,
    source: 'TQ',
  },
  { rule: "!(user.org_unit_id==orgUnitId('03ph8a2z1enx4lx'))", user: ada, result: false, source: 'TQ' },
  { rule: "!(user.org_unit_id==orgUnitId('03ph8a2z1enx4lx'))", user: { org_unit_id: 'x' }, result: true, source: 'TQ' },
  // TQ's "All users who do not belong to the Marketing organization", written as valid CEL (the
  // page prints `user.organization` and `=`; google-cases.test.ts pins that text as refused).
  { rule: "!user.organizations.exists(org, org.title == 'Marketing')", user: ada, result: true, source: 'TQ' },
  {
    rule: "!user.organizations.exists(org, org.title == 'Marketing')",
    user: { organizations: [{ title: 'Marketing' }] },
    result: false,
    source: 'TQ',
  },
  // MQ: the attribute table's sample code.
  {
    rule: "user.addresses.exists(address, address.country == 'Canada')",
    user: { addresses: [{ country: 'Canada' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.addresses.exists(address, address.country_code == '555')",
    user: { addresses: [{ country_code: '555' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.addresses.exists(address, address.custom_type=='Custom address type')",
    user: { addresses: [{ custom_type: 'Custom address type', type: 1 }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.addresses.exists(address, address.extended_address=='California, USA')",
    user: { addresses: [{ extended_address: 'California, USA' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.addresses.exists(address, address.locality=='Southern California')",
    user: { addresses: [{ locality: 'Southern California' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.addresses.exists(address, address.po_box=='87132')",
    user: { addresses: [{ po_box: '87132' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: 'user.addresses.exists(address, address.primary==true)',
    user: { addresses: [{ locality: 'a' }, { locality: 'b', primary: true }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: 'user.addresses.exists(address, address.primary==true)',
    user: { addresses: [{ locality: 'a' }] },
    result: false,
    source: 'MQ',
  },
  {
    rule: "user.addresses.exists(address, address.postal_code=='94040')",
    user: { addresses: [{ postal_code: '94040' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.addresses.exists(address, address.region=='Southwest')",
    user: { addresses: [{ region: 'Southwest' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.addresses.exists(address, address.street_address=='123 Fake St')",
    user: { addresses: [{ street_address: '123 Fake St' }] },
    result: true,
    source: 'MQ',
  },
  // Dynamic-group queries compare type fields as enum numbers (Google's dynamic-groups attributes page:
  // addresses 0 unknown, 1 custom, 2 home, 3 work, 4 other).
  {
    rule: 'user.addresses.exists(address, address.type==2)',
    user: { addresses: [{ type: 2 }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: 'user.addresses.exists(address, address.type==2)',
    user: { addresses: [{ type: 3 }] },
    result: false,
    source: 'MQ',
  },
  {
    rule: "user.emails.exists(email, email.address.startsWith('employee'))",
    user: { emails: [{ address: 'employee.42@example.com' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.emails.exists(email, email.address.startsWith(''))",
    user: { emails: [{ address: 'a@example.com' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.emails.exists(email, email.address.startsWith(''))",
    user: { emails: [] },
    result: false,
    source: 'MQ',
  },
  {
    rule: 'user.emails.exists(email, email.primary==true)',
    user: { emails: [{ address: 'a@example.com', primary: true }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.external_ids.exists(id, id.custom_type.startsWith('runner'))",
    user: { external_ids: [{ custom_type: 'runner-up', value: 'x' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.external_ids.exists(id, id.value=='contractor')",
    user: { external_ids: [{ value: 'contractor' }] },
    result: true,
    source: 'MQ',
  },
  {
    rule: "user.gender.address_me_as=='they/them'",
    user: { gender: { address_me_as: 'they/them' } },
    result: true,
    source: 'MQ',
  },
  // ATT: custom schemas, read as user.custom_schemas.<schema>.<field>.
  {
    rule: "user.custom_schemas.Employment.badge == 'B-7'",
    user: { custom_schemas: { Employment: { badge: 'B-7' } } },
    result: true,
    source: 'ATT',
  },
  {
    rule: "user.custom_schemas.Employment.badge == 'B-7'",
    user: { custom_schemas: { Employment: { badge: 'b-7' } } },
    result: false,
    source: 'ATT',
  },
  // A multi-value custom field is a list.
  {
    rule: "'L6' in user.custom_schemas.Employment.levels",
    user: { custom_schemas: { Employment: { levels: ['L5', 'L6'] } } },
    result: true,
    source: 'ATT',
  },
]
