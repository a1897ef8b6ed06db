// Whether a proposed admin change can be applied at all: the policy, group or app it names exists
// and may be edited, names are free, drafts and rules are valid. Checked before what-if and before
// holding, so a held change is always one that can be applied.
import { AppError } from '../../shared/errors'
import type { Dialect, Policy } from '../../shared/domain'
import type { PolicyDraft, ProposedChange } from '../../shared/policy'
import type { CompiledRule } from '../rules'
import type { Store } from '../store'
import type { PolicyIndex } from './desired'
import { androidProblems } from './android/compile'
import { validatePolicy } from './payloads'

export function createChangeCheck({
  store,
  index,
  get,
  requireGroup,
  compile,
}: {
  store: Store
  index: () => PolicyIndex
  get: (policyId: string) => Policy
  requireGroup: (groupId: string) => string
  compile: (dialect: Dialect, rule: string) => CompiledRule
}): { checkChange(change: ProposedChange): void } {
  const nameTaken = (name: string, exceptId?: string): boolean =>
    index().policies.some(p => p.name.toLowerCase() === name.toLowerCase() && p.id !== exceptId)

  const validate = (draft: PolicyDraft): void => {
    const problems = validatePolicy(draft, {
      appInInventory: (platform, identifier) => store.inventory.appOn(platform, identifier),
      anyPlatformHasApp: identifier => store.inventory.appAnywhere(identifier),
      // The group's row alone: store.groups.get also counts a rule group's members (a scan at 100,000 users).
      groupExists: id => store.bulkReads.groupBrief(id) !== undefined,
      nameTaken,
    })
    // With an Android Enterprise bound, Android items must be what the Android Management API can express.
    if (store.android.enterprise()?.name) problems.push(...androidProblems(draft))
    if (problems.length > 0) {
      throw new AppError(
        'BAD_INPUT',
        `${draft.name.trim() || 'The policy'} was not saved: ${problems.map(p => `${p.path} ${p.message}`).join('; ')}.`,
        { fields: problems },
      )
    }
  }

  const checkChange = (change: ProposedChange): void => {
    switch (change.kind) {
      case 'policy':
        if (change.draft.id) get(change.draft.id)
        validate(change.draft)
        return
      case 'deletePolicy':
        get(change.policyId)
        return
      case 'renamePolicy': {
        const policy = get(change.policyId)
        const name = change.name.trim()
        const problem =
          name === '' ? 'is required' : nameTaken(name, policy.id) ? `${name} is taken by another policy` : null
        if (problem)
          throw new AppError('BAD_INPUT', `${policy.name} was not renamed: name ${problem}.`, {
            fields: [{ path: 'name', message: problem }],
          })
        return
      }
      case 'deleteGroup':
      case 'renameGroup': {
        const g = store.groups.get(change.groupId)
        if (!g) throw new AppError('NOT_FOUND', `No group with id ${change.groupId}.`, { groupId: change.groupId })
        if (g.kind !== 'rule')
          throw new AppError(
            'NOT_EDITABLE',
            `${g.name} is synced from ${g.directoryName ?? 'its directory'}; ${change.kind === 'deleteGroup' ? 'stop syncing it in the directory settings (synced groups) instead' : 'rename it there and sync'}.`,
            { groupId: change.groupId },
          )
        if (change.kind === 'renameGroup') {
          const name = change.name.trim()
          const owner = name === '' ? undefined : store.groups.idByName(name)
          const problem =
            name === '' ? 'is required' : owner && owner !== g.id ? `${name} is taken by another group` : null
          if (problem)
            throw new AppError('BAD_INPUT', `${g.name} was not renamed: name ${problem}.`, {
              fields: [{ path: 'name', message: problem }],
            })
        }
        return
      }
      case 'deleteApp':
        if (!store.inventory.appOn(change.platform, change.identifier))
          throw new AppError('NOT_FOUND', `${change.identifier} is not in the app inventory for ${change.platform}.`, {
            platform: change.platform,
            identifier: change.identifier,
          })
        return
      case 'target': {
        const policy = get(change.policyId)
        requireGroup(change.groupId)
        if (change.mode === null && !policy.targets.some(t => t.groupId === change.groupId)) {
          throw new AppError('NOT_FOUND', `${policy.name} has no target on group ${change.groupId}.`, {
            policyId: change.policyId,
            groupId: change.groupId,
          })
        }
        return
      }
      case 'rule': {
        const g = store.bulkReads.groupBrief(change.groupId)
        if (!g) throw new AppError('NOT_FOUND', `No group with id ${change.groupId}.`, { groupId: change.groupId })
        if (g.kind !== 'rule')
          throw new AppError('NOT_EDITABLE', `${g.name} is synced from the directory; change its members there.`, {
            groupId: change.groupId,
          })
        compile(change.dialect, change.rule)
        return
      }
      case 'attributeMapping':
      case 'user':
        throw new AppError(
          'BAD_INPUT',
          `A ${change.kind === 'user' ? 'hypothetical user' : 'attribute mapping change'} can be previewed with what-if but not applied here${change.kind === 'attributeMapping' ? '; change the mapping in the directory settings' : ''}.`,
          { kind: change.kind },
        )
    }
  }

  return { checkChange }
}
