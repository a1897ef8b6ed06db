// Indexes a large first sync builds once its rows are in, instead of row by row. The attributes'
// (name, value) index takes its 1.1 million entries of a 100,000-user sync in value order, all
// over its B-tree: maintained row by row it was about 40% of the writer thread's time (3.8 s of
// 8.3 s of CPU, measured on this machine); built at the end, by one sort, it takes 1.6 s. The
// users' list order (display name) is the same on a smaller scale (0.7 s against 0.2 s).
// Only a marked first sync (directories/first-sync.ts) drops them, in its first write transaction,
// and they are back before its apply goes on (BulkWriter.finish); the writer thread builds them
// again as it closes, and the undo of a failed or interrupted first sync does too, so no path
// leaves a workspace without them. Neither is unique: no constraint lapses while they are gone,
// only queries that use them read the table instead.
import type { Db } from './db'

/** Each index's name and its definition exactly as the migrations create it (migrations 1 and 15). */
export const DEFERRED_INDEXES: readonly { name: string; sql: string }[] = [
  {
    name: 'user_attributes_name_value',
    sql: 'CREATE INDEX IF NOT EXISTS user_attributes_name_value ON user_attributes (name, value)',
  },
  {
    name: 'users_display_order',
    sql: 'CREATE INDEX IF NOT EXISTS users_display_order ON users (display_name COLLATE NOCASE, id)',
  },
]

/** Builds the deferred indexes that are missing (nothing when all are there). */
export function restoreDeferredIndexes(db: Db): void {
  for (const index of DEFERRED_INDEXES) db.exec(index.sql)
}
