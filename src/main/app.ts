// The composition root: one workspace (a folder holding one SQLite file) and every room
// wired to it. Electron, the headless host and the CLI all start here.
import { EventEmitter } from 'node:events'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { LOG_FOLDER } from './log'
import { type Domain, touches } from '../shared/changes'
import {
  isChannel,
  parseArgs,
  type ArgsOf,
  type Channel,
  type EventName,
  type Events,
  type ResultOf,
} from '../shared/contract'
import { AppError, type Result } from '../shared/errors'
import { internalError } from './boundary'
import { createChangeWatcher } from './changes-watch'
import {
  amapiTransport,
  createAdeService,
  createAndroidEnterprise,
  createDeviceService,
  defaultTransports,
} from './devices'
import { createDiagnosticsService, diagnosticsOnThread } from './diagnostics'
import {
  createDirectoryService,
  createNotificationService,
  createSyncScheduler,
  importOnThread,
  type IdpHttpOptions,
} from './directories'
import { createFileSecretStore } from './secrets'
import { createGroupService } from './groups'
import { createHandlers, type Services } from './handlers'
import { createPolicyService, readPolicySettings } from './policies'
import {
  systemClock,
  systemHttp,
  silentLog,
  realSleep,
  systemTimers,
  timeOrderedIds,
  type Clock,
  type Faults,
  type HttpPort,
  type IdSource,
  type Log,
  type Secrets,
  type Sleep,
  type TimerPort,
} from './ports'
import {
  createApnsTransport,
  createFcmTransport,
  createPushService,
  createPushRouter,
  type PushTransport,
} from './push'
import { createRedeploys } from './redeploys'
import { createIngressHost } from './serving'
import { createPayloadSealer, createStore } from './store'
import { createWriteGate } from './write-gate'

export interface AppOptions {
  dataDir: string
  clock?: Clock
  push?: PushTransport
  log?: Log
  ids?: IdSource
  /** How long a device has to acknowledge a command before PAYLOAD_LATENCY (default 5 minutes). */
  ackDeadlineMs?: number
  /** Outbound HTTP to the IdPs (tests route IdP hosts to loopback fakes). */
  http?: HttpPort
  /** Waits between IdP retries (tests pass one that does not wait). */
  sleep?: Sleep
  timers?: TimerPort
  idpHttp?: Partial<Pick<IdpHttpOptions, 'maxAttempts' | 'timeoutMs' | 'random' | 'baseDelayMs'>>
  /** Users per write transaction of a first directory sync written as it is pulled (other syncs apply in one). */
  syncChunkSize?: number
  /** A first sync's users from which it writes them from a worker thread as they arrive (default 5,000); tests lower it. */
  syncBulkFrom?: number
  /** Users per write transaction of that worker (default 2,000); tests lower it. */
  syncBulkBatch?: number
  /** Crash points for the kill -9 test; production passes none. */
  faults?: Faults
  /**
   * Where directory and push credentials live: default an owner-only file in dataDir (headless);
   * Electron passes its safeStorage store.
   */
  secrets?: Secrets
  /**
   * How often the outbox looks for due pushes (retries after backoff, re-pushes after a
   * deadline). Unset: only when something changes (enrollment, check-in, edits), as in tests.
   */
  pumpIntervalMs?: number
  /**
   * How often to look for writes by other processes on this workspace (the CLI, a cron sync) and
   * announce them as db/changed (default 250 ms; 0: never, as in the CLI's short-lived commands).
   */
  changePollMs?: number
  /**
   * How long a mutation waits for the import thread's write before it is refused with CONFLICT
   * (default 10 minutes; a device request waits a minute at most, then is asked to retry).
   */
  writeWaitMs?: number
  /** How often Android Enterprise policies are written and devices read back (default: every minute when pumpIntervalMs is set; 0: never). */
  androidPollMs?: number
  /**
   * The import thread's script (headless/import-worker.ts built): file imports run on a worker
   * thread so the app keeps answering. Unset (tests from source): they run in the main thread.
   */
  importWorker?: string
  /**
   * The diagnostics thread's script (headless/diagnostics-worker.ts built): the diagnostics are
   * read again on a worker thread while the ones read before are served. Unset (tests from source,
   * the CLI's one-shot commands): they are read in the main thread.
   */
  diagnosticsWorker?: string
  /** Apple's device assignment service (default https://mdmenrollment.apple.com); tests point it at the fake. */
  adeBaseUrl?: string
}

export interface App {
  readonly dataDir: string
  readonly dbPath: string
  readonly services: Services
  readonly log: Log
  /**
   * Validates and runs one contract call. Expected failures come back as values, and so does
   * an unexpected one (INTERNAL, logged with its stack): invoke never rejects.
   */
  invoke(channel: string, args: unknown): Promise<Result<unknown>>
  /** The same call, typed, for in-process callers (the CLI, tests): an expected failure throws its AppError. */
  call<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
  close(): void
}

export const DATABASE_FILE = 'jit-mapper.db'

