// The groups room's channels: groups/* and the rule editor's rules/*. Changing an existing
// group's rule is an admin change and goes through policies/apply like every other.
import type { HandlersOf } from '../../shared/contract'
import type { GroupDetail } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { Store } from '../store'
import type { GroupService } from './service'

/** Members listed with a group; the total counts them all. */
const MEMBERS_SHOWN = 500

export function groupDetail(store: Store, groupId: string): GroupDetail {
  const group = store.groups.get(groupId)
  if (!group) throw new AppError('NOT_FOUND', `No group with id ${groupId}.`, { groupId })
  const members = store.groups.members(groupId, MEMBERS_SHOWN)
  return { group, members, membersTotal: group.memberCount + group.unknownCount }
}

export function groupHandlers(d: {
  store: Store
  groups: GroupService
  /** Recomputes the devices of users whose memberships changed, through the circuit breaker. */
  redeployUsers(userIds: Iterable<string>, opts: { cause: 'rule-edit' }): Promise<number>
}): HandlersOf<'groups' | 'rules'> {
  const { store, groups } = d
  return {
    'groups/list': () => store.groups.list(),
    'groups/names': () =>
      [...store.groups.names()].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
    'groups/get': ({ groupId }) => groupDetail(store, groupId),
    'groups/members': args => store.groupMembers.page(args),
    'groups/explain': ({ groupId, userId }) => groups.explain(userId, groupId),
    'groups/create': async ({ name, description, dialect, rule, directoryId }) => {
      const { groupId, changedUserIds } = groups.rules.create(
        name,
        description ?? '',
        dialect,
        rule,
        directoryId ?? null,
      )
      // A new group has no targets yet, so its members' devices keep their policies; recomputing
      // them still records their new group.
      await d.redeployUsers(changedUserIds, { cause: 'rule-edit' })
      return groupDetail(store, groupId)
    },
    'rules/check': ({ dialect, text }) => groups.rules.check(dialect, text),
    'rules/preview': ({ dialect, text, offset, limit, editor }) =>
      groups.rules.preview(dialect, text, offset ?? 0, limit ?? 50, editor),
    'rules/explain': ({ dialect, text, userId }) => groups.rules.explain(dialect, text, userId),
  }
}
