// Domain types shared by main, preload and renderer. Everything here is plain JSON so the
// Electron IPC and the loopback HTTP bridge carry it identically (dates are ISO strings).

export type Platform = 'ios' | 'macos' | 'android'
export const PLATFORMS: readonly Platform[] = ['ios', 'macos', 'android']

export type Dialect = 'entra' | 'okta' | 'google'
export const DIALECTS: readonly Dialect[] = ['entra', 'okta', 'google']

export type DirectoryKind = 'file' | 'entra' | 'okta' | 'google'

/** An attribute as synced from the directory: scalars, or a list for multi-value properties. */
export type AttributeValue = string | number | boolean | string[] | null
export type Attributes = Record<string, AttributeValue>

export type GroupKind = 'synced' | 'rule'
/** "out" is never stored: a user without a membership row is out. */
export type MembershipState = 'in' | 'unknown'
export type TargetMode = 'include' | 'exclude'
export type PayloadKind = 'app' | 'profile' | 'restriction'

export type CommandType =
  | 'install_app'
  | 'remove_app'
  | 'install_profile'
  | 'remove_profile'
  | 'apply_restrictions'
  /** Scan Device: Apple's DeviceInformation query, or the Android agent's inventory report. */
  | 'device_information'
  /** Apple queries sent after enrollment and by Scan Device: SecurityInfo, InstalledApplicationList, ProfileList. */
  | 'security_info'
  | 'installed_application_list'
  | 'profile_list'
  /** Device actions the admin runs (shared/device-actions.ts): Apple's DeviceLock, RestartDevice, … */
  | 'device_lock'
  | 'restart_device'
  | 'clear_passcode'
  | 'enable_lost_mode'
  | 'disable_lost_mode'
  | 'device_location'
  | 'play_lost_mode_sound'
  | 'erase_device'
  /** Retire: Apple RemoveProfile of the enrollment (MDM) profile; the Android agent gives up management. */
  | 'unenroll'
/** sent: handed to the device at a check-in, awaiting its answer; dead: dead-lettered (see error). */
export type CommandState = 'queued' | 'pushed' | 'sent' | 'acknowledged' | 'failed' | 'cancelled' | 'dead'

export type DiagnosticCode = 'SYNC_ATTR_MISSING' | 'GROUP_RULE_FAIL' | 'PAYLOAD_LATENCY'

export interface DirectorySummary {
  id: string
  kind: DirectoryKind
  name: string
  userCount: number
  lastSync: SyncRun | null
}

export interface SyncRun {
  id: string
  directoryId: string
  mode: 'full' | 'incremental' | 'import'
  /**
   * 'held': the sync would have removed too many users or memberships and wrote nothing; the admin
   * confirms it by syncing again with `confirmRemovals`. 'cancelled': the admin cancelled it.
   */
  status: 'succeeded' | 'failed' | 'held' | 'cancelled'
  startedAt: string
  finishedAt: string
  /** For a held run: what the sync would have done. */
  added: number
  changed: number
  removed: number
  /** Why it failed, was held or was cancelled. */
  error: string | null
  /** What the sync removes against what the directory had: set when it was held, or confirmed while over the limits. */
  removals?: SyncRemovals
  /** What the admin should know about a run that went through, e.g. why a full sync ran instead of an incremental one. */
  notes?: string[]
}

/** Removals a sync's plan makes, against the directory's users and memberships before it. */
export interface SyncRemovals {
  usersRemoved: number
  usersTotal: number
  membershipsRemoved: number
  membershipsTotal: number
}

export interface UserSummary {
  id: string
  directoryId: string
  userPrincipalName: string
  displayName: string
  department: string | null
  jobTitle: string | null
  country: string | null
}

export interface UserMembership {
  groupId: string
  groupName: string
  groupKind: GroupKind
  state: MembershipState
  /** Whether policies targeted at the group apply: an unknown membership keeps what the user had. */
  effective: boolean
  missing: string[]
}

export interface UserDetail {
  user: UserSummary
  directoryKind: DirectoryKind
  /** File directories are edited here; IdP-backed users change only in their IdP. */
  editable: boolean
  attributes: Attributes
  memberships: UserMembership[]
  devices: DeviceSummary[]
}

