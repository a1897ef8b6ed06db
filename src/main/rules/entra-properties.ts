// Entra rule property names → the Graph user property names users are synced under
// (the Entra rules doc's table of supported user properties, matched to Graph's user resource).
// Rule names resolve case-insensitively; the Graph names are inferred from Graph's user resource,
// as the Entra docs publish no mapping.

const GRAPH_NAMES: readonly string[] = [
  'accountEnabled',
  'businessPhones',
  'city',
  'companyName',
  'country',
  'department',
  'displayName',
  'employeeHireDate',
  'employeeId',
  'employeeType',
  'faxNumber',
  'givenName',
  'id',
  'jobTitle',
  'mail',
  'mailNickname',
  'mobilePhone',
  'officeLocation',
  'onPremisesDistinguishedName',
  'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled',
  'otherMails',
  'passwordPolicies',
  'postalCode',
  'preferredLanguage',
  'proxyAddresses',
  'sipProxyAddress',
  'state',
  'streetAddress',
  'surname',
  'usageLocation',
  'userPrincipalName',
  'userType',
  // Rules say user.extensionAttributeN; Graph nests these under onPremisesExtensionAttributes,
  // and sync flattens them to these keys.
  ...Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`),
]

/** Rule names that differ from Graph's user property names, keyed in lower case. */
const RULE_ALIASES: Readonly<Record<string, string>> = {
  mobile: 'mobilePhone',
  // Graph's businessPhones is a list; a multi-value attribute matches when any item does.
  telephonenumber: 'businessPhones',
  facsimiletelephonenumber: 'faxNumber',
  physicaldeliveryofficename: 'officeLocation',
  dirsyncenabled: 'onPremisesSyncEnabled',
  objectid: 'id',
}

const CANONICAL = new Map<string, string>([
  ...GRAPH_NAMES.map(name => [name.toLowerCase(), name] as const),
  ...Object.entries(RULE_ALIASES),
])

/** Properties that are true or false, so only -eq and -ne apply ("Operator isn't supported on attribute"). */
export const BOOLEAN_ATTRIBUTES: ReadonlySet<string> = new Set(['accountEnabled', 'onPremisesSyncEnabled'])

/**
 * The attribute a rule property reads. Unknown names (custom extensions such as
 * extension_<appId>_OfficeNumber, or a file directory's own columns) read the attribute of that
 * name as written; the user's record is searched case-insensitively anyway.
 */
export function attributeFor(ruleProperty: string): string {
  return CANONICAL.get(ruleProperty.toLowerCase()) ?? ruleProperty
}
