// Ports: the small interfaces through which logic touches the world, so tests pass fakes.
import { randomUUID } from 'node:crypto'

export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

export interface IdSource {
  next(): string
}

/**
 * Ids that sort by creation time (a millisecond timestamp, a counter, then random hex), in the
 * UUID layout. Rows inserted together then sit together in SQLite's B-trees: a 100k-user sync
 * appends to the same few pages instead of dirtying a random page per row (random UUIDs).
 */
export function timeOrderedIds(now: () => number = Date.now, random: () => string = randomUUID): IdSource {
  let last = 0
  let seq = 0
  return {
    next() {
      const ms = Math.max(now(), last)
      seq = ms === last ? seq + 1 : 0
      last = ms
      const t = ms.toString(16).padStart(12, '0')
      const r = random().replace(/-/g, '')
      return `${t.slice(0, 8)}-${t.slice(8, 12)}-${(seq & 0xffff).toString(16).padStart(4, '0')}-${r.slice(0, 4)}-${r.slice(4, 16)}`
    },
  }
}

export interface Log {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export const silentLog: Log = { info() {}, warn() {}, error() {} }

/**
 * Named points in a multi-step operation (e.g. 'ack:before-commit'). Production passes
 * noFaults; the crash test passes one that kills the process at a chosen point.
 */
export interface Faults {
  hit(point: string): void
}

export const noFaults: Faults = { hit() {} }

/** Named secrets (push certificate, service account) kept outside SQLite and logs. */
export interface Secrets {
  get(name: string): Promise<string | null>
  set(name: string, value: string): Promise<void>
  delete(name: string): Promise<void>
  /** Said to the admin when the store is not OS-encrypted (the headless host's file). */
  readonly warning?: string | null
  /**
   * The workspace's 32-byte data key, made on first use, that seals payload secrets in SQLite.
   * Synchronous: the store reads and writes synchronously. Absent: payload secrets stay in clear.
   */
  dataKey?(): Buffer
}

/** Outbound HTTP (the Fetch API's shape), so tests route IdP hosts to loopback fakes. */
export interface HttpPort {
  fetch(url: string, init?: RequestInit): Promise<Response>
}

export const systemHttp: HttpPort = { fetch: (url, init) => fetch(url, init) }

/** Waiting, injectable so retry and back-off tests do not wait for real. */
export type Sleep = (ms: number) => Promise<void>

export const realSleep: Sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

/** Timers for the sync scheduler. */
export interface TimerPort {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemTimers: TimerPort = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    // A scheduled sync must not keep a CLI process alive.
    t.unref()
    return t
  },
  clearTimeout: h => clearTimeout(h as NodeJS.Timeout),
}
