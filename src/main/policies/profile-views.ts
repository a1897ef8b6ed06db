// What a policy looks like as the Apple configuration profiles a device receives: the editor's
// preview of a draft (secrets shown as dots, variables left as placeholders) and the export of
// every profile the workspace delivers, for one user's devices or as a template.
import type { Attributes } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { PolicyDraft, ProfilePreview } from '../../shared/policy'
import type { Store } from '../store'
import { isApplePlatform, policyProfile, profileXml } from './apple'
import { applicablePolicies, type PolicyIndex } from './desired'
import { payloadVariables, resolveVariables } from './payloads'
import { previewSecrets } from './secrets'
import type { PolicyService } from './service'
import { draftPolicy } from './whatif'

const ORGANISATION = 'JIT Mapper'

const resolveFor =
  (attributes: Attributes | null) =>
  (settings: Record<string, unknown>): { value: Record<string, unknown>; missing: string[] } =>
    attributes ? resolveVariables(settings, attributes) : { value: settings, missing: payloadVariables(settings) }

export function createProfileViews({
  store,
  index,
  groupName,
  effectiveGroupIds,
}: {
  store: Store
  index: () => PolicyIndex
  groupName: (groupId: string) => string
  effectiveGroupIds: (userId: string) => ReadonlySet<string>
}): Pick<PolicyService, 'preview' | 'profiles'> {
  const preview = (draft: PolicyDraft): ProfilePreview[] => {
    // Secrets are shown as dots: the preview is for looking at, and goes to the renderer.
    const policy = draftPolicy(previewSecrets(draft), groupName)
    return draft.platforms.filter(isApplePlatform).map(platform => {
      const r = policyProfile(policy, { platform, resolve: resolveFor(null), organisation: ORGANISATION })
      return {
        platform,
        xml: r.profile ? profileXml(r.profile) : null,
        payloads:
          (r.profile?.plist['PayloadContent'] as Record<string, unknown>[] | undefined)?.map(p => ({
            identifier: String(p['PayloadIdentifier']),
            type: String(p['PayloadType']),
          })) ?? [],
        unfilled: r.unfilled,
        problems: r.problems,
      }
    })
  }

  const profiles: PolicyService['profiles'] = opts => {
    const platforms = opts.platform ? [opts.platform] : (['ios', 'macos'] as const)
    const idx = index()
    let userId: string | null = null
    if (opts.userPrincipalName !== undefined) {
      userId = store.users.idByPrincipalName(opts.userPrincipalName) ?? null
      if (userId === null)
        throw new AppError('NOT_FOUND', `No user with principal name ${opts.userPrincipalName} in the workspace.`, {
          userPrincipalName: opts.userPrincipalName,
        })
    }
    const groupIds = userId === null ? null : effectiveGroupIds(userId)
    const attributes = userId === null ? null : store.users.ruleInput(userId)
    return platforms.flatMap(platform => {
      const reach =
        groupIds === null
          ? idx.policies.filter(p => p.platforms.includes(platform))
          : applicablePolicies(idx, groupIds, platform).map(a => a.policy)
      return reach.map(policy =>
        policyProfile(policy, {
          platform,
          resolve: resolveFor(attributes),
          escrowCertificate: opts.escrowCertificate,
          organisation: opts.organisation ?? ORGANISATION,
        }),
      )
    })
  }

  return { preview, profiles }
}
