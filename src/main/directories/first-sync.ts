// A large first sync writes its users while the pull is still running: until the pull ends the
// writer thread would have nothing to do, and a first sync of 100k users is mostly writing.
// That gives up "nothing is written before the pull is whole", so it is only done where what was
// written can be taken back exactly: a directory with no users and no groups yet.
// - The directory is marked (store.sync.markFirstSync) before the first row is sent; the cursor,
//   saved when the sync completes, clears the mark.
// - A failed or cancelled sync is undone: its users (except any a device was bound to meanwhile,
//   fetched just in time) and groups are removed and the mark cleared.
// - A mark found at start-up means the app stopped mid-way: the same undo runs then
//   (undoInterruptedFirstSyncs), unless the sync is still running in another process (the CLI).
// When the connector lists groups before users (Entra), the new groups and the IdP's listings of
// its rule groups go out with the first batch and each later user's rule-group memberships are
// decided as it arrives: the user is then written whole and let go, so a 100k-user sync never
// holds its users. The writer writes the listings (1.6 million ids as text for 100,000 users in
// 130 dynamic groups) while the next users are pulled, not after the pull as the apply would.
// Otherwise users are held and evaluated once the pull is whole, as any sync's.
import type { SyncRun } from '../../shared/domain'
import type { Clock, Log } from '../ports'
import type { IdpListing } from './plan'
import {
  addGroupRow,
  addIdpListingRow,
  addRuleMembershipRows,
  addUserRows,
  emptyBulkRows,
  type BulkRows,
  type BulkWriter,
  type DirectoryGroupRow,
  type RuleGroup,
  type RuleMembership,
  type Store,
  type SyncUserWrite,
} from '../store'

export interface FirstSyncStream {
  /** The planner's hook: one new user, its id given; true when the stream has taken it whole. */
  add(u: SyncUserWrite): boolean
  /**
   * The rule groups users are evaluated against, the sync's new groups and the IdP's listings of
   * them, known before the users.
   */
  knowGroups(ruleGroups: RuleGroup[], newGroups: DirectoryGroupRow[], listings: IdpListing[]): void
  /** The listings given to knowGroups that did not go to the writer (the apply writes them), each given once. */
  unsentListings(): IdpListing[]
  /** Whether the new groups went out with the users (else the apply writes them). */
  readonly groupsSent: boolean
  /** Users taken whole whose memberships are effective somewhere (their devices may need redeploying). */
  readonly changed: string[]
  /** Users taken whole. */
  readonly evaluated: number
  /** Resolves once the writer has room for more (the connector waits on it between pages). */
  ready(): Promise<void>
  /**
   * Sends what is left once the pull is whole; resolves to the writer holding the streamed users,
   * or null when nothing was streamed (fewer than `from` users, or no writer here).
   */
  end(): Promise<BulkWriter | null>
  /** Waits for the writer to stop, then removes what the sync wrote and clears the mark. */
  undo(): Promise<void>
}

export interface FirstSyncStreamOptions {
  store: Store
  directoryId: string
  runId: string
  at: string
  /** Users from which they are streamed (fewer are written after the pull, as any sync's). */
  from: number
  /** Users per write transaction of the writer (they are sent a few hundred at a time). */
  batch: number
  openWriter(): Promise<BulkWriter | null>
  yieldToLoop(): Promise<void>
  /** Rule-group memberships of new users (GroupService.decideNewUsers with the sync's rule input). */
  decide(users: SyncUserWrite[], ruleGroups: RuleGroup[]): { userId: string; memberships: RuleMembership[] }[]
}

/** Whether a full pull into this directory may stream its users: nothing of the directory is stored yet. */
export const mayStreamFirstSync = (store: Store, directoryId: string): boolean =>
  store.sync.userCount(directoryId) === 0 && store.sync.groupCount(directoryId) === 0

/**
 * Users decided at once (a few milliseconds of the event loop), and sent to the writer at once:
 * their rows (about 1.5 KB a user) are let go within a page, before V8 moves them to its old
 * generation, which is what makes the heap grow. Measured: 400 held them long enough to add
 * ~40 MB to a 100k-user sync's peak; 100 sends so many messages the sync is ~15% slower.
 */
const STEP = 200

