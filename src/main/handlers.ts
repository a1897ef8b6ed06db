// The contract's implementation: one handler per channel over the rooms' front doors.
import type { Attributes } from '../shared/domain'
import type { Handlers } from '../shared/contract'
import { AppError } from '../shared/errors'
import type { DeviceService } from './devices'
import type { DiagnosticsService } from './diagnostics'
import type { DirectoryService } from './directory'
import type { MembershipService } from './groups'
import type { ChangeOutcome } from '../shared/policy'
import type { PolicyService, Redeploy } from './policies'
import type { PushCredentials } from './push/credentials'
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
  pushCredentials: PushCredentials
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

  // An admin change was checked against the circuit breaker before it was saved, so its
  // recompute is already approved.
  const redeploy = (r: Redeploy | null): Promise<number> => {
    if (r === null) return Promise.resolve(0)
    if (r.kind === 'all') return s.devices.redeployAll({ approved: true })
    if (r.kind === 'users') return s.devices.redeployUsers(r.userIds, { approved: true })
    return s.devices.redeployDevices(r.deviceIds, { approved: true })
  }
  const applied = async ({
    outcome,
    redeploy: r,
  }: {
    outcome: ChangeOutcome
    redeploy: Redeploy | null
  }): Promise<ChangeOutcome> => {
    const devicesUpdated = await redeploy(r)
    return outcome.status === 'applied' ? { ...outcome, devicesUpdated } : outcome
  }
  /** The older target channels answer with the policy; a held edit is reported as an error that says where to approve it. */
  const policyOf = async (result: { outcome: ChangeOutcome; redeploy: Redeploy | null }, policyId: string) => {
    const outcome = await applied(result)
    if (outcome.status === 'held') {
      throw new AppError(
        'CONFLICT',
        `Held for approval: ${outcome.heldChange.summary} Approve or reject it under Held changes on the Policies page.`,
        { heldChangeId: outcome.heldChange.id },
      )
    }
    return s.policies.get(policyId)
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
    'directories/connect': async ({ kind, name, settings, secrets }) =>
      s.directories.detail(await s.directories.connect({ kind, name, settings, secrets })),
    'directories/setCredentials': async ({ directoryId, settings, secrets }) => {
      await s.directories.setCredentials(directoryId, settings, secrets)
      return s.directories.detail(directoryId)
    },
    'directories/test': async ({ directoryId }) => ({ message: await s.directories.test(directoryId) }),
    'directories/sync': async ({ directoryId, mode, confirmRemovals }) =>
      (await s.directories.sync(directoryId, mode, { confirmRemovals })).run,
    'directories/cancelSync': ({ directoryId }) => s.directories.cancelSync(directoryId),
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
        throw new AppError(
          'NOT_EDITABLE',
          `This user comes from ${detail.directoryKind}; change the attribute there and sync.`,
          { userId },
        )
      }
      const identity = Object.keys(attributes).filter(k => IDENTITY_FIELDS.has(k.toLowerCase()))
      if (identity.length > 0) {
        throw new AppError(
          'BAD_INPUT',
          `${identity.join(', ')} identifies the user and cannot be edited as an attribute.`,
          { fields: identity },
        )
      }
      const changed = store.transaction(() => {
        store.users.patchAttributes(userId, attributes as Attributes, s.clock.now().toISOString())
        store.audit.append({
          at: s.clock.now().toISOString(),
          actor: 'admin',
          action: 'users/setAttributes',
          subject: userId,
          details: { attributes },
        })
        return s.memberships.evaluateUser(userId)
      })
      if (changed) await s.devices.redeployUsers([userId])
      return userDetail(userId)
    },
    'groups/list': () => store.groups.list(),
    'groups/get': ({ groupId }) => groupDetail(groupId),
    'groups/explain': ({ groupId, userId }) => s.memberships.explain(userId, groupId),
    'policies/list': () => s.policies.list(),
    'policies/setTarget': ({ policyId, groupId, mode }) =>
      policyOf(s.policies.setTarget(policyId, groupId, mode), policyId),
    'policies/removeTarget': ({ policyId, groupId }) => policyOf(s.policies.removeTarget(policyId, groupId), policyId),
    'policies/setRemoveOnUnassign': ({ itemId, value }) => s.policies.setRemoveOnUnassign(itemId, value),
    'policies/get': ({ policyId }) => s.policies.get(policyId),
    'policies/save': ({ draft }) => applied(s.policies.apply({ kind: 'policy', draft })),
    'policies/delete': ({ policyId }) => applied(s.policies.apply({ kind: 'deletePolicy', policyId })),
    'policies/restrictions': () => s.policies.restrictions(),
    'policies/conflicts': ({ draft }) => s.policies.conflicts(draft),
    'policies/whatIf': ({ change, limit }) => s.policies.whatIf(change, limit),
    'policies/apply': ({ change }) => applied(s.policies.apply(change)),
    'policies/held': () => s.policies.heldChanges(),
    'policies/approve': async ({ heldChangeId }) => {
      const { heldChange, redeploy: r } = s.policies.approve(heldChangeId)
      await redeploy(r)
      return heldChange
    },
    'policies/reject': ({ heldChangeId }) => s.policies.reject(heldChangeId),
    'policies/why': ({ deviceId, policyId }) => s.policies.why(deviceId, policyId),
    'policies/effective': ({ deviceId }) => s.policies.effective(deviceId),
    'policies/history': ({ deviceId, limit }) => s.policies.history(deviceId, limit),
    'policies/settings': () => s.policies.settings(),
    'policies/setSettings': patch => s.policies.setSettings(patch),
    'apps/list': () => s.policies.inventory(),
    'apps/save': entry => s.policies.saveApp(entry),
    'devices/list': () => s.devices.list(),
    'devices/get': ({ deviceId }) => s.devices.get(deviceId),
    'devices/enroll': req => s.devices.enroll(req),
    'devices/acknowledge': ({ deviceId, commandId, status, error }) =>
      s.devices.acknowledge(deviceId, commandId, status, error),
    'devices/scan': ({ deviceId }) => s.devices.scan(deviceId),
    'devices/repush': ({ deviceId }) => s.devices.repush(deviceId),
    'devices/cancel': ({ deviceId, commandId }) => s.devices.cancel(deviceId, commandId ?? null),
    'devices/decideRebind': ({ heldRebindId, approve }) => s.devices.decideRebind(heldRebindId, approve),
    'devices/latency': ({ limit }) => store.outbox.ackLatencies(limit ?? 500),
    'push/credentials': () => s.pushCredentials.info(),
    'push/setApnsCertificate': ({ certificate, key }) => s.pushCredentials.setApns(certificate, key),
    'push/setServiceAccount': ({ serviceAccount }) => s.pushCredentials.setServiceAccount(serviceAccount),
    'diagnostics/list': () => s.diagnostics.list(),
    'rules/check': ({ dialect, text }) => s.memberships.rules.check(dialect, text),
    'rules/preview': ({ dialect, text, offset, limit }) =>
      s.memberships.rules.preview(dialect, text, offset ?? 0, limit ?? 50),
    'rules/explain': ({ dialect, text, userId }) => s.memberships.rules.explain(dialect, text, userId),
    'groups/create': async ({ name, description, dialect, rule }) => {
      const { groupId, changedUserIds } = s.memberships.rules.create(name, description ?? '', dialect, rule)
      // Not pre-approved: the circuit breaker holds a rule whose withdrawals reach too many devices.
      await s.devices.redeployUsers(changedUserIds, { cause: 'rule-edit' })
      return groupDetail(groupId)
    },
    'groups/setRule': async ({ groupId, dialect, rule }) => {
      await s.devices.redeployUsers(s.memberships.rules.setRule(groupId, dialect, rule), { cause: 'rule-edit' })
      return groupDetail(groupId)
    },
  }
}

