// Change notifications (migration 17): the IdP subscriptions of each directory, whether a
// directory wants notifications and what it last heard, and the durable queue of notified users.
import type { NotificationSubscriptionInfo, NotificationSubscriptionState } from '../../shared/notifications'
import type { Db } from './db'

export interface SubscriptionRecord extends NotificationSubscriptionInfo {
  directoryId: string
  kind: 'entra' | 'okta' | 'google'
  resourceId: string | null
  secretHash: string
}

export interface NotificationDirectoryState {
  enabled: boolean
  lastEventAt: string | null
  lastTestAt: string | null
  lastTestOkAt: string | null
  lastError: string | null
}

/** Open rows of one user, taken together: the fetch answers all of them. */
export interface ClaimedUser {
  directoryId: string
  userKey: string
  /** The highest seq taken: rows after it (arrived meanwhile) stay open for the next round. */
  upTo: number
  attempts: number
  receivedAt: string
}

interface SubscriptionRow {
  id: string
  directory_id: string
  kind: SubscriptionRecord['kind']
  remote_id: string
  resource_id: string | null
  event: string | null
  secret_hash: string
  created_at: string
  expires_at: string | null
  state: NotificationSubscriptionState
  last_error: string | null
}

const toSubscription = (r: SubscriptionRow): SubscriptionRecord => ({
  id: r.id,
  directoryId: r.directory_id,
  kind: r.kind,
  remoteId: r.remote_id,
  resourceId: r.resource_id,
  event: r.event,
  secretHash: r.secret_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  state: r.state,
  lastError: r.last_error,
})

/** How long a done row keeps de-duplicating (Graph retries for up to 4 hours; Google for longer). */
const KEEP_DONE_MS = 24 * 60 * 60_000

