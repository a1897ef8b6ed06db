// The groups room: who is in which group. Rule-based memberships are evaluated locally the
// moment a user's attributes are known; synced memberships come from the directory as-is.
import type { Attributes, Dialect, MembershipExplanation } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import {
  compileOrFail,
  compileRule,
  copyAttributes,
  GROUP_IDS,
  GROUP_NAMES,
  type CompiledRule,
  type CompileResult,
  type RuleInput,
} from '../rules'
import type { MembershipRecord, PendingWithdrawal, RuleGroup, RuleMembership, Store } from '../store'
import type { Clock, IdSource } from '../ports'
import { decideMembership, newMembership, type RuleOutcome } from './decide'
import { explainMembership } from './explain'
import { createRuleGroups } from './rule-groups'
import { isMatured, membershipChain, type Grace } from './withdrawal'

export { decideMembership } from './decide'
export { isMatured, membershipChain, type Grace } from './withdrawal'
export { ruleGroupApplies, type EvaluateOptions, type GroupService, type UserInput } from './service'
export { groupDetail, groupHandlers } from './handlers'
import { ruleGroupApplies, type EvaluateOptions, type GroupService, type UserInput } from './service'

interface GroupWithRule {
  group: RuleGroup
  rule: CompiledRule | null
}

interface CompiledGroups {
  list: { id: string; rule: CompiledRule; slot: number }[]
  /** Scratch: the current user's evaluation of each distinct rule, by slot. */
  outcomes: (RuleOutcome | undefined)[]
}

/** A new user belongs to no synced group; rules only read these. */
const NO_GROUPS: string[] = Object.freeze([]) as unknown as string[]

