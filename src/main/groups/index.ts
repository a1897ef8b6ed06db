// The groups room: who is in which group. Rule-based memberships are evaluated locally the
// moment a user's attributes are known; synced memberships come from the directory as-is.
import type { Attributes, Dialect, MembershipExplanation, UserMembership } from '../../shared/domain'
import type { WhyStep } from '../../shared/policy'
import { AppError } from '../../shared/errors'
import { compileRule, GROUP_IDS, GROUP_NAMES, type CompiledRule, type CompileResult, type RuleInput } from '../rules'
import type { PendingWithdrawal, RuleGroup, Store } from '../store'
import type { Clock, IdSource } from '../ports'
import { decideMembership } from './decide'
import { explainMembership } from './explain'
import { createRuleGroups, type RuleGroups } from './rule-groups'
import { isMatured, membershipChain, type Grace } from './withdrawal'

export { decideMembership } from './decide'
export { isMatured, membershipChain, type Grace } from './withdrawal'

export interface EvaluateOptions {
  /**
   * Whether leaving a group waits for the grace period (default): true for directory data,
   * false for a deliberate admin edit (a rule edit), which the circuit breaker guards instead.
   */
  grace?: boolean
}

export interface MembershipService {
  /** Re-evaluates every rule group for one user; returns whether any effective membership changed. */
  evaluateUser(userId: string, opts?: EvaluateOptions): boolean
  /** Re-evaluates one rule group for every user; returns the users whose membership changed. */
  evaluateGroup(groupId: string, opts?: EvaluateOptions): string[]
  /** What rules read for every user at once, keyed by user id; limited to these attributes when given. */
  allInputs(attributes?: readonly string[]): Map<string, { userPrincipalName: string; input: RuleInput }>
  /**
   * Evaluates many users at once (a directory sync), reading the rule groups once per batch.
   * `isNew` with `input` (a user just inserted, with no memberships yet) skips every read.
   * Returns the users whose effective memberships changed.
   */
  evaluateUsers(batch: { userId: string; input?: Attributes; isNew?: boolean }[]): Set<string>
  /** Replaces a user's synced-group memberships with exactly these groups. */
  setSyncedGroups(userId: string, groupIds: string[]): boolean
  /** Groups whose policies apply: effective memberships plus groups left within the grace period. */
  effectiveGroupIds(userId: string): Set<string>
  /** The same for every user at once (recompute of many devices). */
  allEffectiveGroupIds(): Map<string, Set<string>>
  /** Groups the user left whose withdrawal still waits for the grace period. */
  pendingWithdrawals(userId: string): (PendingWithdrawal & { matured: boolean })[]
  /** Users with a withdrawal whose grace period is over: their devices need recomputing. */
  usersWithMaturedWithdrawals(): string[]
  /** Forgets matured withdrawals of these users once their devices were recomputed. */
  settleWithdrawals(userIds: Iterable<string>): void
  /** The chain attribute values → rule clause → membership, for the "why" of an assignment. */
  chain(userId: string, groupId: string, attributes?: Attributes): WhyStep[]
  explain(userId: string, groupId: string): MembershipExplanation
  /** The rule editor's operations: check, preview, explain, create and change rule groups. */
  rules: RuleGroups
}