export interface GroupSummary {
  id: string
  name: string
  kind: GroupKind
  dialect: Dialect | null
  rule: string | null
  description: string
  /** The directory whose users a rule group reads (a synced group comes from); null: every directory. */
  directoryId: string | null
  directoryName: string | null
  memberCount: number
  unknownCount: number
}

export interface GroupMember {
  userId: string
  userPrincipalName: string
  displayName: string
  state: MembershipState
  missing: string[]
}

export interface GroupDetail {
  group: GroupSummary
  members: GroupMember[]
  membersTotal: number
}

export interface PayloadItem {
  id: string
  kind: PayloadKind
  /** App: bundle or package id; profile: payload identifier; restriction: setting key. */
  identifier: string
  name: string
  /** null: every platform the policy supports. */
  platform: Platform | null
  settings: Record<string, unknown>
  removeOnUnassign: boolean
}

export interface PolicyTarget {
  groupId: string
  groupName: string
  mode: TargetMode
}

export interface Policy {
  id: string
  name: string
  description: string
  priority: number
  platforms: Platform[]
  items: PayloadItem[]
  targets: PolicyTarget[]
}

export interface DeviceSummary {
  id: string
  name: string
  serial: string
  platform: Platform
  userId: string | null
  userPrincipalName: string | null
  enrolledAt: string
  lastSeenAt: string | null
  pendingCommands: number
}

/** The Devices page's query: search, filters, order and page. */
export interface DeviceListArgs {
  /** Part of the name, serial, platform, or the user's principal or display name. */
  query?: string
  platform?: Platform
  userId?: string
  /** Devices whose user is (effectively) in this group. */
  groupId?: string
  /** delivered: no open command; waiting: open commands; late: an open command past its deadline. */
  status?: 'delivered' | 'waiting' | 'late'
  sort?: 'name' | 'serial' | 'platform' | 'user' | 'enrolledAt' | 'lastSeenAt' | 'pending'
  dir?: 'asc' | 'desc'
  offset?: number
  limit?: number
}

/** A group's member list: search, membership state and page. */
export interface GroupMemberArgs {
  groupId: string
  query?: string
  state?: MembershipState
  offset?: number
  limit?: number
}

/** The chain behind a command: which group put which policy on the device, and why. */
export interface CommandReason {
  policyId: string
  policyName: string
  groupId: string | null
  groupName: string | null
  summary: string
}

export interface Command {
  id: string
  deviceId: string
  seq: number
  type: CommandType
  payload: Record<string, unknown>
  state: CommandState
  reason: CommandReason
  createdAt: string
  pushedAt: string | null
  acknowledgedAt: string | null
  deadlineAt: string
  error: string | null
  sentAt: string | null
  finishedAt: string | null
  attempts: number
  nextAttemptAt: string | null
  /** Apple: the user channel (the UserID on a Mac) whose queue holds the command; null = the device channel. */
  channel: string | null
}

export interface DeviceAssignment {
  policyId: string
  policyName: string
  itemId: string
  kind: PayloadKind
  identifier: string
  name: string
}

export interface DeviceDetail {
  device: DeviceSummary
  assignments: DeviceAssignment[]
  commands: Command[]
  /** Re-enrollments of this device by another user, newest first; 'held' ones wait for an admin. */
  rebinds: HeldRebind[]
  /** What the device last reported about itself; null before its first report. */
  facts: DeviceFacts | null
  /** Apple: the users who checked in on the device's user channel (macOS, Shared iPad). */
  userChannels: AppleUserChannel[]
  /** When the device checked out (its MDM profile was removed); null while enrolled. */
  checkedOutAt: string | null
}

/** An app the device reported as installed (Apple InstalledApplicationList, managed apps only). */
export interface InstalledApp {
  identifier: string
  name: string | null
  version: string | null
}

/** A profile the device reported as installed (Apple ProfileList, managed profiles only). */
export interface InstalledProfile {
  identifier: string
  name: string | null
  uuid: string | null
}

/**
 * What a device reported: at Authenticate and in DeviceInformation (identity, OS, storage,
 * supervision), SecurityInfo (encryption, passcode), InstalledApplicationList and ProfileList.
 * A field is null until the device reported it; each group carries when it was reported.
 */
