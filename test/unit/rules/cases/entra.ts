// Entra dynamic membership rules from outside JIT Mapper, each with a user (a Microsoft Graph
// user, read through ruleInputFrom('entra', …) as the CLI reads one) and the result Microsoft
// documents for it (or, for a usage line, the user it describes).
// Sources:
//   DM  = learn.microsoft.com/entra/identity/users/groups-dynamic-membership (MicrosoftDocs/entra-docs
//         docs/identity/users/groups-dynamic-membership.md @05db475): property tables' usage
//         column, operators, -in, -le/-ge, -match, null, multiple expressions, precedence,
//         -any/-all, _, Direct reports, All users, extension properties, "Supported values"
//         (the backtick escape).
//   EFF = groups-dynamic-rule-more-efficient.md ("ago" matches Lagos; -in and -notIn rewrites).
//   TS  = groups-troubleshooting.md (the fixes its error table gives).
//   MO  = groups-dynamic-rule-member-of.md (memberOf preview).
//   TF  = Terraform azuread_group dynamic_membership rules: hashicorp/terraform-provider-azuread
//         docs/resources/group.md; chrsdrhm/Intune-DevOps terraform/entra.tf; nahcusira/Automation
//         group.tf (user.Department, -startsWith); webstean/dynamic-group-poc
//         msgraph/groups-msgraph.tf (un-hyphenated `and`).
// The doc prints some rules with EN DASH (–eq); those are here with the hyphen an admin types,
// and entra-cases.test.ts pins that the printed text is refused with a hint.

import type { RuleCase } from './okta'

export interface EntraCase extends RuleCase {
  /** The evaluation time, for rules that compare with system.now. */
  now?: string
}

const BOSS = 'aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb'
const EXCHANGE_PLAN_2 = 'efb87545-963c-4e0d-99df-69c6916d9eb0'

/** DM's string-property table: every row's usage, on a user with that value (the Graph property it is synced from). */
const STRING_PROPERTIES: [rule: string, graph: string][] = [
  ['city', 'city'],
  ['country', 'country'],
  ['companyName', 'companyName'],
  ['department', 'department'],
  ['displayName', 'displayName'],
  ['employeeId', 'employeeId'],
  ['facsimileTelephoneNumber', 'faxNumber'],
  ['givenName', 'givenName'],
  ['jobTitle', 'jobTitle'],
  ['mail', 'mail'],
  ['mailNickName', 'mailNickname'],
  ['mobile', 'mobilePhone'],
  ['onPremisesDistinguishedName', 'onPremisesDistinguishedName'],
  ['physicalDeliveryOfficeName', 'officeLocation'],
  ['postalCode', 'postalCode'],
  ['sipProxyAddress', 'sipProxyAddress'],
  ['state', 'state'],
  ['streetAddress', 'streetAddress'],
  ['surname', 'surname'],
]

