// The plan of a sync: what a complete pull changes in the store, decided before anything is
// written (engine.ts applies it). Users are planned one at a time as the connector delivers them;
// groups and memberships once the pull is whole. Every check that can refuse a pull (a user sent
// twice, no userPrincipalName, two users with one name) happens here, so a refused pull writes
// nothing.
import type { AttributeMapping, Attributes } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { IdSource } from '../ports'
import type { DirectoryGroupRow, IdpMemberChange, Store, SyncedUserRow, SyncUserWrite } from '../store'
import type { MemberChange, Pull, PulledGroup, PulledUser } from './connector'
import { fingerprint, mapAttributes, patchAttributes } from './mapping'
import { identityProblem, plainName } from './file-fields'

export interface PlanRequest {
  directoryId: string
  directoryName: string
  /** 'all': the record's properties are already attribute names (the file connector). */
  mapping: AttributeMapping[] | 'all'
  /** Synced groups to keep, by name (case-insensitive); empty keeps every group. */
  groupFilter: string[]
}

export interface Plan {
  mode: 'full' | 'incremental'
  insertUsers: SyncUserWrite[]
  /** New users a first sync wrote and evaluated while pulling (first-sync.ts). */
  streamedCount: number
  replaceUsers: SyncUserWrite[]
  /** Stored users whose userPrincipalName changes: it is let go before any user takes a new one. */
  renamedUserIds: string[]
  removeUserIds: string[]
  insertGroups: DirectoryGroupRow[]
  updateGroups: { row: DirectoryGroupRow; clearMembers: boolean }[]
  removeGroupIds: string[]
  addMembers: [string, string][]
  dropMembers: [string, string][]
  /**
   * Who the IdP itself lists in its rule-based groups (Entra and Google dynamic groups: their
   * evaluation of the rule), by IdP user ids: kept for GROUP_RULE_FAIL, never a membership.
   */
  idpMembers: IdpListing[]
  ruleChanged: boolean
  cursor: string | null
}

/** The IdP's own listing of one of its rule-based groups (Plan.idpMembers). */
export interface IdpListing {
  groupId: string
  change: IdpMemberChange
}

/**
 * Takes the IdP's listings of its rule-based groups out of a pull's members: the IdP's evaluation
 * of the rule, which the app does itself, stored as pulled (store/idp-rule-members.ts), never made
 * memberships. A group that keeps assigned members (Okta) stays: its listing is memberships.
 */
export function takeIdpListings(
  members: Map<string, MemberChange>,
  groups: Pick<GroupPlan, 'kept'>,
  pulled: PulledGroup[],
): IdpListing[] {
  const assigned = new Set(pulled.filter(g => g.assignedMembers === true).map(g => g.externalId))
  const out: IdpListing[] = []
  for (const [groupExt, change] of members) {
    const g = groups.kept.get(groupExt)
    if (!g || g.kind === 'synced' || assigned.has(groupExt)) continue
    out.push({ groupId: g.id, change })
    members.delete(groupExt)
  }
  return out
}

/** The groups' part of a plan; decided before the users when the connector lists groups first. */
export interface GroupPlan {
  insertGroups: DirectoryGroupRow[]
  updateGroups: { row: DirectoryGroupRow; clearMembers: boolean }[]
  removeGroupIds: string[]
  ruleChanged: boolean
  /** The directory's groups after the sync, by IdP id. */
  kept: Map<string, DirectoryGroupRow>
}

const compareLower = (a: string, b: string): number => {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x < y ? -1 : x > y ? 1 : 0
}

