import { describe, expect, it } from 'vitest'
import { ruleInputFrom } from '../../../src/main/rules'
import { marked, rule, ruleErrorOf } from './helpers'

const google = (text: string) => rule('google', text)

/** A Directory API user as users.get returns it (projection=full). */
const ADA = {
  primaryEmail: 'ada@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace', fullName: 'Ada Lovelace' },
  suspended: false,
  isEnrolledIn2Sv: true,
  orgUnitPath: '/Engineering',
  organizations: [
    { name: 'Example', title: 'Engineer', department: 'engineering', primary: true, type: 'work', costCenter: 'CC1' },
    { name: 'Uni', department: 'maths', type: 'school' },
  ],
  addresses: [{ type: 'work', country: 'Canada', locality: 'Toronto', primary: true }],
  locations: [{ area: 'foo', buildingId: 'bar', floorName: '3', type: 'desk' }],
  emails: [{ address: 'ada@example.com', primary: true }, { address: 'ada@alias.example.com' }],
  relations: [{ value: 'babbage@example.com', type: 'manager' }],
  customSchemas: { Employment: { badge: 'B-7', levels: ['L5', 'L6'] } },
}
const USER = ruleInputFrom('google', ADA)

describe('documented Google membership queries', () => {
  it.each([
    // DynamicGroupQuery, test-query-dynamic-groups, dynamic-groups-attributes.
    ["user.organizations.exists(org, org.department=='engineering')", true],
    ["user.organizations.exists(org, org.department=='Engineering')", false],
    ["user.locations.exists(loc, loc.area=='foo' && loc.building_id=='bar')", true],
    ["user.locations.exists(loc, loc.area=='foo' && loc.building_id=='baz')", false],
    ["user.name.value.equalsIgnoreCase('ada LOVELACE')", true],
    ["user.addresses.exists(address, address.country == 'Canada')", true],
    ['user.addresses.exists(address, address.type==3)', true],
    ['user.addresses.exists(address, address.primary==true)', true],
    ["user.emails.exists(email, email.address.startsWith('ada@alias'))", true],
    ['user.organizations.exists(org, org.type == 2)', true],
    ["!user.organizations.exists(org, org.title == 'Marketing')", true],
    ['user.relations.exists(r, r.type == 12)', true],
  ])('%s is %s', (text, expected) => {
    expect(google(text).evaluate(USER).result).toBe(expected)
  })
})

describe("the attribute table's sample code (Create membership queries for dynamic groups)", () => {
  const user = ruleInputFrom('google', {
    addresses: [
      {
        country: 'Canada',
        countryCode: '555',
        customType: 'Custom address type',
        extendedAddress: 'California, USA',
        locality: 'Southern California',
        postalCode: '94040',
        poBox: '87132',
        primary: true,
        region: 'Southwest',
        streetAddress: '123 Fake St',
        type: 'custom',
      },
    ],
    emails: [{ address: 'custom@google.com', primary: true }],
  })
  it.each([
    "user.addresses.exists(address, address.country == 'Canada')",
    "user.addresses.exists(address, address.country_code == '555')",
    "user.addresses.exists(address, address.custom_type=='Custom address type')",
    "user.addresses.exists(address, address.extended_address=='California, USA')",
    "user.addresses.exists(address, address.locality=='Southern California')",
    "user.addresses.exists(address, address.postal_code=='94040')",
    "user.addresses.exists(address, address.po_box=='87132')",
    'user.addresses.exists(address, address.primary==true)',
    "user.addresses.exists(address, address.region=='Southwest')",
    "user.addresses.exists(address, address.street_address=='123 Fake St')",
    'user.addresses.exists(address, address.type==1)',
    "user.emails.exists(email, email.address.startsWith(''))",
    'user.emails.exists(email, email.primary==true)',
  ])('%s', text => {
    expect(google(text).evaluate(user).result).toBe(true)
    expect(google(text).evaluate(ruleInputFrom('google', {})).result).toBe(false)
  })
})