/** Which domains each channel may change, so views over them refresh. */
export const CHANGES: Partial<Record<keyof Handlers, string[]>> = {
  'directories/import': ['directories', 'users', 'groups', 'devices', 'diagnostics', 'workspace'],
  'directories/connect': ['directories'],
  'directories/setCredentials': ['directories'],
  'directories/sync': ['directories', 'users', 'groups', 'devices', 'diagnostics', 'workspace'],
  'directories/cancelSync': ['directories'],
  'directories/setMapping': ['directories', 'diagnostics'],
  'directories/setGroupFilter': ['directories'],
  'directories/setSchedule': ['directories'],
  'users/setAttributes': ['users', 'groups', 'devices', 'diagnostics', 'workspace'],
  'policies/setTarget': ['policies', 'devices', 'users', 'diagnostics', 'workspace'],
  'policies/removeTarget': ['policies', 'devices', 'users', 'diagnostics', 'workspace'],
  'policies/setRemoveOnUnassign': ['policies'],
  'policies/save': ['policies', 'devices', 'users', 'diagnostics', 'workspace'],
  'policies/delete': ['policies', 'devices', 'users', 'diagnostics', 'workspace'],
  'policies/apply': ['policies', 'groups', 'devices', 'users', 'diagnostics', 'workspace'],
  'policies/approve': ['policies', 'groups', 'devices', 'users', 'diagnostics', 'workspace'],
  'policies/reject': ['policies', 'devices'],
  'policies/setSettings': ['policies', 'devices'],
  'apps/save': ['policies'],
  'devices/enroll': ['devices', 'users', 'groups', 'diagnostics', 'workspace'],
  'devices/acknowledge': ['devices', 'diagnostics', 'workspace'],
  'groups/create': ['groups', 'users', 'devices', 'diagnostics', 'workspace'],
  'groups/setRule': ['groups', 'users', 'devices', 'diagnostics', 'workspace'],
  'devices/scan': ['devices', 'diagnostics', 'workspace'],
  'devices/repush': ['devices', 'diagnostics', 'workspace'],
  'devices/cancel': ['devices', 'diagnostics', 'workspace'],
  'devices/decideRebind': ['devices', 'users', 'groups', 'diagnostics', 'workspace'],
  'push/setApnsCertificate': ['devices', 'diagnostics'],
  'push/setServiceAccount': ['devices', 'diagnostics'],
}
