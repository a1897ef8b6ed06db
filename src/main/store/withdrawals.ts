// Pending withdrawals (membership_withdrawals): a user who left a group keeps its policies for the
// grace period, counted in time and in the succeeded syncs of the user's directory since.
import type { Db } from './db'

export interface PendingWithdrawal {
  userId: string
  groupId: string
  leftAt: string
  /** Succeeded syncs of the user's directory that started after the user left. */
  confirmations: number
}

const COLUMNS = `w.user_id, w.group_id, w.left_at,
  (SELECT COUNT(*) FROM sync_runs r WHERE r.directory_id = u.directory_id AND r.status = 'succeeded' AND r.started_at > w.left_at) AS confirmations`

interface WithdrawalRow {
  user_id: string
  group_id: string
  left_at: string
  confirmations: number
}
const toWithdrawal = (r: WithdrawalRow): PendingWithdrawal => ({
  userId: r.user_id,
  groupId: r.group_id,
  leftAt: r.left_at,
  confirmations: r.confirmations,
})

export function withdrawalQueries(db: Db) {
  const put = db.prepare(
    'INSERT INTO membership_withdrawals (group_id, user_id, left_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  )
  const drop = db.prepare('DELETE FROM membership_withdrawals WHERE group_id = ? AND user_id = ?')
  const of = db.prepare(
    `SELECT ${COLUMNS} FROM membership_withdrawals w JOIN users u ON u.id = w.user_id WHERE w.user_id = ?`,
  )
  const one = db.prepare(
    `SELECT ${COLUMNS} FROM membership_withdrawals w JOIN users u ON u.id = w.user_id WHERE w.user_id = ? AND w.group_id = ?`,
  )
  const all = db.prepare(`SELECT ${COLUMNS} FROM membership_withdrawals w JOIN users u ON u.id = w.user_id`)
  // groups/withdrawal.ts isMatured, in SQL: an import that moves 100,000 users leaves as many
  // withdrawals, and the redeploy after it asks only for the users whose grace period is over.
  // "At least N succeeded syncs started after the user left" is "the user left before the N-th
  // newest succeeded sync of the directory started": per directory, a range of left_at (migration
  // 23's index, named: the planner would rather walk a directory's users), so the withdrawals the
  // last sync just started are not even read. Times are ISO strings of one form
  // (clock.toISOString()), so they order as text.
  const directoryIds = db.prepare('SELECT id FROM directories').pluck()
  const nthSync = db
    .prepare(`SELECT started_at FROM sync_runs WHERE directory_id = ? AND status = 'succeeded'
      ORDER BY started_at DESC LIMIT 1 OFFSET ?`)
    .pluck()
  const leftBefore = db
    .prepare(`SELECT DISTINCT w.user_id FROM membership_withdrawals w INDEXED BY membership_withdrawals_left
      CROSS JOIN users u ON u.id = w.user_id
      WHERE w.left_at < @before AND w.left_at <= @leftBy AND u.directory_id = @directoryId`)
    .pluck()
  /** No sync needed: any left_at sorts before this. */
  const ANY_TIME = '\uffff'

  return {
    /** Records that the user left the group; keeps the first time it was seen. */
    put(userId: string, groupId: string, at: string): void {
      put.run(groupId, userId, at)
    },
    drop(userId: string, groupId: string): boolean {
      return drop.run(groupId, userId).changes > 0
    },
    of: (userId: string): PendingWithdrawal[] => (of.all(userId) as WithdrawalRow[]).map(toWithdrawal),
    /** The user's pending withdrawal from this group, if any. */
    one(userId: string, groupId: string): PendingWithdrawal | undefined {
      const row = one.get(userId, groupId) as WithdrawalRow | undefined
      return row && toWithdrawal(row)
    },
    all: (): PendingWithdrawal[] => (all.all() as WithdrawalRow[]).map(toWithdrawal),
    /** Users with a withdrawal confirmed by this many syncs that began at or before `leftBy` (ISO). */
    maturedUserIds(confirmations: number, leftBy: string): string[] {
      const out = new Set<string>()
      for (const directoryId of directoryIds.all() as string[]) {
        const before =
          confirmations <= 0 ? ANY_TIME : (nthSync.get(directoryId, confirmations - 1) as string | undefined)
        if (before === undefined) continue
        for (const id of leftBefore.all({ before, leftBy, directoryId }) as string[]) out.add(id)
      }
      return [...out]
    },
  }
}
