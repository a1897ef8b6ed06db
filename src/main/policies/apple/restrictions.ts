// A device's merged restriction set (our restriction keys, see ../registry.ts) as Apple payloads.
// Apple spreads them over several payload types (apple/device-management mdm/profiles):
//  - com.apple.applicationaccess: the allow* switches;
//  - com.apple.mobiledevice.passwordpolicy: passcode length, auto-lock, wipe, complexity;
//  - macOS FileVault: com.apple.MCX.FileVault2 (turn it on), com.apple.MCX dontAllowFDEDisable (keep
//    it on), com.apple.security.FDERecoveryKeyEscrow + com.apple.security.pkcs1 (escrow the personal
//    recovery key, encrypted to our certificate);
//  - macOS Terminal: Terminal runs unless blocked; the only profile mechanism that blocks one app is
//    com.apple.applicationaccess.new (familyControlsEnabled with pathBlackList; deprecated since macOS
//    10.15 but still listed), so allowTerminal = true sends nothing and false sends the deny list.
// A cellular data cap in megabytes has no Apple key at all: it is refused for Apple platforms at
// authoring (registry platforms), and the iOS "Cellular data rule" profile (com.apple.networkusagerules)
// is what Apple offers instead.
import type { PlistValue } from '../../plist'
import type { RenderContext, RenderedPayload } from './render'
import type { ApplePlatform } from './schema'

type Emit = (schema: string, key: string, value: PlistValue) => void

/** How one of our restriction keys is expressed on each Apple platform. */
type AppleRestriction = Partial<Record<ApplePlatform, (value: unknown, emit: Emit) => void>>

const ACCESS = 'com.apple.applicationaccess'
const PASSCODE = 'com.apple.mobiledevice.passwordpolicy'
const APP_BLOCK = 'com.apple.applicationaccess.new'

const access =
  (key: string) =>
  (v: unknown, emit: Emit): void =>
    emit(ACCESS, key, v === true)
const passcode =
  (key: string) =>
  (v: unknown, emit: Emit): void => {
    emit(PASSCODE, 'forcePIN', true)
    emit(PASSCODE, key, Number(v))
  }
const both = (f: (v: unknown, emit: Emit) => void): AppleRestriction => ({ ios: f, macos: f })

/** Where macOS keeps Terminal (Catalina and later, and before). */
const TERMINAL_PATHS = ['/System/Applications/Utilities/Terminal.app', '/Applications/Utilities/Terminal.app']

export const APPLE_RESTRICTIONS: Record<string, AppleRestriction> = {
  allowCamera: both(access('allowCamera')),
  allowScreenCapture: both(access('allowScreenShot')),
  allowCloudBackup: { ios: access('allowCloudBackup') },
  allowCloudDocumentSync: both(access('allowCloudDocumentSync')),
  allowCloudKeychainSync: both(access('allowCloudKeychainSync')),
  allowDiagnosticSubmission: both(access('allowDiagnosticSubmission')),
  allowManagedAppsCloudSync: { ios: access('allowManagedAppsCloudSync') },
  allowAppInstallation: { ios: access('allowAppInstallation') },
  allowAppCellularDataModification: { ios: access('allowAppCellularDataModification') },
  minPasscodeLength: both(passcode('minLength')),
  maxInactivityMinutes: both(passcode('maxInactivity')),
  maxFailedAttempts: both(passcode('maxFailedAttempts')),
  passcodeComplexity: both((v, emit) => {
    if (v === 'none') return
    emit(PASSCODE, 'forcePIN', true)
    if (v === 'alphanumeric' || v === 'complex') emit(PASSCODE, 'requireAlphanumeric', true)
    if (v === 'complex') emit(PASSCODE, 'minComplexChars', 1)
  }),
  allowTerminal: {
    macos: (v, emit) => {
      if (v === true) return
      // Evaluation order (Apple's schema): whiteList, then pathBlackList denies, then pathWhiteList allows.
      emit(APP_BLOCK, 'familyControlsEnabled', true)
      emit(APP_BLOCK, 'pathBlackList', TERMINAL_PATHS)
      emit(APP_BLOCK, 'pathWhiteList', ['/'])
    },
  },
  requireFileVault: {
    macos: (v, emit) => {
      if (v !== true) return
      emit('com.apple.MCX.FileVault2', 'Enable', 'On')
      // Defer: turn FileVault on at the user's next logout, the way MDM can (no password in the profile).
      emit('com.apple.MCX.FileVault2', 'Defer', true)
      emit('com.apple.MCX.FileVault2', 'UseRecoveryKey', true)
      emit('com.apple.MCX(FileVault2)', 'dontAllowFDEDisable', true)
    },
  },
}

