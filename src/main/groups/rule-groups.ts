// Rule-based groups as the rule editor works on them: check a rule (parse error, lint against
// the synced users, highlighting), preview who it would put in the group, explain it for one
// user, and create a rule group. Changing an existing group's rule is an admin change like a
// target edit: the policy service checks it against the circuit breaker first and then calls
// GroupService.replaceRule, the one writer of a saved rule.

import type { Dialect, RuleCheck, RulePreview, RulePreviewRow, RuleUserExplanation } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { type RuleInput, compileOrFail, compileRule, highlightRule, lintRule } from '../rules'
import type { Clock, IdSource } from '../ports'
import type { Store } from '../store'
import { decideMembership } from './decide'

/** Users a preview or lint reads at most; beyond this an editor keystroke would take too long. */
const MAX_PREVIEW_USERS = 50_000

export interface RuleGroupDeps {
  store: Store
  clock: Clock
  ids: IdSource
  inputOf(userId: string): RuleInput
  /** Re-evaluates every user's membership in one rule group; returns the users whose membership changed. */
  evaluateGroup(groupId: string): string[]
}

export function createRuleGroups({ store, clock, ids, inputOf, evaluateGroup }: RuleGroupDeps) {
  const users = (): { id: string; input: RuleInput }[] =>
    store.users.ids(MAX_PREVIEW_USERS).map(id => ({ id, input: inputOf(id) }))

  return {
    check(dialect: Dialect, text: string): RuleCheck {
      const tokens = highlightRule(dialect, text)
      const compiled = compileRule(dialect, text)
      if (!compiled.ok) return { dialect, error: compiled.error, warnings: [], tokens, usersChecked: 0 }
      const inputs = users().map(u => u.input)
      return {
        dialect,
        error: null,
        warnings: lintRule(compiled.rule, inputs, clock.now()),
        tokens,
        usersChecked: inputs.length,
      }
    },

    preview(dialect: Dialect, text: string, offset: number, limit: number): RulePreview {
      const compiled = compileRule(dialect, text)
      if (!compiled.ok) return { error: compiled.error, usersEvaluated: 0, memberCount: 0, unknownCount: 0, rows: [] }
      const now = clock.now()
      const rows: RulePreviewRow[] = []
      let memberCount = 0
      let unknownCount = 0
      const all = users()
      for (const { id, input } of all) {
        const { result, missing } = compiled.rule.evaluate(input, now)
        // Same decision as saving would make, for a user with no membership yet.
        const decided = decideMembership('preview', { result, missing }, undefined)
        if (decided === null) continue
        if (decided.state === 'in') memberCount++
        else unknownCount++
        const index = memberCount + unknownCount - 1
        if (index < offset || rows.length >= limit) continue
        const summary = store.users.summary(id)
        if (summary)
          rows.push({
            userId: id,
            userPrincipalName: summary.userPrincipalName,
            displayName: summary.displayName,
            state: decided.state,
            missing: [...missing],
          })
      }
      return { error: null, usersEvaluated: all.length, memberCount, unknownCount, rows }
    },

    explain(dialect: Dialect, text: string, userId: string): RuleUserExplanation {
      if (!store.users.summary(userId)) throw new AppError('NOT_FOUND', `No user with id ${userId}.`, { userId })
      const x = compileOrFail(dialect, text).explain(inputOf(userId), clock.now())
      return { userId, result: x.result, missing: [...x.missing], root: x.root, hints: x.hints }
    },

    create(
      name: string,
      description: string,
      dialect: Dialect,
      rule: string,
      directoryId: string | null = null,
    ): { groupId: string; changedUserIds: string[] } {
      compileOrFail(dialect, rule)
      if (directoryId !== null && !store.directories.get(directoryId))
        throw new AppError('NOT_FOUND', `No directory with id ${directoryId}.`, { field: 'directoryId', directoryId })
      const trimmed = name.trim()
      if (store.groups.idByName(trimmed))
        throw new AppError('CONFLICT', `A group named ${trimmed} already exists; choose another name.`, {
          name: trimmed,
        })
      const groupId = ids.next()
      store.groups.create({ id: groupId, directoryId, name: trimmed, kind: 'rule', dialect, rule, description })
      store.audit.append({
        at: clock.now().toISOString(),
        actor: 'admin',
        action: 'groups/create',
        subject: groupId,
        details: { name: trimmed, dialect, rule, directoryId },
      })
      return { groupId, changedUserIds: evaluateGroup(groupId) }
    },
  }
}

export type RuleGroups = ReturnType<typeof createRuleGroups>
