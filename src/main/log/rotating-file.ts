// A log file that rotates by size: `<name>.log` is written, and when the next line would take it
// past maxBytes it becomes `<name>.1.log` (older ones shift up), keeping maxFiles in all.
// Writes are synchronous appends so a crash right after a log call still leaves the line on disk.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export interface RotatingFileOptions {
  dir: string
  name: string
  maxBytes: number
  maxFiles: number
}

export interface RotatingFile {
  readonly path: string
  write(line: string): void
  close(): void
}

export function logFilePath(dir: string, name: string, index = 0): string {
  return join(dir, index === 0 ? `${name}.log` : `${name}.${index}.log`)
}

export function openRotatingFile(o: RotatingFileOptions): RotatingFile {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 })
  const path = logFilePath(o.dir, o.name)
  // Logs hold user names and device serials: owner-only, like the rest of the workspace.
  const open = () => openSync(path, 'a', 0o600)
  let fd: number | null = open()
  let size = fstatSync(fd).size

  const rotate = () => {
    if (fd !== null) closeSync(fd)
    rmSync(logFilePath(o.dir, o.name, o.maxFiles - 1), { force: true })
    for (let i = o.maxFiles - 2; i >= 0; i--) {
      const from = logFilePath(o.dir, o.name, i)
      if (existsSync(from)) renameSync(from, logFilePath(o.dir, o.name, i + 1))
    }
    fd = open()
    size = 0
  }

  return {
    path,
    write(line) {
      if (fd === null) return
      const bytes = Buffer.byteLength(line)
      if (size > 0 && size + bytes > o.maxBytes) rotate()
      writeSync(fd as number, line)
      size += bytes
    },
    close() {
      if (fd !== null) closeSync(fd)
      fd = null
    },
  }
}