export function createMembershipService({ store, clock, ids, grace }: { store: Store; clock: Clock; ids: IdSource; grace: () => Grace }): MembershipService {
  const compiled = new Map<string, CompiledRule | null>()

  /**
   * What rules read about a user: the synced attributes, plus the user's synced groups under the
   * reserved keys Okta's group functions (isMemberOfGroupName, …) and Entra's memberOf read. Only
   * synced groups: Okta rules must not cascade from other rules' groups (directory.md §4.2).
   */
  /**
   * What rules read for every user at once (attributes, identity fields, synced groups). Given the
   * attributes the rules read, only those are loaded: absent and unloaded read the same to them.
   */
  const allInputs = (attributes?: readonly string[]): Map<string, { userPrincipalName: string; input: RuleInput }> => {
    const synced = store.assignments.allSyncedMemberships()
    const out = new Map<string, { userPrincipalName: string; input: RuleInput }>()
    for (const [userId, u] of attributes ? store.assignments.ruleInputsOf(attributes) : store.assignments.allRuleInputs()) {
      const s = synced.get(userId)
      out.set(userId, { userPrincipalName: u.userPrincipalName, input: Object.assign(u.attributes, { [GROUP_NAMES]: s?.names ?? [], [GROUP_IDS]: s?.ids ?? [] }) })
    }
    return out
  }

  const inputOf = (userId: string): RuleInput => {
    const synced = store.groups.membershipsOf(userId).filter((m) => m.groupKind === 'synced' && m.effective)
    return { ...store.users.ruleInput(userId), [GROUP_NAMES]: synced.map((m) => m.groupName), [GROUP_IDS]: synced.map((m) => m.groupId) }
  }

  // Compiled once per rule text: a rule edit gets a new key, an unchanged rule is never re-parsed.
  const compiledRule = (g: RuleGroup): CompiledRule | null => {
    const key = `${g.id}\u0000${g.dialect}\u0000${g.rule}`
    if (!compiled.has(key)) {
      const c = compileRule(g.dialect, g.rule)
      compiled.set(key, c.ok ? c.rule : null)
    }
    return compiled.get(key) ?? null
  }

  const compileResults = new Map<string, CompileResult>()
  const cachedCompile = (dialect: Dialect, rule: string): CompileResult => {
    const key = `${dialect}\u0000${rule}`
    let r = compileResults.get(key)
    if (!r) {
      r = compileRule(dialect, rule)
      compileResults.set(key, r)
    }
    return r
  }

  const effectiveSignature = (ms: UserMembership[]): string =>
    ms
      .filter((m) => m.effective)
      .map((m) => m.groupId)
      .sort()
      .join(',')

  // Leaving an effective membership starts a pending withdrawal (when grace applies); coming
  // back cancels it, so a flapping membership never withdraws anything.
  const leave = (userId: string, groupId: string, wasEffective: boolean, at: string, withGrace: boolean): void => {
    store.groups.removeMembership(userId, groupId)
    if (wasEffective && withGrace) store.assignments.putWithdrawal(userId, groupId, at)
  }
  const enter = (userId: string, decided: { groupId: string; effective: boolean }, record: () => void): void => {
    record()
    if (decided.effective) store.assignments.dropWithdrawal(userId, decided.groupId)
  }

  const evaluateAgainst = (userId: string, groups: RuleGroup[], withGrace: boolean): void => {
    const attrs = inputOf(userId)
    const previous = new Map(store.groups.membershipsOf(userId).map((m) => [m.groupId, m]))
    const now = clock.now()
    const at = now.toISOString()
    for (const g of groups) {
      const rule = compiledRule(g)
      // A rule that does not compile leaves memberships as they were; the Groups page shows the error.
      if (!rule) continue
      const prior = previous.get(g.id)
      const decided = decideMembership(g.id, rule.evaluate(attrs, now), prior)
      if (decided) enter(userId, decided, () => store.groups.setMembership(userId, decided, at))
      else if (prior) leave(userId, g.id, prior.effective, at, withGrace)
    }
  }

  const evaluateUser = (userId: string, opts: EvaluateOptions = {}): boolean => {
    const before = store.groups.membershipsOf(userId)
    evaluateAgainst(userId, store.groups.ruleGroups(), opts.grace ?? true)
    return effectiveSignature(before) !== effectiveSignature(store.groups.membershipsOf(userId))
  }

  const matured = (w: PendingWithdrawal, now: Date): boolean => isMatured(w, grace(), now)

  const evaluateGroup: MembershipService['evaluateGroup'] = (groupId, opts = {}) => {
      const group = store.groups.ruleGroups().find((g) => g.id === groupId)
      if (!group) throw new AppError('NOT_FOUND', `No rule group with id ${groupId}.`, { groupId })
      const rule = compiledRule(group)
      if (!rule) return []
      // One pass over every user's attributes in bulk; only memberships that change are written.
      const members = store.assignments.membersOfGroup(groupId)
      const now = clock.now()
      const at = now.toISOString()
      const changed: string[] = []
      for (const [userId, u] of allInputs(rule.attributes)) {
        const prior = members.get(userId)
        const decided = decideMembership(groupId, rule.evaluate(u.input, now), prior)
        if (decided) {
          if (prior && prior.state === decided.state && prior.effective === decided.effective && prior.missing === JSON.stringify(decided.missing)) continue
          enter(userId, decided, () => store.groups.setMembership(userId, decided, at))
          if (prior?.state !== decided.state || prior.effective !== decided.effective) changed.push(userId)
        } else if (prior) {
          leave(userId, groupId, prior.effective, at, opts.grace ?? true)
          changed.push(userId)
        }
      }
      return changed
  }

  const evaluateUsers: MembershipService['evaluateUsers'] = (batch) => {
    const groups = store.groups.ruleGroups()
    const compiledGroups = groups.flatMap((g) => {
      const rule = compiledRule(g)
      return rule ? [{ id: g.id, rule }] : []
    })
    const changed = new Set<string>()
    const now = clock.now()
    const at = now.toISOString()
    for (const { userId, input, isNew } of batch) {
      if (isNew && input) {
        // A new user has no memberships, withdrawals or synced groups yet: nothing to read.
        const attrs: RuleInput = { ...input, [GROUP_NAMES]: [], [GROUP_IDS]: [] }
        for (const { id, rule } of compiledGroups) {
          const decided = decideMembership(id, rule.evaluate(attrs, now), undefined)
          if (!decided) continue
          store.groups.setMembership(userId, decided, at)
          if (decided.effective) changed.add(userId)
        }
        continue
      }
      const before = store.groups.membershipsOf(userId)
      evaluateAgainst(userId, groups, true)
      if (effectiveSignature(before) !== effectiveSignature(store.groups.membershipsOf(userId))) changed.add(userId)
    }
    return changed
  }

  return {
    evaluateUser,
    evaluateGroup,
    allInputs,
    evaluateUsers,
    rules: createRuleGroups({ store, clock, ids, inputOf, evaluateGroup: (groupId) => evaluateGroup(groupId, { grace: false }) }),
    setSyncedGroups(userId: string, groupIds: string[]): boolean {
      const synced = new Set(store.groups.syncedGroups().map((g) => g.id))
      const wanted = new Set(groupIds)
      const current = store.groups.membershipsOf(userId).filter((m) => synced.has(m.groupId))
      const at = clock.now().toISOString()
      let changed = false
      for (const m of current) {
        if (!wanted.has(m.groupId)) {
          leave(userId, m.groupId, m.effective, at, true)
          changed = true
        }
      }
      const have = new Set(current.map((m) => m.groupId))
      for (const groupId of wanted) {
        if (have.has(groupId)) continue
        enter(userId, { groupId, effective: true }, () => store.groups.setMembership(userId, { groupId, state: 'in', effective: true, missing: [] }, at))
        changed = true
      }
      return changed
    },
    effectiveGroupIds(userId: string): Set<string> {
      const now = clock.now()
      const ids = new Set(store.groups.membershipsOf(userId).filter((m) => m.effective).map((m) => m.groupId))
      for (const w of store.assignments.withdrawalsOf(userId)) if (!matured(w, now)) ids.add(w.groupId)
      return ids
    },
    allEffectiveGroupIds() {
      const now = clock.now()
      const all = store.assignments.allEffectiveGroups()
      for (const w of store.assignments.withdrawals()) {
        if (matured(w, now)) continue
        const set = all.get(w.userId)
        if (set) set.add(w.groupId)
        else all.set(w.userId, new Set([w.groupId]))
      }
      return all
    },
    pendingWithdrawals(userId) {
      const now = clock.now()
      return store.assignments.withdrawalsOf(userId).map((w) => ({ ...w, matured: matured(w, now) }))
    },
    usersWithMaturedWithdrawals() {
      const now = clock.now()
      return [...new Set(store.assignments.withdrawals().filter((w) => matured(w, now)).map((w) => w.userId))]
    },
    settleWithdrawals(userIds) {
      const now = clock.now()
      for (const userId of new Set(userIds)) {
        for (const w of store.assignments.withdrawalsOf(userId)) if (matured(w, now)) store.assignments.dropWithdrawal(userId, w.groupId)
      }
    },
    chain(userId, groupId, attributes) {
      const group = store.assignments.groupBrief(groupId)
      if (!group) return [{ step: 'membership', outcome: 'fail', text: `Group ${groupId} no longer exists.` }]
      const membership = store.groups.membershipsOf(userId).find((m) => m.groupId === groupId)
      const pending = store.assignments.withdrawalsOf(userId).find((w) => w.groupId === groupId)
      return membershipChain({
        group,
        membership,
        pending: pending ? { ...pending, matured: matured(pending, clock.now()) } : undefined,
        attributes: attributes ?? inputOf(userId),
        compile: cachedCompile,
        grace: grace(),
        now: clock.now(),
      })
    },
    explain(userId: string, groupId: string): MembershipExplanation {
      const group = store.groups.get(groupId)
      if (!group) throw new AppError('NOT_FOUND', `No group with id ${groupId}.`, { groupId })
      if (!store.users.summary(userId)) throw new AppError('NOT_FOUND', `No user with id ${userId}.`, { userId })
      const membership = store.groups.membershipsOf(userId).find((m) => m.groupId === groupId)
      return explainMembership({
        userId,
        group,
        membership,
        attributes: inputOf(userId),
        compile: (dialect, rule) => compileRule(dialect, rule),
        now: clock.now(),
      })
    },
  }
}