export function createPlanner({
  store,
  ids,
  yieldToLoop,
}: {
  store: Store
  ids: IdSource
  yieldToLoop: () => Promise<void>
}) {
  /**
   * Plans users one at a time, as the pull delivers them: mapped, fingerprinted and compared with
   * the stored user while the next page is on its way, so the raw records never pile up.
   * `full` guesses the pull's kind (no cursor: full) to read every stored user at once.
   * `stream` (a large first sync, first-sync.ts) gets each new user as it is planned, id given;
   * when it answers true it has taken the user whole (written and evaluated) and only the id is kept.
   */
  const userPlanner = (req: PlanRequest, full: boolean, stream?: (u: SyncUserWrite) => boolean) => {
    const at = req.directoryId
    // A full pull compares against every stored user; an incremental one looks up only those it touches.
    let existingUsers = full ? store.sync.users(at) : null
    const looked = new Map<string, SyncedUserRow | undefined>()
    const lookup = (ext: string): SyncedUserRow | undefined => {
      if (existingUsers) return existingUsers.get(ext)
      if (!looked.has(ext)) looked.set(ext, store.sync.user(at, ext))
      return looked.get(ext)
    }
    const seen = new Set<string>()
    /** The pull's userPrincipalNames (lower-cased) → IdP id: one sign-in, one user. */
    const pulledUpn = new Map<string, string>()
    const upnChanged: { ext: string; upn: string }[] = []
    const insertUsers: SyncUserWrite[] = []
    const streamedUsers = new Map<string, string>()
    const replaceUsers: SyncUserWrite[] = []
    const renamedUserIds: string[] = []
    return {
      lookup,
      /** The id of a user the stream took whole. */
      streamedId: (ext: string): string | undefined => streamedUsers.get(ext),
      /** Lets go of what planning the users needed, once the plan is whole (100k-entry maps on a large sync). */
      release(): void {
        seen.clear()
        pulledUpn.clear()
        streamedUsers.clear()
        looked.clear()
        existingUsers = null
        upnChanged.length = 0
      },
      add(u: PulledUser): void {
        if (seen.has(u.externalId))
          throw new AppError('DIRECTORY_RESPONSE', `The directory sent user ${u.externalId} twice in one sync.`, {
            userId: u.externalId,
          })
        seen.add(u.externalId)
        const ex = lookup(u.externalId)
        const upn = u.userPrincipalName ?? ex?.userPrincipalName
        if (!upn)
          throw new AppError(
            'DIRECTORY_RESPONSE',
            `The directory sent new user ${u.externalId} without a userPrincipalName.`,
            { userId: u.externalId },
          )
        const upnProblem = identityProblem(upn)
        if (upnProblem)
          throw new AppError(
            'DIRECTORY_RESPONSE',
            `The directory sent user ${u.externalId} with a userPrincipalName that ${upnProblem} Nothing was changed.`,
            { userId: u.externalId },
          )
        const key = upn.toLowerCase()
        const other = pulledUpn.get(key)
        if (other !== undefined)
          throw new AppError(
            'DIRECTORY_RESPONSE',
            `Users ${other} and ${u.externalId} would both have userPrincipalName ${upn}; nothing was changed.`,
            { userPrincipalName: upn },
          )
        pulledUpn.set(key, u.externalId)
        if (!ex || ex.userPrincipalName.toLowerCase() !== key) upnChanged.push({ ext: u.externalId, upn })
        // A display name is the user's to edit at many IdPs: formatting characters are dropped
        // rather than holding every sync for one user.
        const displayName = plainName(u.displayName ?? ex?.displayName ?? upn)
        const attributes: Attributes =
          u.partial && ex
            ? patchAttributes(store.users.attributes(ex.id), u.properties, req.mapping)
            : mapAttributes(u.newUserDefaults ? { ...u.newUserDefaults, ...u.properties } : u.properties, req.mapping)
        const fp = fingerprint(upn, displayName, attributes)
        if (!ex) {
          const created: SyncUserWrite = {
            id: stream ? ids.next() : '',
            externalId: u.externalId,
            userPrincipalName: upn,
            displayName,
            fingerprint: fp,
            attributes,
          }
          if (stream?.(created)) streamedUsers.set(created.externalId, created.id)
          else insertUsers.push(created)
        } else if (ex.fingerprint !== fp) {
          replaceUsers.push({
            id: ex.id,
            externalId: u.externalId,
            userPrincipalName: upn,
            displayName,
            fingerprint: fp,
            attributes,
          })
          if (ex.userPrincipalName.toLowerCase() !== key) renamedUserIds.push(ex.id)
        }
      },
      /** The users' part of the plan, once the pull is whole. */
      finish(pull: Pull, p: Plan): void {
        // New users are written in userPrincipalName order, with ids given in that order: the user
        // indexes (id, userPrincipalName) and the attributes' key then grow at their ends instead of
        // being written all over, which makes a first sync's inserts and commits cheaper. Streamed
        // users have theirs already: they were written as they came.
        if (!stream) {
          insertUsers.sort((a, b) => compareLower(a.userPrincipalName, b.userPrincipalName))
          for (const u of insertUsers) u.id = ids.next()
        }
        p.insertUsers = insertUsers
        p.streamedCount = streamedUsers.size
        p.replaceUsers = replaceUsers
        p.renamedUserIds = renamedUserIds
        const removedExt = new Set(pull.removedUserIds.filter(ext => !seen.has(ext)))
        // An incremental pull must not give a user the name of a stored user it leaves alone.
        if (pull.mode !== 'full') {
          for (const { ext, upn } of upnChanged) {
            const owner = store.sync.upnOwner(at, upn)
            if (owner === undefined || owner === ext || removedExt.has(owner)) continue
            if (seen.has(owner) && pulledUpn.get(upn.toLowerCase()) !== owner) continue
            throw new AppError(
              'DIRECTORY_RESPONSE',
              `Users ${owner} and ${ext} would both have userPrincipalName ${upn}; nothing was changed.`,
              { userPrincipalName: upn },
            )
          }
          for (const ext of removedExt) {
            const ex = lookup(ext)
            if (ex) p.removeUserIds.push(ex.id)
          }
        } else {
          // A full pull names every user: whoever it left out is gone.
          existingUsers ??= store.sync.users(at)
          for (const u of existingUsers.values()) if (!seen.has(u.externalId)) p.removeUserIds.push(u.id)
        }
      },
    }
  }
  type UserPlanner = ReturnType<typeof userPlanner>

  /** The groups' part of a plan: what the pulled groups add, change and remove. */
  const planGroups = (req: PlanRequest, pull: Pick<Pull, 'mode' | 'groups' | 'removedGroupIds'>): GroupPlan => {
    const existingGroups = store.sync.groups(req.directoryId)
    const planned: GroupPlan = {
      insertGroups: [],
      updateGroups: [],
      removeGroupIds: [],
      ruleChanged: false,
      kept: new Map(),
    }
    const filter = new Set(req.groupFilter.map(n => n.toLowerCase()))
    const selected = (name: string) => filter.size === 0 || filter.has(name.toLowerCase())
    const usedNames = new Set<string>()
    const uniqueName = (name: string, self: string | undefined, ext: string): string => {
      for (const candidate of [
        name,
        `${name} (${req.directoryName})`,
        `${name} (${req.directoryName} ${ext.slice(0, 8)})`,
      ]) {
        const owner = store.sync.groupNameOwner(candidate)
        if ((owner === undefined || owner === self) && !usedNames.has(candidate.toLowerCase())) {
          usedNames.add(candidate.toLowerCase())
          return candidate
        }
      }
      throw new AppError('CONFLICT', `Group name ${name} is taken several times over; rename one of the groups.`, {
        group: name,
      })
    }
    const kept = planned.kept
    const pulledGroups = new Set<string>()
    for (const g of pull.groups) {
      pulledGroups.add(g.externalId)
      const ex = existingGroups.get(g.externalId)
      const wantedName = g.name ?? ex?.name ?? g.externalId
      if (!selected(wantedName)) {
        if (ex) planned.removeGroupIds.push(ex.id)
        continue
      }
      const exRule =
        ex && ex.kind === 'rule' && ex.dialect && ex.rule !== null ? { dialect: ex.dialect, text: ex.rule } : null
      const rule = g.rule === undefined ? exRule : g.rule
      const row: DirectoryGroupRow = {
        id: ex?.id ?? ids.next(),
        externalId: g.externalId,
        name:
          ex && ex.name.toLowerCase() === wantedName.toLowerCase()
            ? ex.name
            : uniqueName(wantedName, ex?.id, g.externalId),
        kind: rule ? 'rule' : 'synced',
        dialect: rule?.dialect ?? null,
        rule: rule?.text ?? null,
        description: g.description ?? ex?.description ?? '',
      }
      if (ex) usedNames.add(row.name.toLowerCase())
      if (rule?.text !== exRule?.text || rule?.dialect !== exRule?.dialect) planned.ruleChanged = true
      if (!ex) planned.insertGroups.push(row)
      else if (
        row.name !== ex.name ||
        row.kind !== ex.kind ||
        row.rule !== ex.rule ||
        row.dialect !== ex.dialect ||
        row.description !== ex.description
      ) {
        // A group whose listed members are kept whatever its kind (Okta) has them replaced by the listing.
        planned.updateGroups.push({ row, clearMembers: ex.kind !== row.kind && g.assignedMembers !== true })
      }
      kept.set(g.externalId, row)
    }
    const removedGroups =
      pull.mode === 'full'
        ? [...existingGroups.values()].filter(g => !pulledGroups.has(g.externalId))
        : pull.removedGroupIds.map(id => existingGroups.get(id)).filter(g => g !== undefined)
    for (const g of removedGroups) {
      planned.removeGroupIds.push(g.id)
      if (g.kind === 'rule') planned.ruleChanged = true
    }
    for (const [ext, g] of existingGroups)
      if (!kept.has(ext) && !planned.removeGroupIds.includes(g.id)) kept.set(ext, g)

    return planned
  }

  /**
   * The whole plan; users the connector handed to `planner` during the pull are planned already,
   * and the groups too when `groupPlan` is given (planGroups, for the same pull's groups).
   */
  const plan = async (
    req: PlanRequest,
    pull: Pull,
    planner: UserPlanner = userPlanner(req, pull.mode === 'full'),
    groupPlan?: GroupPlan,
  ): Promise<Plan> => {
    const at = req.directoryId
    const p: Plan = {
      mode: pull.mode,
      insertUsers: [],
      streamedCount: 0,
      replaceUsers: [],
      renamedUserIds: [],
      removeUserIds: [],
      insertGroups: [],
      updateGroups: [],
      removeGroupIds: [],
      addMembers: [],
      dropMembers: [],
      idpMembers: [],
      ruleChanged: false,
      cursor: pull.cursor,
    }

    // Users a connector returned rather than handed over as they came. Each is let go once
    // planned: the raw records and the plan are never both whole in memory.
    const pulled = pull.users as (PulledUser | undefined)[]
    for (let n = 0; n < pulled.length; n++) {
      const u = pulled[n] as PulledUser
      pulled[n] = undefined
      // Mapping and fingerprinting 100k users takes a while: let the event loop breathe.
      if ((n + 1) % 1000 === 0) await yieldToLoop()
      planner.add(u)
    }
    planner.finish(pull, p)
    const lookup = planner.lookup
    const full = pull.mode === 'full'

    const groups = groupPlan ?? planGroups(req, pull)
    p.insertGroups = groups.insertGroups
    p.updateGroups = groups.updateGroups
    p.removeGroupIds = groups.removeGroupIds
    p.ruleChanged = groups.ruleChanged
    const kept = groups.kept

    p.idpMembers = takeIdpListings(pull.members, groups, pull.groups)
    // Synced memberships (rule-based groups are evaluated locally instead), and the members assigned
    // by hand to a group that a rule fills too (Okta: PulledGroup.assignedMembers).
    const inserted = new Map(p.insertUsers.map(u => [u.externalId, u.id]))
    const userId = (ext: string) => inserted.get(ext) ?? planner.streamedId(ext) ?? lookup(ext)?.id
    const goneUsers = new Set(p.removeUserIds)
    const current = full ? store.sync.syncedMemberships(at) : new Map<string, Set<string>>()
    for (const [groupExt, change] of pull.members) {
      const g = kept.get(groupExt)
      if (!g) continue
      const local = (exts: Iterable<string>) => {
        const out = new Set<string>()
        for (const ext of exts) {
          const id = userId(ext)
          if (id !== undefined && !goneUsers.has(id)) out.add(id)
        }
        return out
      }
      const have = current.get(g.id) ?? (full ? new Set<string>() : store.sync.directMembers(g.id))
      if ('replace' in change) {
        const want = local(change.replace)
        for (const u of want) if (!have.has(u)) p.addMembers.push([g.id, u])
        for (const u of have) if (!want.has(u) && !goneUsers.has(u)) p.dropMembers.push([g.id, u])
      } else {
        for (const u of local(change.add)) if (!have.has(u)) p.addMembers.push([g.id, u])
        for (const u of local(change.remove)) if (have.has(u)) p.dropMembers.push([g.id, u])
      }
    }
    planner.release()
    return p
  }

  return { userPlanner, planGroups, plan }
}
