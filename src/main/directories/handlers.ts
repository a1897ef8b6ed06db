// The directories room's channels: directories/* and the users they deliver (users/*). A file
// directory's users can be edited here; an IdP's are changed in the IdP and synced.
import type { DirectoryRemoval, DirectoryRemovalOutcome } from '../../shared/admin'
import type { HandlersOf } from '../../shared/contract'
import type { Attributes, SyncPhase, SyncProgress, UserDetail } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { GroupService } from '../groups'
import type { Clock } from '../ports'
import type { Store } from '../store'
import type { ImportJob, ImportProgressMessage } from './import-thread'
import type { ImportOutcome } from './service'
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
  /** Recomputes the devices of users whose memberships changed; `progress` hears of a large one's parts. */
  redeployUsers(userIds: Iterable<string>, opts?: { progress?(done: number, total: number): void }): Promise<number>
  /** Tells the renderer how a running import goes (the `directories/syncProgress` event). */
  emitProgress?(p: SyncProgress): void
  /** Removing a directory reaches its users' devices: a room above this one does it (admin/). */
  removal: {
    preview(directoryId: string): DirectoryRemoval
    remove(directoryId: string, confirmRemovals: boolean): Promise<DirectoryRemovalOutcome>
  }
  /** Imports a file on a worker thread (its job without the workspace, which the app adds). */
  importOnThread?: (
    job: Omit<ImportJob, 'dataDir'>,
    onProgress?: (p: ImportProgressMessage) => void,
  ) => Promise<ImportOutcome>
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

/** The import's progress as the sync's is told (runId "import"): the directory's card and the import form show it. */
function importProgress(directoryId: string, emit: DirectoryHandlerDeps['emitProgress']) {
  return (phase: SyncPhase, percent: number, message: string, users = 0): void =>
    emit?.({ directoryId, runId: 'import', phase, pages: 0, users, groups: 0, percent, etaSeconds: null, message })
}

export function directoryHandlers(d: DirectoryHandlerDeps): HandlersOf<'directories' | 'users'> {
  const { directories, store } = d
  // Configuration changes are audited here, with before → after; credentials only by name.
  const audit = (action: string, directoryId: string, details: Record<string, unknown>) =>
    store.audit.append({ at: d.clock.now().toISOString(), actor: 'admin', action, subject: directoryId, details })
  return {
    'directories/list': () => directories.list(),
    'directories/import': async ({ directoryId, format, content, mode, confirmRemovals }) => {
      const say = importProgress(directoryId, d.emitProgress)
      say('applying', 0, 'Reading the file')
      try {
        // On a thread of its own where the app has one (a built app); in one process otherwise (tests).
        const outcome = d.importOnThread
          ? await d.importOnThread(
              { directoryId, format, content, mode, confirmRemovals: confirmRemovals === true },
              p => say('applying', 30, `${p.users.toLocaleString('en-US')} users read; writing them`, p.users),
            )
          : directories.importUsers(directoryId, format, content, mode, { confirmRemovals })
        const users = outcome.run.added + outcome.run.changed
        say('evaluating', 60, 'Imported; bringing devices up to date', users)
        await d.redeployUsers(outcome.changedUserIds, {
          progress: (done, total) =>
            say(
              'evaluating',
              60 + Math.floor((39 * done) / total),
              `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} devices brought up to date`,
              users,
            ),
        })
        // The import journaled these redeploys with its commit (file-import.ts): they are done.
        store.syncJournal.redeployed(outcome.run.id)
        say(outcome.run.status === 'held' ? 'held' : 'done', 100, outcome.run.error ?? 'Imported', users)
        return { directoryId, run: outcome.run }
      } catch (e) {
        say('failed', 100, e instanceof Error ? e.message : 'The import failed')
        throw e
      }
    },
    'directories/get': ({ directoryId }) => directories.detail(directoryId),
    'directories/history': ({ directoryId, offset, limit }) => {
      if (!store.directories.get(directoryId))
        throw new AppError('NOT_FOUND', `No directory with id ${directoryId}.`, { directoryId })
      return store.historyPages.syncRuns(directoryId, { offset: offset ?? 0, limit: limit ?? 20 })
    },
    'directories/connect': async ({ kind, name, settings, secrets }) => {
      const directoryId = await directories.connect({ kind, name, settings, secrets })
      audit('directories/connect', directoryId, {
        before: null,
        after: { kind, name, settings },
        credentials: Object.keys(secrets).filter(k => secrets[k]),
      })
      return directories.detail(directoryId)
    },
    'directories/setCredentials': async ({ directoryId, settings, secrets }) => {
      const before = (await directories.detail(directoryId)).settings
      await directories.setCredentials(directoryId, settings, secrets)
      const detail = await directories.detail(directoryId)
      audit('directories/setCredentials', directoryId, {
        before,
        after: detail.settings,
        credentialsReplaced: Object.keys(secrets).filter(k => secrets[k]),
      })
      return detail
    },
    'directories/test': async ({ directoryId }) => ({ message: await directories.test(directoryId) }),
    'directories/sync': async ({ directoryId, mode, confirmRemovals }) =>
      (await directories.sync(directoryId, mode, { confirmRemovals })).run,
    'directories/cancelSync': ({ directoryId }) => directories.cancelSync(directoryId),
    'directories/setMapping': async ({ directoryId, mapping }) => {
      const before = (await directories.detail(directoryId)).mapping.map(m => ({
        property: m.property,
        attribute: m.attribute,
      }))
      directories.setMapping(directoryId, mapping)
      audit('directories/setMapping', directoryId, { before, after: mapping })
      return directories.detail(directoryId)
    },
    'directories/setGroupFilter': async ({ directoryId, groups }) => {
      const before = (await directories.detail(directoryId)).groupFilter
      directories.setGroupFilter(directoryId, groups)
      audit('directories/setGroupFilter', directoryId, { before, after: groups })
      return directories.detail(directoryId)
    },
    'directories/setSchedule': async ({ directoryId, minutes }) => {
      const before = (await directories.detail(directoryId)).scheduleMinutes
      directories.setSchedule(directoryId, minutes)
      d.scheduler.refresh()
      audit('directories/setSchedule', directoryId, { before, after: minutes })
      return directories.detail(directoryId)
    },
    'directories/removalPreview': ({ directoryId }) => d.removal.preview(directoryId),
    'directories/remove': async ({ directoryId, confirmRemovals }) => {
      const outcome = await d.removal.remove(directoryId, confirmRemovals === true)
      if (outcome.status === 'removed') d.scheduler.refresh()
      return outcome
    },
    'users/list': ({ query, limit, offset, sort, dir }) =>
      store.users.list(query, limit ?? 100, offset ?? 0, {
        ...(sort ? { sort } : {}),
        ...(dir ? { dir } : {}),
      }),
    'users/get': ({ userId }) => userDetail(store, userId),
    'users/setAttributes': ({ userId, attributes }) => setUserAttributes(d, userId, attributes as Attributes),
  }
}