export function firstSyncStream(o: FirstSyncStreamOptions): FirstSyncStream {
  let rows: BulkRows = emptyBulkRows()
  let count = 0
  // Users in `rows`, and users sent since the writer's last commit.
  let pending = 0
  let uncommitted = 0
  let ruleGroups: RuleGroup[] | null = null
  let newGroupCount = 0
  // Full listings not yet in a chunk the writer took (they go with the first one), and any others
  // (a full pull has none), which the apply writes.
  let listings: IdpListing[] = []
  let changes: IdpListing[] = []
  // Users are taken whole only once the writer is there: one that cannot start must leave them with the plan.
  let writerOpen = false
  // Taken users not decided yet: decided and sent STEP at a time.
  let taken: SyncUserWrite[] = []
  const changed: string[] = []
  let evaluated = 0
  let writer: Promise<BulkWriter | null> | null = null
  // Chunks go out in order, each once the writer has taken the one before; a failed send fails
  // the rest, and ready() or end() passes it on.
  let sending: Promise<void> = Promise.resolve()

  const open = (): Promise<BulkWriter | null> =>
    o.openWriter().then(w => {
      if (w) {
        o.store.sync.markFirstSync(o.directoryId, o.runId, o.at)
        writerOpen = true
      }
      return w
    })

  const decideTaken = (groups: RuleGroup[]) => {
    for (const { userId, memberships } of o.decide(taken, groups)) {
      addRuleMembershipRows(rows, userId, memberships, o.at)
      if (memberships.some(m => m.effective)) changed.push(userId)
      evaluated++
    }
    for (const u of taken) addUserRows(rows, o.directoryId, u, o.at)
    taken = []
  }

  const flush = () => {
    if (ruleGroups) decideTaken(ruleGroups)
    const chunk = rows
    uncommitted += pending
    const commit = uncommitted >= o.batch
    if (commit) uncommitted = 0
    rows = emptyBulkRows()
    pending = 0
    writer ??= open()
    const w = writer
    const carried = chunk.idpMembers.length > 0
    sending = sending.then(async () => {
      const ready = await w
      if (!ready) return
      await ready.send(chunk, commit)
      if (carried) listings = []
    })
    sending.catch(() => {})
  }

  return {
    add(u) {
      count++
      pending++
      const take = ruleGroups !== null && writerOpen
      if (take) taken.push(u)
      else addUserRows(rows, o.directoryId, u, o.at)
      if (count >= o.from && pending >= Math.min(o.from, STEP)) flush()
      return take
    },
    knowGroups(rules, newGroups, taken) {
      ruleGroups = rules
      // They go out with the first chunk, before any user is decided against them.
      for (const g of newGroups) addGroupRow(rows, o.directoryId, g)
      newGroupCount = newGroups.length
      listings = taken.filter(l => 'replace' in l.change)
      changes = taken.filter(l => !('replace' in l.change))
      for (const { groupId, change } of listings)
        if ('replace' in change) addIdpListingRow(rows, groupId, change.replace, o.at)
    },
    unsentListings() {
      const left = [...listings, ...changes]
      listings = []
      changes = []
      return left
    },
    get groupsSent() {
      return newGroupCount > 0 && writerOpen
    },
    changed,
    get evaluated() {
      return evaluated
    },
    async ready() {
      if (writer) await sending
    },
    async end() {
      if (count < o.from) return null
      if (pending > 0) flush()
      await sending
      return writer ? await writer : null
    },
    async undo() {
      if (!writer) return
      const w = await writer.catch(() => null)
      await sending.catch(() => {})
      await w?.finish().catch(() => {})
      await removeFirstSync(o.store, o.directoryId, o.yieldToLoop)
    },
  }
}

/** Removes a first sync's users (in steps, yielding between) and groups, and its mark. */
async function removeFirstSync(store: Store, directoryId: string, yieldToLoop: () => Promise<void>): Promise<void> {
  // Users first: their rule-group rows go with them, so removing the groups then rewrites few rows.
  while (store.transaction(() => store.sync.removeUnboundUsers(directoryId, 2000)) > 0) await yieldToLoop()
  store.transaction(() => {
    store.sync.removeDirectoryGroups(directoryId)
    store.sync.unmarkFirstSync(directoryId)
  })
}

/**
 * At start-up: first syncs the app stopped in the middle of are undone and recorded as failed
 * runs, so the admin sees why the directory is empty and the next sync starts clean.
 */
export async function undoInterruptedFirstSyncs({
  store,
  clock,
  log,
  yieldToLoop,
  stillRunning,
}: {
  store: Store
  clock: Clock
  log: Log
  yieldToLoop(): Promise<void>
  /** Whether the run is still going in a live process (recovery.ts). */
  stillRunning(runId: string): boolean
}): Promise<void> {
  for (const m of store.sync.markedFirstSyncs()) {
    if (stillRunning(m.runId)) continue
    log.warn('undoing a first directory sync the app stopped in the middle of', {
      directoryId: m.directoryId,
      runId: m.runId,
    })
    await removeFirstSync(store, m.directoryId, yieldToLoop)
    const run: SyncRun = {
      id: m.runId,
      directoryId: m.directoryId,
      mode: 'full',
      status: 'failed',
      startedAt: m.startedAt,
      finishedAt: clock.now().toISOString(),
      added: 0,
      changed: 0,
      removed: 0,
      error: `The first sync of ${m.directoryName} stopped before it finished (the app was closed or stopped). The users it had written were removed; sync again.`,
    }
    store.transaction(() => {
      store.directories.recordSyncRun(run)
      store.syncJournal.endSync(m.directoryId, m.runId)
    })
  }
}
