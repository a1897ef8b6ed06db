// The policies room's channels: policies/* and the app inventory (apps/*). Every rule, target
// and policy change comes through policies/apply (previewed by policies/whatIf with the same
// change object); a held change is an answer, not an error.
import type { HandlersOf } from '../../shared/contract'
import type { ChangeOutcome } from '../../shared/policy'
import type { PolicyService, Redeploy } from './service'

export function policyHandlers(d: {
  policies: PolicyService
  /** Recomputes after a change the circuit breaker checked before it was saved; returns the devices updated. */
  redeployApproved(r: Redeploy | null): Promise<number>
}): HandlersOf<'policies' | 'apps'> {
  const { policies } = d
  const applied = async (r: { outcome: ChangeOutcome; redeploy: Redeploy | null }): Promise<ChangeOutcome> => {
    const devicesUpdated = await d.redeployApproved(r.redeploy)
    return r.outcome.status === 'applied' ? { ...r.outcome, devicesUpdated } : r.outcome
  }
  return {
    'policies/list': () => policies.list(),
    'policies/get': ({ policyId }) => policies.get(policyId),
    'policies/setRemoveOnUnassign': ({ itemId, value }) => policies.setRemoveOnUnassign(itemId, value),
    'policies/restrictions': () => policies.restrictions(),
    'policies/conflicts': ({ draft }) => policies.conflicts(draft),
    'policies/whatIf': ({ change, limit }) => policies.whatIf(change, limit),
    'policies/apply': ({ change }) => applied(policies.apply(change)),
    'policies/held': () => policies.heldChanges(),
    'policies/approve': async ({ heldChangeId }) => {
      const { heldChange, redeploy } = policies.approve(heldChangeId)
      await d.redeployApproved(redeploy)
      return heldChange
    },
    'policies/reject': ({ heldChangeId }) => policies.reject(heldChangeId),
    'policies/why': ({ deviceId, policyId }) => policies.why(deviceId, policyId),
    'policies/effective': ({ deviceId, all }) => policies.effective(deviceId, { all }),
    'policies/history': ({ deviceId, limit }) => policies.history(deviceId, limit),
    'policies/settings': () => policies.settings(),
    'policies/setSettings': patch => policies.setSettings(patch),
    'apps/list': () => policies.inventory(),
    'apps/save': entry => policies.saveApp(entry),
  }
}
