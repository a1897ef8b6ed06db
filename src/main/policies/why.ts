import type { Platform, Policy } from '../../shared/domain'
import type { PolicyStatus, PolicyWhy, WhyStep } from '../../shared/policy'
import type { SentItem } from '../store'
import type { DesiredState } from './desired'

const shown = (v: unknown): string =>
  v === null || v === undefined || v === '' ? 'empty' : Array.isArray(v) ? v.join(', ') : String(v)

/** The attribute values the failing rules read, for the one-line summary: " (department is Marketing)". */
function valuesRead(steps: readonly WhyStep[]): string {
  const values = new Map<string, unknown>()
  for (const s of steps)
    if (s.step === 'attributes') for (const [k, v] of Object.entries(s.values ?? {})) values.set(k, v)
  if (values.size === 0 || values.size > 3) return ''
  return ` (${[...values].map(([k, v]) => `${k} is ${shown(v)}`).join(', ')})`
}

interface WhyInput {
  policyId: string
  policy: Policy | undefined
  groups: ReadonlySet<string>
  platform: Platform
  state: DesiredState
  sent: readonly SentItem[]
  /** attribute values → rule clause → membership for one group. */
  chain(groupId: string): WhyStep[]
  /** Whether the device is part of a change held for approval. */
  held: boolean
}

/**
 * Why a device has (or does not have) a policy right now: the membership chain of the group
 * that includes (or excludes) it, the platform, and the conflict outcome of each payload item.
 */
