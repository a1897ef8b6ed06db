// The groups room: who is in which group. Rule-based memberships are evaluated locally the
// moment a user's attributes are known; synced memberships come from the directory as-is.
import type { Attributes, MembershipExplanation, UserMembership } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { compileRule, type CompiledRule } from '../rules'
import type { RuleGroup, Store } from '../store'
import type { Clock } from '../ports'
import { decideMembership } from './decide'
import { explainMembership } from './explain'

export { decideMembership } from './decide'

export interface MembershipService {
  /** Re-evaluates every rule group for one user; returns whether any effective membership changed. */
  evaluateUser(userId: string): boolean
  /**
   * Evaluates many users at once (a directory sync): the rule groups are read and compiled once
   * per batch, `input` (the user's rule input, when the caller has it) saves reading it back,
   * and `isNew` (no memberships yet) saves reading those. Unchanged memberships are not
   * rewritten. Returns the users whose effective memberships changed.
   */
  evaluateUsers(batch: { userId: string; input?: Attributes; isNew?: boolean }[]): Set<string>
  /** Replaces a user's synced-group memberships with exactly these groups. */
  setSyncedGroups(userId: string, groupIds: string[]): boolean
  effectiveGroupIds(userId: string): Set<string>
  explain(userId: string, groupId: string): MembershipExplanation
}

export function createMembershipService({ store, clock }: { store: Store; clock: Clock }): MembershipService {
  const compiled = new Map<string, CompiledRule | null>()

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
    const attrs = store.users.ruleInput(userId)
    const before = store.groups.membershipsOf(userId)
    const previous = new Map(before.map((m) => [m.groupId, m]))
    const at = clock.now().toISOString()
    for (const g of store.groups.ruleGroups()) {
      const rule = compiledRule(g)
      // A rule that does not compile leaves memberships as they were; the Groups page shows the error.
      if (!rule) continue
      const decided = decideMembership(g.id, rule.evaluate(attrs), previous.get(g.id))
      if (decided) store.groups.setMembership(userId, decided, at)
      else if (previous.has(g.id)) store.groups.removeMembership(userId, g.id)
    }
    return effectiveSignature(before) !== effectiveSignature(store.groups.membershipsOf(userId))
  }

  const evaluateUsers = (batch: { userId: string; input?: Attributes; isNew?: boolean }[]): Set<string> => {
    const rules = store.groups.ruleGroups().flatMap((g) => {
      const rule = compiledRule(g)
      return rule ? [{ id: g.id, rule }] : []
    })
    const changed = new Set<string>()
    const at = clock.now().toISOString()
    for (const { userId, input, isNew } of batch) {
      const attrs = input ?? store.users.ruleInput(userId)
      const before = isNew ? [] : store.groups.membershipsOf(userId)
      const previous = new Map(before.map((m) => [m.groupId, m]))
      const effectiveBefore = new Set(before.filter((m) => m.effective).map((m) => m.groupId))
      const effectiveAfter = new Set(effectiveBefore)
      for (const { id, rule } of rules) {
        const prev = previous.get(id)
        const decided = decideMembership(id, rule.evaluate(attrs), prev)
        if (decided) {
          const same = prev && prev.state === decided.state && prev.effective === decided.effective && prev.missing.join('\u0000') === decided.missing.join('\u0000')
          if (!same) store.groups.setMembership(userId, decided, at)
          if (decided.effective) effectiveAfter.add(id)
          else effectiveAfter.delete(id)
        } else if (prev) {
          store.groups.removeMembership(userId, id)
          effectiveAfter.delete(id)
        }
      }
      if (effectiveAfter.size !== effectiveBefore.size || [...effectiveAfter].some((g) => !effectiveBefore.has(g))) changed.add(userId)
    }
    return changed
  }

  return {
    evaluateUser,
    evaluateUsers,
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
        attributes: store.users.ruleInput(userId),
        compile: (dialect, rule) => compileRule(dialect, rule),
      })
    },
  }
}
