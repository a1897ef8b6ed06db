// The long histories, paged in SQL with their totals: a device's command queue (every command it
// was ever sent, newest first) and a directory's sync runs. A device that checked in for a year
// has thousands of commands; the device and directory pages show one page of them.
import type { Command, CommandState, SyncRun } from '../../shared/domain'
import type { Db } from './db'
import { type CommandRow, toCommand } from './devices'
import { type SyncRunRow, toSyncRun } from './directories'
import { plainSealer, type PayloadSealer } from './sealed'

export interface Page<T> {
  rows: T[]
  total: number
}

export function historyPageQueries(db: Db, sealer: PayloadSealer = plainSealer) {
  // (device_id, seq) is UNIQUE, so its index serves both the page and the count.
  const commands = db.prepare(`SELECT * FROM commands WHERE device_id = @deviceId
    AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
    ORDER BY seq DESC LIMIT @limit OFFSET @offset`)
  const commandCount = db
    .prepare(`SELECT COUNT(*) FROM commands WHERE device_id = @deviceId
    AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))`)
    .pluck()
  const runs = db.prepare(`SELECT * FROM sync_runs WHERE directory_id = @directoryId
    ORDER BY started_at DESC, rowid DESC LIMIT @limit OFFSET @offset`)
  const runCount = db.prepare('SELECT COUNT(*) FROM sync_runs WHERE directory_id = @directoryId').pluck()
  return {
    /** One page of a device's commands, newest first, optionally only those in these states. */
    commands(
      deviceId: string,
      opts: { offset: number; limit: number; states?: readonly CommandState[] },
    ): Page<Command> {
      const params = { deviceId, states: opts.states ? JSON.stringify(opts.states) : null }
      const rows = commands.all({ ...params, offset: opts.offset, limit: opts.limit }) as CommandRow[]
      return { rows: rows.map(r => toCommand(r, sealer)), total: commandCount.get(params) as number }
    },
    /** One page of a directory's sync runs, newest first. */
    syncRuns(directoryId: string, opts: { offset: number; limit: number }): Page<SyncRun> {
      const rows = runs.all({ directoryId, offset: opts.offset, limit: opts.limit }) as SyncRunRow[]
      return { rows: rows.map(toSyncRun), total: runCount.get({ directoryId }) as number }
    },
  }
}
