// The store room: the only place SQL lives. Other rooms call these domain operations.
import { activityQueries } from './activity'
import { androidQueries } from './android'
import { adeQueries } from './ade'
import { appleIdentityQueries } from './apple-identities'
import { assignmentHistoryQueries } from './assignment-history'
import { appleQueries } from './apple'
import { auditQueries } from './audit'
import { commandResultQueries } from './command-results'
import { bulkReadQueries } from './bulk-reads'
import { changeLogQueries } from './change-log'
import { openDatabase, type Db } from './db'
import { plainSealer, type PayloadSealer } from './sealed'
import { deviceQueries } from './devices'
import { deviceListQueries } from './device-list'
import { groupMemberQueries } from './group-members'
import { directoryQueries } from './directories'
import { groupQueries } from './groups'
import { heldChangeQueries } from './held-changes'
import { idpRuleMemberQueries } from './idp-rule-members'
import { inventoryQueries } from './inventory'
import { notificationQueries } from './notifications'
import { outboxQueries } from './outbox'
import { payloadProblemQueries } from './payload-problems'
import { policyQueries } from './policies'
import { policySettingQueries } from './policy-settings'
import { revisionQueries } from './revision'
import { historyPageQueries } from './history-pages'
import { syncQueries } from './sync'
import { syncJournalQueries } from './sync-journal'
import { userQueries } from './users'
import { withdrawalQueries } from './withdrawals'
import { workspaceSettingQueries } from './workspace-settings'

export type { DirectoryRecord } from './directories'
export type { UserUpsert, UpsertOutcome } from './users'
export { identityFields } from './users'
export type { GroupRecord, RuleGroup, MembershipRecord } from './groups'
export type { RuleMembership } from './rule-memberships'
export {
  addGroupRow,
  addIdpListingRow,
  addMembershipRow,
  addRuleMembershipRows,
  addUserRows,
  emptyBulkRows,
  type BulkRows,
  type BulkWriter,
} from './bulk-writer'
export type { SentItem, NewCommand, DeviceRecord, HeldRebindRecord, SerialEnrollment } from './devices'
export type { AuditEntry } from './audit'
export type { CommandResult } from './command-results'
export type { SyncedUserRow, DirectoryGroupRow, SyncUserWrite } from './sync-rows'
export { createPayloadSealer, plainSealer, type PayloadSealer } from './sealed'
export type { RunningSync } from './sync-journal'
export type { PushTarget, AppleIdentity, StaleToken, AckLatency } from './outbox'
export type { FactsPatch, UserChannelTarget, UserChannelUpdate } from './apple'
export type { PendingWithdrawal } from './withdrawals'
export type { IssuedIdentity } from './apple-identities'
export type { BoundDevice } from './bulk-reads'
export type { NewAssignmentEvent } from './assignment-history'
export type { PayloadProblem } from './payload-problems'
export { JoinedIds, listingValue, type IdpMemberChange } from './idp-rule-members'
export type { AndroidDeviceRecord, AndroidEnterpriseRecord, AndroidReport } from './android'
export type { AdeDeviceUpsert, AdeProfileRecord } from './ade'
export type { ClaimedUser, NotificationDirectoryState, SubscriptionRecord } from './notifications'

export function createStore(path: string, opts: { sealer?: PayloadSealer } = {}) {
  const db: Db = openDatabase(path)
  const sealer = opts.sealer ?? plainSealer
  return {
    directories: directoryQueries(db),
    users: userQueries(db),
    groups: groupQueries(db),
    policies: policyQueries(db, sealer),
    devices: deviceQueries(db, sealer),
    deviceList: deviceListQueries(db),
    groupMembers: groupMemberQueries(db),
    outbox: outboxQueries(db, sealer),
    apple: appleQueries(db, sealer),
    audit: auditQueries(db),
    activity: activityQueries(db),
    sync: syncQueries(db),
    inventory: inventoryQueries(db),
    withdrawals: withdrawalQueries(db),
    heldChanges: heldChangeQueries(db, sealer),
    assignmentHistory: assignmentHistoryQueries(db),
    payloadProblems: payloadProblemQueries(db),
    policySettings: policySettingQueries(db),
    bulkReads: bulkReadQueries(db, sealer),
    syncJournal: syncJournalQueries(db),
    appleIdentities: appleIdentityQueries(db),
    settings: workspaceSettingQueries(db),
    idpRuleMembers: idpRuleMemberQueries(db),
    revision: revisionQueries(db),
    changeLog: changeLogQueries(db),
    android: androidQueries(db, sealer),
    ade: adeQueries(db),
    notifications: notificationQueries(db),
    commandResults: commandResultQueries(db),
    historyPages: historyPageQueries(db, sealer),
    /** Runs fn in one transaction: everything it writes lands together or not at all. */
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)()
    },
    /**
     * The same, taking the write lock at its start (BEGIN IMMEDIATE): a long transaction that reads
     * before it writes would otherwise fail (SQLITE_BUSY_SNAPSHOT) when another connection — a
     * writer thread, the CLI — commits in between; this one waits for the lock (busy_timeout) instead.
     */
    writeTransaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate()
    },
    /**
     * A transaction that only inserts rows whose references the caller has just written or read
     * (a sync's new users, their attributes and memberships): foreign keys are not checked row by
     * row, which is a fifth of a bulk insert's time. Never for updates or deletes, which rely on
     * ON DELETE CASCADE.
     */
    insertTransaction<T>(fn: () => T): T {
      db.pragma('foreign_keys = OFF')
      try {
        return db.transaction(fn)()
      } finally {
        db.pragma('foreign_keys = ON')
      }
    },
    isEmpty(): boolean {
      return (
        (
          db.prepare('SELECT (SELECT COUNT(*) FROM directories) + (SELECT COUNT(*) FROM policies) AS n').get() as {
            n: number
          }
        ).n === 0
      )
    },
    /**
     * Copies what the WAL holds into the database file, as far as no reader still needs it
     * (PASSIVE: never waits, never blocks a writer). Whether all of it was copied.
     */
    checkpoint(): boolean {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[]
      return r !== undefined && r.busy === 0 && r.checkpointed >= r.log
    },
    close(): void {
      db.close()
    },
  }
}

export type Store = ReturnType<typeof createStore>
