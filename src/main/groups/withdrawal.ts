import type {
  Attributes,
  AttributeValue,
  ClauseExplanation,
  Dialect,
  GroupKind,
  UserMembership,
} from '../../shared/domain'
import type { WhyStep } from '../../shared/policy'
import type { CompileResult, RuleInput } from '../rules'
import type { PendingWithdrawal } from '../store'

/**
 * How long a user who left a group keeps its policies: a debounce, so a user who flaps out of a
 * group for one sync (an IdP hiccup, an attribute briefly cleared) does not lose and regain them.
 */
export interface Grace {
  /** Succeeded syncs of the user's directory, started after the user left, that must still see the user out. */
  syncs: number
  minutes: number
}

/**
 * A pending withdrawal takes effect once enough later syncs confirmed the user is still out and
 * the grace time has passed. A sync counts when it started after the user left, so the sync that
 * moved the user out never confirms its own finding.
 */
export function isMatured(w: Pick<PendingWithdrawal, 'leftAt' | 'confirmations'>, grace: Grace, now: Date): boolean {
  return w.confirmations >= grace.syncs && now.getTime() - Date.parse(w.leftAt) >= grace.minutes * 60_000
}

const leaves = (c: ClauseExplanation): ClauseExplanation[] =>
  c.children && c.children.length > 0 ? c.children.flatMap(leaves) : [c]

interface ChainInput {
  group: { name: string; kind: GroupKind; dialect: Dialect | null; rule: string | null }
  membership: UserMembership | undefined
  pending: (PendingWithdrawal & { matured: boolean }) | undefined
  attributes: Attributes | RuleInput
  compile: (dialect: Dialect, rule: string) => CompileResult
  grace: Grace
  /** The evaluation time, for rules that compare with system.now. */
  now: Date
}

/** attribute values → rule clauses → membership, as steps of the "why" chain. */
export function membershipChain({
  group,
  membership,
  pending,
  attributes,
  compile,
  grace,
  now,
}: ChainInput): WhyStep[] {
  const steps: WhyStep[] = []
  if (group.kind === 'rule' && group.rule !== null && group.dialect !== null) {
    const compiled = compile(group.dialect, group.rule)
    if (compiled.ok) {
      const x = compiled.rule.explain(attributes, now)
      const values: Record<string, AttributeValue> = {}
      for (const name of compiled.rule.attributes) {
        const key = Object.keys(attributes).find(k => k.toLowerCase() === name.toLowerCase())
        values[name] = key === undefined ? null : ((attributes[key] ?? null) as AttributeValue)
      }
      steps.push({
        step: 'attributes',
        outcome: x.missing.length > 0 ? 'fail' : 'info',
        text: x.missing.length > 0 ? `Missing: ${x.missing.join(', ')}` : 'Attribute values at evaluation',
        values,
      })
      const clauses = leaves(x.root).map(c => `${c.text} → ${c.result}`)
      steps.push({
        step: 'rule',
        outcome: x.result ? 'pass' : 'fail',
        text: `${group.name}: ${group.rule} is ${x.result}${clauses.length > 1 ? ` (${clauses.join('; ')})` : ''}`,
      })
    } else {
      steps.push({
        step: 'rule',
        outcome: 'fail',
        text: `The rule of ${group.name} does not parse: ${compiled.error.message}; memberships are kept as they were.`,
      })
    }
  } else {
    steps.push({
      step: 'rule',
      outcome: membership ? 'pass' : 'fail',
      text: `${group.name} is a synced group: the directory ${membership ? 'lists' : 'does not list'} the user as a member.`,
    })
  }
  if (membership?.state === 'in') steps.push({ step: 'membership', outcome: 'pass', text: `Member of ${group.name}.` })
  else if (membership?.state === 'unknown') {
    steps.push({
      step: 'membership',
      outcome: membership.effective ? 'pass' : 'fail',
      text: `Unknown in ${group.name} (SYNC_ATTR_MISSING: ${membership.missing.join(', ')}): ${membership.effective ? 'the devices keep what they have from it; none gets anything new from it' : 'its policies are not granted'}.`,
    })
  } else if (pending && !pending.matured) {
    steps.push({
      step: 'grace',
      outcome: 'pass',
      text: `Left ${group.name} at ${pending.leftAt}; its policies stay until ${grace.syncs} later sync${grace.syncs === 1 ? '' : 's'} confirm${grace.syncs === 1 ? 's' : ''} it${grace.minutes > 0 ? ` and ${grace.minutes} minutes pass` : ''} (${pending.confirmations} so far).`,
    })
  } else if (pending) {
    steps.push({
      step: 'grace',
      outcome: 'fail',
      text: `Left ${group.name} at ${pending.leftAt}; ${pending.confirmations} later sync(s) confirmed it, so its policies are withdrawn.`,
    })
  } else {
    steps.push({ step: 'membership', outcome: 'fail', text: `Not a member of ${group.name}.` })
  }
  return steps
}
