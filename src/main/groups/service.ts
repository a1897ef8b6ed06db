// The groups room's service as other rooms and its channels see it (index.ts builds it).
import type { Attributes, Dialect, MembershipExplanation } from '../../shared/domain'
import type { WhyStep } from '../../shared/policy'
import type { RuleInput } from '../rules'
import type { PendingWithdrawal, RuleGroup, RuleMembership } from '../store'
import type { RuleGroups } from './rule-groups'

/** What rules read for one user, with the directory that decides which rule groups apply. */
export interface UserInput {
  userPrincipalName: string
  directoryId: string | null
  input: RuleInput
}

/**
 * A rule group reads the users of its own directory only; a group no directory owns (made in
 * the rule editor) reads every directory's users.
 */
export const ruleGroupApplies = (group: { directoryId: string | null }, userDirectoryId: string | null): boolean =>
  group.directoryId === null || group.directoryId === userDirectoryId

export interface EvaluateOptions {
  /**
   * Whether leaving a group waits for the grace period (default): true for directory data,
   * false for a deliberate admin edit (a rule edit), which the circuit breaker guards instead.
   */
  grace?: boolean
}

export interface GroupService {
  /** Re-evaluates every rule group for one user; returns whether any effective membership changed. */
  evaluateUser(userId: string, opts?: EvaluateOptions): boolean
  /** Re-evaluates one rule group for every user; returns the users whose membership changed. */
  evaluateGroup(groupId: string, opts?: EvaluateOptions): string[]
  /** What rules read for every user at once, keyed by user id; limited to these attributes when given. */
  allInputs(attributes?: readonly string[]): Map<string, UserInput>
  /**
   * Evaluates many users at once (a directory sync) against these rule groups (default: read
   * now; a sync reads them once and passes them to every batch).
   * `input` (the user's attributes as store.users.ruleInput reads them) saves reading them;
   * with `isNew` (a user just inserted, with no memberships yet) nothing is read at all.
   * Returns the users whose effective memberships changed.
   */
  evaluateUsers(batch: { userId: string; input?: Attributes; isNew?: boolean }[], groups?: RuleGroup[]): Set<string>
  /**
   * The rule-group memberships of users not stored yet (a sync writing them elsewhere), decided
   * from their attributes alone; nothing is read or written.
   */
  decideNewUsers(
    batch: { userId: string; input: Attributes }[],
    groups: RuleGroup[],
  ): { userId: string; memberships: RuleMembership[] }[]
  /** Replaces a user's synced-group memberships with exactly these groups. */
  setSyncedGroups(userId: string, groupIds: string[]): boolean
  /** Groups whose policies apply: effective memberships plus groups left within the grace period. */
  /** `grace`: the user's graceGroupIds when the caller read them already. */
  effectiveGroupIds(userId: string, grace?: ReadonlySet<string>): Set<string>
  /** The same for every user at once (recompute of many devices). */
  allEffectiveGroupIds(): Map<string, Set<string>>
  /** Groups the user left whose withdrawal still waits for the grace period (a subset of effectiveGroupIds). */
  graceGroupIds(userId: string): Set<string>
  /** The same for every user at once; users without any are absent. */
  allGraceGroupIds(): Map<string, Set<string>>
  /**
   * Rule groups whose membership is unknown (an attribute the rule reads is missing) and still
   * effective because the user was last in: they keep what a device has and grant nothing new.
   */
  unknownGroupIds(userId: string): Set<string>
  /** The same for every user at once; users without any are absent. */
  allUnknownGroupIds(): Map<string, Set<string>>
  /** Groups the user left whose withdrawal still waits for the grace period. */
  pendingWithdrawals(userId: string): (PendingWithdrawal & { matured: boolean })[]
  /** Users with a withdrawal whose grace period is over: their devices need recomputing. */
  usersWithMaturedWithdrawals(): string[]
  /** Forgets matured withdrawals of these users once their devices were recomputed. */
  settleWithdrawals(userIds: Iterable<string>): void
  /** The chain attribute values → rule clause → membership, for the "why" of an assignment. */
  chain(userId: string, groupId: string, attributes?: Attributes): WhyStep[]
  explain(userId: string, groupId: string): MembershipExplanation
  /**
   * Saves a rule group's new rule and re-evaluates every user's membership in it, withdrawing at
   * once (no grace: a deliberate edit). Only the policy service's apply and approve call this,
   * after the circuit breaker's check; returns the users whose effective membership changed.
   */
  replaceRule(groupId: string, dialect: Dialect, rule: string): string[]
  /** The rule editor's operations: check, preview, explain and create rule groups. */
  rules: RuleGroups
}