export function notificationQueries(db: Db) {
  const insertSub = db.prepare(`INSERT INTO notification_subscriptions
    (id, directory_id, kind, remote_id, resource_id, event, secret_hash, created_at, expires_at, state, last_error)
    VALUES (@id, @directoryId, @kind, @remoteId, @resourceId, @event, @secretHash, @createdAt, @expiresAt, @state, NULL)`)
  const activateSub = db.prepare(`UPDATE notification_subscriptions SET state = 'active', remote_id = @remoteId,
      expires_at = @expiresAt, resource_id = COALESCE(@resourceId, resource_id), last_error = NULL WHERE id = @id`)
  const nameSub = db.prepare('UPDATE notification_subscriptions SET remote_id = ? WHERE id = ?')
  const lapseSub = db.prepare(`UPDATE notification_subscriptions SET state = 'lapsed', last_error = ? WHERE id = ?`)
  const deleteSub = db.prepare('DELETE FROM notification_subscriptions WHERE id = ?')
  const subByRemote = db.prepare('SELECT * FROM notification_subscriptions WHERE kind = ? AND remote_id = ?')
  const subsOf = db.prepare('SELECT * FROM notification_subscriptions WHERE directory_id = ? ORDER BY created_at, id')
  const allSubs = db.prepare('SELECT * FROM notification_subscriptions ORDER BY directory_id, created_at, id')

  const upsertDirectory = db.prepare(`INSERT INTO notification_directories (directory_id, enabled) VALUES (?, ?)
    ON CONFLICT (directory_id) DO UPDATE SET enabled = excluded.enabled`)
  const directoryState = db.prepare('SELECT * FROM notification_directories WHERE directory_id = ?')
  const enabledDirectories = db
    .prepare(
      'SELECT n.directory_id FROM notification_directories n JOIN directories d ON d.id = n.directory_id WHERE n.enabled = 1',
    )
    .pluck()
  const touch = (column: 'last_event_at' | 'last_test_at' | 'last_test_ok_at') =>
    db.prepare(`INSERT INTO notification_directories (directory_id, ${column}) VALUES (?, ?)
      ON CONFLICT (directory_id) DO UPDATE SET ${column} = excluded.${column}`)
  const heard = touch('last_event_at')
  const tested = touch('last_test_at')
  const testOk = touch('last_test_ok_at')
  const setDirError = db.prepare(`INSERT INTO notification_directories (directory_id, last_error) VALUES (?, ?)
    ON CONFLICT (directory_id) DO UPDATE SET last_error = excluded.last_error`)

  const enqueue =
    db.prepare(`INSERT INTO notification_queue (directory_id, event_key, user_key, received_at, not_before)
    VALUES (?, ?, ?, ?, ?) ON CONFLICT (directory_id, event_key) DO NOTHING`)
  // The oldest due, unclaimed rows, one per user (the user's oldest row decides its turn).
  const due = db.prepare(`SELECT directory_id AS directoryId, user_key AS userKey, MIN(seq) AS first, MAX(seq) AS upTo,
      MAX(attempts) AS attempts, MIN(received_at) AS receivedAt
    FROM notification_queue
    WHERE done_at IS NULL AND not_before <= @now AND (claimed_until IS NULL OR claimed_until < @now)
    GROUP BY directory_id, user_key ORDER BY first LIMIT @limit`)
  const claim = db.prepare(`UPDATE notification_queue SET claimed_until = @until
    WHERE directory_id = @directoryId AND user_key = @userKey AND done_at IS NULL AND seq <= @upTo`)
  const finish = db.prepare(`UPDATE notification_queue SET done_at = @at, claimed_until = NULL, last_error = NULL
    WHERE directory_id = @directoryId AND user_key = @userKey AND done_at IS NULL AND seq <= @upTo`)
  const retry = db.prepare(`UPDATE notification_queue SET claimed_until = NULL, attempts = attempts + 1,
      not_before = @notBefore, last_error = @error
    WHERE directory_id = @directoryId AND user_key = @userKey AND done_at IS NULL AND seq <= @upTo`)
  const trim = db.prepare('DELETE FROM notification_queue WHERE done_at IS NOT NULL AND done_at < ?')
  const openCount = db
    .prepare('SELECT COUNT(*) FROM notification_queue WHERE directory_id = ? AND done_at IS NULL')
    .pluck()
  const nextDue = db
    .prepare('SELECT MIN(not_before) FROM notification_queue WHERE done_at IS NULL AND not_before > ?')
    .pluck()

  const knownUser = db.prepare('SELECT 1 FROM users WHERE directory_id = ? AND external_id = ?').pluck()

  return {
    /** Whether the directory has a user with this IdP id stored. */
    knowsUser: (directoryId: string, externalId: string): boolean => knownUser.get(directoryId, externalId) === 1,
    addSubscription(s: Omit<SubscriptionRecord, 'lastError'>): void {
      insertSub.run(s)
    },
    /** The IdP confirmed it under `remoteId`: active until `expiresAt` (null: no expiry); Google's resourceId when it came. */
    activateSubscription(
      id: string,
      a: { remoteId: string; expiresAt: string | null; resourceId?: string | null },
    ): void {
      activateSub.run({ id, remoteId: a.remoteId, expiresAt: a.expiresAt, resourceId: a.resourceId ?? null })
    },
    /** The IdP's id for a subscription still pending (it may deliver before we record it active). */
    nameSubscription(id: string, remoteId: string): void {
      nameSub.run(remoteId, id)
    },
    lapseSubscription(id: string, error: string): void {
      lapseSub.run(error, id)
    },
    deleteSubscription(id: string): void {
      deleteSub.run(id)
    },
    subscriptionByRemote(kind: SubscriptionRecord['kind'], remoteId: string): SubscriptionRecord | undefined {
      const r = subByRemote.get(kind, remoteId) as SubscriptionRow | undefined
      return r ? toSubscription(r) : undefined
    },
    subscriptionsOf(directoryId: string): SubscriptionRecord[] {
      return (subsOf.all(directoryId) as SubscriptionRow[]).map(toSubscription)
    },
    allSubscriptions(): SubscriptionRecord[] {
      return (allSubs.all() as SubscriptionRow[]).map(toSubscription)
    },

    setEnabled(directoryId: string, enabled: boolean): void {
      upsertDirectory.run(directoryId, enabled ? 1 : 0)
    },
    directoryState(directoryId: string): NotificationDirectoryState {
      const r = directoryState.get(directoryId) as
        | {
            enabled: number
            last_event_at: string | null
            last_test_at: string | null
            last_test_ok_at: string | null
            last_error: string | null
          }
        | undefined
      return {
        enabled: r?.enabled === 1,
        lastEventAt: r?.last_event_at ?? null,
        lastTestAt: r?.last_test_at ?? null,
        lastTestOkAt: r?.last_test_ok_at ?? null,
        lastError: r?.last_error ?? null,
      }
    },
    enabledDirectories: (): string[] => enabledDirectories.all() as string[],
    heard(directoryId: string, at: string): void {
      heard.run(directoryId, at)
    },
    tested(directoryId: string, at: string): void {
      tested.run(directoryId, at)
    },
    testArrived(directoryId: string, at: string): void {
      testOk.run(directoryId, at)
    },
    setDirectoryError(directoryId: string, error: string | null): void {
      setDirError.run(directoryId, error)
    },

    /** Queues a notified user; false when this event was queued before (a duplicate). */
    enqueue(directoryId: string, eventKey: string, userKey: string, at: string): boolean {
      return enqueue.run(directoryId, eventKey, userKey, at, at).changes > 0
    },
    /**
     * Claims up to `limit` due users until `until` (one claim per user, all its open rows up to
     * now), oldest first. Runs in a transaction so two processes never claim the same rows.
     */
    claimDue(now: string, until: string, limit: number): ClaimedUser[] {
      return db
        .transaction(() => {
          const rows = due.all({ now, limit }) as (ClaimedUser & { first: number })[]
          for (const r of rows) claim.run({ until, directoryId: r.directoryId, userKey: r.userKey, upTo: r.upTo })
          return rows.map(({ first: _, ...r }) => r)
        })
        .immediate()
    },
    finish(c: ClaimedUser, at: string): void {
      finish.run({ at, directoryId: c.directoryId, userKey: c.userKey, upTo: c.upTo })
    },
    retryLater(c: ClaimedUser, notBefore: string, error: string): void {
      retry.run({ notBefore, error, directoryId: c.directoryId, userKey: c.userKey, upTo: c.upTo })
    },
    /** Forgets done rows older than a day (their de-duplication is no longer needed). */
    trim(now: Date): void {
      trim.run(new Date(now.getTime() - KEEP_DONE_MS).toISOString())
    },
    openCount: (directoryId: string): number => openCount.get(directoryId) as number,
    /** When the next row waiting out a back-off is due; null when none waits. */
    nextDue: (now: string): string | null => (nextDue.get(now) as string | null) ?? null,
  }
}
