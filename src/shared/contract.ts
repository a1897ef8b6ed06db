// The one API the renderer may call. Each channel (`domain/verb`) has a runtime schema for
// its single argument object and a result type; main implements `Handlers`, and the preload
// and the headless bridge carry `Channel` names and JSON unchanged.
import { z } from 'zod'
import type { AndroidEnrollmentToken, AndroidStatus } from './android'
import type {
  Command,
  DeliveryLatency,
  DeviceDetail,
  DeviceSummary,
  Diagnostic,
  DiagnosticsSummary,
  DirectoryDetail,
  DirectorySummary,
  EnrollResult,
  GroupDetail,
  GroupMember,
  GroupSummary,
  ImportResult,
  MembershipExplanation,
  Policy,
  SyncProgress,
  SyncRun,
  RuleCheck,
  RulePreview,
  RuleUserExplanation,
  PushCredentialsInfo,
  UserDetail,
  UserSummary,
  WorkspaceSummary,
} from './domain'
import type {
  AppInventoryEntry,
  AssignmentEvent,
  ChangeOutcome,
  Conflict,
  HeldChange,
  PolicySettings,
  PolicyWhy,
  ProfilePreview,
  RestrictionDefinition,
  WhatIf,
} from './policy'
import type { IngressInfo } from './ingress'
import type { AdeDevice, AdeStatus, AdeSyncSummary } from './ade'
import type { DirectoryNotifications } from './notifications'
import type { AuditRecord, DirectoryRemoval, DirectoryRemovalOutcome, ExportFile, HealthBoard } from './admin'
import { CHANNELS, type Channel } from './channels'
import type { Domain } from './changes'
import type { ErrorInfo, Result } from './errors'
import { type ActionOutcome, type BulkOutcome, DEVICE_ACTIONS, type DeviceActionsInfo } from './device-actions'
import type { DeviceDiagnostics } from './triage'

export { CHANNELS, type Channel }

const id = z.string().min(1).max(200)
const dialect = z.enum(['entra', 'okta', 'google'])
/** Longer than any dialect accepts, so the parser, not the schema, explains a too-long rule. */
const ruleText = z.string().max(100_000)
const platform = z.enum(['ios', 'macos', 'android'])
const attributeValue = z.union([
  z.string().max(4096),
  z.number(),
  z.boolean(),
  z.array(z.string().max(4096)).max(1000),
  z.null(),
])

/** Settings nest a few levels (a VPN's app list, a custom profile's dictionaries). */
export const MAX_SETTINGS_DEPTH = 16

/** Whether a JSON value nests at most `limit` levels, counted without recursion (a hostile value may nest thousands deep). */
export function nestsAtMost(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number]
    if (v === null || typeof v !== 'object') continue
    if (depth >= limit) return false
    for (const child of Object.values(v)) stack.push([child, depth + 1])
  }
  return true
}

const payloadDraft = z.object({
  id: id.optional(),
  kind: z.enum(['app', 'profile', 'restriction']),
  identifier: z.string().max(500),
  name: z.string().max(200),
  platform: platform.nullable(),
  settings: z
    .record(z.string().max(200), z.unknown())
    .refine(s => nestsAtMost(s, MAX_SETTINGS_DEPTH), `must not nest deeper than ${MAX_SETTINGS_DEPTH} levels`),
  removeOnUnassign: z.boolean(),
})
const policyDraft = z.object({
  id: id.optional(),
  name: z.string().max(200),
  description: z.string().max(2000),
  priority: z.number(),
  platforms: z.array(platform).max(3),
  items: z.array(payloadDraft).max(500),
  targets: z.array(z.object({ groupId: id, mode: z.enum(['include', 'exclude']) })).max(500),
})
const proposedChange = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rule'), groupId: id, rule: ruleText, dialect }),
  z.object({ kind: z.literal('target'), policyId: id, groupId: id, mode: z.enum(['include', 'exclude']).nullable() }),
  z.object({ kind: z.literal('policy'), draft: policyDraft }),
  z.object({ kind: z.literal('deletePolicy'), policyId: id }),
  z.object({ kind: z.literal('renamePolicy'), policyId: id, name: z.string().max(200) }),
  z.object({ kind: z.literal('deleteGroup'), groupId: id }),
  z.object({ kind: z.literal('renameGroup'), groupId: id, name: z.string().max(200) }),
  z.object({ kind: z.literal('deleteApp'), platform, identifier: z.string().min(1).max(300) }),
  z.object({
    kind: z.literal('attributeMapping'),
    attribute: z.string().min(1).max(200),
    source: z.string().min(1).max(200).nullable(),
  }),
  z.object({
    kind: z.literal('user'),
    attributes: z.record(z.string().min(1).max(200), attributeValue),
    platform,
    syncedGroupIds: z.array(id).max(500).optional(),
  }),
])

