// The log room: one logger for every long-running entry point (desktop app, demo, enrollment
// server, scheduled and command-line syncs). JSON lines (pino) go to `<workspace>/logs/<name>.log`,
// rotated by size; the command line also gets readable lines on its error stream. Every field and
// message passes through redact() first, so secrets never reach a file or the console.
import { join } from 'node:path'
import pino from 'pino'
import type { Log } from '../ports'
import { redact, redactText } from './redact'
import { openRotatingFile } from './rotating-file'

export { redact, redactText } from './redact'

export interface AppLog extends Log {
  /** The file being written now. */
  readonly path: string
  close(): void
}

export interface LogOptions {
  /** The workspace folder; logs go to its `logs/` folder. */
  dataDir: string
  /** The entry point, which names the file (`desktop`, `demo`, `serve`, `sync`, …). */
  name: string
  /** Readable lines for a person at a terminal. */
  console?: (line: string) => void
  maxBytes?: number
  maxFiles?: number
}

export const LOG_FOLDER = 'logs'

/** `18:02:11 warn  directory sync failed  directoryId=… code=DIRECTORY_AUTH` */
export function consoleLine(time: Date, level: string, message: string, fields: Record<string, unknown>): string {
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
  return `${time.toISOString().slice(11, 19)} ${level.padEnd(5)} ${message}${rest ? `  ${rest}` : ''}`
}

export function createLog(o: LogOptions): AppLog {
  const file = openRotatingFile({
    dir: join(o.dataDir, LOG_FOLDER),
    name: o.name,
    maxBytes: o.maxBytes ?? 10 * 1024 * 1024,
    maxFiles: o.maxFiles ?? 5,
  })
  const logger = pino(
    {
      base: { pid: process.pid, entry: o.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: label => ({ level: label }) },
    },
    { write: (line: string) => file.write(line) },
  )
  const emit = (level: 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    const safe = (redact(fields ?? {}) ?? {}) as Record<string, unknown>
    const text = redactText(message)
    logger[level](safe, text)
    o.console?.(consoleLine(new Date(), level, text, safe))
  }
  return {
    path: file.path,
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    close: () => file.close(),
  }
}
