// The headless host's and the CLI's secrets store: one JSON file in the workspace folder that
// only its owner may read or write (mode 0600). It is NOT encrypted by the operating system —
// the desktop app uses Electron's safeStorage instead — and says so through `warning`.
//
// The app and a cron'd CLI may write it at the same time, so every change is a read-modify-write
// under a lock file (created exclusively; one left by a process that died is broken once it is
// stale), and the new file is written whole to a temporary file, flushed to disk and renamed
// over the old one: a crash or a power cut leaves the old file or the new one, never half.
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { realSleep, type Secrets, type Sleep } from '../ports'

export const SECRETS_FILE = 'secrets.json'

/** A lock older than this was left by a writer that died (a write takes milliseconds). */
const LOCK_STALE_MS = 30_000
/** How long a writer waits for another before giving up with a message. */
const LOCK_WAIT_MS = 10_000

const errorCode = (e: unknown) => (e as NodeJS.ErrnoException).code

/** Writes a file atomically and durably: temp file, fsync, rename, fsync of the folder. */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const fd = openSync(tmp, 'wx', mode)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    chmodSync(tmp, mode)
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
  // The rename itself is durable only once the folder is flushed (POSIX; Windows can't open one).
  if (process.platform !== 'win32') {
    const dir = openSync(dirname(path), 'r')
    try {
      fsyncSync(dir)
    } finally {
      closeSync(dir)
    }
  }
}

/** Takes the lock file if it is free (breaking one left by a writer that died); whether it did. */
function tryLock(lockPath: string, deadline: number): boolean {
  try {
    const fd = openSync(lockPath, 'wx', 0o600)
    writeSync(fd, String(process.pid))
    closeSync(fd)
    return true
  } catch (e) {
    if (errorCode(e) !== 'EEXIST') throw e
    try {
      if (Date.now() - statSync(lockPath).mtimeMs > LOCK_STALE_MS) rmSync(lockPath, { force: true })
    } catch (gone) {
      if (errorCode(gone) !== 'ENOENT') throw gone
    }
    if (Date.now() > deadline)
      throw new Error(`${lockPath} is held by another JIT Mapper process; try again when it has finished.`)
    return false
  }
}

/** Runs `fn` holding an exclusive lock file, waiting for another holder to finish. */
export async function withFileLock<T>(lockPath: string, fn: () => T, sleep: Sleep = realSleep): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS
  while (!tryLock(lockPath, deadline)) await sleep(2 + Math.floor(Math.random() * 10))
  try {
    return fn()
  } finally {
    rmSync(lockPath, { force: true })
  }
}

/** withFileLock for synchronous callers (the data key, asked for inside a store write). */
function withFileLockSync<T>(lockPath: string, fn: () => T): T {
  const deadline = Date.now() + LOCK_WAIT_MS
  const pause = new Int32Array(new SharedArrayBuffer(4))
  while (!tryLock(lockPath, deadline)) Atomics.wait(pause, 0, 0, 5)
  try {
    return fn()
  } finally {
    rmSync(lockPath, { force: true })
  }
}

/** The secret holding the workspace's data key (base64 of 32 random bytes). */
export const DATA_KEY = 'workspace.dataKey'

export function createFileSecretStore(dataDir: string, opts: { sleep?: Sleep } = {}): Secrets {
  const path = join(dataDir, SECRETS_FILE)
  const lock = `${path}.lock`

  const read = (): Record<string, string> => {
    if (!existsSync(path)) return {}
    // Someone loosened the permissions: tighten them before reading.
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600)
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>
  }

  const change = (edit: (all: Record<string, string>) => boolean) =>
    withFileLock(
      lock,
      () => {
        const all = read()
        if (edit(all)) writeFileAtomic(path, JSON.stringify(all))
      },
      opts.sleep,
    )

  return {
    dataKey() {
      const known = read()[DATA_KEY]
      if (known) return Buffer.from(known, 'base64')
      const made = withFileLockSync(lock, () => {
        const all = read()
        all[DATA_KEY] ??= randomBytes(32).toString('base64')
        writeFileAtomic(path, JSON.stringify(all))
        return all[DATA_KEY]
      })
      return Buffer.from(made, 'base64')
    },
    get: async key => read()[key] ?? null,
    async set(key, value) {
      await change(all => {
        all[key] = value
        return true
      })
    },
    async delete(key) {
      await change(all => {
        if (!(key in all)) return false
        delete all[key]
        return true
      })
    },
    warning: `Credentials are kept in ${path}, readable only by your user account, but not encrypted by the operating system. The desktop app encrypts them with the OS keychain instead.`,
  }
}
