import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../../src/main/app'
import {
  createKeychainSecretStore,
  KEYCHAIN_SECRETS_FILE,
  type Keychain,
} from '../../../src/main/secrets/keychain-store'
import { AppError } from '../../../src/shared/errors'
import { testPki } from '../../fakes/pki'
import { tempDir } from '../../helpers/workspace'

const dirs: { remove(): void }[] = []
afterEach(() => dirs.splice(0).forEach(d => d.remove()))
const folder = () => {
  const d = tempDir()
  dirs.push(d)
  return d.path
}

/** Reversible "sealing" that is visibly not the plain text, like an OS keychain's. */
const workingKeychain: Keychain = {
  available: () => true,
  seal: plain => Buffer.from([...Buffer.from(plain)].map(b => b ^ 0x5a)),
  unseal: sealed => Buffer.from([...sealed].map(b => b ^ 0x5a)).toString(),
}
const noKeychain: Keychain = {
  available: () => false,
  seal: () => {
    throw new Error('Encryption is not available')
  },
  unseal: () => {
    throw new Error('Encryption is not available')
  },
}

describe('secrets sealed by the OS keychain', () => {
  it('stores them sealed in an owner-only file and reads them back', async () => {
    const dir = folder()
    const store = createKeychainSecretStore(dir, workingKeychain)
    await store.set('directory/d1/clientSecret', 'very-secret-value')
    expect(await store.get('directory/d1/clientSecret')).toBe('very-secret-value')
    const file = join(dir, KEYCHAIN_SECRETS_FILE)
    expect(readFileSync(file, 'utf8')).not.toContain('very-secret-value')
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
    await store.delete('directory/d1/clientSecret')
    expect(await store.get('directory/d1/clientSecret')).toBeNull()
  })

  it('says what to do when the keychain is unavailable, as an expected failure', async () => {
    const store = createKeychainSecretStore(folder(), noKeychain)
    const refused = await store.set('x', 'y').catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AppError)
    expect(refused).toMatchObject({
      code: 'SECRETS_UNAVAILABLE',
      message: expect.stringMatching(/keychain is not available/),
    })
  })

  it('says a stored credential cannot be unsealed (a workspace copied from another user)', async () => {
    const dir = folder()
    await createKeychainSecretStore(dir, workingKeychain).set('push/fcm', 'sa')
    const elsewhere = createKeychainSecretStore(dir, {
      ...workingKeychain,
      unseal: () => {
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.')
      },
    })
    await expect(elsewhere.get('push/fcm')).rejects.toMatchObject({
      code: 'SECRETS_UNAVAILABLE',
      message: expect.stringContaining('enter the credential again'),
    })
  })

  it('reaches the admin as a value with its code, not as a crash', async () => {
    const dataDir = folder()
    const app = createApp({ dataDir, secrets: createKeychainSecretStore(dataDir, noKeychain) })
    try {
      const { push } = testPki()
      const r = await app.invoke('push/setApnsCertificate', { certificate: push.certPem, key: push.keyPem })
      expect(r).toMatchObject({ ok: false, error: { code: 'SECRETS_UNAVAILABLE' } })
    } finally {
      app.close()
    }
  })
})
