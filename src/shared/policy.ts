// Shapes of the policy engine shared by main and renderer: payload definitions, conflicts,
// what-if, held changes (circuit breaker) and the "why" of every assignment. Plain JSON.
import type { AttributeValue, Attributes, PayloadKind, Platform, Policy, TargetMode, Dialect } from './domain'

/** How an app is assigned: required apps are installed without asking; available apps are offered in self-service. */
export type AppIntent = 'required' | 'available'
export const APP_INTENTS: readonly AppIntent[] = ['required', 'available']

export type ProfileType = 'wifi' | 'vpn' | 'email' | 'cellular' | 'custom'
export const PROFILE_TYPES: readonly ProfileType[] = ['wifi', 'vpn', 'email', 'cellular', 'custom']
/** A per-app VPN's setting holding each app's macOS code signature, by bundle id (com.apple.vpn.managed.appmapping). */
export const MACOS_APPS = 'macosApps'

/** Setting names that hold secrets (Wi-Fi, VPN and mail passwords, shared secrets, PKCS #12 identities). */
export const SECRET_SETTING = /(password|passphrase|secret|psk|pkcs12)/i

/**
 * A stored secret as the admin UI sees it: never the value. A draft that carries it back unchanged
 * keeps the stored secret; "Replace" in the editor puts a new value in its place.
 */
export interface KeptSecret {
  $secret: 'kept'
}
export const KEPT_SECRET: KeptSecret = { $secret: 'kept' }
export const isKeptSecret = (v: unknown): v is KeptSecret =>
  typeof v === 'object' && v !== null && (v as { $secret?: unknown }).$secret === 'kept'

/**
 * An app the organisation can deploy: one bundle id (Apple) or package name (Android) per platform,
 * and for Apple apps the App Store / Apps and Books (VPP) adam id where the admin has one.
 */
export interface AppInventoryEntry {
  id: string
  platform: Platform
  identifier: string
  name: string
  /** App Store adam id (Apple only): InstallApplication's iTunesStoreID. */
  storeId?: number | null
}

/** Which value of a restriction is the more restrictive one. */
export type Stricter = 'false' | 'true' | 'lower' | 'higher' | 'later'

export interface RestrictionDefinition {
  key: string
  name: string
  type: 'boolean' | 'integer' | 'enum'
  stricter: Stricter
  /** enum: the allowed values, least restrictive first. */
  options?: string[]
  min?: number
  max?: number
  platforms: Platform[]
  /** Platforms on which Apple honours it on supervised devices only. */
  supervised?: Platform[]
  description: string
}

/** A payload as an admin writes it; ids are kept for items that already exist. */
export interface PayloadDraft {
  id?: string
  kind: PayloadKind
  identifier: string
  name: string
  platform: Platform | null
  settings: Record<string, unknown>
  removeOnUnassign: boolean
}

export interface PolicyDraft {
  id?: string
  name: string
  description: string
  priority: number
  platforms: Platform[]
  items: PayloadDraft[]
  targets: { groupId: string; mode: TargetMode }[]
}

/**
 * The one conflict rule: restrictions → the most restrictive value; list-like payloads (apps,
 * Wi-Fi, VPN, email) → union (a required app beats an available one); one profile identifier
 * carrying different settings → the higher explicit priority, then the policy name.
 */
export type ConflictRule = 'most-restrictive' | 'union' | 'priority'

export interface ConflictContender {
  policyId: string
  policyName: string
  priority: number
  value: unknown
}

export interface Conflict {
  key: string
  kind: PayloadKind
  identifier: string
  name: string
  platform: Platform
  rule: ConflictRule
  winner: ConflictContender
  losers: ConflictContender[]
  reason: string
  /** Equal priorities decided by name: the admin should set an explicit priority. */
  tie: boolean
  /** How many users (or devices) the conflict reaches, where it was computed over a target. */
  reach?: number
}

export interface ItemRef {
  kind: PayloadKind
  identifier: string
  name: string
  policyName: string
}

/** What a change does to one device (deviceId null: a hypothetical user's device). */
export interface DeviceDelta {
  deviceId: string | null
  deviceName: string
  userId: string | null
  userPrincipalName: string | null
  platform: Platform
  groupsGained: string[]
  groupsLost: string[]
  install: ItemRef[]
  remove: ItemRef[]
  /** Withdrawn from management but left installed (apps not flagged for removal). */
  unmanage: ItemRef[]
  /** Installs waiting for the device (never fetched) that the change cancels instead of removing. */
  cancel?: ItemRef[]
  restrictions: boolean
  /** Payload variables the user's attributes cannot fill: the item is not sent. */
  unresolved: { item: string; variable: string }[]
  conflicts: Conflict[]
}