export interface DeviceFacts {
  deviceName: string | null
  osVersion: string | null
  buildVersion: string | null
  model: string | null
  modelName: string | null
  productName: string | null
  capacityGb: number | null
  availableGb: number | null
  supervised: boolean | null
  informationAt: string | null
  /** macOS: FileVault (FDE_Enabled); iOS: data protection (block- and file-level encryption with a passcode). */
  encrypted: boolean | null
  passcodePresent: boolean | null
  securityAt: string | null
  apps: InstalledApp[] | null
  appsAt: string | null
  profiles: InstalledProfile[] | null
  profilesAt: string | null
}

/** One user's MDM channel on an Apple device (macOS user channel; Shared iPad user). */
export interface AppleUserChannel {
  /** The UserID the device sends (Shared iPad: the UserShortName). */
  channel: string
  shortName: string | null
  longName: string | null
  tokenUpdatedAt: string
  /** The user's managed profiles (ProfileList on this channel); null before the first report. */
  profiles: InstalledProfile[] | null
  profilesAt: string | null
}

/**
 * A device enrolled by a user other than the one it is bound to, without proof from the
 * device's current identity: held until an admin approves (the device moves to the new user,
 * its open commands are cancelled) or rejects it (nothing changes).
 */
export interface HeldRebind {
  id: string
  deviceId: string
  serial: string
  platform: Platform
  fromUserPrincipalName: string | null
  toUserPrincipalName: string
  requestedAt: string
  status: 'held' | 'approved' | 'rejected'
  decidedAt: string | null
}

export interface EnrollResult {
  /** Said when the IdP could not be asked at enrollment and cached attributes were used. */
  warnings?: string[]
  device: DeviceSummary
  groups: string[]
  policies: string[]
  commands: Command[]
}

/** One clause of a rule with the values it compared, for GROUP_RULE_FAIL. */
export interface ClauseExplanation {
  text: string
  operator: string
  result: boolean
  attribute?: string
  actual?: AttributeValue
  expected?: AttributeValue
  missing?: boolean
  children?: ClauseExplanation[]
}

export interface MembershipExplanation {
  userId: string
  groupId: string
  groupName: string
  kind: GroupKind
  state: MembershipState | 'out'
  rule: string | null
  root: ClauseExplanation | null
  missing: string[]
  /** Likely mistakes an admin can act on: case, whitespace, precedence. */
  hints: string[]
  summary: string
}

export interface Diagnostic {
  code: DiagnosticCode
  title: string
  explanation: string
  remediation: string
  userId?: string
  groupId?: string
  deviceId?: string
  commandId?: string
  attribute?: string
  /** SYNC_ATTR_MISSING: the directory whose attribute mapping to fix. */
  directoryId?: string
  detectedAt: string
  /** PAYLOAD_LATENCY: what held the payload up. */
  /** not-verified: acknowledged, but the device's later app or profile list contradicts it. */
  /** policy-not-applied: an Android Enterprise device has not applied the policy version that carries the commands. */
  cause?: 'deadline' | 'push-failed' | 'stale-token' | 'dead-letter' | 'not-verified' | 'policy-not-applied'
  /**
   * GROUP_RULE_FAIL: what raised it — the IdP's own membership disagrees with the rule's evaluation,
   * a clause could not be evaluated for the user, or the rule's AND/OR grouping decides.
   */
  trigger?: 'idp-disagrees' | 'evaluation-error' | 'mixed-logic'
  /** Contract channels that remediate this diagnostic in one click, best first. */
  remediations?: string[]
}

/**
 * Diagnostics that share one cause and one remediation, e.g. "usageLocation missing for 100,000
 * users of Contoso": the Diagnostics page lists causes and expands one into its diagnostics.
 */
export interface DiagnosticCause {
  /** Stable while the cause lasts: `diagnostics/page` takes it as a filter. */
  key: string
  code: DiagnosticCode
  title: string
  remediation: string
  /** Diagnostics under this cause. */
  count: number
  /** Distinct users and devices they concern. */
  users: number
  devices: number
  directoryId?: string
  attribute?: string
  /** The groups the diagnostics name, most first (at most ten). */
  groups: { id: string; name: string; count: number }[]
  /** PAYLOAD_LATENCY: the cause's cause. */
  cause?: Diagnostic['cause']
  /** Channels that remediate every diagnostic of the cause, best first. */
  remediations?: string[]
}

/** What `diagnostics/summary` and `diagnostics/page` narrow to; every field optional. */
export interface DiagnosticFilter {
  code?: DiagnosticCode
  cause?: string
  directoryId?: string
  groupId?: string
  deviceId?: string
  userId?: string
}

