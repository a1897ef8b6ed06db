// The small organisation the simulation runs on, as plain data that both the reference model
// and the driver read: who exists in the IdP at the start, the rule groups (with every rule text
// an edit may switch to, each with its plain evaluation), the synced groups and the policies.
//
// The policies are chosen so that no two of them share a payload key (one app per platform and
// identifier, one profile identifier, one restriction key each): the model therefore needs no
// conflict resolution (priority/name for profiles, most restrictive for restrictions, required
// beats available for apps). Conflicts have their own table-driven unit tests; what this
// simulation checks is the loop around them.
export type Platform = 'ios' | 'macos' | 'android'
export const PLATFORMS: readonly Platform[] = ['ios', 'macos', 'android']

export type DirectoryKey = 'entra' | 'file'

export interface SimAttributes {
  /** null: the IdP has no value, so rules reading it cannot decide (membership unknown). */
  department: string | null
  jobTitle: string
  accountEnabled: boolean
}

export const DEPARTMENTS: readonly (string | null)[] = ['Sales', 'Marketing', 'Engineering', 'Finance', null]
export const TITLES: readonly string[] = ['Software Developer', 'Engineer', 'Analyst', 'Sales Manager']

/** One rule text and what it means, written out by hand (Entra: -eq and -contains ignore case; our values never differ only by case). */
export interface RuleVariant {
  text: string
  /** The attribute it reads; a user without it has an unknown membership. */
  reads: 'department' | 'jobTitle'
  test(value: string): boolean
}

export interface RuleGroupSpec {
  key: string
  name: string
  /** Rule groups belong to one directory: only its users can be members. */
  directory: DirectoryKey
  variants: readonly RuleVariant[]
}

export const RULE_GROUPS: readonly RuleGroupSpec[] = [
  {
    key: 'sales',
    name: 'Sim Sales',
    directory: 'entra',
    variants: [
      { text: 'user.department -eq "Sales"', reads: 'department', test: v => v === 'Sales' },
      { text: 'user.jobTitle -eq "Sales Manager"', reads: 'jobTitle', test: v => v === 'Sales Manager' },
    ],
  },
  {
    key: 'marketing',
    name: 'Sim Marketing',
    directory: 'entra',
    variants: [{ text: 'user.department -eq "Marketing"', reads: 'department', test: v => v === 'Marketing' }],
  },
  {
    key: 'developers',
    name: 'Sim Developers',
    directory: 'entra',
    variants: [
      {
        text: 'user.jobTitle -contains "Developer"',
        reads: 'jobTitle',
        test: v => v.toLowerCase().includes('developer'),
      },
      { text: 'user.jobTitle -eq "Engineer"', reads: 'jobTitle', test: v => v === 'Engineer' },
      { text: 'user.department -eq "Engineering"', reads: 'department', test: v => v === 'Engineering' },
    ],
  },
]

export interface SyncedGroupSpec {
  key: string
  directory: DirectoryKey
  /** Entra: the Graph fake's static group of this index ("Team N"); file: the name in the groups column. */
  name: string
}

export const SYNCED_GROUPS: readonly SyncedGroupSpec[] = [
  { key: 'team1', directory: 'entra', name: 'Team 1' },
  { key: 'team2', directory: 'entra', name: 'Team 2' },
  { key: 'field', directory: 'file', name: 'Field Crew' },
]

export type ItemSpec =
  | {
      kind: 'app'
      key: string
      identifier: string
      platform: Platform
      intent: 'required' | 'available'
      remove: boolean
    }
  | { kind: 'profile'; key: string; identifier: string; ssid: string }
  | { kind: 'restriction'; key: string; identifier: string; value: boolean | number }

export interface PolicySpec {
  key: string
  name: string
  priority: number
  platforms: Platform[]
  items: ItemSpec[]
  /** Group key → include / exclude. */
  targets: Record<string, 'include' | 'exclude'>
}