export function createGroupService({
  store,
  clock,
  ids,
  grace,
}: {
  store: Store
  clock: Clock
  ids: IdSource
  grace: () => Grace
}): GroupService {
  const compiled = new Map<string, CompiledRule | null>()

  /**
   * What rules read about a user: the synced attributes, plus the user's synced groups under the
   * reserved keys Okta's group functions (isMemberOfGroupName, …) and Entra's memberOf read. Only
   * synced groups: Okta rules must not cascade from other rules' groups (Okta, "Group rule
   * restrictions": a rule referencing a group another rule fills "must be avoided").
   */
  /**
   * What rules read for every user at once (attributes, identity fields, synced groups). Given the
   * attributes the rules read, only those are loaded: absent and unloaded read the same to them.
   */
  const allInputs = (attributes?: readonly string[]): Map<string, UserInput> => {
    const synced = store.bulkReads.allSyncedMemberships()
    const directories = store.users.directories()
    const out = new Map<string, UserInput>()
    for (const [userId, u] of attributes ? store.bulkReads.ruleInputsOf(attributes) : store.bulkReads.allRuleInputs()) {
      const s = synced.get(userId)
      out.set(userId, {
        userPrincipalName: u.userPrincipalName,
        directoryId: directories.get(userId) ?? null,
        input: Object.assign(u.attributes, { [GROUP_NAMES]: s?.names ?? [], [GROUP_IDS]: s?.ids ?? [] }),
      })
    }
    return out
  }

  const inputOf = (userId: string): RuleInput => {
    const synced = store.groups.syncedGroupsOf(userId)
    return { ...store.users.ruleInput(userId), [GROUP_NAMES]: synced.names, [GROUP_IDS]: synced.ids }
  }

  // Compiled once per rule text: a rule edit gets a new key, an unchanged rule is never re-parsed,
  // and groups sharing a rule share one compiled rule (evaluateUsers evaluates it once per user).
  const compiledRule = (g: RuleGroup): CompiledRule | null => {
    const key = `${g.dialect}\u0000${g.rule}`
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

  // Leaving an effective membership starts a pending withdrawal (when grace applies); coming
  // back cancels it, so a flapping membership never withdraws anything.
  const left = (userId: string, groupId: string, wasEffective: boolean, at: string, withGrace: boolean): void => {
    if (wasEffective && withGrace) store.withdrawals.put(userId, groupId, at)
  }
  const entered = (userId: string, groupId: string, wasEffective: boolean): void => {
    if (!wasEffective) store.withdrawals.drop(userId, groupId)
  }
  const sameMembership = (a: RuleMembership, b: MembershipRecord): boolean =>
    a.state === b.state &&
    a.effective === b.effective &&
    a.missing.length === b.missing.length &&
    a.missing.every((x, i) => x === b.missing[i])

  /**
   * Evaluates these rule groups for one user and writes the user's rule memberships once, if they
   * changed. Returns whether any effective membership changed. Given the user's attributes (as
   * store.users.ruleInput reads them), only the synced groups are read.
   */
  const evaluateAgainst = (
    userId: string,
    groups: readonly GroupWithRule[],
    withGrace: boolean,
    input?: Attributes,
  ): boolean => {
    let attrs: RuleInput
    if (input) {
      const synced = store.groups.syncedGroupsOf(userId)
      attrs = { ...input, [GROUP_NAMES]: synced.names, [GROUP_IDS]: synced.ids }
    } else attrs = inputOf(userId)
    const previous = store.groups.ruleMembershipsOf(userId)
    const prior = new Map(previous.map(m => [m.groupId, m]))
    const directoryId = groups.some(({ group }) => group.directoryId !== null) ? store.users.directoryOf(userId) : null
    const now = clock.now()
    const at = now.toISOString()
    const next: RuleMembership[] = []
    const evaluated = new Set<string>()
    let written = false
    let effectiveChanged = false
    // Groups sharing a rule share its outcome.
    const outcomes = new Map<CompiledRule, RuleOutcome>()
    for (const { group: g, rule } of groups) {
      if (!ruleGroupApplies(g, directoryId)) {
        // Another directory's group: a membership there (from before groups were scoped) goes.
        const p = prior.get(g.id)
        evaluated.add(g.id)
        if (p) {
          written = true
          effectiveChanged ||= p.effective
          left(userId, g.id, p.effective, at, false)
        }
        continue
      }
      // A rule that does not compile leaves memberships as they were; the Groups page shows the error.
      if (!rule) continue
      evaluated.add(g.id)
      const p = prior.get(g.id)
      let outcome = outcomes.get(rule)
      if (!outcome) outcomes.set(rule, (outcome = rule.evaluate(attrs, now)))
      const decided = decideMembership(g.id, outcome, p)
      if (decided) {
        const same = p !== undefined && sameMembership(p, decided)
        next.push(same ? p : { ...decided, updatedAt: at })
        written ||= !same
        // Unknown and in are both effective, but only in grants a device something new.
        if (decided.effective !== (p?.effective ?? false) || (decided.effective && decided.state !== p?.state))
          effectiveChanged = true
        if (decided.effective) entered(userId, g.id, p?.effective ?? false)
      } else if (p) {
        written = true
        effectiveChanged ||= p.effective
        left(userId, g.id, p.effective, at, withGrace)
      }
    }
    for (const p of previous) if (!evaluated.has(p.groupId)) next.push(p)
    if (written) store.groups.setRuleMemberships(userId, next, at)
    return effectiveChanged
  }

  /** Writes one rule group's membership of a user (null: out), keeping the user's others. */
  const putRuleMembership = (userId: string, groupId: string, m: RuleMembership | null, at: string): void => {
    const others = store.groups.ruleMembershipsOf(userId).filter(x => x.groupId !== groupId)
    store.groups.setRuleMemberships(userId, m ? [...others, m] : others, at)
  }

  const evaluateUser = (userId: string, opts: EvaluateOptions = {}): boolean =>
    evaluateAgainst(userId, withRules(store.groups.ruleGroups(store.users.directoryOf(userId))), opts.grace ?? true)

  const matured = (w: PendingWithdrawal, now: Date): boolean => isMatured(w, grace(), now)
  /** The same test for many withdrawals: the grace settings are read once, not once per withdrawal. */
  const maturedAt = (now: Date): ((w: PendingWithdrawal) => boolean) => {
    const g = grace()
    return w => isMatured(w, g, now)
  }

  /** Groups the user left whose withdrawal still waits for its grace period. */
  const graceGroupIds = (userId: string): Set<string> => {
    const isMature = maturedAt(clock.now())
    return new Set(
      store.withdrawals
        .of(userId)
        .filter(w => !isMature(w))
        .map(w => w.groupId),
    )
  }

  const allGraceGroupIds = (): Map<string, Set<string>> => {
    const isMature = maturedAt(clock.now())
    const all = new Map<string, Set<string>>()
    for (const w of store.withdrawals.all()) {
      if (isMature(w)) continue
      const set = all.get(w.userId)
      if (set) set.add(w.groupId)
      else all.set(w.userId, new Set([w.groupId]))
    }
    return all
  }

  const evaluateGroup: GroupService['evaluateGroup'] = (groupId, opts = {}) => {
    const group = store.groups.ruleGroups().find(g => g.id === groupId)
    if (!group) throw new AppError('NOT_FOUND', `No rule group with id ${groupId}.`, { groupId })
    const rule = compiledRule(group)
    if (!rule) return []
    // One pass over every user's attributes in bulk; only memberships that change are written.
    const members = store.bulkReads.membersOfGroup(groupId)
    const now = clock.now()
    const at = now.toISOString()
    const changed: string[] = []
    for (const [userId, u] of allInputs(rule.attributes)) {
      const prior = members.get(userId)
      const decided = ruleGroupApplies(group, u.directoryId)
        ? decideMembership(groupId, rule.evaluate(u.input, now), prior)
        : null
      if (decided) {
        if (
          prior &&
          prior.state === decided.state &&
          prior.effective === decided.effective &&
          prior.missing === JSON.stringify(decided.missing)
        )
          continue
        putRuleMembership(userId, groupId, { ...decided, updatedAt: at }, at)
        if (decided.effective) entered(userId, groupId, prior?.effective ?? false)
        if (prior?.state !== decided.state || prior.effective !== decided.effective) changed.push(userId)
      } else if (prior) {
        putRuleMembership(userId, groupId, null, at)
        left(userId, groupId, prior.effective, at, opts.grace ?? true)
        changed.push(userId)
      }
    }
    return changed
  }

  /** Each group with its compiled rule (null: it does not compile), looked up once per batch, not per user. */
  const withRules = (groups: readonly RuleGroup[]): GroupWithRule[] =>
    groups.map(group => ({ group, rule: compiledRule(group) }))

  /**
   * The groups whose rules compile, each with the slot of its rule: groups sharing a rule share
   * its evaluation (a first sync decides millions of memberships), kept in `outcomes`, one array
   * reused for every user instead of a map made per user.
   */
  const compiledGroupsOf = (groups: RuleGroup[]): CompiledGroups => {
    const slots = new Map<CompiledRule, number>()
    const list = groups.flatMap(g => {
      const rule = compiledRule(g)
      if (!rule) return []
      let slot = slots.get(rule)
      if (slot === undefined) slots.set(rule, (slot = slots.size))
      return [{ id: g.id, rule, slot }]
    })
    return { list, outcomes: new Array<RuleOutcome | undefined>(slots.size) }
  }

  /** A new user has no memberships, withdrawals or synced groups yet: nothing to read. */
  const decideNew = (input: Attributes, compiled: CompiledGroups, now: Date, at: string): RuleMembership[] => {
    const attrs: Record<string, unknown> = copyAttributes<unknown>(input)
    attrs[GROUP_NAMES] = NO_GROUPS
    attrs[GROUP_IDS] = NO_GROUPS
    const { outcomes } = compiled
    outcomes.fill(undefined)
    const list: RuleMembership[] = []
    for (const { id, rule, slot } of compiled.list) {
      let outcome = outcomes[slot]
      if (outcome === undefined) outcomes[slot] = outcome = rule.evaluate(attrs, now)
      const m = newMembership(id, outcome, at)
      if (m) list.push(m)
    }
    return list
  }

  const decideNewUsers: GroupService['decideNewUsers'] = (batch, groups) => {
    const compiledGroups = compiledGroupsOf(groups)
    const now = clock.now()
    const at = now.toISOString()
    return batch.map(({ userId, input }) => ({ userId, memberships: decideNew(input, compiledGroups, now, at) }))
  }

  const evaluateUsers: GroupService['evaluateUsers'] = (batch, groups = store.groups.ruleGroups()) => {
    const compiledGroups = compiledGroupsOf(groups)
    const all = withRules(groups)
    const changed = new Set<string>()
    const now = clock.now()
    const at = now.toISOString()
    for (const { userId, input, isNew } of batch) {
      if (isNew && input) {
        const list = decideNew(input, compiledGroups, now, at)
        store.groups.insertRuleMemberships(userId, list, at)
        if (list.some(m => m.effective)) changed.add(userId)
        continue
      }
      if (evaluateAgainst(userId, all, true, input)) changed.add(userId)
    }
    return changed
  }

  return {
    evaluateUser,
    evaluateGroup,
    allInputs,
    evaluateUsers,
    decideNewUsers,
    rules: createRuleGroups({
      store,
      clock,
      ids,
      inputOf,
      allInputs: () => allInputs(),
      evaluateGroup: groupId => evaluateGroup(groupId, { grace: false }),
    }),
    replaceRule(groupId, dialect, rule) {
      compileOrFail(dialect, rule)
      store.groups.setRule(groupId, dialect, rule)
      return evaluateGroup(groupId, { grace: false })
    },
    setSyncedGroups(userId: string, groupIds: string[]): boolean {
      const synced = new Set(store.groups.syncedGroups().map(g => g.id))
      const wanted = new Set(groupIds)
      const current = store.groups.membershipsOf(userId).filter(m => synced.has(m.groupId))
      const at = clock.now().toISOString()
      let changed = false
      for (const m of current) {
        if (!wanted.has(m.groupId)) {
          store.groups.removeMembership(userId, m.groupId)
          left(userId, m.groupId, m.effective, at, true)
          changed = true
        }
      }
      const have = new Set(current.map(m => m.groupId))
      for (const groupId of wanted) {
        if (have.has(groupId)) continue
        store.groups.setMembership(userId, { groupId, state: 'in', effective: true, missing: [] }, at)
        entered(userId, groupId, false)
        changed = true
      }
      return changed
    },
    effectiveGroupIds(userId: string, grace: ReadonlySet<string> = graceGroupIds(userId)): Set<string> {
      const ids = new Set(store.groups.effectiveGroupIdsOf(userId))
      for (const id of grace) ids.add(id)
      return ids
    },
    allEffectiveGroupIds() {
      const all = store.bulkReads.allEffectiveGroups()
      for (const [userId, grace] of allGraceGroupIds()) {
        const set = all.get(userId)
        if (set) for (const id of grace) set.add(id)
        else all.set(userId, grace)
      }
      return all
    },
    graceGroupIds,
    allGraceGroupIds,
    unknownGroupIds: userId =>
      new Set(
        store.groups
          .ruleMembershipsOf(userId)
          .filter(m => m.state === 'unknown' && m.effective)
          .map(m => m.groupId),
      ),
    allUnknownGroupIds: () => store.bulkReads.keptUnknown(),
    pendingWithdrawals(userId) {
      const now = clock.now()
      return store.withdrawals.of(userId).map(w => ({ ...w, matured: matured(w, now) }))
    },
    usersWithMaturedWithdrawals() {
      const g = grace()
      return store.withdrawals.maturedUserIds(
        g.syncs,
        new Date(clock.now().getTime() - g.minutes * 60_000).toISOString(),
      )
    },
    settleWithdrawals(userIds) {
      const isMature = maturedAt(clock.now())
      for (const userId of new Set(userIds)) {
        for (const w of store.withdrawals.of(userId)) if (isMature(w)) store.withdrawals.drop(userId, w.groupId)
      }
    },
    chain(userId, groupId, attributes) {
      const group = store.bulkReads.groupBrief(groupId)
      if (!group) return [{ step: 'membership', outcome: 'fail', text: `Group ${groupId} no longer exists.` }]
      const membership = store.groups.membershipIn(userId, groupId, group.name)
      const pending = store.withdrawals.one(userId, groupId)
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
      const membership = store.groups.membershipsOf(userId).find(m => m.groupId === groupId)
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
