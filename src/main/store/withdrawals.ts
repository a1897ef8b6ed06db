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
  const all = db.prepare(`SELECT ${COLUMNS} FROM membership_withdrawals w JOIN users u ON u.id = w.user_id`)
  // groups/withdrawal.ts isMatured, in SQL: an import that moves 100,000 users leaves as many
  // withdrawals, and the redeploy after it asks only for the users whose grace period is over.
  // "At least N succeeded syncs started after the user left" is "the user left before the N-th
  // newest succeeded sync of the directory started": one look-up per directory instead of a count
  // per withdrawal.
  const maturedUsers = db
    .prepare(`WITH nth AS MATERIALIZED (SELECT d.id AS directory_id,
        (SELECT r.started_at FROM sync_runs r WHERE r.directory_id = d.id AND r.status = 'succeeded'
          ORDER BY r.started_at DESC LIMIT 1 OFFSET @confirmations - 1) AS started_at
        FROM directories d)
      SELECT DISTINCT w.user_id FROM membership_withdrawals w JOIN users u ON u.id = w.user_id
        JOIN nth ON nth.directory_id = u.directory_id
      WHERE julianday(w.left_at) <= julianday(@leftBy)
        AND (@confirmations <= 0 OR (nth.started_at IS NOT NULL AND nth.started_at > w.left_at))`)
    .pluck()

  return {
    /** Records that the user left the group; keeps the first time it was seen. */
    put(userId: string, groupId: string, at: string): void {
      put.run(groupId, userId, at)
    },
    drop(userId: string, groupId: string): boolean {
      return drop.run(groupId, userId).changes > 0
    },
    of: (userId: string): PendingWithdrawal[] => (of.all(userId) as WithdrawalRow[]).map(toWithdrawal),
    all: (): PendingWithdrawal[] => (all.all() as WithdrawalRow[]).map(toWithdrawal),
    /** Users with a withdrawal confirmed by this many syncs that began at or before `leftBy` (ISO). */
    maturedUserIds: (confirmations: number, leftBy: string): string[] =>
      maturedUsers.all({ confirmations, leftBy }) as string[],
  }
}
