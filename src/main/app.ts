// The composition root: one workspace (a folder holding one SQLite file) and every room
// wired to it. Electron, the headless host and the CLI all start here.
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { isChannel, parseArgs, type Channel, type Events, type EventName } from '../shared/contract'
import { AppError, type Result } from '../shared/errors'
import { createDeviceService } from './devices'
import { createDiagnostics } from './diagnostics'
import { createDirectoryService } from './directory'
import { createMembershipService } from './groups'
import { CHANGES, createHandlers, type Services } from './handlers'
import { createPolicyService, readPolicySettings } from './policies'
import { memorySecrets, systemClock, silentLog, type Clock, type Faults, type IdSource, type Log, type Secrets } from './ports'
import { createPushRouter, createRecordingPush, type PushTransport } from './push'
import { createApnsTransport } from './push/apns'
import { createPushCredentials } from './push/credentials'
import { createFcmTransport } from './push/fcm'
import { createStore } from './store'

export interface AppOptions {
  dataDir: string
  clock?: Clock
  push?: PushTransport
  log?: Log
  ids?: IdSource
  /** How long a device has to acknowledge a command before PAYLOAD_LATENCY (default 5 minutes). */
  ackDeadlineMs?: number
  /** Crash points for the kill -9 test; production passes none. */
  faults?: Faults
  /**
   * Where push credentials live. With secrets and no `push`, devices are woken through APNs and
   * FCM with those credentials; without either, an in-process transport records wake-ups.
   */
  secrets?: Secrets
  /**
   * How often the outbox looks for due pushes (retries after backoff, re-pushes after a
   * deadline). Unset: only when something changes (enrollment, check-in, edits), as in tests.
   */
  pumpIntervalMs?: number
}

export interface App {
  readonly dataDir: string
  readonly dbPath: string
  readonly services: Services
  /** Validates and runs one contract call; expected failures come back as values. */
  invoke(channel: string, args: unknown): Promise<Result<unknown>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
  close(): void
}

export const DATABASE_FILE = 'jit-mapper.db'

export function createApp(opts: AppOptions): App {
  mkdirSync(opts.dataDir, { recursive: true })
  const dbPath = join(opts.dataDir, DATABASE_FILE)
  const clock = opts.clock ?? systemClock
  const log = opts.log ?? silentLog
  const ids = opts.ids ?? { next: () => randomUUID() }
  const store = createStore(dbPath)
  const grace = () => {
    const settings = readPolicySettings(store)
    return { syncs: settings.graceSyncs, minutes: settings.graceMinutes }
  }
  const memberships = createMembershipService({ store, clock, ids, grace })
  const policies = createPolicyService({ store, clock, ids, memberships })
  const pushCredentials = createPushCredentials({ secrets: opts.secrets ?? memorySecrets(), clock })
  const live = (): PushTransport =>
    createPushRouter({
      apple: createApnsTransport({ credentials: pushCredentials.apns, clock }),
      android: createFcmTransport({ serviceAccount: pushCredentials.serviceAccount }),
    })
  const devices = createDeviceService({
    store, memberships, policies, clock, ids, log,
    push: opts.push ?? (opts.secrets ? live() : createRecordingPush()),
    ackDeadlineMs: opts.ackDeadlineMs ?? 5 * 60_000,
    faults: opts.faults,
  })
  const services: Services = {
    store, clock, memberships, policies, devices,
    directories: createDirectoryService({ store, memberships, clock, ids }),
    diagnostics: createDiagnostics({ store, clock }),
    pushCredentials,
  }
  const handlers = createHandlers(services)
  const pumping = opts.pumpIntervalMs
    ? setInterval(() => {
        devices.pump().catch((e: unknown) => log.error('outbox pump failed', { error: e instanceof Error ? e.stack : String(e) }))
      }, opts.pumpIntervalMs).unref()
    : null
  const events = new EventEmitter()

  return {
    dataDir: opts.dataDir,
    dbPath,
    services,
    async invoke(channel, raw) {
      if (!isChannel(channel)) return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown API channel ${channel}.`, details: { channel } } }
      const parsed = parseArgs(channel, raw)
      if (!parsed.ok) return parsed
      try {
        const handler = handlers[channel] as (args: unknown) => unknown
        const value = await handler(parsed.args)
        const tables = CHANGES[channel as Channel]
        if (tables) events.emit('db/changed', { tables })
        return { ok: true, value }
      } catch (e) {
        if (e instanceof AppError) {
          // A failed mutation may still have recorded something (a failed import's history).
          if (CHANGES[channel]) events.emit('db/changed', { tables: CHANGES[channel] })
          return { ok: false, error: e.toInfo() }
        }
        log.error('handler failed', { channel, error: e instanceof Error ? e.stack : String(e) })
        throw e
      }
    },
    on(event, listener) {
      events.on(event, listener)
      return () => events.off(event, listener)
    },
    close: () => {
      if (pumping) clearInterval(pumping)
      store.close()
    },
  }
}
