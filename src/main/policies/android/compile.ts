// Our policy model as Android Enterprise takes it: one Android Management API (AMAPI) Policy per
// device, compiled from what the device should have. Pure; the table of what AMAPI can express is
// also the admissibility check (`androidProblems`), so an item the platform cannot take is refused
// when the admin saves it, with the reason, instead of being dropped on the way to the device.
//
// Sources (developers.google.com/android/management/reference/rest/v1, the Policy resource):
// - applications[].installType: FORCE_INSTALLED is installed and cannot be removed by the user;
//   AVAILABLE may be installed by the user. playStoreMode WHITELIST (the default, set explicitly
//   here): "only apps that are in the policy are available and any app not in the policy will be
//   automatically uninstalled from the device" — so an app is removed by leaving it out, and an app
//   withdrawn without the remove flag stays listed as AVAILABLE (installed, no longer forced).
// - openNetworkConfiguration: an ONC object; NetworkConfigurations[] with GUID, Name, Type "WiFi"
//   and WiFi {SSID, Security, Passphrase, AutoConnect, HiddenSSID}; Security None | WPA-PSK | WPA-EAP
//   | WEP-PSK | WEP-8021X | WPA3-Enterprise_192 (…/android/management/configure-networks).
// - alwaysOnVpnPackage {packageName, lockdownEnabled}: AMAPI has no VPN profile, only the VPN app
//   that is kept always on, so the app itself is also delivered through applications[].
// - passwordPolicies[] (PasswordRequirements, passwordScope SCOPE_DEVICE): passwordQuality,
//   passwordMinimumLength (enforced only for NUMERIC, NUMERIC_COMPLEX, ALPHABETIC, ALPHANUMERIC and
//   COMPLEX), maximumFailedPasswordsForWipe; maximumTimeToLock in milliseconds, an int64 string.
// - cameraAccess CAMERA_ACCESS_USER_CHOICE | CAMERA_ACCESS_DISABLED; screenCaptureDisabled;
//   installAppsDisabled; deviceConnectivityManagement.usbDataAccess ALLOW_USB_DATA_TRANSFER |
//   DISALLOW_USB_FILE_TRANSFER (company-owned devices); encryptionPolicy ENABLED_WITHOUT_PASSWORD.
// - Not in AMAPI: a mobile-data cap, mail accounts (com.apple.mail.managed / eas have no Policy
//   field), VPN server settings, Apple payloads.
import type { PayloadKind, Platform } from '../../../shared/domain'
import type { PolicyDraft } from '../../../shared/policy'

/** An item the device should have, as the devices room records it (a SentItem's fields). */
export interface AndroidItem {
  kind: PayloadKind
  identifier: string
  name: string
  value: unknown
}

export interface CompileInput {
  items: readonly AndroidItem[]
  /** Apps the device got from us earlier and keeps unmanaged (withdrawn without the remove flag). */
  keep: readonly string[]
}

export interface ApplicationPolicy {
  packageName: string
  installType: 'FORCE_INSTALLED' | 'AVAILABLE'
}

export interface OncNetwork {
  GUID: string
  Name: string
  Type: 'WiFi'
  WiFi: { SSID: string; Security: 'None' | 'WPA-PSK'; Passphrase?: string; AutoConnect: boolean; HiddenSSID: boolean }
}

export interface PasswordRequirements {
  passwordScope: 'SCOPE_DEVICE'
  passwordQuality: 'SOMETHING' | 'NUMERIC' | 'ALPHANUMERIC' | 'COMPLEX'
  passwordMinimumLength?: number
  maximumFailedPasswordsForWipe?: number
}

/** The AMAPI Policy fields we write (the rest keep Google's defaults). */
export interface AmapiPolicy {
  playStoreMode: 'WHITELIST'
  applications: ApplicationPolicy[]
  openNetworkConfiguration?: { NetworkConfigurations: OncNetwork[] }
  alwaysOnVpnPackage?: { packageName: string; lockdownEnabled: boolean }
  passwordPolicies?: PasswordRequirements[]
  maximumTimeToLock?: string
  cameraAccess?: 'CAMERA_ACCESS_USER_CHOICE' | 'CAMERA_ACCESS_DISABLED'
  screenCaptureDisabled?: boolean
  installAppsDisabled?: boolean
  deviceConnectivityManagement?: { usbDataAccess: 'ALLOW_USB_DATA_TRANSFER' | 'DISALLOW_USB_FILE_TRANSFER' }
  encryptionPolicy?: 'ENABLED_WITHOUT_PASSWORD'
}

export interface Refusal {
  /** Our item key, `kind:identifier`. */
  key: string
  name: string
  reason: string
}