/** Open diagnostics counted by code, and their causes (both narrowed by the filter). */
export interface DiagnosticsSummary {
  /** Every open diagnostic, unfiltered: the sidebar's count. */
  total: number
  counts: Record<DiagnosticCode, number>
  causes: DiagnosticCause[]
}

/** One acknowledged command: how long after its push the device answered. */
export interface DeliveryLatency {
  commandId: string
  deviceId: string
  pushedAt: string
  acknowledgedAt: string
  ms: number
}

/** The push credentials as the admin may see them: never the keys themselves. */
export interface PushCredentialsInfo {
  apns: {
    configured: boolean
    topic: string | null
    notAfter: string | null
    expiresSoon: boolean
    error: string | null
  }
  fcm: { configured: boolean; projectId: string | null; clientEmail: string | null; error: string | null }
}

export interface WorkspaceSummary {
  users: number
  groups: number
  policies: number
  devices: number
  queuedCommands: number
  openDiagnostics: number
}

export interface ImportResult {
  directoryId: string
  run: SyncRun
}

/** Attribute mapping: which IdP property (dotted path) fills which attribute that rules read. */
export interface AttributeMapping {
  property: string
  attribute: string
}

/** How many of the directory's users have the mapped attribute (non-empty). */
export interface MappingCoverage extends AttributeMapping {
  users: number
  total: number
  /** users / total, 0 when the directory has no users. */
  share: number
}

export type SyncPhase = 'pulling' | 'applying' | 'evaluating' | 'done' | 'failed' | 'held' | 'cancelled'

/** A running sync's progress, sent as the `directories/syncProgress` event. */
export interface SyncProgress {
  directoryId: string
  runId: string
  phase: SyncPhase
  pages: number
  users: number
  groups: number
  /** 0–100. */
  percent: number
  /** Estimated seconds left; null until there is a rate to estimate from. */
  etaSeconds: number | null
  message?: string
}

export interface DirectoryDetail {
  directory: DirectorySummary
  /** Non-secret connection settings (tenant, client id, org URL …). */
  settings: Record<string, string>
  /** Names of the credentials stored for this directory; their values never leave main. */
  secretsStored: string[]
  mapping: MappingCoverage[]
  /** Synced groups to keep (by name); empty: every group. */
  groupFilter: string[]
  /** Minutes between scheduled syncs while the app runs; null: no schedule. */
  scheduleMinutes: number | null
  history: SyncRun[]
  running: boolean
  /** Said when credentials are stored without OS encryption (the headless host). */
  secretsWarning: string | null
}

/** A rule that did not parse, from the parser to the rule editor: where (1-based line and column, 0-based offset), what was expected there, and a fix. */
export interface RuleError {
  message: string
  line: number
  column: number
  offset: number
  expected: string[]
  hint?: string
}

export type RuleLintCode =
  | 'unsatisfied'
  | 'case-or-whitespace'
  | 'mixed-logic'
  | 'contradiction'
  | 'always-true'
  /** The IdP documents this construct as not allowed in this kind of rule; JIT Mapper evaluates it anyway. */
  | 'restriction'

export interface RuleLintWarning {
  code: RuleLintCode
  message: string
  start: number
  end: number
  line: number
  column: number
}

/** A stretch of rule text for syntax highlighting. */
export interface RuleToken {
  start: number
  end: number
  kind: 'attribute' | 'operator' | 'keyword' | 'function' | 'string' | 'number' | 'literal' | 'punctuation' | 'invalid'
}

export interface RuleCheck {
  dialect: Dialect
  error: RuleError | null
  warnings: RuleLintWarning[]
  tokens: RuleToken[]
  /** How many synced users lint compared the rule with. */
  usersChecked: number
}

export interface RulePreviewRow {
  userId: string
  userPrincipalName: string
  displayName: string
  state: MembershipState
  missing: string[]
}

/** Who a rule would put in its group: members ("in") and "unknown" users, paged. */
export interface RulePreview {
  error: RuleError | null
  usersEvaluated: number
  memberCount: number
  unknownCount: number
  rows: RulePreviewRow[]
}

export interface RuleUserExplanation {
  userId: string
  result: boolean
  missing: string[]
  root: ClauseExplanation
  hints: string[]
}
