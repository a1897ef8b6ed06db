// The directory room: where users, attributes and synced groups come from. For now the
// `file` connector (CSV/JSON import); the IdP connectors and the sync engine come next.
import type { DirectorySummary, SyncRun } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { MembershipService } from '../groups'
import type { Clock, IdSource } from '../ports'
import type { Store } from '../store'
import { parseUserFile } from './file'

export { parseUserFile, type DirectoryUserRecord, type FileImportError } from './file'

export interface ImportOutcome {
  run: SyncRun
  /** Users whose effective group memberships changed: their devices need redeploying. */
  changedUserIds: string[]
}

export interface DirectoryService {
  list(): DirectorySummary[]
  createFileDirectory(name: string): string
  importUsers(directoryId: string, format: 'csv' | 'json', content: string): ImportOutcome
}

export function createDirectoryService({ store, memberships, clock, ids }: { store: Store; memberships: MembershipService; clock: Clock; ids: IdSource }): DirectoryService {
  const syncedGroupId = (directoryId: string, name: string, known: Map<string, string>): string => {
    const key = name.toLowerCase()
    const existing = known.get(key) ?? store.groups.idByName(name)
    if (existing) {
      known.set(key, existing)
      return existing
    }
    const id = ids.next()
    store.groups.create({ id, directoryId, name, kind: 'synced', dialect: null, rule: null, description: 'Synced from the directory file' })
    known.set(key, id)
    return id
  }

  return {
    list: () => store.directories.list(),
    createFileDirectory(name) {
      const id = ids.next()
      store.directories.create({ id, kind: 'file', name }, clock.now().toISOString())
      return id
    },
    importUsers(directoryId, format, content) {
      const directory = store.directories.get(directoryId)
      if (!directory) throw new AppError('NOT_FOUND', `No directory with id ${directoryId}.`, { directoryId })
      if (directory.kind !== 'file') {
        throw new AppError('NOT_EDITABLE', `${directory.name} is synced from ${directory.kind}; import files into a file directory instead.`, { directoryId })
      }
      const startedAt = clock.now().toISOString()
      const parsed = parseUserFile(format, content)
      if (!parsed.ok) {
        const first = parsed.errors[0]
        store.directories.recordSyncRun({
          id: ids.next(), directoryId, mode: 'import', status: 'failed', startedAt, finishedAt: clock.now().toISOString(),
          added: 0, changed: 0, removed: 0, error: first?.message ?? 'The file is invalid',
        })
        throw new AppError('IMPORT_INVALID', `The ${format.toUpperCase()} file was refused and nothing was imported: ${first?.message ?? 'it is invalid'}${parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more problems)` : ''}.`, {
          errors: parsed.errors,
        })
      }
      return store.transaction(() => {
        const groupIds = new Map<string, string>()
        const changedUserIds: string[] = []
        let added = 0
        let changed = 0
        for (const u of parsed.users) {
          const { id, outcome } = store.users.upsert(
            { id: ids.next(), directoryId, externalId: u.externalId, userPrincipalName: u.userPrincipalName, displayName: u.displayName, attributes: u.attributes },
            startedAt,
          )
          if (outcome === 'added') added++
          if (outcome === 'changed') changed++
          const groupsChanged = memberships.setSyncedGroups(id, u.groups.map((g) => syncedGroupId(directoryId, g, groupIds)))
          const rulesChanged = outcome !== 'unchanged' && memberships.evaluateUser(id)
          if (groupsChanged || rulesChanged) changedUserIds.push(id)
        }
        const run: SyncRun = {
          id: ids.next(), directoryId, mode: 'import', status: 'succeeded', startedAt, finishedAt: clock.now().toISOString(),
          added, changed, removed: 0, error: null,
        }
        store.directories.recordSyncRun(run)
        return { run, changedUserIds }
      })
    },
  }
}
