// The secrets room: where directory and push credentials are kept, behind the Secrets port
// (ports.ts). The default, an owner-only file in the workspace, serves the CLI and the headless
// host; the desktop app seals them with the OS keychain through a Keychain port it fills from
// Electron's safeStorage.
export { createFileSecretStore, SECRETS_FILE } from './file-store'
export { createKeychainSecretStore, KEYCHAIN_SECRETS_FILE, type Keychain } from './keychain-store'
