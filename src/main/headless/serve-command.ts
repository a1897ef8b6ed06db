// `jit-mapper serve`: everything the desktop app does for devices, headless, on an always-on box —
// one process, one workspace: the device ingress (its settings are the workspace's, made on the
// admin UI's Settings page), scheduled directory syncs, the push pump (retries and re-pushes), and
// the admin UI on 127.0.0.1 for an admin who reaches the box over SSH. SIGINT or SIGTERM stops it:
// the ingress and the admin UI stop taking requests, the schedule stops, the store closes.
import { createApp, type App } from '../app'
import { createLog } from '../log'
import type { Log } from '../ports'
import { resolveDataDir } from '../workspace'
import { AppError, errorMessage } from '../../shared/errors'
import { builtDiagnosticsWorker } from './diagnostics-worker-path'
import { startHost } from './host'
import type { CliIo } from './cli-io'

export const SERVE_USAGE = `  serve      Serve devices and the admin UI from one process (an always-on box): the device ingress
             as set on the Settings page, scheduled syncs, the push pump, and the admin UI on 127.0.0.1
               --port N          the admin UI's port on 127.0.0.1 (default: a free port)
               --no-ingress      leave the device ingress stopped (admin UI and syncs only)`

/** How often the outbox looks for pushes that are due (retries after backoff, re-pushes past a deadline). */
export const PUMP_INTERVAL_MS = 30_000

export interface ServeValues {
  'data-dir'?: string
  /** The admin UI's port (0: a free one). */
  port: number
  'no-ingress'?: boolean
}

export async function serveCommand(v: ServeValues, io: CliIo, rendererDir: string): Promise<number> {
  const dataDir = resolveDataDir(v['data-dir'], io.env)
  const log = createLog({ dataDir, name: 'serve', console: io.err })
  const diagnosticsWorker = builtDiagnosticsWorker()
  const app = createApp({
    dataDir,
    log,
    pumpIntervalMs: PUMP_INTERVAL_MS,
    ...(diagnosticsWorker ? { diagnosticsWorker } : {}),
  })
  try {
    return await serveApp({ app, log, io, rendererDir, port: v.port, ingress: !v['no-ingress'] })
  } finally {
    app.close()
    log.close()
  }
}

export interface ServeAppOptions {
  app: App
  log: Log
  io: CliIo
  rendererDir: string
  /** The admin UI's port (0: a free one). */
  port: number
  /** Start the device ingress (default true). */
  ingress?: boolean
}

/** Runs the services on an open app until io.untilStopped() resolves; the caller closes the app. */
export async function serveApp(o: ServeAppOptions): Promise<number> {
  const { app, log, io } = o
  const { scheduler, serving, devices } = app.services
  scheduler.start()
  app.services.ade.startSchedule()
  // Pushes that came due while nothing ran (a restart after a failed push) go out now.
  void devices.pump().catch((e: unknown) => log.warn('the outbox pump failed', { error: errorMessage(e) }))
  const host = await startHost({ app, rendererDir: o.rendererDir, port: o.port })
  if (o.ingress !== false) {
    try {
      const started = await serving.start()
      io.out(`Devices are served at ${started.status.url}`)
      for (const w of started.warnings) io.out(`  Note: ${w}`)
    } catch (e) {
      // The admin UI stays up so the settings can be fixed there; the status shows the same error.
      io.err(`The device ingress did not start: ${errorMessage(e)}`)
      io.err('Fix it on the Settings page of the admin UI, then press Start there.')
    }
  }
  log.info('serve started', { dataDir: app.dataDir, adminPort: host.port })
  io.out(`The admin UI is at ${host.url} (this computer only; from elsewhere, use an SSH tunnel to port ${host.port}).`)
  io.out('Press Ctrl+C (or send SIGTERM) to stop.')
  await io.untilStopped()
  log.info('serve stopping')
  scheduler.stop()
  await host.close()
  await serving.stop()
  await stopSyncs(app, log)
  log.info('serve stopped')
  return 0
}

/**
 * A sync still pulling is cancelled (it changes nothing; the next start finds the directory overdue
 * and syncs it again) and one already writing finishes, so the store never closes under a sync.
 */
async function stopSyncs(app: App, log: Log): Promise<void> {
  const { directories } = app.services
  await Promise.all(
    directories.list().map(d =>
      directories.cancelSync(d.id).catch((e: unknown) => {
        // NOT_FOUND: this directory was not syncing.
        if (!(e instanceof AppError && e.code === 'NOT_FOUND'))
          log.warn('a running sync did not stop cleanly', { directoryId: d.id, error: errorMessage(e) })
      }),
    ),
  )
  await directories.settled()
}
