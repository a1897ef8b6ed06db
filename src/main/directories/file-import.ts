// Importing a CSV or JSON file into a file directory, in one of two modes:
// - update: the rows given are added or updated; a field the file does not have (a missing column
//   or JSON key) leaves the user's attribute alone, an empty one clears it; users not in the file
//   stay. Without a `groups` field the users' groups stay too.
// - replace: the file is the whole directory: each user is exactly their row, and users missing
//   from the file leave. Like a sync, an import that would remove too much is held
//   (removal-guard.ts) until it is confirmed.
// A row without an id is the stored user with its userPrincipalName, so a file exported without
// ids updates the users it names instead of colliding with them.
// The `groups` field names synced groups of this directory only: an unknown name creates one, and a
// name that belongs to another directory's group or a rule-based group is refused with its row and
// column (the file may not put anyone in those).
// Everything is written in one transaction with the import's run, which counts as a sync for
// confirming withdrawals (groups/withdrawal.ts counts succeeded runs of the user's directory), and
// with the redeploys it owes (the store's sync journal): the caller redeploys them and clears them
// (redeployImported), and the next start redeploys them should the process die in between.
import type { Attributes, SyncRemovals, SyncRun } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { GroupService } from '../groups'
import type { Clock, IdSource } from '../ports'
import type { Store, SyncedUserRow } from '../store'
import type { DirectoryUserRecord, FileImportError } from './file'
import { decideRemovalHold, heldMessage, type RemovalLimits } from './removal-guard'

export type ImportMode = 'update' | 'replace'

export interface ImportRequest {
  directoryId: string
  directoryName: string
  users: DirectoryUserRecord[]
  mode: ImportMode
  /** The admin confirmed the removals: apply even over the removal limits. */
  confirmRemovals: boolean
  startedAt: string
}

export interface ImportDeps {
  store: Store
  groups: GroupService
  ids: IdSource
  clock: Clock
  removalLimits: RemovalLimits
}

/** Fields that are not attributes. */
const IDENTITY_FIELDS = new Set(['id', 'displayName', 'groups'])

/**
 * The directory's synced groups each name in the file resolves to (lower-cased name → group id,
 * null for a group to create), or the rows naming a group the file may not use.
 */
