// Every example user rule in Microsoft Learn's Entra dynamic-membership pages that uses the
// supported operators, on users
// whose answer the doc's stated meaning settles.

import { describe, expect, it } from 'vitest'
import type { Attributes } from '../../../src/shared/domain'
import { entra, entraError } from './helpers'

type Row = [rule: string, user: Attributes, expected: boolean]

// The doc writes some examples with EN DASH (–eq); those rows use the hyphen an admin must type,
// and the doc-verbatim text is checked to fail with a hint below.
const DOCUMENTED: Row[] = [
  ['user.department -eq "Sales"', { department: 'Sales' }, true],
  ['user.department -eq "Sales"', { department: 'Marketing' }, false],
  ['user.department -eq "Sales"', {}, false],

  ['(user.department -eq "Sales") -or (user.department -eq "Marketing")', { department: 'Sales' }, true],
  ['(user.department -eq "Sales") -or (user.department -eq "Marketing")', { department: 'Marketing' }, true],
  ['(user.department -eq "Sales") -or (user.department -eq "Marketing")', { department: 'HR' }, false],

  [
    '(user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE")',
    { department: 'Sales', jobTitle: 'Account Executive' },
    true,
  ],
  [
    '(user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE")',
    { department: 'Sales', jobTitle: 'SDE II' },
    false,
  ],
  [
    '(user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE")',
    { department: 'HR', jobTitle: 'Manager' },
    false,
  ],
  ['(user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE")', { department: 'Sales' }, true],

  ['user.department -eq "Marketing" -and user.country -eq "US"', { department: 'Marketing', country: 'US' }, true],
  ['user.department -eq "Marketing" -and user.country -eq "US"', { department: 'Marketing', country: 'CA' }, false],
  ['user.department -eq "Marketing" -and user.country -eq "US"', { department: 'Sales', country: 'US' }, false],

  [
    'user.country -eq "US" -and (user.department -eq "Marketing" -or user.department -eq "Sales")',
    { country: 'US', department: 'Sales' },
    true,
  ],
  [
    'user.country -eq "US" -and (user.department -eq "Marketing" -or user.department -eq "Sales")',
    { country: 'US', department: 'Marketing' },
    true,
  ],
  [
    'user.country -eq "US" -and (user.department -eq "Marketing" -or user.department -eq "Sales")',
    { country: 'US', department: 'HR' },
    false,
  ],
  [
    'user.country -eq "US" -and (user.department -eq "Marketing" -or user.department -eq "Sales")',
    { country: 'CA', department: 'Sales' },
    false,
  ],

  ['user.department -in ["50001","50002","51100"]', { department: '50002' }, true],
  ['user.department -in ["50001","50002","51100"]', { department: '50003' }, false],

  ['user.mail -ne null', { mail: 'ada@contoso.com' }, true],
  ['user.mail -ne null', { mail: null }, false],
  ['user.mail -ne null', {}, false],

  ['user.department -eq null', {}, true],
  ['user.department -eq null', { department: null }, true],
  ['user.department -eq null', { department: 'Sales' }, false],

  // "all users incl. guests": objectId is Graph's id.
  ['user.objectId -ne null', { id: '5f0c…', userType: 'Guest' }, true],
  ['user.objectId -ne null', {}, false],
  ['(user.objectId -ne null) -and (user.userType -eq "Member")', { id: '5f0c…', userType: 'Member' }, true],
  ['(user.objectId -ne null) -and (user.userType -eq "Member")', { id: '5f0c…', userType: 'Guest' }, false],

  ['(user.extensionAttribute15 -eq "Marketing")', { extensionAttribute15: 'Marketing' }, true],
  ['(user.extensionAttribute15 -eq "Marketing")', { extensionAttribute14: 'Marketing' }, false],
  [
    'user.extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber -eq "123"',
    { extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber: '123' },
    true,
  ],
  [
    'user.extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber -eq "123"',
    { extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber: '124' },
    false,
  ],

  // Per-property usages from the doc's property tables.
  ['user.accountEnabled -eq true', { accountEnabled: true }, true],
  ['user.accountEnabled -eq true', { accountEnabled: false }, false],
  ['user.dirSyncEnabled -eq true', { onPremisesSyncEnabled: true }, true],
  ['user.dirSyncEnabled -eq true', { onPremisesSyncEnabled: null }, false],
  ['user.employeeId -ne null', { employeeId: 'E-1001' }, true],
  ['user.employeeId -ne null', { employeeId: '' }, false],
  ['user.mail -notEndsWith "@Contoso.com"', { mail: 'ada@contoso.com' }, false],
  ['user.mail -notEndsWith "@Contoso.com"', { mail: 'ada@fabrikam.com' }, true],
  ['user.mailNickname -endsWith "-vendor"', { mailNickname: 'ada-vendor' }, true],
  ['user.mailNickname -endsWith "-vendor"', { mailNickname: 'ada' }, false],
  ['user.otherMails -startsWith "alias@domain"', { otherMails: ['ada@fabrikam.com', 'alias@domain.com'] }, true],
  ['user.otherMails -startsWith "alias@domain"', { otherMails: ['ada@fabrikam.com'] }, false],
  ['user.otherMails -endsWith "@contoso.com"', { otherMails: ['ada@fabrikam.com', 'ada@contoso.com'] }, true],
  ['user.otherMails -endsWith "@contoso.com"', { otherMails: [] }, false],
  // The doc's value has a space after "SMTP:", which real proxy addresses don't.
  ['user.proxyAddresses -startsWith "SMTP: alias@domain"', { proxyAddresses: ['SMTP: alias@domain.com'] }, true],
  ['user.proxyAddresses -startsWith "SMTP: alias@domain"', { proxyAddresses: ['SMTP:alias@domain.com'] }, false],
  ['user.proxyAddresses -notEndsWith "@outlook.com"', { proxyAddresses: ['SMTP:ada@contoso.com'] }, true],
  [
    'user.proxyAddresses -notEndsWith "@outlook.com"',
    { proxyAddresses: ['SMTP:ada@contoso.com', 'smtp:ada@outlook.com'] },
    false,
  ],
  ['user.passwordPolicies -eq "DisableStrongPassword"', { passwordPolicies: 'DisableStrongPassword' }, true],
  [
    'user.passwordPolicies -eq "DisableStrongPassword"',
    { passwordPolicies: 'DisablePasswordExpiration, DisableStrongPassword' },
    false,
  ],
  ['user.preferredLanguage -eq "en-US"', { preferredLanguage: 'en-us' }, true],
  ['user.preferredLanguage -eq "en-US"', { preferredLanguage: 'en-GB' }, false],
  ['user.usageLocation -eq "US"', { usageLocation: 'US' }, true],
  ['user.usageLocation -eq "US"', { usageLocation: 'GB' }, false],
  ['user.userType -eq "Member"', { userType: 'Member' }, true],
  ['user.userType -eq "Member"', { userType: 'Guest' }, false],
  [
    'user.onPremisesSecurityIdentifier -eq "S-1-5-21-1004336348-1177238915-682003330-512"',
    { onPremisesSecurityIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-512' },
    true,
  ],
  [
    'user.onPremisesSecurityIdentifier -eq "S-1-5-21-1004336348-1177238915-682003330-512"',
    { onPremisesSecurityIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-513' },
    false,
  ],

  // groups-dynamic-rule-more-efficient.md examples.
  ['user.city -startswith "Lag"', { city: 'Lagos' }, true],
  ['user.city -startswith "Lag"', { city: 'Lisbon' }, false],
  ['user.city -eq "Lagos"', { city: 'Lagos' }, true],
  ['user.city -eq "Lagos"', { city: 'Lagos Island' }, false],

  // groups-troubleshooting.md fixes.
  ['(user.department -eq "value")', { department: 'value' }, true],
  ['(user.accountEnabled -eq true)', { accountEnabled: true }, true],
  ['(user.accountEnabled -eq true)', { accountEnabled: false }, false],
]

describe('documented Entra example rules', () => {
  it.each(DOCUMENTED)('%s on %j is %s', (rule, user, expected) => {
    expect(entra(rule).evaluate(user).result).toBe(expected)
  })
})

/** Users that tell apart every city/department rule below. */
const CITY_USERS: Attributes[] = [
  'Lagos',
  'lagos',
  'Ibadan',
  'Kaduna',
  'Kano',
  'Abuja',
  'Lagoon',
  'Lisbon',
  '',
  null,
].flatMap(city => ['Accounts', 'Sales', null].map(department => ({ city, department })))

describe('efficient rewrites Microsoft documents as equivalent', () => {
  const EQUIVALENT: [efficient: string, inefficient: string][] = [
    [
      'user.department -eq "Accounts" -and user.city -in ["Lagos", "Ibadan", "Kaduna", "Kano", "Abuja"]',
      'user.department -eq "Accounts" -and (user.city -eq "Lagos" -or user.city -eq "Ibadan" -or user.city -eq "Kaduna" -or user.city -eq "Kano" -or user.city -eq "Abuja")',
    ],
    [
      'user.city -notin ["Lagos", "Ibadan", "Kaduna", "Kano", "Abuja"]',
      'user.city -ne "Lagos" -and user.city -ne "Ibadan" -and user.city -ne "Kaduna" -and user.city -ne "Kano" -and user.city -ne "Abuja"',
    ],
    ['user.city -startswith "Lag"', 'user.city -eq "Lagos" or user.city -startswith "Lag"'],
  ]

  it.each(EQUIVALENT)('%s gives the same members as its longer form', (efficient, inefficient) => {
    const a = entra(efficient)
    const b = entra(inefficient)
    const members = CITY_USERS.filter(user => a.evaluate(user).result)
    expect(members.length).toBeGreaterThan(0)
    expect(members.length).toBeLessThan(CITY_USERS.length)
    expect(CITY_USERS.filter(user => b.evaluate(user).result)).toEqual(members)
  })
})

describe('documented rules with mistakes, or forms Entra does not allow', () => {
  it.each([
    // EN DASH as printed in groups-dynamic-membership.md.
    ['user.department –eq "Marketing" –and user.country –eq "US"', 'EN DASH'],
    ['user.country –eq "US" –and (user.department –eq "Marketing" –or user.department –eq "Sales")', 'EN DASH'],
    ['user.mail –ne null', 'EN DASH'],
    // groups-troubleshooting.md: the broken forms its fixes replace.
    ['(user.department -eq "Sales") (user.department -eq "Marketing")', 'Missing -and or -or'],
    ['user.accountEnabled -contains true', "isn't supported on user.accountEnabled"],
    ['(user.userPrincipalName -match "*@domain.ext")', 'Invalid regular expression'],
    // "This rule can't be combined with any other membership rules."
    ['Direct Reports for "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb" -and user.country -eq "US"', "can't be combined"],
  ])('%s fails mentioning %s', (rule, mention) => {
    expect(entraError(rule).message).toContain(mention)
  })
})
