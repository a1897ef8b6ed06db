// The policies room's service as other rooms and its channels see it (index.ts builds it).
import type { Command, Platform, Policy } from '../../shared/domain'
import type {
  AppInventoryEntry,
  AssignmentEvent,
  ChangeOutcome,
  Conflict,
  HeldChange,
  HeldChangeCause,
  PolicyDraft,
  PolicySettings,
  PolicyWhy,
  ProfilePreview,
  ProposedChange,
  RestrictionDefinition,
  WhatIf,
} from '../../shared/policy'
import type { BoundDevice, SentItem } from '../store'
import type { ApplePlatform, PolicyProfile } from './apple'
import type { DesiredState } from './desired'
import type { DevicePlan } from './diff'

/** One device's recompute: its groups, what it was sent, its desired state and the plan. */
export interface DevicePlanResult {
  device: BoundDevice
  groups: Set<string>
  /** What the device was last sent; null when its desired state is unchanged (the plan is empty). */
  sent: SentItem[] | null
  state: DesiredState
  plan: DevicePlan
  /** The desired state's digest, or null where it depends on the user (variables) or keeps blocked items. */
  digest: string | null
}

/** Which devices to recompute after an admin change was saved. */
export type Redeploy = { kind: 'all' } | { kind: 'users'; userIds: string[] } | { kind: 'devices'; deviceIds: string[] }

export interface PolicyService {
  list(): Policy[]
  get(policyId: string): Policy
  restrictions(): readonly RestrictionDefinition[]
  inventory(): AppInventoryEntry[]
  saveApp(entry: { platform: Platform; identifier: string; name: string; storeId?: number | null }): AppInventoryEntry[]
  setRemoveOnUnassign(itemId: string, value: boolean): Policy
  /**
   * The one writer of rules, targets and policies: validates an admin change, holds it (saving
   * nothing) when it trips the circuit breaker, else saves it and audits it once.
   */
  apply(change: ProposedChange): { outcome: ChangeOutcome; redeploy: Redeploy | null }
  whatIf(change: ProposedChange, limit?: number): WhatIf
  /** The conflicts a policy (saved or draft) takes part in over the users it reaches. */
  conflicts(draft: PolicyDraft): Conflict[]
  /** A policy draft's configuration profile per Apple platform it targets, secrets masked. */
  preview(draft: PolicyDraft): ProfilePreview[]
  /**
   * Every policy's configuration profile per Apple platform (one platform, or both), as a device of
   * the user (by principal name) gets it: only the policies that apply to them, variables filled.
   * Without a user, every policy, with variables left as placeholders.
   */
  profiles(opts: {
    platform?: ApplePlatform
    userPrincipalName?: string
    escrowCertificate?: Uint8Array
    organisation?: string
  }): PolicyProfile[]
  heldChanges(): HeldChange[]
  approve(heldChangeId: string): { heldChange: HeldChange; redeploy: Redeploy }
  reject(heldChangeId: string): HeldChange
  settings(): PolicySettings
  setSettings(patch: Partial<PolicySettings>): PolicySettings
  /**
   * Recompute plans for devices (read-only); devices in a held change are skipped unless approved.
   * `fresh`: the devices were just enrolled, so they get exactly the current policies (grace and
   * unknown memberships keep nothing on them).
   */
  planDevices(deviceIds: readonly string[], opts?: { includeHeld?: boolean; fresh?: boolean }): DevicePlanResult[]
  /**
   * The plan that withdraws everything a device without a user was sent (its user was removed
   * from the directory), recorded in its history once applied (`recordWithdrawal`).
   */
  /** Plans withdrawing every policy from these bound devices (they are about to lose their user). */
  planRelease(deviceIds: readonly string[]): DevicePlanResult[]
  planWithdrawal(deviceId: string): DevicePlan
  recordWithdrawal(deviceId: string, sent: readonly SentItem[], commands: readonly Command[]): void
  /** Holds the plans when they would withdraw policies from too many devices; returns the held change. */
  holdIfTripped(results: readonly DevicePlanResult[], cause: HeldChangeCause): HeldChange | null
  /** Records each assignment change with its chain, and the payload problems, once plans were applied. */
  record(results: readonly DevicePlanResult[], queued: ReadonlyMap<string, Command[]>): void
  why(deviceId: string, policyId: string): PolicyWhy
  /** The policies that apply to the device or were sent to it; with `all`, every policy, each with its why. */
  effective(deviceId: string, opts?: { all?: boolean }): PolicyWhy[]
  history(deviceId: string, limit?: number): AssignmentEvent[]
}
