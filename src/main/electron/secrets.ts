// The desktop app's secrets store: the keychain store over Electron's safeStorage.
import { safeStorage } from 'electron'
import type { Secrets } from '../ports'
import { createKeychainSecretStore } from '../secrets'

export function createSafeStorageSecretStore(dataDir: string): Secrets {
  return createKeychainSecretStore(dataDir, {
    available: () => safeStorage.isEncryptionAvailable(),
    seal: plain => safeStorage.encryptString(plain),
    unseal: sealed => safeStorage.decryptString(sealed),
  })
}
