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

/** Users evaluated between two yields to the event loop: the host answers other calls meanwhile. */
const CHUNK = 20_000

/** One user of the directory snapshot the editor evaluates rules over. */
interface SnapshotUser {
  id: string
  userPrincipalName: string
  directoryId: string | null
  displayName: string
  input: RuleInput
}

export interface RuleGroupDeps {
  store: Store
  clock: Clock
  ids: IdSource
  inputOf(userId: string): RuleInput
  /** What rules read for every user at once (attributes, identity fields, synced groups). */
  allInputs(): Map<string, { userPrincipalName: string; directoryId: string | null; input: RuleInput }>
  /** Re-evaluates every user's membership in one rule group; returns the users whose membership changed. */
  evaluateGroup(groupId: string): string[]
  /** Users a preview evaluates between yields (default 20,000; tests lower it). */
  chunk?: number
}

/** SQLite's NOCASE order (ASCII letters folded), as the users list sorts, then the id. */
const foldAscii = (s: string): string => s.replace(/[A-Z]/g, c => c.toLowerCase())
const byDisplayName = (a: [string, SnapshotUser], b: [string, SnapshotUser]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1].id < b[1].id ? -1 : a[1].id > b[1].id ? 1 : 0

const yieldToEventLoop = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

export function createRuleGroups({
  store,
  clock,
  ids,
  inputOf,
  allInputs,
  evaluateGroup,
  chunk = CHUNK,
}: RuleGroupDeps) {
  // Every user's rule input, read once per store revision: each keystroke in the rule editor then
  // evaluates the compiled rule over memory instead of reading 100,000 users from SQLite.
  let snapshot: { revision: string; users: SnapshotUser[] } | null = null
  const users = (): SnapshotUser[] => {
    const revision = store.revision.current()
    if (snapshot?.revision === revision) return snapshot.users
    snapshot = store.transaction(() => {
      const list: [string, SnapshotUser][] = []
      for (const [id, u] of allInputs()) {
        const displayName = String(u.input['displayName'] ?? '')
        list.push([
          foldAscii(displayName),
          { id, userPrincipalName: u.userPrincipalName, directoryId: u.directoryId, displayName, input: u.input },
        ])
      }
      return { revision: store.revision.current(), users: list.sort(byDisplayName).map(e => e[1]) }
    })
    return snapshot.users
  }
  // The latest preview of each editor: an older one still evaluating stops at its next yield.
  const latest = new Map<string, number>()
  let previews = 0

  return {
    /**
     * Every user's rule input from the same snapshot (read once per store revision): the what-if of
     * a rule edit evaluates over it as the editor's preview does, without reading the users again.
     */
    *inputs(): Generator<[string, { userPrincipalName: string; directoryId: string | null; input: RuleInput }]> {
      for (const u of users()) yield [u.id, u]
    },

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

    /**
     * Who the rule would put in its group, over every user, with the true counts. Given an editor,
     * a newer preview from the same editor cancels this one (CONFLICT) at its next yield.
     */
    async preview(
      dialect: Dialect,
      text: string,
      offset: number,
      limit: number,
      editor?: string,
    ): Promise<RulePreview> {
      const compiled = compileRule(dialect, text)
      if (!compiled.ok) return { error: compiled.error, usersEvaluated: 0, memberCount: 0, unknownCount: 0, rows: [] }
      const mine = ++previews
      if (editor !== undefined) latest.set(editor, mine)
      const now = clock.now()
      const rows: RulePreviewRow[] = []
      let memberCount = 0
      let unknownCount = 0
      const all = users()
      for (let i = 0; i < all.length; i++) {
        if (i > 0 && i % chunk === 0) {
          await yieldToEventLoop()
          if (editor !== undefined && latest.get(editor) !== mine)
            throw new AppError('CONFLICT', 'A newer preview of this rule editor replaced this one.', { editor })
        }
        const u = all[i] as SnapshotUser
        const { result, missing } = compiled.rule.evaluate(u.input, now)
        // Same decision as saving would make, for a user with no membership yet.
        const decided = decideMembership('preview', { result, missing }, undefined)
        if (decided === null) continue
        if (decided.state === 'in') memberCount++
        else unknownCount++
        const index = memberCount + unknownCount - 1
        if (index < offset || rows.length >= limit) continue
        rows.push({
          userId: u.id,
          userPrincipalName: u.userPrincipalName,
          displayName: u.displayName,
          state: decided.state,
          missing: [...missing],
        })
      }
      if (editor !== undefined && latest.get(editor) === mine) latest.delete(editor)
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
