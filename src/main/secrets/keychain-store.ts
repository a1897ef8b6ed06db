// Secrets sealed by the OS keychain (Electron's safeStorage: Keychain, DPAPI, libsecret) in a
// file only the user can read. Written against a small Keychain port so it runs and is tested
// without Electron; src/main/electron passes safeStorage. A keychain that is unavailable or
// refuses to unseal is an expected failure the admin can act on, never a crash.
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError, errorMessage } from '../../shared/errors'
import type { Secrets } from '../ports'

export interface Keychain {
  available(): boolean
  seal(plain: string): Buffer
  unseal(sealed: Buffer): string
}

export const KEYCHAIN_SECRETS_FILE = 'secrets.enc.json'

/** The entry holding the workspace's data key (payload secrets in SQLite are sealed with it). */
const DATA_KEY = 'workspace.dataKey'

const unavailable = (path: string) =>
  new AppError(
    'SECRETS_UNAVAILABLE',
    "The operating system's keychain is not available, so JIT Mapper cannot store or read credentials encrypted. " +
      'On Linux, start a keyring service (GNOME Keyring or KWallet) and sign in to the desktop session; then try again.',
    { file: path },
  )

export function createKeychainSecretStore(dataDir: string, keychain: Keychain): Secrets {
  const path = join(dataDir, KEYCHAIN_SECRETS_FILE)
  const read = (): Record<string, string> =>
    existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {}
  const write = (all: Record<string, string>) => {
    const tmp = `${path}.tmp`
    writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 })
    chmodSync(tmp, 0o600)
    renameSync(tmp, path)
  }
  const unseal = (key: string, sealed: string): string => {
    if (!keychain.available()) throw unavailable(path)
    try {
      return keychain.unseal(Buffer.from(sealed, 'base64'))
    } catch (e) {
      throw new AppError(
        'SECRETS_UNAVAILABLE',
        `The keychain refused to unseal the stored credential "${key}" (${errorMessage(e)}). If this workspace was copied from another user or machine, enter the credential again.`,
        { file: path, name: key },
      )
    }
  }
  return {
    dataKey() {
      const sealed = read()[DATA_KEY]
      if (sealed !== undefined) return Buffer.from(unseal(DATA_KEY, sealed), 'base64')
      if (!keychain.available()) throw unavailable(path)
      const key = randomBytes(32)
      write({ ...read(), [DATA_KEY]: keychain.seal(key.toString('base64')).toString('base64') })
      return key
    },
    async get(key) {
      const sealed = read()[key]
      return sealed === undefined ? null : unseal(key, sealed)
    },
    async set(key, value) {
      if (!keychain.available()) throw unavailable(path)
      write({ ...read(), [key]: keychain.seal(value).toString('base64') })
    },
    async delete(key) {
      const all = read()
      delete all[key]
      write(all)
    },
    warning: null,
  }
}