type Contribution = (p: AmapiPolicy) => void
type Expressed = { ok: true; apply: Contribution } | { ok: false; reason: string }

const refuse = (reason: string): Expressed => ({ ok: false, reason })

const QUALITY = { none: 'SOMETHING', numeric: 'NUMERIC', alphanumeric: 'ALPHANUMERIC', complex: 'COMPLEX' } as const

const password = (p: AmapiPolicy): PasswordRequirements => {
  p.passwordPolicies ??= [{ passwordScope: 'SCOPE_DEVICE', passwordQuality: 'SOMETHING' }]
  return p.passwordPolicies[0] as PasswordRequirements
}

/** A restriction of ours as AMAPI fields; the value is one the registry already validated. */
export function expressRestriction(key: string, value: unknown): Expressed {
  switch (key) {
    case 'allowCamera':
      return { ok: true, apply: p => (p.cameraAccess = value ? 'CAMERA_ACCESS_USER_CHOICE' : 'CAMERA_ACCESS_DISABLED') }
    case 'allowScreenCapture':
      return { ok: true, apply: p => (p.screenCaptureDisabled = value === false) }
    case 'allowAppInstallation':
      return { ok: true, apply: p => (p.installAppsDisabled = value === false) }
    case 'allowUsbFileTransfer':
      return {
        ok: true,
        apply: p =>
          (p.deviceConnectivityManagement = {
            usbDataAccess: value ? 'ALLOW_USB_DATA_TRANSFER' : 'DISALLOW_USB_FILE_TRANSFER',
          }),
      }
    case 'requireStorageEncryption':
      return {
        ok: true,
        apply: p => {
          if (value === true) p.encryptionPolicy = 'ENABLED_WITHOUT_PASSWORD'
        },
      }
    case 'minPasscodeLength':
      return {
        ok: true,
        apply: p => {
          const r = password(p)
          r.passwordMinimumLength = Number(value)
          // A minimum length counts only with a quality that enforces it; NUMERIC is the least such.
          if (r.passwordQuality === 'SOMETHING') r.passwordQuality = 'NUMERIC'
        },
      }
    case 'passcodeComplexity':
      return {
        ok: true,
        apply: p => {
          const r = password(p)
          const q = QUALITY[String(value) as keyof typeof QUALITY] ?? 'SOMETHING'
          const order = ['SOMETHING', 'NUMERIC', 'ALPHANUMERIC', 'COMPLEX']
          if (order.indexOf(q) > order.indexOf(r.passwordQuality)) r.passwordQuality = q
        },
      }
    case 'maxFailedAttempts':
      return { ok: true, apply: p => (password(p).maximumFailedPasswordsForWipe = Number(value)) }
    case 'maxInactivityMinutes':
      return { ok: true, apply: p => (p.maximumTimeToLock = String(Number(value) * 60_000)) }
    case 'cellularDataLimitMB':
      return refuse(
        'Android Enterprise has no mobile data cap: the Android Management API policy has no such setting (it can only turn data roaming off)',
      )
    default:
      return refuse(`${key} is not an Android setting`)
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** A profile of ours as AMAPI fields. */
export function expressProfile(identifier: string, name: string, settings: Record<string, unknown>): Expressed {
  const type = settings['type']
  if (type === 'wifi') {
    const security = settings['security']
    if (security !== 'none' && security !== 'WPA2')
      return refuse(
        security === 'WPA3'
          ? 'Android Enterprise takes Wi-Fi as Open Network Configuration, which has no WPA3-Personal security: use WPA2 for Android'
          : 'Enterprise (802.1X) Wi-Fi on Android needs the server CA certificate in the Open Network Configuration, which JIT Mapper does not deliver to Android yet: use WPA2 or an open network for Android',
      )
    const ssid = str(settings['ssid'])
    if (!ssid) return refuse('a Wi-Fi network needs its SSID')
    const passphrase = str(settings['password'])
    const network: OncNetwork = {
      GUID: identifier,
      Name: name,
      Type: 'WiFi',
      WiFi: {
        SSID: ssid,
        Security: security === 'none' ? 'None' : 'WPA-PSK',
        ...(security === 'WPA2' && passphrase ? { Passphrase: passphrase } : {}),
        AutoConnect: settings['autoJoin'] !== false,
        HiddenSSID: settings['hidden'] === true,
      },
    }
    return {
      ok: true,
      apply: p => {
        p.openNetworkConfiguration ??= { NetworkConfigurations: [] }
        p.openNetworkConfiguration.NetworkConfigurations.push(network)
      },
    }
  }
  if (type === 'vpn') {
    const app = str(settings['androidApp'])
    if (!app)
      return refuse(
        "Android Enterprise takes a VPN only as an always-on VPN app (alwaysOnVpnPackage), not server settings: name the VPN app's package in androidApp",
      )
    return {
      ok: true,
      apply: p => {
        p.alwaysOnVpnPackage = { packageName: app, lockdownEnabled: settings['lockdown'] === true }
        if (!p.applications.some(a => a.packageName === app))
          p.applications.push({ packageName: app, installType: 'FORCE_INSTALLED' })
      },
    }
  }
  if (type === 'email')
    return refuse(
      'Android Enterprise has no mail account setting in its policy (mail apps are configured through their own managed configuration): set the item to iOS or macOS',
    )
  return refuse(`a ${String(type ?? 'typeless')} profile is an Apple payload; Android devices can't take it`)
}

function express(item: AndroidItem): Expressed {
  if (item.kind === 'restriction') return expressRestriction(item.identifier, item.value)
  if (item.kind === 'profile') {
    const v = item.value
    return typeof v === 'object' && v !== null
      ? expressProfile(item.identifier, item.name, v as Record<string, unknown>)
      : refuse('the profile has no settings')
  }
  const required = (item.value as { intent?: string } | null)?.intent !== 'available'
  return {
    ok: true,
    apply: p => {
      const at = p.applications.findIndex(a => a.packageName === item.identifier)
      const entry: ApplicationPolicy = {
        packageName: item.identifier,
        installType: required ? 'FORCE_INSTALLED' : 'AVAILABLE',
      }
      if (at < 0) p.applications.push(entry)
      else if (required) p.applications[at] = entry
    },
  }
}

/**
 * The device's AMAPI policy. Items are applied apps first, then profiles, then restrictions, each
 * in key order, so the same desired state always compiles to the same JSON (its hash decides
 * whether the policy must be patched). What AMAPI cannot express is returned as refused.
 */
export function compileAndroidPolicy(input: CompileInput): { policy: AmapiPolicy; refused: Refusal[] } {
  const policy: AmapiPolicy = { playStoreMode: 'WHITELIST', applications: [] }
  const refused: Refusal[] = []
  const rank: Record<PayloadKind, number> = { app: 0, profile: 1, restriction: 2 }
  const items = [...input.items].sort(
    (a, b) => rank[a.kind] - rank[b.kind] || (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0),
  )
  let vpn: string | null = null
  for (const item of items) {
    const key = `${item.kind}:${item.identifier}`
    const e = express(item)
    if (!e.ok) {
      refused.push({ key, name: item.name, reason: e.reason })
      continue
    }
    if (item.kind === 'profile' && (item.value as Record<string, unknown>)['type'] === 'vpn') {
      if (vpn !== null) {
        refused.push({
          key,
          name: item.name,
          reason: `Android keeps one always-on VPN; ${vpn} already is`,
        })
        continue
      }
      vpn = item.name
    }
    e.apply(policy)
  }
  // Withdrawn without the remove flag: stays on the device, no longer forced (WHITELIST would
  // uninstall an app left out of the list).
  for (const pkg of [...input.keep].sort())
    if (!policy.applications.some(a => a.packageName === pkg))
      policy.applications.push({ packageName: pkg, installType: 'AVAILABLE' })
  return { policy, refused }
}

export interface FieldProblem {
  path: string
  message: string
}

/**
 * What of a policy draft Android Enterprise cannot take: every item that reaches Android (its own
 * platform, or every platform of the policy), each refusal on the item's settings with the reason.
 */
export function androidProblems(draft: PolicyDraft): FieldProblem[] {
  const reaches = (platform: Platform | null) =>
    platform === 'android' || (platform === null && draft.platforms.includes('android'))
  const problems: FieldProblem[] = []
  let vpn: string | null = null
  draft.items.forEach((item, i) => {
    if (item.kind === 'app' || !reaches(item.platform)) return
    const e =
      item.kind === 'restriction'
        ? expressRestriction(item.identifier, item.settings['value'])
        : expressProfile(item.identifier, item.name, item.settings)
    const where = item.platform === null ? ' (or set the item to iOS or macOS)' : ''
    if (!e.ok) problems.push({ path: `items.${i}.settings`, message: `Android: ${e.reason}${where}` })
    else if (item.kind === 'profile' && item.settings['type'] === 'vpn') {
      if (vpn !== null)
        problems.push({ path: `items.${i}.settings`, message: `Android keeps one always-on VPN; ${vpn} already is` })
      vpn = item.name
    }
  })
  return problems
}