/** Narrows the open diagnostics: by code, cause (a DiagnosticCause key), directory, group, device or user. */
const actionText = z.string().max(500)
const deviceActionParams = z.object({
  message: actionText.optional(),
  phoneNumber: z.string().max(40).optional(),
  footnote: actionText.optional(),
  pin: z.string().max(6).optional(),
  notifyUser: z.boolean().optional(),
  preserveDataPlan: z.boolean().optional(),
  disallowProximitySetup: z.boolean().optional(),
  confirm: z.string().max(200).optional(),
})
const diagnosticFilter = z.object({
  code: z.enum(['SYNC_ATTR_MISSING', 'GROUP_RULE_FAIL', 'PAYLOAD_LATENCY']).optional(),
  cause: z.string().min(1).max(500).optional(),
  directoryId: id.optional(),
  groupId: id.optional(),
  deviceId: id.optional(),
  userId: id.optional(),
})

export const schemas = {
  'workspace/summary': z.object({}),
  'directories/list': z.object({}),
  'directories/import': z.object({
    directoryId: id,
    format: z.enum(['csv', 'json']),
    content: z.string().max(64 * 1024 * 1024),
    /**
     * update: add and update the users the file gives (fields it lacks are left alone); replace: the
     * file is the whole directory, users missing from it leave (held when that removes too much).
     */
    mode: z.enum(['update', 'replace']),
    /** Apply a replace that removes more than the removal limits (after a held import). */
    confirmRemovals: z.boolean().optional(),
  }),
  'directories/get': z.object({ directoryId: id }),
  'directories/connect': z.object({
    kind: z.enum(['entra', 'okta', 'google', 'file']),
    name: z.string().trim().min(1).max(100),
    settings: z.record(z.string().max(100), z.string().max(4096)),
    secrets: z.record(z.string().max(100), z.string().max(20_000)),
  }),
  'directories/setCredentials': z.object({
    directoryId: id,
    settings: z.record(z.string().max(100), z.string().max(4096)),
    secrets: z.record(z.string().max(100), z.string().max(20_000)),
  }),
  'directories/test': z.object({ directoryId: id }),
  /** confirmRemovals: apply even when the sync removes more than the hold limits (the admin confirmed a held sync). */
  'directories/sync': z.object({
    directoryId: id,
    mode: z.enum(['full', 'incremental']).optional(),
    confirmRemovals: z.boolean().optional(),
  }),
  'directories/cancelSync': z.object({ directoryId: id }),
  'directories/removalPreview': z.object({ directoryId: id }),
  /** confirmRemovals: remove even when it is held (the admin confirmed after the preview). */
  'directories/remove': z.object({ directoryId: id, confirmRemovals: z.boolean().optional() }),
  'directories/setMapping': z.object({
    directoryId: id,
    mapping: z
      .array(z.object({ property: z.string().trim().min(1).max(300), attribute: z.string().trim().min(1).max(200) }))
      .max(500),
  }),
  'directories/setGroupFilter': z.object({ directoryId: id, groups: z.array(z.string().max(300)).max(5000) }),
  'directories/setSchedule': z.object({
    directoryId: id,
    minutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .nullable(),
  }),
  'users/list': z.object({
    query: z.string().max(200).optional(),
    sort: z.enum(['name', 'userPrincipalName']).optional(),
    dir: z.enum(['asc', 'desc']).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    offset: z.number().int().min(0).optional(),
  }),
  'users/get': z.object({ userId: id }),
  'users/setAttributes': z.object({
    userId: id,
    attributes: z.record(z.string().min(1).max(200), attributeValue),
  }),
  'groups/list': z.object({}),
  /** Every group's id and name, sorted by name, without counting members (filters, pickers). */
  'groups/names': z.object({}),
  'groups/get': z.object({ groupId: id }),
  'groups/members': z.object({
    groupId: id,
    query: z.string().max(200).optional(),
    state: z.enum(['in', 'unknown']).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  }),
  'groups/explain': z.object({ groupId: id, userId: id }),
  'policies/list': z.object({}),
  'policies/setRemoveOnUnassign': z.object({ itemId: id, value: z.boolean() }),
  'policies/get': z.object({ policyId: id }),
  'policies/restrictions': z.object({}),
  'policies/conflicts': z.object({ draft: policyDraft }),
  'policies/preview': z.object({ draft: policyDraft }),
  'policies/whatIf': z.object({ change: proposedChange, limit: z.number().int().min(1).max(5000).optional() }),
  /** The one way to change a rule, a target or a policy: what-if takes the same change object. */
  'policies/apply': z.object({ change: proposedChange }),
  'policies/held': z.object({}),
  'policies/approve': z.object({ heldChangeId: id }),
  'policies/reject': z.object({ heldChangeId: id }),
  'policies/why': z.object({ deviceId: id, policyId: id }),
  /** all: every policy, applied or not, each with its why-chain (default: the ones that apply or were sent). */
  'policies/effective': z.object({ deviceId: id, all: z.boolean().optional() }),
  'policies/history': z.object({ deviceId: id, limit: z.number().int().min(1).max(1000).optional() }),
  'policies/settings': z.object({}),
  'policies/setSettings': z.object({
    graceSyncs: z.number().optional(),
    graceMinutes: z.number().optional(),
    breakerDevices: z.number().optional(),
    breakerShare: z.number().optional(),
    syncHoldMembershipShare: z.number().optional(),
    syncHoldUserShare: z.number().optional(),
    syncHoldMinimum: z.number().optional(),
  }),
  'apps/list': z.object({}),
  'apps/save': z.object({
    platform,
    identifier: z.string().max(300),
    name: z.string().max(200),
    storeId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  }),
  'devices/list': z.object({}),
  'devices/page': z.object({
    query: z.string().max(200).optional(),
    platform: platform.optional(),
    userId: id.optional(),
    groupId: id.optional(),
    status: z.enum(['delivered', 'waiting', 'late']).optional(),
    sort: z.enum(['name', 'serial', 'platform', 'user', 'enrolledAt', 'lastSeenAt', 'pending']).optional(),
    dir: z.enum(['asc', 'desc']).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  }),
  'devices/get': z.object({ deviceId: id }),
  'devices/enroll': z.object({
    serial: z.string().trim().min(1).max(200),
    platform,
    userPrincipalName: z.string().trim().min(3).max(320),
    name: z.string().trim().min(1).max(200).optional(),
    pushToken: z.string().min(1).max(4096).optional(),
    /** A serial bound to another user moves only when the admin says so (audited as a rebind). */
    move: z.boolean().optional(),
  }),
  'devices/acknowledge': z.object({
    deviceId: id,
    commandId: id,
    status: z.enum(['acknowledged', 'error']),
    error: z.string().max(2000).optional(),
  }),
  'devices/scan': z.object({ deviceId: id }),
  'devices/repush': z.object({ deviceId: id }),
  'devices/cancel': z.object({ deviceId: id, commandId: id.optional() }),
  'devices/decideRebind': z.object({ heldRebindId: id, approve: z.boolean() }),
  'devices/rename': z.object({ deviceId: id, name: z.string().trim().min(1).max(200) }),
  'devices/unbind': z.object({ deviceId: id }),
  'devices/rebind': z.object({ deviceId: id, userPrincipalName: z.string().trim().min(3).max(320) }),
  'devices/latency': z.object({ limit: z.number().int().min(1).max(5000).optional() }),
  'devices/actions': z.object({ deviceId: id }),
  'devices/action': z.object({ deviceId: id, action: z.enum(DEVICE_ACTIONS), params: deviceActionParams.optional() }),
  'devices/bulk': z.object({ action: z.enum(['repush', 'scan']), deviceIds: z.array(id).min(1).max(1000) }),
  /** One page of a device's commands, newest first; `open`: only those still waiting for the device. */
  'devices/commands': z.object({
    deviceId: id,
    open: z.boolean().optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(500).optional(),
  }),
  /** One page of a directory's sync runs, newest first. */
  'directories/history': z.object({
    directoryId: id,
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(500).optional(),
  }),
  'push/credentials': z.object({}),
  'push/setApnsCertificate': z.object({
    certificate: z
      .string()
      .min(1)
      .max(64 * 1024),
    key: z
      .string()
      .min(1)
      .max(64 * 1024),
  }),
  'push/setServiceAccount': z.object({
    serviceAccount: z
      .string()
      .min(1)
      .max(64 * 1024),
  }),
  'diagnostics/list': z.object({}),
  'diagnostics/summary': diagnosticFilter,
  'diagnostics/byDevice': z.object({}),
  'diagnostics/page': diagnosticFilter.extend({
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(500).optional(),
  }),
  'rules/check': z.object({ dialect, text: ruleText }),
  'rules/preview': z.object({
    dialect,
    text: ruleText,
    /** The rule editor asking: its newer preview cancels an older one still evaluating. */
    editor: z.string().min(1).max(100).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(500).optional(),
  }),
  'rules/explain': z.object({ dialect, text: ruleText, userId: id }),
  'groups/create': z.object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    dialect,
    rule: ruleText,
    /** The directory whose users the rule reads; absent or null: every directory's. */
    directoryId: id.nullable().optional(),
  }),
  'ingress/get': z.object({}),
  /** Saves the ingress settings; a running ingress restarts with them. */
  'ingress/save': z.object({
    address: z.string().trim().min(1).max(100),
    port: z.number().int().min(1).max(65535),
    publicUrl: z.string().trim().max(2000).nullable(),
    startAtLaunch: z.boolean(),
    oidc: z.object({
      /** Absent: told by the issuer's host (Microsoft's, Google's, else Okta). */
      provider: z.enum(['entra', 'okta', 'google']).optional(),
      issuer: z.string().trim().max(2000),
      clientId: z.string().trim().max(500),
      tenantId: z.string().trim().max(200).nullable(),
      hostedDomain: z.string().trim().max(300).nullable(),
      caPem: z
        .string()
        .max(256 * 1024)
        .nullable(),
    }),
    /** A confidential client's secret: absent keeps the stored one, null removes it. */
    clientSecret: z.string().min(1).max(4096).nullable().optional(),
  }),
  /** The admin's certificate (PEM, the chain may follow it) and its private key. */
  'ingress/importCertificate': z.object({
    certificate: z
      .string()
      .min(1)
      .max(256 * 1024),
    key: z
      .string()
      .min(1)
      .max(64 * 1024),
  }),
  /** A certificate made here for the LAN, valid for these DNS names and IP addresses. */
  'ingress/generateCertificate': z.object({
    names: z.array(z.string().trim().min(1).max(253)).min(1).max(20),
  }),
  'ingress/start': z.object({}),
  'android/status': z.object({}),
  'android/setServiceAccount': z.object({
    serviceAccount: z
      .string()
      .min(1)
      .max(64 * 1024),
  }),
  'android/startSignup': z.object({}),
  'android/enrollmentToken': z.object({
    userPrincipalName: z.string().trim().min(1).max(320),
    serial: z.string().trim().min(1).max(200).optional(),
    name: z.string().trim().min(1).max(200).optional(),
  }),
  'android/sync': z.object({}),
  'ingress/stop': z.object({}),
  'ade/status': z.object({}),
  /** Makes the key pair on first use; the status carries the public certificate to upload to Apple. */
  'ade/certificate': z.object({}),
  /** The server token file (.p7m) downloaded from Apple Business Manager, as text. */
  'ade/uploadToken': z.object({
    token: z
      .string()
      .min(1)
      .max(256 * 1024),
  }),
  'ade/sync': z.object({}),
  'ade/devices': z.object({}),
  /** Every directory's change notifications: on or off, until when, last heard, what is wrong. */
  'notifications/status': z.object({}),
  /** Subscribes to the directory's change notifications at its IdP. */
  'notifications/enable': z.object({ directoryId: id }),
  'notifications/disable': z.object({ directoryId: id }),
  /** Makes the IdP call the ingress now (the Send test button). */
  'notifications/test': z.object({ directoryId: id }),
  'overview/health': z.object({ staleDays: z.number().int().min(1).max(365).optional() }),
  'audit/list': z.object({
    since: z.string().max(40).optional(),
    until: z.string().max(40).optional(),
    actor: z.string().max(100).optional(),
    action: z.string().max(100).optional(),
    text: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
  'exports/csv': z.object({ kind: z.enum(['devices', 'users', 'policy-status', 'audit']) }),
  'exports/bundle': z.object({}),
} as const satisfies { [C in Channel]: z.ZodType }
export type ArgsOf<C extends Channel> = z.input<(typeof schemas)[C]>

export interface Results {
  'workspace/summary': WorkspaceSummary
  'directories/list': DirectorySummary[]
  'directories/import': ImportResult
  'directories/get': DirectoryDetail
  'directories/connect': DirectoryDetail
  'directories/setCredentials': DirectoryDetail
  'directories/test': { message: string }
  'directories/sync': SyncRun
  /** The cancelled run, once the sync has stopped (a sync already writing finishes first). */
  'directories/cancelSync': SyncRun
  'directories/removalPreview': DirectoryRemoval
  'directories/remove': DirectoryRemovalOutcome
  'directories/setMapping': DirectoryDetail
  'directories/setGroupFilter': DirectoryDetail
  'directories/setSchedule': DirectoryDetail
  'users/list': { rows: UserSummary[]; total: number }
  'users/get': UserDetail
  'users/setAttributes': UserDetail
  'groups/list': GroupSummary[]
  'groups/names': { id: string; name: string }[]
  'groups/get': GroupDetail
  'groups/members': { rows: GroupMember[]; total: number }
  'groups/explain': MembershipExplanation
  'policies/list': Policy[]
  'policies/setRemoveOnUnassign': Policy
  'policies/get': Policy
  'policies/restrictions': readonly RestrictionDefinition[]
  'policies/conflicts': Conflict[]
  'policies/preview': ProfilePreview[]
  'policies/whatIf': WhatIf
  'policies/apply': ChangeOutcome
  'policies/held': HeldChange[]
  'policies/approve': HeldChange
  'policies/reject': HeldChange
  'policies/why': PolicyWhy
  'policies/effective': PolicyWhy[]
  'policies/history': AssignmentEvent[]
  'policies/settings': PolicySettings
  'policies/setSettings': PolicySettings
  'apps/list': AppInventoryEntry[]
  'apps/save': AppInventoryEntry[]
  'devices/list': DeviceSummary[]
  'devices/page': { rows: DeviceSummary[]; total: number }
  'devices/get': DeviceDetail
  'devices/enroll': EnrollResult
  'devices/acknowledge': DeviceDetail
  'devices/scan': DeviceDetail
  'devices/repush': DeviceDetail
  'devices/cancel': DeviceDetail
  'devices/decideRebind': DeviceDetail
  'devices/rename': DeviceDetail
  'devices/unbind': DeviceDetail
  'devices/rebind': DeviceDetail
  'devices/latency': DeliveryLatency[]
  'devices/actions': DeviceActionsInfo
  'devices/action': ActionOutcome
  'devices/bulk': BulkOutcome
  'devices/commands': { rows: Command[]; total: number }
  'directories/history': { rows: SyncRun[]; total: number }
  'push/credentials': PushCredentialsInfo
  'push/setApnsCertificate': PushCredentialsInfo
  'push/setServiceAccount': PushCredentialsInfo
  'diagnostics/list': Diagnostic[]
  'diagnostics/summary': DiagnosticsSummary
  'diagnostics/page': { rows: Diagnostic[]; total: number }
  'diagnostics/byDevice': DeviceDiagnostics[]
  'rules/check': RuleCheck
  'rules/preview': RulePreview
  'rules/explain': RuleUserExplanation
  'groups/create': GroupDetail
  'ingress/get': IngressInfo
  'ingress/save': IngressInfo
  'ingress/importCertificate': IngressInfo
  'ingress/generateCertificate': IngressInfo
  'ingress/start': IngressInfo
  'android/status': AndroidStatus
  'android/setServiceAccount': AndroidStatus
  'android/startSignup': { url: string }
  'android/enrollmentToken': AndroidEnrollmentToken
  'android/sync': { patched: number; seen: number; acknowledged: number }
  'ingress/stop': IngressInfo
  'ade/status': AdeStatus
  'ade/certificate': AdeStatus
  'ade/uploadToken': AdeStatus
  'ade/sync': AdeSyncSummary
  'ade/devices': AdeDevice[]
  'overview/health': HealthBoard
  'audit/list': AuditRecord[]
  'exports/csv': ExportFile
  'notifications/status': DirectoryNotifications[]
  'notifications/enable': DirectoryNotifications
  'notifications/disable': DirectoryNotifications
  'notifications/test': DirectoryNotifications
  'exports/bundle': ExportFile
}

export type ResultOf<C extends Channel> = Results[C]

/** Main implements every channel; a missing handler is a compile error. */
export type Handlers = { [C in Channel]: (args: z.output<(typeof schemas)[C]>) => ResultOf<C> | Promise<ResultOf<C>> }

/**
 * One room's share of Handlers: the channels named `<prefix>/…`. Rooms' maps are joined in
 * main/handlers.ts; a channel outside the prefixes a map declares is a compile error there.
 */
export type HandlersOf<P extends string> = Pick<Handlers, Extract<Channel, `${P}/${string}`>>

export const isChannel = (name: string): name is Channel => (CHANNELS as readonly string[]).includes(name)

/** Change notifications from main: the domains a mutation touched (changes.ts), for query invalidation. */
export interface Events {
  'db/changed': { domains: readonly Domain[] }
  /** A running directory sync's progress: pages, users, percentage, estimated time left. */
  'directories/syncProgress': SyncProgress
}
export type EventName = keyof Events

/** What the preload exposes as `window.api` and the headless bridge imitates. */
export interface Bridge {
  invoke<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<Result<ResultOf<C>>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}

/** Validate an argument object where it enters main; the error names every bad field. */
export function parseArgs<C extends Channel>(
  channel: C,
  raw: unknown,
): { ok: true; args: z.output<(typeof schemas)[C]> } | { ok: false; error: ErrorInfo } {
  const parsed = schemas[channel].safeParse(raw ?? {})
  if (parsed.success) return { ok: true, args: parsed.data as z.output<(typeof schemas)[C]> }
  const fields = parsed.error.issues.map(i => ({ path: i.path.join('.') || '(argument)', message: i.message }))
  return {
    ok: false,
    error: {
      code: 'BAD_INPUT',
      message: `Invalid ${channel} request: ${fields.map(f => `${f.path}: ${f.message}`).join('; ')}`,
      details: { channel, fields },
    },
  }
}
