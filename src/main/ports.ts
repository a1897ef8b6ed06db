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
