// The sync engine: pull completely, validate, then apply (plan.ts decides what to write).
// - Nothing is written until the connector has delivered the whole pull and it has been
//   checked (identities present, no two users with one userPrincipalName), so a pull that
//   fails half-way — network, 5xx after retries, a malformed page, a cancel — changes nothing.
// - The apply is one transaction, with the connector's cursor, the run record and the redeploys it
//   owes (apply-steps.ts): a sync that fails or dies half-way changes nothing, and the next sync
//   pulls the same changes again. It holds the event loop while it writes (measured on a
//   30,000-user directory: 15,000 department moves at most 330 ms, 10,000 new users 230 ms).
// - The one exception: a large first sync into an empty directory writes its users from a worker
//   thread while the pull runs, and the rest in chunks that yield to the event loop; it is marked,
//   and undone as a whole if it fails or the process dies (first-sync.ts).
// - A sync is marked as running until its run is recorded, and the users whose devices it must
//   redeploy are journaled in its commit and cleared once redeployed: the next start records a
//   sync that died as failed and redeploys what a committed one still owed (recovery.ts).
// - Only users whose attributes or synced groups changed are re-evaluated (every user when a
//   group's rule changed); their devices are then redeployed.
// - Between plan and apply, a plan that removes too many users or memberships is held: recorded
//   as a held run, cursor untouched, until the admin syncs again with confirmRemovals
//   (removal-guard.ts). A cancel that lands before the apply also changes nothing.
import type { Attributes, SyncProgress, SyncRemovals, SyncRun } from '../../shared/domain'
import { AppError, errorMessage, errorStack } from '../../shared/errors'
import type { GroupService } from '../groups'
import { copyAttributes } from '../rules'
import type { Clock, Faults, IdSource, Log } from '../ports'
import {
  addGroupRow,
  addMembershipRow,
  addRuleMembershipRows,
  emptyBulkRows,
  identityFields,
  type BulkWriter,
  type DirectoryGroupRow,
  type RuleGroup,
  type Store,
  type SyncUserWrite,
} from '../store'
import { COMMIT, each as eachStep, runAtomic, runChunked, type Pacing, type Steps } from './apply-steps'
import {
  CursorExpired,
  type Connector,
  type FetchedUser,
  type MemberChange,
  type Pull,
  type PulledGroup,
  type PulledUser,
  type PullProgress,
} from './connector'
import { firstSyncStream, mayStreamFirstSync, undoInterruptedFirstSyncs, type FirstSyncStream } from './first-sync'
import { createPlanner, takeIdpListings, type GroupPlan, type Plan, type PlanRequest } from './plan'
import { recordStoppedSyncs, redeployOwed, stoppedMidway, systemProcess, type ProcessPort } from './recovery'
import {
  countMembershipRemovals,
  decideRemovalHold,
  DEFAULT_REMOVAL_LIMITS,
  heldMessage,
  type RemovalLimits,
} from './removal-guard'

export interface SyncEngineDeps {
  store: Store
  groups: GroupService
  clock: Clock
  ids: IdSource
  log: Log
  /** Recomputes these users' devices (the devices room), after the apply. */
  redeployUsers(userIds: string[]): Promise<unknown>
  emit(progress: SyncProgress): void
  /** When a sync is held for removing too much (default DEFAULT_REMOVAL_LIMITS); read at each sync. */
  removalLimits?: () => RemovalLimits
  /** A first sync's users from which a worker thread writes them as they arrive (default 5,000; first-sync.ts). */
  bulkFrom?: number
  /**
   * New users per bulk write transaction of a first sync (default 10,000: about a second of lock,
   * taken only by a directory's first sync). Each commit writes the hot index pages to the WAL
   * again: at 100,000 users, 10 commits took the sync 8.7–8.9 s where 50 took 9.7–10.0 s.
   */
  bulkBatch?: number
  /** Most items per write transaction of a chunked apply (a streamed first sync's; default 2,000). */
  chunkSize?: number
  /**
   * Such a write transaction also ends once it has run this long (default 20 ms), so the main
   * process answers between chunks however fast the disk is; `now` measures it (default performance.now).
   */
  sliceMs?: number
  now?: () => number
  yieldToLoop?: () => Promise<void>
  /** Crash points for the kill -9 test ('sync:apply-mid', 'sync:after-commit'); production passes none. */
  faults?: Faults
  /** This process, and whether another one is alive (default the real ones). */
  process?: ProcessPort
}

