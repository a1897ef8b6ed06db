// Ports: the small interfaces through which logic touches the world, so tests pass fakes.

export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

export interface IdSource {
  next(): string
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
}

export function memorySecrets(): Secrets {
  const values = new Map<string, string>()
  return {
    get: async (name) => values.get(name) ?? null,
    set: async (name, value) => void values.set(name, value),
    delete: async (name) => void values.delete(name),
  }
}
