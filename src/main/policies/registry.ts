// The restriction definitions: each key's type, which value is the more restrictive, and the
// platforms that honour it. Conflicts between policies resolve to the stricter value (Hexnode's
// documented rule for restrictions, hexnode.com/mobile-device-management/help/policy-conflict-resolution:
// camera allow vs block → block;
// auto-lock 5 vs 2 min → 2). Keys follow Apple's Restrictions payload and Android's
// DevicePolicyManager names where one exists. Which Apple payload key each becomes is in
// apple/restrictions.ts; the iOS/macOS platforms and supervised-only flags here are pinned against
// Apple's schema data by test/unit/policies/apple-restrictions.test.ts.
import type { Platform } from '../../shared/domain'
import type { RestrictionDefinition } from '../../shared/policy'

const ALL: Platform[] = ['ios', 'macos', 'android']

export const RESTRICTIONS: readonly RestrictionDefinition[] = [
  {
    key: 'allowCamera',
    name: 'Allow camera',
    type: 'boolean',
    stricter: 'false',
    platforms: ALL,
    description: 'Off disables the camera.',
  },
  {
    key: 'allowScreenCapture',
    name: 'Allow screen capture',
    type: 'boolean',
    stricter: 'false',
    platforms: ALL,
    description: 'Off blocks screenshots and recording.',
  },
  {
    key: 'allowCloudBackup',
    name: 'Allow cloud backup',
    type: 'boolean',
    stricter: 'false',
    platforms: ['ios'],
    description: 'Off blocks iCloud backup.',
  },
  {
    key: 'allowCloudDocumentSync',
    name: 'Allow iCloud Drive documents',
    type: 'boolean',
    stricter: 'false',
    platforms: ['ios', 'macos'],
    supervised: ['ios'],
    description: 'Off keeps documents out of iCloud Drive.',
  },
  {
    key: 'allowCloudKeychainSync',
    name: 'Allow iCloud Keychain',
    type: 'boolean',
    stricter: 'false',
    platforms: ['ios', 'macos'],
    description: 'Off keeps passwords out of iCloud Keychain.',
  },
  {
    key: 'allowManagedAppsCloudSync',
    name: 'Allow managed apps to sync to iCloud',
    type: 'boolean',
    stricter: 'false',
    platforms: ['ios'],
    description: "Off keeps managed apps' data out of iCloud.",
  },
  {
    key: 'allowDiagnosticSubmission',
    name: 'Allow diagnostics to Apple',
    type: 'boolean',
    stricter: 'false',
    platforms: ['ios', 'macos'],
    description: 'Off stops sending diagnostic and usage data to Apple.',
  },
  {
    key: 'allowAppCellularDataModification',
    name: "Allow changing apps' cellular data use",
    type: 'boolean',
    stricter: 'false',
    platforms: ['ios'],
    supervised: ['ios'],
    description: 'Off stops the user changing which apps may use cellular data.',
  },
  {
    key: 'allowAppInstallation',
    name: 'Allow app installation',
    type: 'boolean',
    stricter: 'false',
    platforms: ['ios', 'android'],
    supervised: ['ios'],
    description: 'Off blocks installing apps from the store.',
  },
  {
    key: 'allowUsbFileTransfer',
    name: 'Allow USB file transfer',
    type: 'boolean',
    stricter: 'false',
    platforms: ['android'],
    description: 'Off blocks copying files over USB.',
  },
  {
    key: 'allowTerminal',
    name: 'Allow Terminal',
    type: 'boolean',
    stricter: 'false',
    platforms: ['macos'],
    description: 'Off blocks the Terminal app (by its path; Terminal runs unless blocked).',
  },
  {
    key: 'requireFileVault',
    name: 'Require FileVault',
    type: 'boolean',
    stricter: 'true',
    platforms: ['macos'],
    description: 'On turns FileVault on at the next logout, keeps it on, and escrows the recovery key.',
  },
  {
    key: 'requireStorageEncryption',
    name: 'Require storage encryption',
    type: 'boolean',
    stricter: 'true',
    platforms: ['android'],
    description: 'On enforces device encryption.',
  },
  {
    key: 'minPasscodeLength',
    name: 'Minimum passcode length',
    type: 'integer',
    stricter: 'higher',
    min: 4,
    max: 16,
    platforms: ALL,
    description: 'Longer is stricter.',
  },
  {
    key: 'maxInactivityMinutes',
    name: 'Auto-lock after (minutes)',
    type: 'integer',
    stricter: 'lower',
    min: 1,
    max: 60,
    platforms: ALL,
    description: 'Sooner is stricter.',
  },
  {
    key: 'maxFailedAttempts',
    name: 'Wipe after failed passcode attempts',
    type: 'integer',
    stricter: 'lower',
    min: 2,
    max: 11,
    platforms: ALL,
    description: 'Fewer attempts is stricter.',
  },
  {
    key: 'cellularDataLimitMB',
    name: 'Cellular data limit (MB)',
    type: 'integer',
    stricter: 'lower',
    min: 0,
    max: 1_000_000,
    // Apple has no data cap in megabytes (no such key in apple/device-management); on iOS a Cellular
    // data rule profile (com.apple.networkusagerules) turns cellular or roaming data off per app.
    platforms: ['android'],
    description: 'A lower cap is stricter. Android only: on iOS use a Cellular data rule profile.',
  },
  {
    key: 'passcodeComplexity',
    name: 'Passcode complexity',
    type: 'enum',
    stricter: 'later',
    options: ['none', 'numeric', 'alphanumeric', 'complex'],
    platforms: ALL,
    description: 'Later options are stricter.',
  },
]

const BY_KEY = new Map(RESTRICTIONS.map(r => [r.key, r]))

export const restrictionDefinition = (key: string): RestrictionDefinition | undefined => BY_KEY.get(key)

/** Negative when a is stricter than b, positive when b is, 0 when they are equally strict. */
export function compareStrictness(def: RestrictionDefinition, a: unknown, b: unknown): number {
  switch (def.stricter) {
    case 'false':
      return Number(a === true) - Number(b === true)
    case 'true':
      return Number(b === true) - Number(a === true)
    case 'lower':
      return Number(a) - Number(b)
    case 'higher':
      return Number(b) - Number(a)
    case 'later': {
      const options = def.options ?? []
      return options.indexOf(String(b)) - options.indexOf(String(a))
    }
  }
}

export function describeStrictness(def: RestrictionDefinition): string {
  switch (def.stricter) {
    case 'false':
      return 'off is stricter'
    case 'true':
      return 'on is stricter'
    case 'lower':
      return 'the lower value is stricter'
    case 'higher':
      return 'the higher value is stricter'
    case 'later':
      return `stricter in the order ${(def.options ?? []).join(' < ')}`
  }
}
