// The desktop app's secrets store: values encrypted with Electron's safeStorage (the OS
// keychain / DPAPI / libsecret) in a file only the user can read. Never electron-store.
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { safeStorage } from 'electron'
import type { Secrets } from '../ports'

export function createSafeStorageSecretStore(dataDir: string): Secrets {
  const path = join(dataDir, 'secrets.enc.json')
  const read = (): Record<string, string> =>
    existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {}
  const write = (all: Record<string, string>) => {
    writeFileSync(path, JSON.stringify(all), { mode: 0o600 })
    chmodSync(path, 0o600)
  }
  const DATA_KEY = 'workspace.dataKey'
  return {
    dataKey() {
      const sealed = read()[DATA_KEY]
      if (sealed) return Buffer.from(safeStorage.decryptString(Buffer.from(sealed, 'base64')), 'base64')
      if (!safeStorage.isEncryptionAvailable())
        throw new Error('The OS keychain is not available, so payload secrets cannot be sealed.')
      const key = randomBytes(32)
      write({ ...read(), [DATA_KEY]: safeStorage.encryptString(key.toString('base64')).toString('base64') })
      return key
    },
    async get(key) {
      const sealed = read()[key]
      return sealed === undefined ? null : safeStorage.decryptString(Buffer.from(sealed, 'base64'))
    },
    async set(key, value) {
      if (!safeStorage.isEncryptionAvailable())
        throw new Error('The OS keychain is not available, so credentials cannot be stored encrypted.')
      write({ ...read(), [key]: safeStorage.encryptString(value).toString('base64') })
    },
    async delete(key) {
      const all = read()
      delete all[key]
      write(all)
    },
    warning: null,
  }
}
