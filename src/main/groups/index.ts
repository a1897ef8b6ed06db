// The groups room: who is in which group. Rule-based memberships are evaluated locally the
// moment a user's attributes are known; synced memberships come from the directory as-is.
import type { MembershipExplanation, UserMembership } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { compileRule, GROUP_IDS, GROUP_NAMES, type CompiledRule, type RuleInput } from '../rules'
import type { RuleGroup, Store } from '../store'
import type { Clock, IdSource } from '../ports'
import { decideMembership } from './decide'
import { explainMembership } from './explain'
import { createRuleGroups, type RuleGroups } from './rule-groups'

export { decideMembership } from './decide'

export interface MembershipService {
  /** Re-evaluates every rule group for one user; returns whether any effective membership changed. */
  evaluateUser(userId: string): boolean
  /** Replaces a user's synced-group memberships with exactly these groups. */
  setSyncedGroups(userId: string, groupIds: string[]): boolean
  effectiveGroupIds(userId: string): Set<string>
  explain(userId: string, groupId: string): MembershipExplanation
  /** The rule editor's operations: check, preview, explain, create and change rule groups. */
  rules: RuleGroups
}

export function createMembershipService({ store, clock, ids }: { store: Store; clock: Clock; ids: IdSource }): MembershipService {
  const compiled = new Map<string, CompiledRule | null>()

  /**
   * What rules read about a user: the synced attributes, plus the user's synced groups under the
   * reserved keys Okta's group functions (isMemberOfGroupName, …) and Entra's memberOf read. Only
   * synced groups: Okta rules must not cascade from other rules' groups (directory.md §4.2).
   */
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

  const effectiveSignature = (ms: UserMembership[]): string =>
    ms
      .filter((m) => m.effective)
      .map((m) => m.groupId)
      .sort()
      .join(',')

  const evaluateUser = (userId: string): boolean => {
    const attrs = inputOf(userId)
    const before = store.groups.membershipsOf(userId)
    const previous = new Map(before.map((m) => [m.groupId, m]))
    const now = clock.now()
    const at = now.toISOString()
    for (const g of store.groups.ruleGroups()) {
      const rule = compiledRule(g)
      // A rule that does not compile leaves memberships as they were; the Groups page shows the error.
      if (!rule) continue
      const decided = decideMembership(g.id, rule.evaluate(attrs, now), previous.get(g.id))
      if (decided) store.groups.setMembership(userId, decided, at)
      else if (previous.has(g.id)) store.groups.removeMembership(userId, g.id)
    }
    return effectiveSignature(before) !== effectiveSignature(store.groups.membershipsOf(userId))
  }

  return {
    evaluateUser,
    setSyncedGroups(userId: string, groupIds: string[]): boolean {
      const synced = new Set(store.groups.syncedGroups().map((g) => g.id))
      const wanted = new Set(groupIds)
      const current = store.groups.membershipsOf(userId).filter((m) => synced.has(m.groupId))
      const at = clock.now().toISOString()
      let changed = false
      for (const m of current) {
        if (!wanted.has(m.groupId)) {
          store.groups.removeMembership(userId, m.groupId)
          changed = true
        }
      }
      const have = new Set(current.map((m) => m.groupId))
      for (const groupId of wanted) {
        if (have.has(groupId)) continue
        store.groups.setMembership(userId, { groupId, state: 'in', effective: true, missing: [] }, at)
        changed = true
      }
      return changed
    },
    effectiveGroupIds(userId: string): Set<string> {
      return new Set(store.groups.membershipsOf(userId).filter((m) => m.effective).map((m) => m.groupId))
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
    rules: createRuleGroups({ store, clock, ids, inputOf }),
  }
}