export function explainPolicy(input: WhyInput): Omit<PolicyWhy, 'deviceId' | 'history'> {
  const { policy, groups, platform, state, sent } = input
  const kept = sent.filter(s => s.policyId === input.policyId)
  if (!policy) {
    return {
      policyId: input.policyId,
      policyName: 'A deleted policy',
      status: kept.length > 0 ? 'withdrawn-kept' : 'not-assigned',
      summary: 'The policy was deleted; its items were withdrawn.',
      steps: [{ step: 'target', outcome: 'fail', text: 'The policy no longer exists.' }],
      items: [],
    }
  }
  const steps: WhyStep[] = []
  // Whether the device's desired state carries the policy (granted, or kept within a grace
  // period or while a membership is unknown): then no exclusion holds firmly, and a group the
  // user left or whose membership is unknown explains the keeping.
  const applies = state.applicable.some(a => a.policy.id === policy.id)
  const excludedVia = applies ? undefined : policy.targets.find(t => t.mode === 'exclude' && groups.has(t.groupId))
  // A group the user is firmly in explains the policy better than one left within its grace period.
  const including = policy.targets
    .filter(t => t.mode === 'include' && groups.has(t.groupId))
    .map(t => ({ target: t, chain: input.chain(t.groupId) }))
  const via = including.find(c => !c.chain.some(s => s.step === 'grace')) ?? including[0]
  const includedVia = via?.target
  let status: PolicyStatus = 'not-assigned'
  let summary: string
  if (excludedVia) {
    steps.push(...input.chain(excludedVia.groupId))
    steps.push({
      step: 'target',
      outcome: 'fail',
      text: `${policy.name} excludes ${excludedVia.groupName}; exclusion wins over any include.`,
    })
    summary = `Not assigned: the user is in ${excludedVia.groupName}, which ${policy.name} excludes.`
  } else if (includedVia && via) {
    const { chain } = via
    steps.push(...chain)
    steps.push({ step: 'target', outcome: 'pass', text: `${policy.name} includes ${includedVia.groupName}.` })
    const onPlatform = policy.platforms.includes(platform)
    steps.push({
      step: 'platform',
      outcome: onPlatform ? 'pass' : 'fail',
      text: onPlatform
        ? `${policy.name} targets ${platform}.`
        : `${policy.name} targets ${policy.platforms.join(', ')}, not ${platform}.`,
    })
    if (onPlatform) {
      const pending = chain.some(s => s.step === 'grace' && s.outcome === 'pass')
      if (pending && !applies) {
        // The grace period keeps what a device has; this one never had the policy.
        summary = `Not assigned: the user left ${includedVia.groupName}; during the grace period ${policy.name} stays only on devices that already had it.`
      } else if (!applies) {
        // An unknown membership keeps what a device has and grants nothing new.
        summary = `Not assigned: the user's membership in ${includedVia.groupName} is unknown (SYNC_ATTR_MISSING); ${policy.name} stays only on devices that already had it.`
      } else {
        status = pending ? 'pending-withdrawal' : 'assigned'
        summary = pending
          ? `Assigned until the grace period ends: the user left ${includedVia.groupName}, and the withdrawal waits for the next sync to confirm it.`
          : `Assigned: the user is in ${includedVia.groupName}, which ${policy.name} includes.`
      }
    } else {
      summary = `Not assigned: ${policy.name} is not for ${platform}.`
    }
  } else {
    const includes = policy.targets.filter(t => t.mode === 'include')
    for (const t of includes.slice(0, 3)) steps.push(...input.chain(t.groupId))
    steps.push({
      step: 'target',
      outcome: 'fail',
      text:
        includes.length === 0
          ? `${policy.name} has no include target.`
          : `The user is in none of the groups ${policy.name} includes (${includes.map(t => t.groupName).join(', ')}).`,
    })
    summary =
      includes.length === 0
        ? `Not assigned: ${policy.name} targets no group.`
        : `Not assigned: the user is not in ${includes.map(t => t.groupName).join(' or ')}${valuesRead(steps)}.`
  }
  if (status !== 'not-assigned' && input.held) status = 'held'
  if (status === 'not-assigned' && kept.length > 0) {
    status = input.held ? 'held' : 'withdrawn-kept'
    summary += input.held
      ? ' Its withdrawal is held for approval (circuit breaker).'
      : ' Apps not flagged for removal stay installed, unmanaged.'
  }

  const items: PolicyWhy['items'] = []
  for (const item of policy.items) {
    const key = `${item.kind}:${item.identifier}`
    if (item.platform !== null && item.platform !== platform) {
      items.push({
        key,
        name: item.name,
        kind: item.kind,
        outcome: 'other-platform',
        detail: `For ${item.platform} only.`,
      })
      continue
    }
    if (status === 'not-assigned' || status === 'withdrawn-kept') continue
    const unresolved = state.unresolved.find(u => u.key === key && u.policyId === policy.id)
    const desired = state.items.get(key)
    if (unresolved) {
      items.push({
        key,
        name: item.name,
        kind: item.kind,
        outcome: 'unresolved',
        detail: `Not sent: the user has no ${unresolved.variables.join(', ')} for {{user.…}}.`,
      })
      steps.push({
        step: 'variables',
        outcome: 'fail',
        text: `${item.name} uses ${unresolved.variables.map(v => `{{user.${v}}}`).join(', ')}, which the user's attributes do not fill (SYNC_ATTR_MISSING).`,
      })
    } else if (desired && desired.policy.id === policy.id) {
      items.push({
        key,
        name: item.name,
        kind: item.kind,
        outcome: 'sent',
        detail: desired.conflict ? desired.conflict.reason : 'No other policy sets it.',
      })
      if (desired.conflict) steps.push({ step: 'conflict', outcome: 'pass', text: desired.conflict.reason })
    } else if (desired) {
      const merged = desired.conflict === null || desired.conflict.losers.every(l => l.policyId !== policy.id)
      items.push({
        key,
        name: item.name,
        kind: item.kind,
        outcome: merged ? 'merged' : 'lost-conflict',
        detail: merged
          ? `Also carried by ${desired.policy.name}, which delivers it.`
          : (desired.conflict?.reason ?? ''),
      })
      if (!merged && desired.conflict) steps.push({ step: 'conflict', outcome: 'fail', text: desired.conflict.reason })
    }
  }
  return { policyId: policy.id, policyName: policy.name, status, summary, steps, items }
}