/** The platforms on which a restriction key has an Apple form. */
export const appleRestrictionPlatforms = (key: string): ApplePlatform[] =>
  Object.keys(APPLE_RESTRICTIONS[key] ?? {}) as ApplePlatform[]

const META: Record<string, { payloadType: string; suffix: string; displayName: string }> = {
  [ACCESS]: { payloadType: ACCESS, suffix: 'restrictions', displayName: 'Restrictions' },
  [PASSCODE]: { payloadType: PASSCODE, suffix: 'passcode', displayName: 'Passcode' },
  [APP_BLOCK]: { payloadType: APP_BLOCK, suffix: 'blocked-apps', displayName: 'Blocked apps' },
  'com.apple.MCX.FileVault2': {
    payloadType: 'com.apple.MCX.FileVault2',
    suffix: 'filevault',
    displayName: 'FileVault',
  },
  'com.apple.MCX(FileVault2)': {
    payloadType: 'com.apple.MCX',
    suffix: 'filevault-options',
    displayName: 'FileVault options',
  },
}

/** The Apple payloads of a restriction set on one platform; `source` maps each Apple key to our restriction key. */
export function renderRestrictions(settings: Record<string, unknown>, ctx: RenderContext): RenderedPayload[] {
  const bySchema = new Map<string, RenderedPayload>()
  for (const [key, value] of Object.entries(settings).sort(([a], [b]) => a.localeCompare(b))) {
    const form = APPLE_RESTRICTIONS[key]?.[ctx.platform]
    if (!form) continue
    form(value, (schema, appleKey, v) => {
      let p = bySchema.get(schema)
      if (!p) {
        const meta = META[schema] as (typeof META)[string]
        p = { schema, ...meta, content: {}, source: {} }
        bySchema.set(schema, p)
      }
      // passcodes: the stricter of two settings of the same Apple key is already decided upstream.
      p.content[appleKey] = v
      p.source[appleKey] ??= key
    })
  }
  const payloads = [...bySchema.values()]
  const fileVault = bySchema.get('com.apple.MCX.FileVault2')
  if (fileVault) {
    if (ctx.escrowCertificate) {
      // The recovery key is escrowed encrypted to our certificate, and the user is not shown it.
      fileVault.content['ShowRecoveryKey'] = false
      payloads.push(
        {
          schema: 'com.apple.security.pkcs1',
          payloadType: 'com.apple.security.pkcs1',
          suffix: 'escrow-certificate',
          displayName: 'FileVault escrow certificate',
          content: { PayloadContent: ctx.escrowCertificate },
          source: { PayloadContent: 'requireFileVault' },
        },
        {
          schema: 'com.apple.security.FDERecoveryKeyEscrow',
          payloadType: 'com.apple.security.FDERecoveryKeyEscrow',
          suffix: 'escrow',
          displayName: 'FileVault recovery key escrow',
          content: { Location: ctx.organisation, EncryptCertPayloadUUID: ctx.uuid('escrow-certificate') },
          source: { Location: 'requireFileVault', EncryptCertPayloadUUID: 'requireFileVault' },
        },
      )
    } else fileVault.content['ShowRecoveryKey'] = true
  }
  return payloads
}
