import type { Attributes, Dialect, GroupSummary, MembershipExplanation, UserMembership } from '../../shared/domain'
import type { CompileResult, RuleInput } from '../rules'

interface ExplainInput {
  userId: string
  group: GroupSummary
  membership: UserMembership | undefined
  attributes: Attributes | RuleInput
  compile: (dialect: Dialect, rule: string) => CompileResult
  /** The evaluation time, for rules that compare with system.now. */
  now: Date
}

/** Answers "why is (or isn't) this user in this group" from the local cache: GROUP_RULE_FAIL. */
export function explainMembership({
  userId,
  group,
  membership,
  attributes,
  compile,
  now,
}: ExplainInput): MembershipExplanation {
  const state: MembershipExplanation['state'] = membership?.state ?? 'out'
  const base = { userId, groupId: group.id, groupName: group.name, kind: group.kind, state, rule: group.rule }
  if (group.kind === 'synced' || group.rule === null || group.dialect === null) {
    return {
      ...base,
      root: null,
      missing: [],
      hints:
        state === 'out' ? ['Synced group: add the user to the group in the directory, then sync or re-import.'] : [],
      summary:
        state === 'out'
          ? `${group.name} is a synced group and the directory does not list this user as a member.`
          : `${group.name} is a synced group and the directory lists this user as a member.`,
    }
  }
  const compiled = compile(group.dialect, group.rule)
  if (!compiled.ok) {
    const e = compiled.error
    return {
      ...base,
      root: null,
      missing: [],
      hints: e.hint ? [e.hint] : [],
      summary: `The rule of ${group.name} does not parse (line ${e.line}, column ${e.column}): ${e.message}. Memberships are kept as they were until it is fixed.`,
    }
  }
  const x = compiled.rule.explain(attributes, now)
  const missingNote =
    x.missing.length > 0
      ? ` The user lacks ${x.missing.join(', ')}: map the attribute in the directory, then sync.`
      : ''
  const summary =
    state === 'unknown'
      ? `Unknown: the rule reads ${x.missing.join(', ')}, which this user's record does not have, so the user's devices keep what they have from this group and get nothing new from it (SYNC_ATTR_MISSING).${missingNote}`
      : x.result
        ? `In: the rule of ${group.name} is true for this user.`
        : `Out: the rule of ${group.name} is false for this user; the failing clauses are marked below.${missingNote}`
  return { ...base, root: x.root, missing: x.missing, hints: x.hints, summary }
}