export const ENTRA_CASES: EntraCase[] = [
  ...STRING_PROPERTIES.flatMap(([property, graph]): EntraCase[] => [
    { rule: `user.${property} -eq "value"`, user: { [graph]: 'value' }, result: true, source: 'DM' },
    { rule: `user.${property} -eq "value"`, user: { [graph]: 'other' }, result: false, source: 'DM' },
  ]),
  // Graph's businessPhones is a list: the rule's telephoneNumber matches any of them.
  { rule: 'user.telephoneNumber -eq "value"', user: { businessPhones: ['value'] }, result: true, source: 'DM' },
  { rule: 'user.employeeId -ne null', user: { employeeId: 'E-1' }, result: true, source: 'DM' },
  { rule: 'user.employeeId -ne null', user: {}, result: false, source: 'DM' },
  { rule: 'user.mail -notEndsWith "@Contoso.com"', user: { mail: 'ada@contoso.com' }, result: false, source: 'DM' },
  { rule: 'user.mail -notEndsWith "@Contoso.com"', user: { mail: 'ada@fabrikam.com' }, result: true, source: 'DM' },
  { rule: 'user.mailNickname -endsWith "-vendor"', user: { mailNickname: 'ada-vendor' }, result: true, source: 'DM' },
  {
    rule: "user.memberOf -any (group.objectId -in ['value'])",
    user: { memberOf: [{ '@odata.type': '#microsoft.graph.group', id: 'value' }] },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.objectId -eq "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"',
    user: { id: 'aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb' },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.onPremisesSecurityIdentifier -eq "S-1-1-11-1111111111-1111111111-1111111111-1111111"',
    user: { onPremisesSecurityIdentifier: 'S-1-1-11-1111111111-1111111111-1111111111-1111111' },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.passwordPolicies -eq "DisableStrongPassword"',
    user: { passwordPolicies: 'DisableStrongPassword' },
    result: true,
    source: 'DM',
  },
  { rule: 'user.preferredLanguage -eq "en-US"', user: { preferredLanguage: 'en-US' }, result: true, source: 'DM' },
  { rule: 'user.usageLocation -eq "US"', user: { usageLocation: 'US' }, result: true, source: 'DM' },
  {
    rule: 'user.userPrincipalName -eq "alias@domain"',
    user: { userPrincipalName: 'alias@domain' },
    result: true,
    source: 'DM',
  },
  { rule: 'user.userType -eq "Member"', user: { userType: 'Member' }, result: true, source: 'DM' },
  { rule: 'user.userType -eq "Member"', user: { userType: 'Guest' }, result: false, source: 'DM' },
  // Booleans.
  { rule: 'user.accountEnabled -eq true', user: { accountEnabled: true }, result: true, source: 'DM' },
  { rule: 'user.accountEnabled -eq true', user: { accountEnabled: false }, result: false, source: 'DM' },
  { rule: 'user.dirSyncEnabled -eq true', user: { onPremisesSyncEnabled: true }, result: true, source: 'DM' },
  // dateTime: "Any DateTimeOffset value or keyword system.now".
  {
    rule: 'user.employeeHireDate -eq "2024-01-15T00:00:00Z"',
    user: { employeeHireDate: '2024-01-15T00:00:00Z' },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.employeehiredate -ge system.now -plus p1d',
    user: { employeeHireDate: '2026-03-12T00:00:00Z' },
    now: '2026-03-10T12:00:00Z',
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.employeehiredate -ge system.now -plus p1d',
    user: { employeeHireDate: '2026-03-10T00:00:00Z' },
    now: '2026-03-10T12:00:00Z',
    result: false,
    source: 'DM',
  },
  {
    rule: 'user.employeehiredate -le 2020-06-10T18:13:20Z',
    user: { employeeHireDate: '2019-01-01T00:00:00Z' },
    result: true,
    source: 'DM',
  },
  // String collections.
  {
    rule: 'user.otherMails -startsWith "alias@domain"',
    user: { otherMails: ['x@y', 'alias@domain.com'] },
    result: true,
    source: 'DM',
  },
  // The doc writes this one without a space before the value.
  {
    rule: 'user.otherMails -endsWith"@contoso.com"',
    user: { otherMails: ['ada@contoso.com'] },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.proxyAddresses -startsWith "SMTP: alias@domain"',
    user: { proxyAddresses: ['SMTP: alias@domain.com'] },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.proxyAddresses -notEndsWith "@outlook.com"',
    user: { proxyAddresses: ['SMTP:ada@contoso.com', 'smtp:ada@outlook.com'] },
    result: false,
    source: 'DM',
  },
  // -in, -match.
  {
    rule: 'user.department -in ["50001","50002","50003","50005","50006","50007","50008","50016","50020","50024","50038","50039","51100"]',
    user: { department: '50024' },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.department -in ["50001","50002","50003","50005","50006","50007","50008","50016","50020","50024","50038","50039","51100"]',
    user: { department: '50004' },
    result: false,
    source: 'DM',
  },
  { rule: 'user.displayName -match "^Da.*"', user: { displayName: 'Da' }, result: true, source: 'DM' },
  { rule: 'user.displayName -match "^Da.*"', user: { displayName: 'Dav' }, result: true, source: 'DM' },
  { rule: 'user.displayName -match "^Da.*"', user: { displayName: 'David' }, result: true, source: 'DM' },
  { rule: 'user.displayName -match "^Da.*"', user: { displayName: 'aDa' }, result: false, source: 'DM' },
  { rule: 'user.displayName -match ".*vid"', user: { displayName: 'David' }, result: true, source: 'DM' },
  { rule: 'user.displayName -match ".*vid"', user: { displayName: 'Da' }, result: false, source: 'DM' },
  // "Regex and string operations aren't case sensitive."
  { rule: 'user.department -eq "Sales"', user: { department: 'SALES' }, result: true, source: 'DM' },
  // "When a string value contains double quotes, both quotes should be escaped using the ` character,
  // for example, user.department -eq `"Sales`" is the proper syntax when "Sales" is the value."
  { rule: 'user.department -eq `"Sales`"', user: { department: '"Sales"' }, result: true, source: 'DM' },
  { rule: 'user.department -eq `"Sales`"', user: { department: 'Sales' }, result: false, source: 'DM' },
  {
    rule: 'user.department -eq "Sales `"Inside`""',
    user: { department: 'Sales "Inside"' },
    result: true,
    source: 'DM',
  },
  { rule: 'user.department -eq "Sales `"Inside`""', user: { department: 'Sales Inside' }, result: false, source: 'DM' },
  // "Single quotes should be escaped by using two single quotes instead of one each time."
  { rule: "user.department -eq 'O''Brien team'", user: { department: "O'Brien team" }, result: true, source: 'DM' },
  // Null: "Use quotes around the word null only if you want it to be interpreted as a literal string value."
  { rule: 'user.department -eq null', user: {}, result: true, source: 'DM' },
  { rule: 'user.department -eq null', user: { department: 'Sales' }, result: false, source: 'DM' },
  { rule: 'user.mail -ne null', user: { mail: 'ada@contoso.com' }, result: true, source: 'DM' },
  { rule: 'user.mail -ne null', user: { mail: null }, result: false, source: 'DM' },
  // Multiple expressions and precedence.
  {
    rule: '(user.department -eq "Sales") -or (user.department -eq "Marketing")',
    user: { department: 'Marketing' },
    result: true,
    source: 'DM',
  },
  {
    rule: '(user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE")',
    user: { department: 'Sales', jobTitle: 'SDE II' },
    result: false,
    source: 'DM',
  },
  {
    rule: '(user.department -eq "Sales") -and -not (user.jobTitle -startsWith "SDE")',
    user: { department: 'Sales', jobTitle: 'Account Executive' },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.department -eq "Marketing" -and user.country -eq "US"',
    user: { department: 'Marketing', country: 'US' },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.country -eq "US" -and (user.department -eq "Marketing" -or user.department -eq "Sales")',
    user: { department: 'Sales', country: 'US' },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.country -eq "US" -and (user.department -eq "Marketing" -or user.department -eq "Sales")',
    user: { department: 'Sales', country: 'CA' },
    result: false,
    source: 'DM',
  },
  // Multi-value properties, -any/-all and _.
  {
    rule: 'user.assignedPlans -any (assignedPlan.servicePlanId -eq "aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e" -and assignedPlan.capabilityStatus -eq "Enabled")',
    user: {
      assignedPlans: [
        { servicePlanId: 'aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e', capabilityStatus: 'Enabled', service: 'x' },
      ],
    },
    result: true,
    source: 'DM',
  },
  {
    rule: `user.assignedPlans -any (assignedPlan.servicePlanId -eq "${EXCHANGE_PLAN_2}" -and assignedPlan.capabilityStatus -eq "Enabled")`,
    user: {
      // Both conditions must hold on the same plan.
      assignedPlans: [
        { servicePlanId: EXCHANGE_PLAN_2, capabilityStatus: 'Deleted', service: 'exchange' },
        { servicePlanId: 'other', capabilityStatus: 'Enabled', service: 'SCO' },
      ],
    },
    result: false,
    source: 'DM',
  },
  {
    rule: 'user.assignedPlans -any (assignedPlan.service -eq "SCO" -and assignedPlan.capabilityStatus -eq "Enabled")',
    user: { assignedPlans: [{ servicePlanId: 'p', capabilityStatus: 'Enabled', service: 'SCO' }] },
    result: true,
    source: 'DM',
  },
  // "users who have no assigned service plan": -all over no plans is true.
  {
    rule: 'user.assignedPlans -all (assignedPlan.servicePlanId -eq null)',
    user: { assignedPlans: [] },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.assignedPlans -all (assignedPlan.servicePlanId -eq null)',
    user: { assignedPlans: [{ servicePlanId: 'p', capabilityStatus: 'Enabled', service: 'SCO' }] },
    result: false,
    source: 'DM',
  },
  {
    rule: '(user.proxyAddresses -any (_ -startsWith "contoso"))',
    user: { proxyAddresses: ['smtp:ada@x', 'contoso-ada@x'] },
    result: true,
    source: 'DM',
  },
  // "it works the same for user.otherMails".
  {
    rule: '(user.otherMails -any (_ -startsWith "contoso"))',
    user: { otherMails: ['ada@x'] },
    result: false,
    source: 'DM',
  },
  // Direct reports: an expanded manager, as Graph returns it with $expand=manager.
  {
    rule: `Direct Reports for "${BOSS}"`,
    user: { id: 'u1', manager: { '@odata.type': '#microsoft.graph.user', id: BOSS } },
    result: true,
    source: 'DM',
  },
  {
    rule: `Direct Reports for "${BOSS}"`,
    user: { id: 'u2', manager: { '@odata.type': '#microsoft.graph.user', id: '11111111-0000-1111-2222-bbbbbbbbbbbb' } },
    result: false,
    source: 'DM',
  },
  // "you can't create a group with the manager's direct reports and their reports."
  { rule: `Direct Reports for "${BOSS}"`, user: { id: BOSS, manager: null }, result: false, source: 'DM' },
  // All users, all members.
  { rule: 'user.objectId -ne null', user: { id: 'u1', userType: 'Guest' }, result: true, source: 'DM' },
  {
    rule: '(user.objectId -ne null) -and (user.userType -eq "Member")',
    user: { id: 'u1', userType: 'Guest' },
    result: false,
    source: 'DM',
  },
  // Extension attributes (Graph nests them under onPremisesExtensionAttributes) and custom extensions.
  {
    rule: '(user.extensionAttribute15 -eq "Marketing")',
    user: { onPremisesExtensionAttributes: { extensionAttribute15: 'Marketing' } },
    result: true,
    source: 'DM',
  },
  {
    rule: 'user.extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber -eq "123"',
    user: { extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber: '123' },
    result: true,
    source: 'DM',
  },
  // EFF
  { rule: 'user.city -match "ago"', user: { city: 'Lagos' }, result: true, source: 'EFF' },
  { rule: 'user.city -match ".*?ago.*"', user: { city: 'Lagos' }, result: true, source: 'EFF' },
  { rule: 'user.city -startswith "Lag"', user: { city: 'Lagos' }, result: true, source: 'EFF' },
  {
    rule: 'user.department -eq "Accounts" -and user.city -in ["Lagos", "Ibadan", "Kaduna", "Kano", "Abuja"]',
    user: { department: 'Accounts', city: 'Kano' },
    result: true,
    source: 'EFF',
  },
  {
    rule: 'user.city -notin ["Lagos", "Ibadan", "Kaduna", "Kano", "Abuja"]',
    user: { city: 'Abuja' },
    result: false,
    source: 'EFF',
  },
  {
    rule: 'user.city -eq "Lagos" or user.city -startswith "Lag"',
    user: { city: 'Lagoon' },
    result: true,
    source: 'EFF',
  },
  // TS: the fixes for its error table's broken rules.
  {
    rule: '(user.userPrincipalName -match ".*@domain.ext")',
    user: { userPrincipalName: 'a@domain.ext' },
    result: true,
    source: 'TS',
  },
  {
    rule: '(user.userPrincipalName -match "@domain.ext$")',
    user: { userPrincipalName: 'a@domain.ext' },
    result: true,
    source: 'TS',
  },
  { rule: '(user.department -eq "value")', user: { department: 'value' }, result: true, source: 'TS' },
  { rule: '(user.accountEnabled -eq true)', user: { accountEnabled: true }, result: true, source: 'TS' },
  // MO: "user.memberof -any (group.objectId -in ['groupId'])": direct members only.
  {
    rule: "user.memberof -any (group.objectId -in ['g1', 'g2'])",
    user: { memberOf: [{ '@odata.type': '#microsoft.graph.group', id: 'g2' }] },
    result: true,
    source: 'MO',
  },
  {
    rule: "user.memberof -any (group.objectId -in ['g1', 'g2'])",
    user: { memberOf: [{ '@odata.type': '#microsoft.graph.group', id: 'g3' }] },
    result: false,
    source: 'MO',
  },
  // TF
  { rule: 'user.department -eq "Sales"', user: { department: 'Sales' }, result: true, source: 'TF' },
  { rule: 'user.department -eq "Engineering"', user: { department: 'Engineering' }, result: true, source: 'TF' },
  { rule: 'user.Department -eq "IT"', user: { department: 'IT' }, result: true, source: 'TF' },
  { rule: 'user.Department -startsWith "Sales"', user: { department: 'Sales EMEA' }, result: true, source: 'TF' },
  {
    rule: '( (user.accountEnabled -eq true) and (user.userType -eq "Member") and (user.companyName -eq "Contoso") )',
    user: { accountEnabled: true, userType: 'Member', companyName: 'Contoso' },
    result: true,
    source: 'TF',
  },
  {
    rule: '( (user.accountEnabled -eq true) and (user.userType -eq "Member") and (user.companyName -eq "Contoso") )',
    user: { accountEnabled: false, userType: 'Member', companyName: 'Contoso' },
    result: false,
    source: 'TF',
  },
]