const app = (
  identifier: string,
  platform: Platform,
  remove: boolean,
  intent: 'required' | 'available' = 'required',
): ItemSpec => ({
  kind: 'app',
  key: `app:${platform}:${identifier}`,
  identifier,
  platform,
  intent,
  remove,
})
const profile = (identifier: string, ssid: string): ItemSpec => ({
  kind: 'profile',
  key: `profile:${identifier}`,
  identifier,
  ssid,
})
const restriction = (identifier: string, value: boolean | number): ItemSpec => ({
  kind: 'restriction',
  key: `restriction:${identifier}`,
  identifier,
  value,
})

export function initialPolicies(): PolicySpec[] {
  return [
    {
      key: 'salesKit',
      name: 'Sim Sales Kit',
      priority: 10,
      platforms: ['ios', 'macos', 'android'],
      items: [
        app('com.sim.crm', 'ios', true),
        app('com.sim.crm.droid', 'android', false),
        restriction('allowCamera', false),
      ],
      targets: { sales: 'include' },
    },
    {
      key: 'marketingKit',
      name: 'Sim Marketing Kit',
      priority: 20,
      platforms: ['ios', 'macos'],
      items: [app('com.sim.design', 'ios', false, 'available'), profile('com.sim.wifi.marketing', 'MKT')],
      targets: { marketing: 'include', team2: 'exclude' },
    },
    {
      key: 'devTools',
      name: 'Sim Dev Tools',
      priority: 30,
      platforms: ['ios', 'macos', 'android'],
      items: [app('com.sim.ide', 'macos', true), restriction('allowScreenCapture', true)],
      targets: { developers: 'include' },
    },
    {
      key: 'teamChat',
      name: 'Sim Team Chat',
      priority: 40,
      platforms: ['ios', 'android'],
      items: [
        app('com.sim.chat', 'ios', true),
        profile('com.sim.wifi.team', 'TEAM'),
        restriction('maxFailedAttempts', 6),
      ],
      targets: { team1: 'include' },
    },
    {
      key: 'fieldKit',
      name: 'Sim Field Kit',
      priority: 50,
      platforms: ['ios', 'android'],
      items: [app('com.sim.field', 'android', true), profile('com.sim.wifi.field', 'FIELD')],
      targets: { field: 'include' },
    },
  ]
}

/** Items an edit may add to a policy and take away again (never apps: see ops.ts). */
export const OPTIONAL_ITEMS: Record<string, ItemSpec> = {
  salesKit: profile('com.sim.wifi.sales', 'SALES'),
  devTools: restriction('maxInactivityMinutes', 5),
}

/** Values a value edit cycles through, per item key. */
export const VALUE_CHOICES: Record<string, readonly (string | number | boolean)[]> = {
  'restriction:allowCamera': [false, true],
  'restriction:allowScreenCapture': [true, false],
  'restriction:maxFailedAttempts': [6, 4, 10],
  'restriction:maxInactivityMinutes': [5, 10],
  'profile:com.sim.wifi.marketing': ['MKT', 'MKT-5G'],
  'profile:com.sim.wifi.team': ['TEAM', 'TEAM-2'],
  'profile:com.sim.wifi.field': ['FIELD', 'FIELD-X'],
  'profile:com.sim.wifi.sales': ['SALES', 'SALES-2'],
}

/** Target edits the simulation toggles: [policy, group, mode]. */
export const TARGET_CHOICES: readonly [string, string, 'include' | 'exclude'][] = [
  ['teamChat', 'marketing', 'include'],
  ['salesKit', 'team2', 'exclude'],
  ['devTools', 'team1', 'include'],
  ['fieldKit', 'sales', 'include'],
  ['marketingKit', 'team2', 'exclude'],
]

/** Users at the start: the Entra tenant's, then the file directory's. */
export const ENTRA_USERS = 10
export const FILE_USERS = 4
