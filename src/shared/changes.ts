// What each channel changes, for the renderer's query invalidation and main's `db/changed`
// event: one list, total over the channels. A channel is a query (changes nothing) or a
// mutation; every mutation names at least one domain it touches, so a new mutation that
// announces nothing fails to compile. Plain data without npm imports, so the preload could use it.
import type { Channel } from './channels'

/** The data a query reads and a mutation touches: a query key's first segment. */
export type Domain =
  | 'users'
  | 'groups'
  | 'policies'
  | 'devices'
  | 'diagnostics'
  | 'directories'
  | 'workspace'
  | 'ingress'
export const DOMAINS: readonly Domain[] = [
  'users',
  'groups',
  'policies',
  'devices',
  'diagnostics',
  'directories',
  'workspace',
  'ingress',
]

/** Channels that only read. */
export const QUERIES = [
  'workspace/summary',
  'overview/health',
  'audit/list',
  'exports/csv',
  'exports/bundle',
  'directories/removalPreview',
  'directories/list',
  'directories/get',
  'directories/test',
  'users/list',
  'users/get',
  'groups/list',
  'groups/names',
  'groups/get',
  'groups/members',
  'groups/explain',
  'policies/list',
  'policies/get',
  'policies/restrictions',
  'policies/conflicts',
  'policies/preview',
  'policies/whatIf',
  'policies/held',
  'policies/why',
  'policies/effective',
  'policies/history',
  'policies/settings',
  'apps/list',
  'devices/list',
  'devices/page',
  'devices/get',
  'devices/latency',
  'devices/actions',
  'devices/commands',
  'directories/history',
  'push/credentials',
  'diagnostics/list',
  'diagnostics/summary',
  'diagnostics/page',
  'diagnostics/byDevice',
  'rules/check',
  'rules/preview',
  'rules/explain',
  'ingress/get',
  'android/status',
  'ade/status',
  'ade/devices',
  'notifications/status',
] as const satisfies readonly Channel[]

export type Query = (typeof QUERIES)[number]
export type Mutation = Exclude<Channel, Query>

/** A change to who is in which group reaches devices, their diagnostics and the overview. */
const MEMBERSHIPS: readonly [Domain, ...Domain[]] = ['users', 'groups', 'devices', 'diagnostics', 'workspace']
/** An admin change to rules, targets or policies, saved or held. */
const ADMIN_CHANGE: readonly [Domain, ...Domain[]] = [
  'policies',
  'groups',
  'devices',
  'users',
  'diagnostics',
  'workspace',
]

export const TOUCHES: { readonly [C in Mutation]: readonly [Domain, ...Domain[]] } = {
  'directories/import': ['directories', ...MEMBERSHIPS],
  'directories/connect': ['directories'],
  'directories/setCredentials': ['directories'],
  'directories/sync': ['directories', ...MEMBERSHIPS],
  'directories/cancelSync': ['directories'],
  'directories/setMapping': ['directories', 'diagnostics'],
  'directories/setGroupFilter': ['directories'],
  'directories/setSchedule': ['directories'],
  'directories/remove': ['directories', ...MEMBERSHIPS, 'policies'],
  'users/setAttributes': MEMBERSHIPS,
  'groups/create': MEMBERSHIPS,
  'policies/setRemoveOnUnassign': ['policies'],
  'policies/apply': ADMIN_CHANGE,
  'policies/approve': ADMIN_CHANGE,
  'policies/reject': ['policies', 'devices'],
  'policies/setSettings': ['policies', 'devices'],
  'apps/save': ['policies'],
  'devices/enroll': MEMBERSHIPS,
  'devices/acknowledge': ['devices', 'diagnostics', 'workspace'],
  'devices/scan': ['devices', 'diagnostics', 'workspace'],
  'devices/repush': ['devices', 'diagnostics', 'workspace'],
  'devices/cancel': ['devices', 'diagnostics', 'workspace'],
  'devices/decideRebind': ['devices', 'users', 'groups', 'diagnostics', 'workspace'],
  'devices/rename': ['devices', 'users', 'workspace'],
  'devices/unbind': ['devices', 'users', 'diagnostics', 'workspace'],
  'devices/rebind': ['devices', 'users', 'groups', 'diagnostics', 'workspace'],
  'devices/action': ['devices', 'users', 'diagnostics', 'workspace'],
  'devices/bulk': ['devices', 'diagnostics', 'workspace'],
  'push/setApnsCertificate': ['devices', 'diagnostics'],
  'push/setServiceAccount': ['devices', 'diagnostics'],
  'ingress/save': ['ingress'],
  'ingress/importCertificate': ['ingress'],
  'ingress/generateCertificate': ['ingress'],
  'ingress/start': ['ingress'],
  'android/setServiceAccount': ['devices'],
  'android/startSignup': ['devices'],
  'android/enrollmentToken': ['devices', 'diagnostics', 'workspace'],
  'android/sync': ['devices', 'diagnostics'],
  'ingress/stop': ['ingress'],
  'ade/certificate': ['devices'],
  'ade/uploadToken': ['devices'],
  'ade/sync': ['devices'],
  'notifications/enable': ['directories'],
  'notifications/disable': ['directories'],
  'notifications/test': ['directories'],
}

const QUERY_SET: ReadonlySet<string> = new Set(QUERIES)

export const isMutation = (channel: Channel): channel is Mutation => !QUERY_SET.has(channel)

/** The domains a channel touches: none for a query. */
export const touches = (channel: Channel): readonly Domain[] => (isMutation(channel) ? TOUCHES[channel] : [])
