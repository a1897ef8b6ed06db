// The contract's implementation: one handler per channel over the rooms' front doors.
import type { Attributes } from '../shared/domain'
import type { Handlers } from '../shared/contract'
import { AppError } from '../shared/errors'
import type { DeviceService } from './devices'
import type { DiagnosticsService } from './diagnostics'
import type { DirectoryService } from './directory'
import type { MembershipService } from './groups'
import type { PolicyService } from './policies'
import type { Clock } from './ports'
import type { SyncScheduler } from './directory'
import type { Store } from './store'

export interface Services {
  store: Store
  clock: Clock
  directories: DirectoryService
  memberships: MembershipService
  policies: PolicyService
  devices: DeviceService
  diagnostics: DiagnosticsService
  scheduler: SyncScheduler
}

// Names of core identity fields that live on the user row, not in the attribute table.
const IDENTITY_FIELDS = new Set(['userprincipalname', 'displayname', 'id'])

export function createHandlers(s: Services): Handlers {
  const { store } = s

  const userDetail = (userId: string) => {
    const user = store.users.summary(userId)
    if (!user) throw new AppError('NOT_FOUND', `No user with id ${userId}.`, { userId })
    const directoryKind = store.users.directoryKind(userId) ?? 'file'
    return {
      user,
      directoryKind,
      editable: directoryKind === 'file',
      attributes: store.users.attributes(userId),
      memberships: store.groups.membershipsOf(userId),
      devices: store.devices.ofUser(userId),
    }
  }

  const groupDetail = (groupId: string) => {
    const group = store.groups.get(groupId)
    if (!group) throw new AppError('NOT_FOUND', `No group with id ${groupId}.`, { groupId })
    const members = store.groups.members(groupId, 500)
    return { group, members, membersTotal: group.memberCount + group.unknownCount }
  }

  return {
    'workspace/summary': () => ({
      users: store.users.count(),
      groups: store.groups.count(),
      policies: store.policies.count(),
      devices: store.devices.count(),
      queuedCommands: store.devices.pendingCommandCount(),
      openDiagnostics: s.diagnostics.list().length,
    }),
    'directories/list': () => s.directories.list(),
    'directories/import': async ({ directoryId, format, content }) => {
      const outcome = s.directories.importUsers(directoryId, format, content)
      await s.devices.redeployUsers(outcome.changedUserIds)
      return { directoryId, run: outcome.run }
    },
    'directories/get': ({ directoryId }) => s.directories.detail(directoryId),
    'directories/connect': ({ kind, name, settings, secrets }) => s.directories.detail(s.directories.connect({ kind, name, settings, secrets })),
    'directories/setCredentials': ({ directoryId, settings, secrets }) => {
      s.directories.setCredentials(directoryId, settings, secrets)
      return s.directories.detail(directoryId)
    },
    'directories/test': async ({ directoryId }) => ({ message: await s.directories.test(directoryId) }),
    'directories/sync': async ({ directoryId, mode }) => (await s.directories.sync(directoryId, mode)).run,
    'directories/setMapping': ({ directoryId, mapping }) => {
      s.directories.setMapping(directoryId, mapping)
      return s.directories.detail(directoryId)
    },
    'directories/setGroupFilter': ({ directoryId, groups }) => {
      s.directories.setGroupFilter(directoryId, groups)
      return s.directories.detail(directoryId)
    },
    'directories/setSchedule': ({ directoryId, minutes }) => {
      s.directories.setSchedule(directoryId, minutes)
      s.scheduler.refresh()
      return s.directories.detail(directoryId)
    },
    'users/list': ({ query, limit, offset }) => store.users.list(query, limit ?? 100, offset ?? 0),
    'users/get': ({ userId }) => userDetail(userId),
    'users/setAttributes': async ({ userId, attributes }) => {
      const detail = userDetail(userId)
      if (!detail.editable) {
        throw new AppError('NOT_EDITABLE', `This user comes from ${detail.directoryKind}; change the attribute there and sync.`, { userId })
      }
      const identity = Object.keys(attributes).filter((k) => IDENTITY_FIELDS.has(k.toLowerCase()))
      if (identity.length > 0) {
        throw new AppError('BAD_INPUT', `${identity.join(', ')} identifies the user and cannot be edited as an attribute.`, { fields: identity })
      }
      const changed = store.transaction(() => {
        store.users.patchAttributes(userId, attributes as Attributes, s.clock.now().toISOString())
        store.audit.append({ at: s.clock.now().toISOString(), actor: 'admin', action: 'users/setAttributes', subject: userId, details: { attributes } })
        return s.memberships.evaluateUser(userId)
      })
      if (changed) await s.devices.redeployUsers([userId])
      return userDetail(userId)
    },
    'groups/list': () => store.groups.list(),
    'groups/get': ({ groupId }) => groupDetail(groupId),
    'groups/explain': ({ groupId, userId }) => s.memberships.explain(userId, groupId),
    'policies/list': () => s.policies.list(),
    'policies/setTarget': async ({ policyId, groupId, mode }) => {
      const policy = s.policies.setTarget(policyId, groupId, mode)
      await s.devices.redeployAll()
      return policy
    },
    'policies/removeTarget': async ({ policyId, groupId }) => {
      const policy = s.policies.removeTarget(policyId, groupId)
      await s.devices.redeployAll()
      return policy
    },
    'policies/setRemoveOnUnassign': ({ itemId, value }) => s.policies.setRemoveOnUnassign(itemId, value),
    'devices/list': () => s.devices.list(),
    'devices/get': ({ deviceId }) => s.devices.get(deviceId),
    'devices/enroll': (req) => s.devices.enroll(req),
    'devices/acknowledge': ({ deviceId, commandId, status, error }) => s.devices.acknowledge(deviceId, commandId, status, error),
    'diagnostics/list': () => s.diagnostics.list(),
  }
}

/** Which domains each channel may change, so views over them refresh. */
export const CHANGES: Partial<Record<keyof Handlers, string[]>> = {
  'directories/import': ['directories', 'users', 'groups', 'devices', 'diagnostics', 'workspace'],
  'directories/connect': ['directories'],
  'directories/setCredentials': ['directories'],
  'directories/sync': ['directories', 'users', 'groups', 'devices', 'diagnostics', 'workspace'],
  'directories/setMapping': ['directories', 'diagnostics'],
  'directories/setGroupFilter': ['directories'],
  'directories/setSchedule': ['directories'],
  'users/setAttributes': ['users', 'groups', 'devices', 'diagnostics', 'workspace'],
  'policies/setTarget': ['policies', 'devices', 'users', 'diagnostics', 'workspace'],
  'policies/removeTarget': ['policies', 'devices', 'users', 'diagnostics', 'workspace'],
  'policies/setRemoveOnUnassign': ['policies'],
  'devices/enroll': ['devices', 'users', 'groups', 'diagnostics', 'workspace'],
  'devices/acknowledge': ['devices', 'diagnostics', 'workspace'],
}