export type ProposedChange =
  /** A rule edit: the group's new rule in its (possibly new) dialect. */
  | { kind: 'rule'; groupId: string; rule: string; dialect: Dialect }
  | { kind: 'target'; policyId: string; groupId: string; mode: TargetMode | null }
  | { kind: 'policy'; draft: PolicyDraft }
  | { kind: 'deletePolicy'; policyId: string }
  | { kind: 'renamePolicy'; policyId: string; name: string }
  /** A rule-based group removed: its targets go with it, so its members lose what only it gave them. */
  | { kind: 'deleteGroup'; groupId: string }
  | { kind: 'renameGroup'; groupId: string; name: string }
  /** An app removed from the inventory: every policy's assignment of it goes too. */
  | { kind: 'deleteApp'; platform: Platform; identifier: string }
  /** The attribute would take its value from another directory attribute (null: unmapped). */
  | { kind: 'attributeMapping'; attribute: string; source: string | null }
  | { kind: 'user'; attributes: Attributes; platform: Platform; syncedGroupIds?: string[] }

export interface UserGroupDelta {
  userId: string | null
  userPrincipalName: string
  groupsGained: string[]
  groupsLost: string[]
}

export interface WhatIf {
  summary: string
  users: UserGroupDelta[]
  devices: DeviceDelta[]
  totals: {
    usersAffected: number
    devicesAffected: number
    devicesWithdrawn: number
    installs: number
    removals: number
    devicesTotal: number
  }
  /** Whether applying it would trip the circuit breaker and be held for approval. */
  wouldHold: boolean
  /** Lists are cut at this many rows; totals count everything. */
  truncated: boolean
}

export type HeldChangeCause = 'sync' | 'rule-edit' | 'target-edit' | 'policy-edit'
export type HeldChangeStatus = 'held' | 'approved' | 'rejected'

export interface HeldChange {
  id: string
  createdAt: string
  cause: HeldChangeCause
  summary: string
  status: HeldChangeStatus
  decidedAt: string | null
  /** The admin edit to apply on approval; null for a sync (its directory data is already stored). */
  change: ProposedChange | null
  devicesAffected: number
  devicesTotal: number
  threshold: { devices: number; share: number }
  diff: DeviceDelta[]
}

export interface PolicySettings {
  /** Syncs that must confirm a user is still out of a group before its policies are withdrawn. */
  graceSyncs: number
  /** Minutes that must also pass after the user left. */
  graceMinutes: number
  /** Hold a change that would withdraw policies from more than this many devices… */
  breakerDevices: number
  /** …or from more than this share (0–1) of bound devices. */
  breakerShare: number
  /** Hold a directory sync that would remove more than this share (0–1) of the directory's memberships… */
  syncHoldMembershipShare: number
  /** …or more than this share (0–1) of its users… */
  syncHoldUserShare: number
  /** …counting a share only once the directory has at least this many memberships (users): on a tiny one a share means little. */
  syncHoldMinimum: number
}

export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  graceSyncs: 1,
  graceMinutes: 0,
  breakerDevices: 20,
  breakerShare: 0.1,
  syncHoldMembershipShare: 0.2,
  syncHoldUserShare: 0.1,
  syncHoldMinimum: 20,
}

export type WhyStepKind =
  | 'attributes'
  | 'rule'
  | 'membership'
  | 'grace'
  | 'target'
  | 'platform'
  | 'conflict'
  | 'variables'
  | 'command'
  | 'hold'

/** One link of the chain attribute values → rule clause → group → policy → conflict outcome → command. */
export interface WhyStep {
  step: WhyStepKind
  outcome: 'pass' | 'fail' | 'info'
  text: string
  values?: Record<string, AttributeValue>
}

export type AssignmentAction = 'granted' | 'changed' | 'withdrawn' | 'held' | 'released'

export interface AssignmentEvent {
  id: number
  deviceId: string
  at: string
  policyId: string
  policyName: string
  action: AssignmentAction
  summary: string
  steps: WhyStep[]
  commands: { type: string; item: string }[]
}

export type PolicyStatus = 'assigned' | 'not-assigned' | 'pending-withdrawal' | 'held' | 'withdrawn-kept'

export interface PolicyWhy {
  deviceId: string
  policyId: string
  policyName: string
  status: PolicyStatus
  summary: string
  steps: WhyStep[]
  items: {
    key: string
    name: string
    kind: PayloadKind
    outcome: 'sent' | 'lost-conflict' | 'other-platform' | 'unresolved' | 'merged'
    detail: string
  }[]
  history: AssignmentEvent[]
}

/** What saving an admin change did: applied (and how many devices got commands), or held for approval. */
export type ChangeOutcome =
  | { status: 'applied'; policy: Policy | null; devicesUpdated: number }
  | { status: 'held'; heldChange: HeldChange }

/** A policy's configuration profile for one Apple platform, as the editor previews it (secrets masked). */
export interface ProfilePreview {
  platform: Platform
  /** The .mobileconfig XML; null when the policy has nothing that is a profile on the platform. */
  xml: string | null
  /** Payload identifiers and types in the profile, in order. */
  payloads: { identifier: string; type: string }[]
  /** Variables left as {{user.x}} placeholders (filled per user on the device). */
  unfilled: string[]
  problems: string[]
}
