// The policies room's channels: policies/* and the app inventory (apps/*). Every rule, target
// and policy change comes through policies/apply (previewed by policies/whatIf with the same
// change object); a held change is an answer, not an error.
import type { HandlersOf } from '../../shared/contract'
import type { ChangeOutcome, PolicyDraft, ProposedChange } from '../../shared/policy'
import { maskSecrets, restoreSecrets } from './secrets'
import type { PolicyService, Redeploy } from './service'

export function policyHandlers(d: {
  policies: PolicyService
  /** Recomputes after a change the circuit breaker checked before it was saved; returns the devices updated. */
  redeployApproved(r: Redeploy | null): Promise<number>
}): HandlersOf<'policies' | 'apps'> {
  const { policies } = d
  // Secrets go out masked and come back as markers that keep the stored value (secrets.ts).
  const stored = (id: string | undefined) => (id === undefined ? undefined : policies.list().find(p => p.id === id))
  const draft = (x: PolicyDraft): PolicyDraft => restoreSecrets(x, stored(x.id))
  const change = (c: ProposedChange): ProposedChange => (c.kind === 'policy' ? { ...c, draft: draft(c.draft) } : c)
  const applied = async (r: { outcome: ChangeOutcome; redeploy: Redeploy | null }): Promise<ChangeOutcome> => {
    const devicesUpdated = await d.redeployApproved(r.redeploy)
    return r.outcome.status === 'applied' ? { ...r.outcome, devicesUpdated } : r.outcome
  }
  return {
    'policies/list': () => maskSecrets(policies.list()),
    'policies/get': ({ policyId }) => maskSecrets(policies.get(policyId)),
    'policies/setRemoveOnUnassign': ({ itemId, value }) => maskSecrets(policies.setRemoveOnUnassign(itemId, value)),
    'policies/restrictions': () => policies.restrictions(),
    'policies/conflicts': x => maskSecrets(policies.conflicts(draft(x.draft))),
    'policies/preview': x => policies.preview(x.draft),
    'policies/whatIf': ({ change: c, limit }) => maskSecrets(policies.whatIf(change(c), limit)),
    'policies/apply': async ({ change: c }) => maskSecrets(await applied(policies.apply(change(c)))),
    'policies/held': () => maskSecrets(policies.heldChanges()),
    'policies/approve': async ({ heldChangeId }) => {
      const { heldChange, redeploy } = policies.approve(heldChangeId)
      await d.redeployApproved(redeploy)
      return maskSecrets(heldChange)
    },
    'policies/reject': ({ heldChangeId }) => maskSecrets(policies.reject(heldChangeId)),
    'policies/why': ({ deviceId, policyId }) => policies.why(deviceId, policyId),
    'policies/effective': ({ deviceId, all }) => policies.effective(deviceId, { all }),
    'policies/history': ({ deviceId, limit }) => policies.history(deviceId, limit),
    'policies/settings': () => policies.settings(),
    'policies/setSettings': patch => policies.setSettings(patch),
    'apps/list': () => policies.inventory(),
    'apps/save': entry => policies.saveApp(entry),
  }
}