describe('CEL operators and Google fields', () => {
  it.each([
    ["user.name.given_name == 'Ada'", true],
    ["user.name.given_name == 'ada'", false],
    ["user.name.given_name != 'Ada'", false],
    ["user.name.given_name in ['Grace', 'Ada']", true],
    ["user.name.family_name.endsWith('lace')", true],
    ["user.name.family_name.contains('ovel')", true],
    ["user.name.family_name.matches('^Lov')", true],
    ["user.name.family_name.matches('ove')", true],
    ["user.name.family_name.matches('^ove')", false],
    ['user.suspended', false],
    ['!user.suspended', true],
    ['user.is_enrolled_in_2sv == true', true],
    // An absent proto3 field reads as its default: false, "".
    ['user.archived == false', true],
    ["user.gender == ''", true],
    ["user.gender in ['', 'female']", true],
    ["user.gender in ['female']", false],
    ["user.custom_schemas.Employment.badge == 'B-7'", true],
    ["'L6' in user.custom_schemas.Employment.levels", true],
    ["'L7' in user.custom_schemas.Employment.levels", false],
    ["user.organizations.all(org, org.name != '')", true],
    ["user.organizations.all(org, org.department == 'engineering')", false],
    ["user.organizations.exists(org, org.department == 'maths') || user.suspended", true],
    ["user.organizations.exists(org, org.department == 'maths') && user.suspended", false],
    ["user.org_unit_path == '/Engineering'", true],
  ])('%s is %s', (text, expected) => {
    expect(google(text).evaluate(USER).result).toBe(expected)
  })

  it('compares org unit IDs with orgUnitId(), directly and through user.org_units (test-query-dynamic-groups)', () => {
    expect(
      google("user.org_unit_id == orgUnitId('03ph8a2z1enx4lx')").evaluate({ org_unit_id: '03ph8a2z1enx4lx' }).result,
    ).toBe(true)
    const nested = google("user.org_units.exists(org_unit, org_unit.org_unit_id==orgUnitId('03ph8a2z1enx4lx'))")
    expect(nested.evaluate({ org_units: [{ org_unit_id: 'x' }, { org_unit_id: '03ph8a2z1enx4lx' }] }).result).toBe(true)
    expect(nested.evaluate({ org_units: [{ org_unit_id: 'x' }] }).result).toBe(false)
  })

  it('reports a missing list or field as missing', () => {
    expect(google("user.organizations.exists(org, org.department == 'x')").evaluate({})).toEqual({
      result: false,
      missing: ['organizations'],
    })
    expect(google("user.name.value == 'x'").evaluate({})).toEqual({ result: false, missing: ['name.value'] })
  })
})

describe('parse errors point at the mistake', () => {
  it.each([
    ["user.name.value ▸= 'x'", /don't use "="/, /==/],
    ["user.name.value == 'x' ▸AND user.suspended", /&&/, undefined],
    ["user.▸orgUnitPath == '/'", /snake_case/, /org_unit_path/],
    ["user.organizations.exists(org, ▸!(org.department == 'x'))", /! inside exists/, /!=/],
    [
      "▸!user.organizations.exists(org, org.department == 'x' && org.title == 'y')",
      /! before exists\(\) with &&/,
      undefined,
    ],
    ["user.organizations.exists(org, ▸dept.name == 'x')", /"dept" isn't defined/, /org/],
    ['user.name.value.▸size() == 3', /size\(\) isn't supported/, undefined],
    ["user.organizations.▸exists_one(o, o.name == 'x')", /exists_one\(\) isn't supported/, /exists\(\) and all\(\)/],
    ["user.name.value.matches(▸'(')", /Invalid regular expression/, undefined],
    ["user.organizations▸[0].name == 'x'", /Indexing/, /exists\(\)/],
    ["user.name.value ▸> 'x'", /don't compare with >/, undefined],
    ["▸User.name.value == 'x'", /case-sensitive/, undefined],
    ["user.name.value == ▸'x", /no closing single quote/, undefined],
    ["user.name.value == 'a▸\\q'", /Unknown escape/, undefined],
    ['user.organizations.exists(o, ▸user.suspended)', /only the item inside exists/, /outside the macro/],
  ])('%s', (text, message, hint) => {
    const { rule: source, offset } = marked(text)
    const error = ruleErrorOf('google', source)
    expect(error.message).toMatch(message)
    expect(error.offset).toBe(offset)
    expect(error.expected.length).toBeGreaterThan(0)
    if (hint !== undefined) expect(error.hint).toMatch(hint)
  })
})

describe('the Directory API adapter', () => {
  it('renames fields to snake_case and type names to Google enum numbers', () => {
    expect(USER).toMatchObject({
      primary_email: 'ada@example.com',
      name: { given_name: 'Ada', family_name: 'Lovelace', value: 'Ada Lovelace' },
      is_enrolled_in_2sv: true,
      organizations: [{ department: 'engineering', type: 1, cost_center: 'CC1' }, { type: 2 }],
      addresses: [{ type: 3 }],
      locations: [{ building_id: 'bar', floor_name: '3', type: 'desk' }],
      custom_schemas: { Employment: { badge: 'B-7' } },
    })
  })
})