export function resolveGroupNames(
  users: readonly DirectoryUserRecord[],
  own: ReadonlyMap<string, string>,
  otherGroup: (name: string) => boolean,
): { ok: true; groups: Map<string, { name: string; id: string | null }> } | { ok: false; errors: FileImportError[] } {
  const groups = new Map<string, { name: string; id: string | null }>()
  const errors: FileImportError[] = []
  for (const u of users) {
    for (const name of u.groups) {
      const key = name.toLowerCase()
      if (groups.has(key)) continue
      const id = own.get(key)
      if (id !== undefined) groups.set(key, { name, id })
      else if (otherGroup(name))
        errors.push({
          message: `Row ${u.row}, column '${u.groupsColumn}': '${name}' is a rule-based group or another directory's group; a file can only put users in its own synced groups.`,
          row: u.row,
          column: u.groupsColumn,
        })
      else groups.set(key, { name, id: null })
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, groups }
}

/** The attributes an update leaves a stored user with: the file's fields over the stored ones. */
export function updatedAttributes(stored: Attributes, row: Pick<DirectoryUserRecord, 'columns' | 'attributes'>) {
  const out: Attributes = { ...stored }
  for (const field of row.columns) {
    if (IDENTITY_FIELDS.has(field)) continue
    const value = row.attributes[field]
    if (value === undefined) delete out[field]
    else out[field] = value
  }
  return out
}

export function importFile(deps: ImportDeps, req: ImportRequest): { run: SyncRun; changedUserIds: string[] } {
  const { store, groups, ids, clock } = deps
  const { directoryId, users, mode } = req
  const run = (fields: Partial<SyncRun>): SyncRun => ({
    id: ids.next(),
    directoryId,
    mode: 'import',
    status: 'succeeded',
    startedAt: req.startedAt,
    finishedAt: clock.now().toISOString(),
    added: 0,
    changed: 0,
    removed: 0,
    error: null,
    ...fields,
  })

  const own = store.sync.syncedGroupsByName(directoryId)
  const resolved = resolveGroupNames(users, own, name => store.groups.idByName(name) !== undefined)
  if (!resolved.ok) {
    const first = resolved.errors[0] as FileImportError
    store.directories.recordSyncRun(run({ status: 'failed', error: first.message }))
    throw new AppError('IMPORT_INVALID', `The file was refused and nothing was imported: ${first.message}`, {
      errors: resolved.errors,
    })
  }

  // Each row's stored user: by id, else (a row without an id) by userPrincipalName.
  const stored = store.sync.users(directoryId)
  const byUpn = new Map([...stored.values()].map(u => [u.userPrincipalName.toLowerCase(), u]))
  const matched = new Map<DirectoryUserRecord, SyncedUserRow | undefined>()
  for (const u of users) {
    const upn = u.userPrincipalName.toLowerCase()
    matched.set(u, stored.get(u.externalId) ?? (u.externalId === upn ? byUpn.get(upn) : undefined))
  }
  const kept = new Set([...matched.values()].flatMap(u => (u ? [u.id] : [])))
  const leaving = mode === 'replace' ? [...stored.values()].filter(u => !kept.has(u.id)) : []
  const setsGroups = (u: DirectoryUserRecord) => mode === 'replace' || u.columns.includes('groups')
  const groupIdOf = (name: string) => resolved.groups.get(name.toLowerCase())?.id

  // What the import takes away, weighed as a sync's removals are.
  let membershipsRemoved = 0
  for (const u of leaving) membershipsRemoved += store.sync.userMembershipCount(u.id)
  for (const [u, s] of matched) {
    if (!s || !setsGroups(u)) continue
    const wanted = new Set(u.groups.map(groupIdOf))
    membershipsRemoved += store.groups
      .membershipsOf(s.id)
      .filter(m => m.groupKind === 'synced' && !wanted.has(m.groupId)).length
  }
  let removals: SyncRemovals | undefined
  if (leaving.length + membershipsRemoved > 0) {
    const counts: SyncRemovals = {
      usersRemoved: leaving.length,
      usersTotal: store.sync.userCount(directoryId),
      membershipsRemoved,
      membershipsTotal: store.sync.membershipCount(directoryId),
    }
    const decision = decideRemovalHold(counts, deps.removalLimits)
    if (decision.hold && !req.confirmRemovals) {
      const held = run({ status: 'held', error: heldMessage(req.directoryName, decision.reasons), removals: counts })
      store.directories.recordSyncRun(held)
      return { run: held, changedUserIds: [] }
    }
    if (decision.hold) removals = counts
  }

  return store.writeTransaction(() => {
    const at = req.startedAt
    for (const [key, g] of resolved.groups) {
      if (g.id !== null) continue
      g.id = ids.next()
      store.sync.insertGroup(directoryId, {
        id: g.id,
        externalId: key,
        name: g.name,
        kind: 'synced',
        dialect: null,
        rule: null,
        description: 'Synced from the directory file',
      })
    }
    let added = 0
    let changed = 0
    /** Each row's user, in file order, and whether the import moved the user's synced groups. */
    const written: { id: string; groupsChanged: boolean }[] = []
    const toEvaluate: { userId: string }[] = []
    for (const u of leaving) store.sync.deleteUser(u.id)
    for (const u of users) {
      const s = matched.get(u)
      const update = mode === 'update' && s !== undefined
      const { id, outcome } = store.users.upsert(
        {
          id: ids.next(),
          directoryId,
          externalId: s?.externalId ?? u.externalId,
          userPrincipalName: u.userPrincipalName,
          displayName: update && !u.columns.includes('displayName') ? s.displayName : u.displayName,
          attributes: update ? updatedAttributes(store.users.attributes(s.id), u) : u.attributes,
        },
        at,
      )
      if (outcome === 'added') added++
      if (outcome === 'changed') changed++
      const groupsChanged = setsGroups(u) && groups.setSyncedGroups(id, u.groups.map(groupIdOf) as string[])
      written.push({ id, groupsChanged })
      if (outcome !== 'unchanged' || groupsChanged) toEvaluate.push({ userId: id })
    }
    // Every user is the directory's: its rule groups are read and compiled once for all of them.
    const rulesChanged = groups.evaluateUsers(toEvaluate, store.groups.ruleGroups(directoryId))
    const changedUserIds = written.filter(w => w.groupsChanged || rulesChanged.has(w.id)).map(w => w.id)
    const done = run({ added, changed, removed: leaving.length, ...(removals ? { removals } : {}) })
    store.directories.recordSyncRun(done)
    const bound = store.sync.usersWithDevices()
    store.syncJournal.queueRedeploys(
      done.id,
      changedUserIds.filter(id => bound.has(id)),
      done.finishedAt,
    )
    if (removals)
      store.audit.append({
        at: done.finishedAt,
        actor: 'admin',
        action: 'directories/confirmRemovals',
        subject: req.directoryName,
        details: { runId: done.id, ...removals },
      })
    return { run: done, changedUserIds }
  })
}
