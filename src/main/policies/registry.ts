// The restriction definitions: each key's type, which value is the more restrictive, and the
// platforms that honour it. Conflicts between policies resolve to the stricter value (Hexnode's
// documented rule for restrictions, hexnode.com/mobile-device-management/help/policy-conflict-resolution:
// camera allow vs block → block;
// auto-lock 5 vs 2 min → 2). Keys follow Apple's Restrictions payload and Android's
// DevicePolicyManager names where one exists.
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
    platforms: ['ios', 'macos'],
    description: 'Off blocks iCloud backup.',
  },
  {
    key: 'allowAppInstallation',
    name: 'Allow app installation',
    type: 'boolean',
    stricter: 'false',
    platforms: ['ios', 'android'],
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
    description: 'Off blocks the Terminal app.',
  },
  {
    key: 'requireFileVault',
    name: 'Require FileVault',
    type: 'boolean',
    stricter: 'true',
    platforms: ['macos'],
    description: 'On enforces full-disk encryption.',
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
    platforms: ['ios', 'android'],
    description: 'A lower cap is stricter.',
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
