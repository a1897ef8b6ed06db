// The policies room: what each device must have. Pure functions compute the desired state
// and the diff; the service validates and applies targeting edits.
import type { Platform, Policy, TargetMode } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { SentItem, Store } from '../store'
import type { Clock } from '../ports'
import { desiredState } from './desired'
import { planDevice, type DevicePlan } from './diff'

export { desiredState, applicablePolicies, itemKey, type DesiredItem } from './desired'
export { planDevice, type DevicePlan, type PlannedCommand } from './diff'

export interface PolicyService {
  list(): Policy[]
  get(policyId: string): Policy
  setTarget(policyId: string, groupId: string, mode: TargetMode): Policy
  removeTarget(policyId: string, groupId: string): Policy
  setRemoveOnUnassign(itemId: string, value: boolean): Policy
  /** The commands that bring a device with these groups from what it was sent to its desired state. */
  plan(groups: ReadonlySet<string>, platform: Platform, sent: readonly SentItem[]): DevicePlan
}

export function createPolicyService({ store, clock }: { store: Store; clock: Clock }): PolicyService {
  const get = (policyId: string): Policy => {
    const p = store.policies.get(policyId)
    if (!p) throw new AppError('NOT_FOUND', `No policy with id ${policyId}.`, { policyId })
    return p
  }
  const requireGroup = (groupId: string): void => {
    if (!store.groups.get(groupId)) throw new AppError('NOT_FOUND', `No group with id ${groupId}.`, { groupId })
  }
  const audit = (action: string, subject: string, details: Record<string, unknown>): void =>
    store.audit.append({ at: clock.now().toISOString(), actor: 'admin', action, subject, details })

  return {
    list: () => store.policies.list(),
    get,
    setTarget(policyId, groupId, mode) {
      get(policyId)
      requireGroup(groupId)
      store.policies.setTarget(policyId, groupId, mode, clock.now().toISOString())
      audit('policies/setTarget', policyId, { groupId, mode })
      return get(policyId)
    },
    removeTarget(policyId, groupId) {
      const policy = get(policyId)
      if (!store.policies.removeTarget(policyId, groupId, clock.now().toISOString())) {
        throw new AppError('NOT_FOUND', `${policy.name} has no target on group ${groupId}.`, { policyId, groupId })
      }
      audit('policies/removeTarget', policyId, { groupId })
      return get(policyId)
    },
    setRemoveOnUnassign(itemId, value) {
      const policyId = store.policies.policyOfItem(itemId)
      if (!policyId) throw new AppError('NOT_FOUND', `No payload item with id ${itemId}.`, { itemId })
      const item = get(policyId).items.find((i) => i.id === itemId)
      if (item?.kind !== 'app') {
        throw new AppError('BAD_INPUT', `"Remove app when policy is removed" applies to apps only; ${item?.name ?? itemId} is a ${item?.kind}.`, { itemId })
      }
      store.policies.setRemoveOnUnassign(itemId, value, clock.now().toISOString())
      audit('policies/setRemoveOnUnassign', policyId, { itemId, value })
      return get(policyId)
    },
    plan(groups, platform, sent) {
      const policies = store.policies.list()
      const items = new Map(policies.flatMap((p) => p.items.map((i) => [i.id, i] as const)))
      const names = new Map(policies.map((p) => [p.id, p.name]))
      return planDevice(sent, desiredState(policies, groups, platform), {
        removeOnUnassign: (itemId) => items.get(itemId)?.removeOnUnassign ?? false,
        policyName: (id) => names.get(id) ?? 'A deleted policy',
      })
    },
  }
}