export interface SyncRequest extends PlanRequest {
  connector: Connector
  /** 'full' ignores the stored cursor; default: incremental when there is a cursor. */
  mode?: 'full' | 'incremental'
  /** Aborting it cancels the sync; it changes nothing unless the apply had already begun. */
  signal?: AbortSignal
  /** The admin confirmed the removals: apply even over the removal limits. */
  confirmRemovals?: boolean
}

export interface SyncOutcome {
  run: SyncRun
  /**
   * Users whose effective memberships changed (their devices were redeployed). Of a large first
   * sync's new users only those with a device are listed: the others have nothing to redeploy.
   */
  changedUserIds: string[]
  reevaluated: number
}

/** A first sync's users written during the pull (first-sync.ts), as the apply goes on from them. */
type StreamedUsers = Pick<FirstSyncStream, 'groupsSent' | 'changed' | 'evaluated'> & { writer: BulkWriter }

/** What an apply did. */
interface Applied {
  /** Users whose effective memberships changed. */
  changedUserIds: string[]
  /** Of those, the users bound to a device: their devices are redeployed. */
  redeploy: string[]
  reevaluated: number
  /** The writer thread's stop, when there was one. */
  writerClosed: Promise<void> | null
}

/** Runs started by any engine of this process (several apps may share one): never "stopped" at start-up. */
const runningHere = new Set<string>()

/** What a plan adds, changes and removes, as its run records them. */
const counted = (p: Plan): Pick<SyncRun, 'added' | 'changed' | 'removed'> => ({
  added: p.insertUsers.length + p.streamedCount,
  changed: p.replaceUsers.length,
  removed: p.removeUserIds.length,
})

