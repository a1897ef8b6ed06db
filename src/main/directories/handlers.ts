// The directories room's channels: directories/* and the users they deliver (users/*). A file
// directory's users can be edited here; an IdP's are changed in the IdP and synced.
import type { HandlersOf } from '../../shared/contract'
import type { Attributes, UserDetail } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { GroupService } from '../groups'
import type { Clock } from '../ports'
import type { Store } from '../store'
import type { DirectoryService } from './service'
import type { SyncScheduler } from './scheduler'

// Names of core identity fields that live on the user row, not in the attribute table.
const IDENTITY_FIELDS = new Set(['userprincipalname', 'displayname', 'id'])

export interface DirectoryHandlerDeps {
  store: Store
  clock: Clock
  directories: DirectoryService
  groups: GroupService
  scheduler: SyncScheduler
  /** Recomputes the devices of users whose memberships changed. */
  redeployUsers(userIds: Iterable<string>): Promise<number>
}

/** A user with their attributes, memberships and devices, and whether the admin may edit them here. */
export function userDetail(store: Store, userId: string): UserDetail {
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

/** Edits a file directory's user: saved and audited, memberships re-evaluated, devices redeployed. */
export async function setUserAttributes(
  d: DirectoryHandlerDeps,
  userId: string,
  attributes: Attributes,
): Promise<UserDetail> {
  const { store, clock } = d
  const detail = userDetail(store, userId)
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
  // The redeploy the edit owes is journaled with its commit and cleared once done; if the app stops
  // in between, the next start redeploys (directories/recovery.ts). One entry per user: a second
  // edit of the same user owes the same redeploy.
  const source = `users/setAttributes:${userId}`
  const changed = store.transaction(() => {
    const at = clock.now().toISOString()
    store.users.patchAttributes(userId, attributes, at)
    store.audit.append({ at, actor: 'admin', action: 'users/setAttributes', subject: userId, details: { attributes } })
    const moved = d.groups.evaluateUser(userId)
    if (moved) store.syncJournal.queueRedeploys(source, [userId], at)
    return moved
  })
  if (changed) {
    await d.redeployUsers([userId])
    store.syncJournal.redeployed(source)
  }
  return userDetail(store, userId)
}

export function directoryHandlers(d: DirectoryHandlerDeps): HandlersOf<'directories' | 'users'> {
  const { directories, store } = d
  return {
    'directories/list': () => directories.list(),
    'directories/import': async ({ directoryId, format, content, mode, confirmRemovals }) => {
      const outcome = directories.importUsers(directoryId, format, content, mode, { confirmRemovals })
      await d.redeployUsers(outcome.changedUserIds)
      // The import journaled these redeploys with its commit (file-import.ts): they are done.
      store.syncJournal.redeployed(outcome.run.id)
      return { directoryId, run: outcome.run }
    },
    'directories/get': ({ directoryId }) => directories.detail(directoryId),
    'directories/connect': async ({ kind, name, settings, secrets }) =>
      directories.detail(await directories.connect({ kind, name, settings, secrets })),
    'directories/setCredentials': async ({ directoryId, settings, secrets }) => {
      await directories.setCredentials(directoryId, settings, secrets)
      return directories.detail(directoryId)
    },
    'directories/test': async ({ directoryId }) => ({ message: await directories.test(directoryId) }),
    'directories/sync': async ({ directoryId, mode, confirmRemovals }) =>
      (await directories.sync(directoryId, mode, { confirmRemovals })).run,
    'directories/cancelSync': ({ directoryId }) => directories.cancelSync(directoryId),
    'directories/setMapping': ({ directoryId, mapping }) => {
      directories.setMapping(directoryId, mapping)
      return directories.detail(directoryId)
    },
    'directories/setGroupFilter': ({ directoryId, groups }) => {
      directories.setGroupFilter(directoryId, groups)
      return directories.detail(directoryId)
    },
    'directories/setSchedule': ({ directoryId, minutes }) => {
      directories.setSchedule(directoryId, minutes)
      d.scheduler.refresh()
      return directories.detail(directoryId)
    },
    'users/list': ({ query, limit, offset }) => store.users.list(query, limit ?? 100, offset ?? 0),
    'users/get': ({ userId }) => userDetail(store, userId),
    'users/setAttributes': ({ userId, attributes }) => setUserAttributes(d, userId, attributes as Attributes),
  }
}