export function createApp(opts: AppOptions): App {
  mkdirSync(opts.dataDir, { recursive: true })
  const dbPath = join(opts.dataDir, DATABASE_FILE)
  const clock = opts.clock ?? systemClock
  const log = opts.log ?? silentLog
  const ids = opts.ids ?? timeOrderedIds()
  const secrets = opts.secrets ?? createFileSecretStore(opts.dataDir)
  const dataKey = secrets.dataKey?.bind(secrets)
  const store = createStore(dbPath, { sealer: dataKey ? createPayloadSealer(dataKey) : undefined })
  // This process's writes wait while its import thread holds the write lock (write-gate.ts).
  const writes = createWriteGate()
  const writeWaitMs = opts.writeWaitMs ?? 10 * 60_000
  const grace = () => {
    const settings = readPolicySettings(store)
    return { syncs: settings.graceSyncs, minutes: settings.graceMinutes }
  }
  const groups = createGroupService({ store, clock, ids, grace })
  const events = new EventEmitter()
  const redeploys = createRedeploys()
  const directories = createDirectoryService({
    store,
    groups,
    clock,
    ids,
    log,
    http: opts.http,
    secrets,
    sleep: opts.sleep,
    httpOptions: opts.idpHttp,
    chunkSize: opts.syncChunkSize,
    bulkFrom: opts.syncBulkFrom,
    bulkBatch: opts.syncBulkBatch,
    // The hold limits sit with the circuit breaker's in the policy settings (one place for "held").
    faults: opts.faults,
    removalLimits: () => {
      const settings = readPolicySettings(store)
      return {
        membershipShare: settings.syncHoldMembershipShare,
        userShare: settings.syncHoldUserShare,
        minimum: settings.syncHoldMinimum,
      }
    },
    redeployUsers: userIds => redeploys.users(userIds),
    emitProgress: p => events.emit('directories/syncProgress', p),
  })
  const policies = createPolicyService({ store, clock, ids, groups })
  const push = createPushService({ secrets, clock })
  const live = (): PushTransport =>
    createPushRouter({
      apple: createApnsTransport({ credentials: push.apns, clock }),
      android: createFcmTransport({ serviceAccount: push.serviceAccount }),
    })
  const devices = createDeviceService({
    store,
    groups,
    policies,
    clock,
    ids,
    log,
    // Devices are woken through APNs and FCM; one without a push token waits for its check-in.
    push: opts.push ?? live(),
    ackDeadlineMs: opts.ackDeadlineMs ?? 5 * 60_000,
    faults: opts.faults,
    jit: directories,
    // Android Enterprise devices take their actions through the Android Management API (made below).
    actionTransports: [amapiTransport({ store, clock, log, android: () => android }), ...defaultTransports()],
  })
  redeploys.attach(devices)
  const android = createAndroidEnterprise({
    store,
    devices,
    clock,
    log,
    secrets,
    http: opts.http ?? systemHttp,
    ingressUrl: async () => (await services.serving.info()).status.url,
  })
  const scheduler = createSyncScheduler({
    schedules: () => directories.schedules(),
    // Through invoke, so a scheduled sync announces its changes like Sync Now does.
    runSync: directoryId => invoke('directories/sync', { directoryId }),
    timers: opts.timers ?? systemTimers,
    log,
    lastRunEnded: directoryId => {
      const ended = directories.list().find(d => d.id === directoryId)?.lastSync?.finishedAt
      return ended ? new Date(ended) : null
    },
    now: () => clock.now(),
  })
  // A notified user is fetched, applied and redeployed as a JIT read is; a lifecycle event that says
  // notifications were lost runs an incremental sync as Sync Now does (through invoke: announced).
  const notifications = createNotificationService({
    store,
    clock,
    ids,
    log,
    directories,
    redeploy: userIds => redeploys.users(userIds),
    sync: async directoryId => {
      const r = await invoke('directories/sync', { directoryId, mode: 'incremental' })
      if (!r.ok) throw new AppError(r.error.code, r.error.message, r.error.details)
    },
    endpoint: async () => (await services.serving.info()).status.url,
    timers: opts.timers,
    changed: () => announce(['directories', ...touches('users/setAttributes')]),
  })
  const services: Services = {
    store,
    clock,
    logsDir: join(opts.dataDir, LOG_FOLDER),
    groups,
    policies,
    devices,
    directories,
    diagnostics: createDiagnosticsService({
      store,
      clock,
      directories,
      ruleInputs: groups.allInputs,
      log,
      ...(opts.diagnosticsWorker ? { thread: diagnosticsOnThread(opts.diagnosticsWorker, opts.dataDir) } : {}),
      // Only this process read them: other processes' watchers see the writes that moved them.
      changed: () => events.emit('db/changed', { domains: ['diagnostics'] }),
    }),
    push,
    // Where scheduled syncs run, notifications are received and renewed too (and what a previous run
    // left queued is processed).
    scheduler: {
      start() {
        scheduler.start()
        notifications.start()
      },
      refresh: () => scheduler.refresh(),
      stop() {
        scheduler.stop()
        notifications.stop()
      },
    },
    serving: createIngressHost({
      store,
      secrets,
      devices,
      clock,
      log,
      pushTopic: async () => (await push.info()).apns.topic,
      android,
      notifications: notifications.receiver,
      writable: () => writes.clear(Math.min(writeWaitMs, 60_000)),
    }),
    android,
    ade: createAdeService({
      store,
      secrets,
      http: opts.http ?? systemHttp,
      clock,
      sleep: opts.sleep ?? realSleep,
      log,
      baseUrl: opts.adeBaseUrl,
      timers: opts.timers ?? systemTimers,
      deviceUrl: async () => {
        const ingress = await services.serving.info()
        return ingress.status.url ?? ingress.settings.publicUrl
      },
    }),
    notifications,
  }
  if (opts.importWorker) {
    const run = importOnThread(opts.importWorker)
    services.importOnThread = (job, onProgress) => writes.hold(run({ ...job, dataDir: opts.dataDir }, onProgress))
  }
  services.emitProgress = p => events.emit('directories/syncProgress', p)
  const handlers = createHandlers(services, redeploys)
  // This process's mark on the change log, so its watcher skips the rows it wrote itself.
  const origin = `${process.pid}/${ids.next()}`
  const watcher = createChangeWatcher({
    store,
    origin,
    intervalMs: opts.changePollMs ?? 250,
    announce: domains => events.emit('db/changed', { domains }),
  })
  const androidMs = opts.androidPollMs ?? (opts.pumpIntervalMs ? 60_000 : 0)
  const androidPolling =
    androidMs > 0
      ? setInterval(() => {
          if (writes.held || !store.android.enterprise()?.name) return
          android
            .syncPolicies()
            .then(() => android.poll())
            .catch((e: unknown) => log.warn('android enterprise poll failed', { error: String(e) }))
        }, androidMs).unref()
      : null
  // A department move or a policy edit reaches the devices' AMAPI policies within seconds, not at the next poll.
  let androidSoon: NodeJS.Timeout | null = null
  if (androidMs > 0)
    events.on('db/changed', ({ domains }: Events['db/changed']) => {
      if (!domains.includes('devices') || androidSoon || !store.android.enterprise()?.name) return
      androidSoon = setTimeout(() => {
        androidSoon = null
        android.syncPolicies().catch((e: unknown) => log.warn('android policy sync failed', { error: String(e) }))
      }, 2_000).unref()
    })
  const pumping = opts.pumpIntervalMs
    ? setInterval(() => {
        // A turn skipped while an import writes: the next one sends what is due.
        if (writes.held) return
        devices.pump().catch((e: unknown) => internalError(e, 'the outbox pump', log))
      }, opts.pumpIntervalMs).unref()
    : null

  /** Tells this process's listeners, and other processes' watchers through the change log. */
  function announce(domains: readonly Domain[]): void {
    try {
      store.changeLog.record(origin, domains, clock.now().toISOString())
    } catch (e) {
      // The change is committed either way; only other processes' refresh waits for their next one.
      log.warn('could not record a change for other processes', { domains, error: String(e) })
    }
    events.emit('db/changed', { domains })
  }

  /** Validates the argument, runs the channel's handler and announces what it touched. */
  async function invoke(channel: string, raw: unknown): Promise<Result<unknown>> {
    if (!isChannel(channel))
      return {
        ok: false,
        error: { code: 'NOT_FOUND', message: `Unknown API channel ${channel}.`, details: { channel } },
      }
    const domains = touches(channel)
    try {
      const parsed = parseArgs(channel, raw)
      if (!parsed.ok) return parsed
      // A mutation waits for an import thread's write (write-gate.ts); queries go on meanwhile.
      // One refused after the wait wrote nothing: it is not announced.
      if (domains.length > 0) {
        const refused = await writes.clear(writeWaitMs).then(
          () => null,
          (e: unknown) => e,
        )
        if (refused instanceof AppError) return { ok: false, error: refused.toInfo() }
      }
      const handler = handlers[channel] as (args: unknown) => unknown
      const value = await handler(parsed.args)
      if (domains.length > 0) announce(domains)
      return { ok: true, value }
    } catch (e) {
      if (e instanceof AppError) {
        // A failed mutation may still have recorded something (a failed import's history).
        if (domains.length > 0) announce(domains)
        return { ok: false, error: e.toInfo() }
      }
      return { ok: false, error: internalError(e, channel, log) }
    }
  }

  return {
    dataDir: opts.dataDir,
    dbPath,
    services,
    log,
    invoke,
    call: async (channel, args) => {
      const r = await invoke(channel, args)
      if (!r.ok) throw new AppError(r.error.code, r.error.message, r.error.details)
      return r.value as never
    },
    on(event, listener) {
      events.on(event, listener)
      return () => events.off(event, listener)
    },
    close: () => {
      // Entry points stop the ingress first and wait; this only makes sure no server outlives the store.
      services.serving.abort()
      watcher.stop()
      scheduler.stop()
      services.ade.stop()
      services.diagnostics.close()
      notifications.stop()
      if (pumping) clearInterval(pumping)
      if (androidPolling) clearInterval(androidPolling)
      if (androidSoon) clearTimeout(androidSoon)
      store.close()
    },
  }
}
