// Removing a directory: its users, their groups (synced ones and the rule groups that read only
// its users) and its sync history go; the devices of its users lose every policy and are left
// bound to no user. The preview says all of that without writing, and a removal that reaches
// many devices is held until the admin confirms — like a sync that would remove too much.
import type { DirectoryRemoval, DirectoryRemovalOutcome } from '../../shared/admin'
import { AppError } from '../../shared/errors'
import type { DeviceService } from '../devices'
import type { DirectoryService } from '../directories'
import { readPolicySettings, tripsBreaker, type PolicyService } from '../policies'
import type { Clock } from '../ports'
import type { Store } from '../store'

export interface DirectoryRemovalDeps {
  store: Store
  clock: Clock
  policies: PolicyService
  devices: DeviceService
  directories: DirectoryService
}

const itemName = (c: { payload: Record<string, unknown> }): string =>
  String(c.payload['name'] ?? c.payload['identifier'] ?? '')

export function previewRemoval({ store, policies }: DirectoryRemovalDeps, directoryId: string): DirectoryRemoval {
  const d = store.directories.get(directoryId)
  if (!d) throw new AppError('NOT_FOUND', `No directory with id ${directoryId}.`, { directoryId })
  const userIds = new Set(store.sync.userIdsOf(directoryId))
  const groups = store.groups
    .list()
    .filter(g => g.directoryId === directoryId)
    .map(g => ({ id: g.id, name: g.name, kind: g.kind }))
  const groupIds = new Set(groups.map(g => g.id))
  const targeting = store.policies
    .list()
    .filter(p => p.targets.some(t => groupIds.has(t.groupId)))
    .map(p => ({ id: p.id, name: p.name }))
  const bound = store.devices.list().filter(x => x.userId !== null && userIds.has(x.userId))
  const plans = new Map(policies.planRelease(bound.map(x => x.id)).map(r => [r.device.id, r]))
  const devices = bound.map(x => {
    const plan = plans.get(x.id)?.plan
    const removed = new Set(
      (plan?.commands ?? []).filter(c => c.type.startsWith('remove_')).map(c => String(c.payload['identifier'])),
    )
    const sent = new Map((plans.get(x.id)?.sent ?? []).map(s => [s.key, s]))
    return {
      deviceId: x.id,
      name: x.name,
      platform: x.platform,
      userPrincipalName: x.userPrincipalName ?? '',
      removals: (plan?.commands ?? []).filter(c => c.type.startsWith('remove_')).map(itemName),
      unmanaged: (plan?.drop ?? [])
        .map(k => sent.get(k))
        .filter(s => s !== undefined && s.kind === 'app' && !removed.has(s.identifier))
        .map(s => s?.name ?? ''),
      withdrawn: (plan?.drop.length ?? 0) > 0,
    }
  })
  const withdrawn = devices.filter(x => x.withdrawn).length
  const total = store.bulkReads.boundDeviceCount()
  const settings = readPolicySettings(store)
  // Held like a sync removal: every user leaves, so the user share trips once the directory is
  // big enough to count (syncHoldMinimum); and like an admin edit when it reaches many devices.
  const wouldHold = tripsBreaker(withdrawn, total, settings) || userIds.size >= settings.syncHoldMinimum
  return {
    directoryId,
    name: d.name,
    kind: d.kind,
    users: userIds.size,
    groups,
    policies: targeting,
    devices: devices.map(({ withdrawn: _, ...rest }) => rest),
    devicesWithdrawn: withdrawn,
    devicesTotal: total,
    wouldHold,
    summary: `Removing ${d.name} removes ${userIds.size.toLocaleString('en')} user(s) and ${groups.length} group(s)${targeting.length > 0 ? ` targeted by ${targeting.map(p => p.name).join(', ')}` : ''}; ${bound.length} device(s) lose their user and ${withdrawn} lose policies.${wouldHold ? ' This is held until you confirm it.' : ''}`,
  }
}

export async function removeDirectory(
  deps: DirectoryRemovalDeps,
  directoryId: string,
  confirmRemovals: boolean,
): Promise<DirectoryRemovalOutcome> {
  const removal = previewRemoval(deps, directoryId)
  const audit = (action: string, details: Record<string, unknown>) =>
    deps.store.audit.append({
      at: deps.clock.now().toISOString(),
      actor: 'admin',
      action,
      subject: directoryId,
      details,
    })
  if (removal.wouldHold && !confirmRemovals) {
    audit('directories/holdRemoval', { name: removal.name, users: removal.users, devices: removal.devices.length })
    return { status: 'held', removal }
  }
  // Devices first: their removals are queued while their users' policies are still known.
  const devicesUpdated = await deps.devices.unbind(
    removal.devices.map(x => x.deviceId),
    { actor: 'admin', reason: `directory ${removal.name} removed` },
  )
  await deps.directories.remove(directoryId)
  audit('directories/remove', {
    before: { name: removal.name, kind: removal.kind, users: removal.users, groups: removal.groups.length },
    after: null,
    devicesUnbound: removal.devices.length,
    confirmed: confirmRemovals,
  })
  return { status: 'removed', removal, devicesUpdated }
}
