// Outbox commands as Apple MDM command payloads: {CommandUUID, Command: {RequestType, …}}, with the
// keys Apple documents (apple/device-management mdm/commands/*.yaml; checked in tests):
// - InstallApplication: iTunesStoreID (the App Store adam id, with Options.PurchaseMethod 1 = an
//   Apps and Books licence) when the inventory has it, else Identifier (bundle id).
//   ManagementFlags 1 = "remove the app when the MDM profile is removed", sent only for apps set to
//   be removed when their policy is removed. ChangeManagementState Managed takes management of a
//   copy the user installed themselves (iOS 9+, macOS 11+): only a managed app can later be removed
//   by RemoveApplication, so an app the user installed is never removed unless it became managed.
//   macOS installs as managed only with InstallAsManaged. A per-app VPN is bound to the app with
//   Attributes.VPNUUID (iOS).
// - RemoveApplication and RemoveProfile take Identifier; InstallProfile takes Payload (the profile as
//   data). Profiles and the restriction set are rendered by the policies room as Apple payloads.
// - DeviceInformation takes Queries; SecurityInfo, InstalledApplicationList and ProfileList take
//   nothing more here (managed-only lists are asked for with ManagedAppsOnly / ManagedOnly).
import type { Command, Platform } from '../../shared/domain'
import { appleProfileFor, isApplePlatform, payloadUuid, profileIdentifier, RESTRICTIONS_PROFILE } from '../policies'
import type { PlistValue } from './plist'
import { deviceActionRequest } from './actions/apple-requests'

// What the device page shows (Apple, mdm/commands/information.device.yaml): identity, OS,
// storage (base-10 GB on iOS and macOS 12+) and supervision.
export const DEVICE_INFORMATION_QUERIES = [
  'DeviceName',
  'OSVersion',
  'BuildVersion',
  'ProductName',
  'Model',
  'ModelName',
  'SerialNumber',
  'UDID',
  'DeviceCapacity',
  'AvailableDeviceCapacity',
  'IsSupervised',
]

export { RESTRICTIONS_PROFILE }

export interface MdmCommandOptions {
  /** DER of the certificate the FileVault recovery key is escrowed to (the ingress certificate). */
  escrowCertificate?: Uint8Array
  organisation?: string
  /** ClearPasscode: the device's UnlockToken from its TokenUpdate (kept sealed, read at hand-out). */
  unlockToken?: Uint8Array | null
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** Commands queued before they carried a platform were for iOS devices (the only Apple platform then). */
const platformOf = (p: Record<string, unknown>): Platform => {
  const v = p['platform']
  return v === 'macos' || v === 'android' || v === 'ios' ? v : 'ios'
}

const data = (xml: string): Uint8Array => new Uint8Array(Buffer.from(xml, 'utf8'))

export function installApplication(p: Record<string, unknown>): Record<string, PlistValue> {
  const platform = platformOf(p)
  const storeId = typeof p['storeId'] === 'number' ? p['storeId'] : null
  const request: Record<string, PlistValue> = { RequestType: 'InstallApplication' }
  if (storeId !== null) {
    request['iTunesStoreID'] = storeId
    if (platform === 'ios') request['Options'] = { PurchaseMethod: 1 }
  } else request['Identifier'] = str(p['identifier'])
  request['ChangeManagementState'] = 'Managed'
  if (platform === 'macos') request['InstallAsManaged'] = true
  if (p['removeWithMdm'] === true) request['ManagementFlags'] = 1
  const vpn = str(p['perAppVpn'])
  if (vpn !== '' && platform === 'ios') request['Attributes'] = { VPNUUID: payloadUuid(profileIdentifier(vpn), 'vpn') }
  return request
}

export function mdmCommand(c: Command, opts: MdmCommandOptions = {}): Record<string, PlistValue> {
  const p = c.payload
  const platform = platformOf(p)
  const apple = { platform: isApplePlatform(platform) ? platform : 'ios', ...opts } as const
  const request = ((): Record<string, PlistValue> => {
    switch (c.type) {
      case 'install_app':
        return installApplication(p)
      case 'remove_app':
        return { RequestType: 'RemoveApplication', Identifier: str(p['identifier']) }
      case 'install_profile': {
        const settings = (p['settings'] ?? {}) as Record<string, unknown>
        const xml = appleProfileFor.item({ identifier: str(p['identifier']), name: str(p['name']), settings }, apple)
        return { RequestType: 'InstallProfile', Payload: data(xml) }
      }
      case 'remove_profile':
        return { RequestType: 'RemoveProfile', Identifier: profileIdentifier(str(p['identifier'])) }
      case 'apply_restrictions': {
        const settings = (p['settings'] ?? {}) as Record<string, unknown>
        // Every restriction withdrawn: our restriction profile leaves the device. (A set with nothing
        // for this platform — saved before authoring refused it — installs an empty profile.)
        if (Object.keys(settings).length === 0)
          return { RequestType: 'RemoveProfile', Identifier: RESTRICTIONS_PROFILE }
        return { RequestType: 'InstallProfile', Payload: data(appleProfileFor.restrictions(settings, apple)) }
      }
      case 'device_information':
        return { RequestType: 'DeviceInformation', Queries: DEVICE_INFORMATION_QUERIES }
      case 'security_info':
        return { RequestType: 'SecurityInfo' }
      // Managed apps and profiles only: what this product put on the device (application.installed.list.yaml
      // ManagedAppsOnly, profile.list.yaml ManagedOnly).
      case 'installed_application_list':
        return { RequestType: 'InstalledApplicationList', ManagedAppsOnly: true }
      case 'profile_list':
        return { RequestType: 'ProfileList', ManagedOnly: true }
      default:
        return deviceActionRequest(c.type, p, opts)
    }
  })()
  return { CommandUUID: c.id, Command: request }
}
