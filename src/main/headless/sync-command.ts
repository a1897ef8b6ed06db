// `jit-mapper sync [--directory NAME] [--full] [--confirm-removals]`: syncs directories from the
// command line (cron on a machine without the app open), on the same workspace and credentials as
// the app. A sync held for removing too much exits 1 (cron mails it) until an admin confirms it.
import type { SyncRun } from '../../shared/domain'
import { createApp } from '../app'
import { createLog } from '../log'
import { type CliIo, existingWorkspace } from './cli-io'

export const SYNC_USAGE = `  sync       Sync directories from their IdPs (for cron; the app need not be open)
               --directory NAME  only this directory (default: every IdP directory and synced file)
               --full            ignore the delta cursor and pull everything
               --confirm-removals  apply a sync even when it removes more users or
                                 memberships than the hold limits (confirms a held sync)`

export interface SyncOptions {
  'data-dir'?: string
  directory?: string
  full?: boolean
  'confirm-removals'?: boolean
  json?: boolean
}

export async function syncCommand(v: SyncOptions, io: CliIo): Promise<number> {
  const dataDir = existingWorkspace(v['data-dir'], io)
  if (!dataDir) return 1
  // Cron reads the command's own output; the log file keeps each run's detail.
  const log = createLog({ dataDir, name: 'sync' })
  const app = createApp({ dataDir, log })
  try {
    const { directories } = app.services
    // IdP directories, and file directories that sync from a path (imported ones have nothing to pull).
    const withPath = new Set<string>()
    for (const d of directories.list())
      if (d.kind === 'file' && (await directories.detail(d.id)).settings['path']) withPath.add(d.id)
    let targets = directories.list().filter(d => d.kind !== 'file' || withPath.has(d.id))
    if (v.directory !== undefined) {
      const id = directories.idByName(v.directory)
      if (!id) {
        io.err(
          `No directory named "${v.directory}". Directories: ${
            directories
              .list()
              .map(d => d.name)
              .join(', ') || '(none)'
          }.`,
        )
        return 1
      }
      targets = directories.list().filter(d => d.id === id)
    }
    if (targets.length === 0) {
      io.out('No IdP directory is connected; nothing to sync.')
      return 0
    }
    let failed = 0
    let lastPhase = ''
    const off = app.on('directories/syncProgress', p => {
      if (p.phase !== lastPhase && !v.json) io.out(`  ${p.phase}… ${p.percent}% (${p.users} users, ${p.pages} pages)`)
      lastPhase = p.phase
    })
    const runs: SyncRun[] = []
    for (const d of targets) {
      lastPhase = ''
      if (!v.json) io.out(`Syncing ${d.name}…`)
      const r = await app.invoke('directories/sync', {
        directoryId: d.id,
        mode: v.full ? 'full' : undefined,
        confirmRemovals: v['confirm-removals'] === true,
      })
      if (r.ok) {
        const run = r.value as SyncRun
        runs.push(run)
        if (run.status === 'held') {
          failed++
          io.err(`${d.name}: sync held: ${run.error ?? 'it removes more than the hold limits.'}`)
        } else if (!v.json) {
          io.out(
            `${d.name}: ${run.mode} sync succeeded: ${run.added} added, ${run.changed} changed, ${run.removed} removed.`,
          )
          for (const note of run.notes ?? []) io.out(`${d.name}: note: ${note}`)
        }
      } else {
        failed++
        io.err(`${d.name}: sync failed: ${r.error.message}`)
      }
    }
    off()
    if (v.json) io.out(JSON.stringify(runs, null, 2))
    return failed > 0 ? 1 : 0
  } finally {
    app.close()
    log.close()
  }
}