/** The stored rule groups and a plan's new ones (unless stored already), in the store's order (by name). */
const withNewRuleGroups = (stored: RuleGroup[], added: DirectoryGroupRow[], directoryId: string): RuleGroup[] => {
  const known = new Set(stored.map(g => g.id))
  const fresh = added.flatMap(g =>
    g.kind === 'rule' && g.dialect && g.rule !== null && !known.has(g.id)
      ? [{ id: g.id, name: g.name, dialect: g.dialect, rule: g.rule, directoryId }]
      : [],
  )
  return [...stored, ...fresh].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** Synced-group memberships per message to the bulk writer. */
const MEMBERS_PER_MESSAGE = 5000

const setImmediateYield = () => new Promise<void>(resolve => setImmediate(resolve))

export function createSyncEngine(deps: SyncEngineDeps) {
  const { store, groups, clock, ids, log } = deps
  const chunkSize = deps.chunkSize ?? 2000
  const bulkFrom = deps.bulkFrom ?? 5000
  const bulkBatch = deps.bulkBatch ?? 10000
  const sliceMs = deps.sliceMs ?? 20
  const now = deps.now ?? (() => performance.now())
  const yieldToLoop = deps.yieldToLoop ?? setImmediateYield
  const running = new Set<string>()
  // Work a sync leaves running once it has answered: a writer's WAL checkpoint, and at start-up the
  // undo of first syncs the app stopped in the middle of.
  const background = new Set<Promise<void>>()
  const inBackground = (what: string, work: Promise<void>): Promise<void> => {
    const tracked = work
      .catch((e: unknown) => log.warn(`${what} failed`, { error: errorMessage(e) }))
      .finally(() => background.delete(tracked))
    background.add(tracked)
    return tracked
  }
  const proc = deps.process ?? systemProcess
  const recovery = { store, clock, log, proc, runningHere }
  const stillRunning = (runId: string) =>
    store.syncJournal.runningSyncs().some(m => m.runId === runId && !stoppedMidway(recovery, runId, m.pid))
  // Runs once the app is wired (a microtask after the synchronous start-up): the redeploys owed go
  // to the devices room, which is bound after this one.
  const recovered = inBackground(
    'recovering from a sync the app stopped in the middle of',
    Promise.resolve().then(async () => {
      await undoInterruptedFirstSyncs({ store, clock, log, yieldToLoop, stillRunning })
      recordStoppedSyncs(recovery)
      await redeployOwed(recovery, deps.redeployUsers)
    }),
  )

  const { userPlanner, planGroups, plan } = createPlanner({ store, ids, yieldToLoop })

  const pacing: Pacing = { chunkSize, sliceMs, now }
  const each = <T>(items: T[], write: (slice: T[]) => void, release = false) => eachStep(pacing, items, write, release)

  /** A bulk writer, or null when its worker cannot start here (the apply then writes the users). */
  const openWriter = (): Promise<BulkWriter | null> =>
    store.sync.bulkWriter().catch((e: unknown) => {
      log.warn('bulk writer unavailable; writing in the main thread', {
        error: errorMessage(e),
      })
      return null
    })

  /**
   * Hands a streamed first sync's new users' rule-group memberships to the bulk writer (the users
   * themselves were sent during the pull) in steps of 250, with a yield between (the event loop
   * stays free) and a commit every bulkBatch users; then its new groups' rows, unless they went
   * with the users, and its synced-group memberships. Each step's rows go at once: held for a whole
   * batch, they would outlive V8's young generation and grow the heap. Resolves once all of it is
   * committed.
   */
  const sendNewUsers = async (
    writer: BulkWriter,
    directoryId: string,
    {
      users,
      groups: groupRows,
      members,
    }: { users: SyncUserWrite[]; groups: DirectoryGroupRow[]; members: [string, string][] },
    ruleGroups: RuleGroup[],
    at: string,
    progress: (slice: SyncUserWrite[], changed: string[]) => void,
  ): Promise<void> => {
    try {
      if (groupRows.length > 0) {
        const rows = emptyBulkRows()
        for (const g of groupRows) addGroupRow(rows, directoryId, g)
        await writer.send(rows)
      }
      for (let i = 0; i < users.length; ) {
        const end = Math.min(users.length, i + bulkBatch)
        while (i < end) {
          const rows = emptyBulkRows()
          const slice = users.slice(i, Math.min(end, i + 250))
          const changed: string[] = []
          for (const { userId, memberships: list } of groups.decideNewUsers(
            slice.map(u => ({ userId: u.id, input: ruleInput(u) })),
            ruleGroups,
          )) {
            addRuleMembershipRows(rows, userId, list, at)
            if (list.some(m => m.effective)) changed.push(userId)
          }
          // Decided users' records are let go (a sync's new users are most of its memory).
          ;(users as unknown[]).fill(undefined, i, i + slice.length)
          i += slice.length
          progress(slice, changed)
          await writer.send(rows, i === end)
          await yieldToLoop()
        }
      }
      // A few thousand rows a message, committed every bulkBatch * 4: a message of tens of
      // thousands outgrows the writer thread's young generation, and that thread's heap then
      // grows by each one (it is the process's memory at its peak, the end of the sync).
      let uncommitted = 0
      for (let i = 0; i < members.length; ) {
        const rows = emptyBulkRows()
        const end = Math.min(members.length, i + MEMBERS_PER_MESSAGE)
        uncommitted += end - i
        for (; i < end; i++) {
          const [g, u] = members[i] as [string, string]
          addMembershipRow(rows, g, u, at)
        }
        const commit = i === members.length || uncommitted >= bulkBatch * 4
        if (commit) uncommitted = 0
        await writer.send(rows, commit)
      }
    } finally {
      await writer.finish()
    }
  }

  /**
   * What rules read: the mapped attributes plus the identity fields (as store.users.ruleInput
   * builds it), copied key by key (copyAttributes says why).
   */
  const ruleInput = (u: SyncUserWrite): Attributes =>
    copyAttributes(identityFields(u.externalId, u.userPrincipalName, u.displayName), copyAttributes(u.attributes))

  /**
   * The steps that write a plan and re-evaluate (apply-steps.ts runs them atomically or in chunks);
   * they return who may need their devices redeployed, and the writer thread's stop (it checkpoints
   * after the sync has moved on). `streamed`: the writer a first sync's users went to during the
   * pull, and what the stream did (first-sync.ts); its groups go the same way. Only a streamed
   * apply has a writer: it is the one applied in chunks.
   */
  function* applySteps(
    req: PlanRequest,
    p: Plan,
    emit: (patch: Partial<SyncProgress>) => void,
    streamed: StreamedUsers | null,
  ): Steps<Applied> {
    const at = clock.now().toISOString()
    const affected = new Set<string>()
    const evaluated = new Set<string>()
    // A streamed first sync's directory had nothing to update or remove (mayStreamFirstSync).
    // Groups first (users' memberships point at them); members of removed groups lose policies.
    for (const groupId of p.removeGroupIds) {
      for (const m of store.groups.members(groupId, Number.MAX_SAFE_INTEGER)) affected.add(m.userId)
      store.sync.deleteGroup(groupId)
    }
    if (!streamed) for (const g of p.insertGroups) store.sync.insertGroup(req.directoryId, g)
    for (const { row, clearMembers } of p.updateGroups) {
      if (clearMembers) {
        for (const m of store.groups.members(row.id, Number.MAX_SAFE_INTEGER)) affected.add(m.userId)
        store.sync.clearGroupMembers(row.id)
      }
      store.sync.updateGroup(row)
    }
    yield COMMIT
    // Removed users go before new ones: a user deleted and re-created with the same sign-in name
    // (a new id in Okta and Entra) would otherwise collide with the old row.
    yield* each(p.removeUserIds, slice => {
      for (const id of slice) {
        store.sync.deleteUser(id)
        affected.delete(id)
      }
    })
    // Two users swapping names, or a new user taking the name a stored one gives up, would collide
    // in the one-name-per-user index half-way through: renamed users let go of their old names first.
    for (const id of p.renamedUserIds) store.sync.releaseUserPrincipalName(id)
    yield COMMIT
    // Read once: every batch below evaluates against the same rules (a streamed sync's new ones are not stored yet).
    const ruleGroups = streamed
      ? withNewRuleGroups(store.groups.ruleGroups(req.directoryId), p.insertGroups, req.directoryId)
      : store.groups.ruleGroups(req.directoryId)
    // A streamed first sync's directory had no users: all it adds are new, and of those only the
    // ones a device was bound to meanwhile have anything to redeploy. Sets of its 100k ids would
    // be most of what the apply holds.
    const boundNew = streamed ? store.sync.usersWithDevices() : null
    for (const id of streamed?.changed ?? []) if (boundNew?.has(id)) affected.add(id)
    const writes = p.insertUsers.length + p.replaceUsers.length
    let written = 0
    let shown = -1
    const wrote = (n: number) => {
      const half = written * 2 < writes
      written += n
      // Named for the kill -9 test: half of the users are written, none of it committed.
      if (half && written * 2 >= writes) deps.faults?.hit('sync:apply-mid')
      const percent = 70 + Math.round((written / Math.max(1, writes)) * 25)
      if (percent !== shown) {
        shown = percent
        emit({ percent })
      }
    }
    const inserted = new Set(p.insertUsers.map(u => u.id))
    const isNew = (userId: string) => streamed !== null || inserted.has(userId)
    const newMembers = p.addMembers.filter(([, u]) => isNew(u))
    const writer = streamed?.writer ?? null
    if (writer) {
      // A worker thread writes the new users, their memberships and their synced groups while this
      // thread decides the next users' memberships (store/bulk-writer.ts).
      const news = {
        users: p.insertUsers,
        groups: streamed && !streamed.groupsSent ? p.insertGroups : [],
        members: newMembers,
      }
      yield () =>
        sendNewUsers(writer, req.directoryId, news, ruleGroups, at, (slice, changed) => {
          for (const id of changed) affected.add(id)
          for (const u of slice) evaluated.add(u.id)
          wrote(slice.length)
        })
      for (const [, u] of newMembers) if (!boundNew || boundNew.has(u)) affected.add(u)
    } else {
      // Users are written and re-evaluated together: a written user is never left unevaluated.
      yield* each(
        p.insertUsers,
        slice => {
          for (const u of slice) store.sync.insertUser(req.directoryId, u, at)
          for (const id of groups.evaluateUsers(
            slice.map(u => ({ userId: u.id, input: ruleInput(u), isNew: true })),
            ruleGroups,
          ))
            affected.add(id)
          for (const u of slice) evaluated.add(u.id)
          wrote(slice.length)
        },
        true,
      )
    }
    yield* each(p.replaceUsers, slice => {
      for (const u of slice) store.sync.replaceUser(u, at)
      for (const id of groups.evaluateUsers(
        slice.map(u => ({ userId: u.id, input: ruleInput(u) })),
        ruleGroups,
      ))
        affected.add(id)
      for (const u of slice) evaluated.add(u.id)
      wrote(slice.length)
    })
    // Leaving a synced group starts the policy engine's grace period, as setSyncedGroups does;
    // coming back cancels it (groups room: a flapping membership withdraws nothing).
    const regrouped = new Set(newMembers.map(([, u]) => u))
    yield* each(writer ? p.addMembers.filter(([, u]) => !isNew(u)) : p.addMembers, slice => {
      for (const [g, u] of slice) {
        store.sync.addMember(g, u, at)
        // A user inserted by this sync has no pending withdrawal to cancel.
        if (!isNew(u)) store.withdrawals.drop(u, g)
        affected.add(u)
        regrouped.add(u)
      }
    })
    yield* each(p.dropMembers, slice => {
      for (const [g, u] of slice) {
        store.sync.removeMember(g, u)
        store.withdrawals.put(u, g, at)
        affected.add(u)
        regrouped.add(u)
      }
    })
    // What the IdP lists in its rule groups, for GROUP_RULE_FAIL; a group no longer rule-based has none.
    for (const listing of p.idpMembers) store.idpRuleMembers.apply(listing.groupId, listing.change, at)
    p.idpMembers = []
    for (const { row } of p.updateGroups) if (row.kind === 'synced') store.idpRuleMembers.drop(row.id)
    emit({ phase: 'evaluating', percent: 95 })
    // A changed rule can move anyone: every user not evaluated above is evaluated now. Rules that
    // read group membership (Entra memberOf, Okta isMemberOf…) see synced groups: users whose
    // synced groups changed are evaluated again.
    const gone = new Set(p.removeUserIds)
    const readsGroups = ruleGroups.some(g => /memberof/i.test(g.rule))
    if (readsGroups && !p.ruleChanged) {
      yield* each(
        [...regrouped].filter(id => !gone.has(id)),
        slice => {
          for (const id of groups.evaluateUsers(
            slice.map(userId => ({ userId })),
            ruleGroups,
          ))
            affected.add(id)
        },
      )
    }
    if (p.ruleChanged) {
      // A directory's rule groups read only its own users. A streamed first sync decided them
      // as they arrived, before their synced groups were known: left are its regrouped users
      // when rules read groups.
      const candidates = streamed ? (readsGroups ? [...regrouped] : []) : store.sync.userIdsOf(req.directoryId)
      yield* each(
        candidates.filter(id => !evaluated.has(id) || (readsGroups && regrouped.has(id))),
        slice => {
          for (const id of groups.evaluateUsers(
            slice.map(userId => ({ userId })),
            ruleGroups,
          ))
            affected.add(id)
          for (const id of slice) evaluated.add(id)
        },
      )
    }
    // Only users with devices have anything to redeploy; a first sync of 100k users has few.
    const bound = store.sync.usersWithDevices()
    return {
      changedUserIds: [...affected].filter(id => !gone.has(id)),
      redeploy: [...affected].filter(id => !gone.has(id) && bound.has(id)),
      reevaluated: evaluated.size + (streamed?.evaluated ?? 0),
      writerClosed: writer?.closed ?? null,
    }
  }

  return {
    isRunning: (directoryId: string) => running.has(directoryId),

    /** Resolves once work syncs left running in the background is done (checkpoints, start-up undo). */
    async settled(): Promise<void> {
      while (background.size > 0) await Promise.all([...background])
    },

    /**
     * Applies one user fetched just in time (enrollment): attributes, and synced-group
     * memberships of this directory's known groups. The cursor and history are left alone: the
     * next sync still sees the change and finds nothing left to do. Returns users whose
     * effective memberships changed, and the journal entry (`source`) that owes their bound
     * devices a redeploy, written in the same commit: the caller clears it once it redeployed
     * them, and if the app stops first, the next start does it (recovery.ts).
     */
    async applyUser(
      req: Pick<SyncRequest, 'directoryId' | 'directoryName' | 'mapping'>,
      fetched: FetchedUser,
    ): Promise<{ changedUserIds: string[]; source: string }> {
      const wanted = new Set(fetched.groupIds)
      const members = new Map<string, MemberChange>()
      const me = new Set([fetched.user.externalId])
      for (const [ext, g] of store.sync.groups(req.directoryId)) {
        if (g.kind === 'synced')
          members.set(ext, wanted.has(ext) ? { add: me, remove: new Set() } : { add: new Set(), remove: me })
      }
      const pull: Pull = {
        mode: 'incremental',
        users: [fetched.user],
        removedUserIds: [],
        groups: [],
        removedGroupIds: [],
        members,
        cursor: null,
      }
      const planReq = { ...req, groupFilter: [] }
      const p = await plan(planReq, pull)
      const source = `jit:${ids.next()}`
      return store.writeTransaction(() => {
        const a = runAtomic(applySteps(planReq, p, () => {}, null))
        store.syncJournal.queueRedeploys(source, a.redeploy, clock.now().toISOString())
        return { changedUserIds: a.changedUserIds, source }
      })
    },

    async sync(req: SyncRequest): Promise<SyncOutcome> {
      await recovered
      if (running.has(req.directoryId)) {
        throw new AppError('CONFLICT', `A sync of ${req.directoryName} is already running; wait for it to finish.`, {
          directoryId: req.directoryId,
        })
      }
      running.add(req.directoryId)
      const runId = ids.next()
      const startedAt = clock.now()
      /** Records the run as it ends, and that it no longer runs. */
      const record = (run: SyncRun) =>
        store.transaction(() => {
          store.directories.recordSyncRun(run)
          store.syncJournal.endSync(req.directoryId, runId)
        })
      const expected = Math.max(1, store.sync.userCount(req.directoryId))
      const progress: SyncProgress = {
        directoryId: req.directoryId,
        runId,
        phase: 'pulling',
        pages: 0,
        users: 0,
        groups: 0,
        percent: 0,
        etaSeconds: null,
      }
      const emit = (patch: Partial<SyncProgress>) => {
        Object.assign(progress, patch)
        const elapsed = (clock.now().getTime() - startedAt.getTime()) / 1000
        const fraction = progress.percent / 100
        progress.etaSeconds =
          fraction > 0.02 && fraction < 1 && elapsed > 0
            ? Math.round((elapsed / fraction) * (1 - fraction))
            : progress.phase === 'done'
              ? 0
              : null
        deps.emit({ ...progress })
      }
      let stream: FirstSyncStream | null = null
      // The pull is 70% of the bar: users against the directory's last known size, and groups. The
      // connector waits on what this returns before the next page: a streamed sync's writer sets the pace.
      const onPage = (pp: PullProgress): Promise<void> | undefined => {
        emit({
          pages: pp.pages,
          users: pp.users,
          groups: pp.groups,
          percent: Math.min(69, Math.round((Math.min(pp.users, expected) / expected) * 60 + (pp.groups > 0 ? 9 : 0))),
        })
        return stream?.ready()
      }
      // WAL checkpoints wait while the sync writes (resumed once a writer thread has stopped).
      let writerClosed: Promise<void> | null = null
      let mode: SyncRun['mode'] = 'full'
      /** This run's history record as it ends (nothing written unless `fields` say so). */
      const finished = (status: SyncRun['status'], fields: Partial<SyncRun>): SyncRun => ({
        id: runId,
        directoryId: req.directoryId,
        mode,
        status,
        startedAt: startedAt.toISOString(),
        finishedAt: clock.now().toISOString(),
        added: 0,
        changed: 0,
        removed: 0,
        error: null,
        ...fields,
      })
      // Kept with the run: what the admin should know about a sync that went through.
      const notes: string[] = []
      let applying = false
      // Set once the apply is committed: what fails after it (the redeploy) undoes nothing.
      let committed = false
      store.sync.pauseCheckpoints()
      try {
        // Should the process die before the run is recorded, the next start records it (recovery.ts).
        store.syncJournal.beginSync(req.directoryId, runId, startedAt.toISOString(), proc.pid)
        runningHere.add(runId)
        emit({})
        const cursor = req.mode === 'full' ? null : store.sync.cursor(req.directoryId)
        const properties = req.mapping === 'all' ? [] : req.mapping.map(m => m.property)
        // Users are planned as they arrive (userPlanner); a restarted pull starts a fresh plan.
        if (cursor === null && mayStreamFirstSync(store, req.directoryId)) {
          stream = firstSyncStream({
            store,
            directoryId: req.directoryId,
            runId,
            at: startedAt.toISOString(),
            from: bulkFrom,
            batch: bulkBatch,
            openWriter,
            yieldToLoop,
            decide: (users, ruleGroups) =>
              groups.decideNewUsers(
                users.map(u => ({ userId: u.id, input: ruleInput(u) })),
                ruleGroups,
              ),
          })
        }
        const streaming = stream
        let planner = userPlanner(req, cursor === null, streaming ? u => streaming.add(u) : undefined)
        const onUser = (u: PulledUser) => planner.add(u)
        // Groups listed before users: a streamed sync decides each user's rule groups as it arrives.
        let groupPlan: GroupPlan | undefined
        const onGroups = streaming
          ? (groups: PulledGroup[], members: Map<string, MemberChange>) => {
              groupPlan = planGroups(req, { mode: 'full', groups, removedGroupIds: [] })
              streaming.knowGroups(
                withNewRuleGroups(store.groups.ruleGroups(req.directoryId), groupPlan.insertGroups, req.directoryId),
                groupPlan.insertGroups,
                takeIdpListings(members, groupPlan, groups),
              )
            }
          : undefined
        let pull: Pull
        try {
          pull = await req.connector.pull({ cursor, properties, onPage, onUser, onGroups, signal: req.signal })
        } catch (e) {
          if (!(e instanceof CursorExpired) || cursor === null) throw e
          log.warn('directory cursor expired; running a full sync', { directoryId: req.directoryId, reason: e.message })
          notes.push(`${e.message} A full sync ran instead.`)
          emit({ message: `${e.message} Running a full sync instead.`, pages: 0, users: 0, groups: 0, percent: 0 })
          planner = userPlanner(req, true)
          pull = await req.connector.pull({ cursor: null, properties, onPage, onUser, signal: req.signal })
        }
        mode = pull.mode
        // The last streamed users go to the writer while the rest is planned.
        const ending = stream?.end() ?? Promise.resolve(null)
        ending.catch(() => {})
        const p = await plan(req, pull, planner, groupPlan)
        const writer = await ending
        // Listings the stream took but sent nothing with (too few users, or no writer) are the apply's.
        if (stream) p.idpMembers.push(...stream.unsentListings())
        const streamed =
          writer && stream
            ? { writer, groupsSent: stream.groupsSent, changed: stream.changed, evaluated: stream.evaluated }
            : null
        // The plan holds what gets written; the raw records can go before the long apply.
        pull.users = []
        pull.members.clear()
        // Last point where a cancel changes nothing; the apply itself runs to the end.
        req.signal?.throwIfAborted()

        // The removal guard weighs what the plan drops against what the directory has now.
        let removals: SyncRemovals | undefined
        if (p.removeUserIds.length + p.removeGroupIds.length + p.dropMembers.length > 0) {
          const counts: SyncRemovals = {
            usersRemoved: p.removeUserIds.length,
            usersTotal: store.sync.userCount(req.directoryId),
            membershipsRemoved: countMembershipRemovals(p, {
              membershipsOfUser: id => store.sync.userMembershipCount(id),
              membersOfGroup: id => store.sync.groupMembers(id),
            }),
            membershipsTotal: store.sync.membershipCount(req.directoryId),
          }
          const decision = decideRemovalHold(counts, deps.removalLimits?.() ?? DEFAULT_REMOVAL_LIMITS)
          if (decision.hold && !req.confirmRemovals) {
            const run = finished('held', {
              ...counted(p),
              error: heldMessage(req.directoryName, decision.reasons),
              removals: counts,
            })
            // Not the cursor: the next sync pulls the same changes and holds again until confirmed.
            record(run)
            log.warn('directory sync held: too many removals', { directoryId: req.directoryId, ...counts })
            emit({ phase: 'held', percent: 100, message: run.error ?? undefined })
            return { run, changedUserIds: [], reevaluated: 0 }
          }
          if (decision.hold) {
            removals = counts
            log.warn('directory sync removals confirmed by the admin', { directoryId: req.directoryId, ...counts })
          }
        }
        emit({ phase: 'applying', percent: 70 })
        applying = true

        const succeeded = (): SyncRun =>
          finished('succeeded', {
            ...counted(p),
            ...(removals ? { removals } : {}),
            ...(notes.length > 0 ? { notes } : {}),
          })
        /** The run, the cursor and the redeploys owed, written with the apply's last step. */
        const commit = (a: Applied): SyncRun => {
          const done = succeeded()
          store.sync.setCursor(req.directoryId, p.cursor, done.finishedAt)
          store.directories.recordSyncRun(done)
          store.syncJournal.endSync(req.directoryId, runId)
          store.syncJournal.queueRedeploys(runId, a.redeploy, done.finishedAt)
          // Applying over the limits is the admin's decision: keep who-did-what for later.
          if (removals)
            store.audit.append({
              at: done.finishedAt,
              actor: 'admin',
              action: 'directories/confirmRemovals',
              subject: req.directoryName,
              details: { runId, ...removals },
            })
          return done
        }
        // One transaction: a process that dies mid-apply leaves nothing of it, and the next sync
        // pulls the same changes again (the cursor is written with them). Only a streamed first
        // sync, marked and undone as a whole, applies in chunks (apply-steps.ts).
        let applied: Applied
        let run: SyncRun
        if (streamed) {
          applied = await runChunked(applySteps(req, p, emit, streamed), store.transaction, yieldToLoop)
          run = store.transaction(() => commit(applied))
        } else {
          // No progress while it runs: the event loop could deliver none, and no listener's code
          // should run inside the transaction.
          ;[applied, run] = store.writeTransaction(() => {
            const a = runAtomic(applySteps(req, p, () => {}, null))
            return [a, commit(a)] as const
          })
        }
        committed = true
        writerClosed = applied.writerClosed
        const { changedUserIds, reevaluated } = applied
        // What the commit owes is journaled: should the process die before this is done, the
        // next start redeploys them (recovery.ts).
        deps.faults?.hit('sync:after-commit')
        await deps.redeployUsers(applied.redeploy)
        store.syncJournal.redeployed(runId)
        log.info('directory sync succeeded', {
          directoryId: req.directoryId,
          runId,
          durationMs: Date.parse(run.finishedAt) - Date.parse(run.startedAt),
          ...counted(p),
        })
        emit({
          phase: 'done',
          percent: 100,
          message: `${run.added} added, ${run.changed} changed, ${run.removed} removed`,
        })
        return { run, changedUserIds, reevaluated }
      } catch (e) {
        if (committed) {
          // Applied and recorded; the redeploys it owes stay journaled for the next start.
          log.error('redeploying after a directory sync failed', {
            directoryId: req.directoryId,
            runId,
            error: errorStack(e),
          })
          throw e
        }
        // A streamed first sync wrote before its pull was whole: take it back (first-sync.ts).
        await stream?.undo()
        if (req.signal?.aborted && !applying) {
          // The admin cancelled it: not a failure to alarm anyone with, and nothing was written.
          const run = finished('cancelled', { error: 'Cancelled by the admin; nothing was changed.' })
          record(run)
          log.info('directory sync cancelled', { directoryId: req.directoryId })
          emit({
            phase: 'cancelled',
            message: `The sync of ${req.directoryName} was cancelled by the admin; nothing was changed.`,
          })
          return { run, changedUserIds: [], reevaluated: 0 }
        }
        const error =
          e instanceof AppError
            ? e
            : new AppError('DIRECTORY_UNAVAILABLE', `The sync of ${req.directoryName} failed: ${errorMessage(e)}`, {})
        const run = finished('failed', { error: error.message })
        record(run)
        log.warn('directory sync failed', { directoryId: req.directoryId, code: error.code, message: error.message })
        emit({ phase: 'failed', message: error.message })
        if (!(e instanceof AppError)) log.error('directory sync bug', { error: errorStack(e) })
        throw error
      } finally {
        running.delete(req.directoryId)
        runningHere.delete(runId)
        // The writer's checkpoint runs on after the sync has answered; the main connection's resume then finds little to copy.
        void inBackground(
          'resuming WAL checkpoints',
          (writerClosed ?? Promise.resolve()).then(() => store.sync.resumeCheckpoints()),
        )
      }
    },
  }
}
