// The headless host's and the CLI's secrets store: one JSON file in the workspace folder that
// only its owner may read or write (mode 0600). It is NOT encrypted by the operating system —
// the desktop app uses Electron's safeStorage instead — and says so through `warning`.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Secrets } from '../ports'

export const SECRETS_FILE = 'secrets.json'

export function createFileSecretStore(dataDir: string): Secrets {
  const path = join(dataDir, SECRETS_FILE)

  const read = (): Record<string, string> => {
    if (!existsSync(path)) return {}
    // Someone loosened the permissions: tighten them before reading.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600)
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>
  }

  const write = (all: Record<string, string>) => {
    const tmp = `${path}.tmp`
    writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 })
    chmodSync(tmp, 0o600)
    // Rename is atomic: a crash never leaves half a secrets file.
    renameSync(tmp, path)
  }

  return {
    get: async key => read()[key] ?? null,
    async set(key, value) {
      write({ ...read(), [key]: value })
    },
    async delete(key) {
      const all = read()
      if (!(key in all)) return
      delete all[key]
      write(all)
    },
    warning: `Credentials are kept in ${path}, readable only by your user account, but not encrypted by the operating system. The desktop app encrypts them with the OS keychain instead.`,
  }
}
