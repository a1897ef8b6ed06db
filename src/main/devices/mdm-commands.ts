// Outbox commands as Apple MDM command payloads: {CommandUUID, Command: {RequestType, …}}.
// Keys from Apple's Device Management reference: InstallApplication takes exactly one of
// iTunesStoreID, Identifier or ManifestURL (we use Identifier, the bundle id);
// RemoveApplication and RemoveProfile take Identifier; InstallProfile takes Payload (the
// profile as data); DeviceInformation takes Queries; SecurityInfo takes nothing. Restrictions travel as a profile with a
// com.apple.applicationaccess payload.
import type { Command } from '../../shared/domain'
import { buildPlist, type PlistValue } from './plist'

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

/** The profile identifier under which the outbox installs restrictions, one per device. */
export const RESTRICTIONS_PROFILE = 'com.jitmapper.restrictions'

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

const toPlistValue = (v: unknown): PlistValue => {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  if (Array.isArray(v)) return v.map(toPlistValue)
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null && x !== undefined)
        .map(([k, x]) => [k, toPlistValue(x)]),
    )
  return ''
}

function profile(
  identifier: string,
  displayName: string,
  uuid: string,
  content: Record<string, PlistValue>[],
): Uint8Array {
  const xml = buildPlist({
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: identifier,
    PayloadUUID: uuid,
    PayloadDisplayName: displayName,
    PayloadContent: content,
  })
  return new Uint8Array(Buffer.from(xml, 'utf8'))
}

export function mdmCommand(c: Command): Record<string, PlistValue> {
  const p = c.payload
  const request = ((): Record<string, PlistValue> => {
    switch (c.type) {
      case 'install_app':
        return { RequestType: 'InstallApplication', Identifier: str(p['identifier']), ManagementFlags: 1 }
      case 'remove_app':
        return { RequestType: 'RemoveApplication', Identifier: str(p['identifier']) }
      case 'install_profile':
        return {
          RequestType: 'InstallProfile',
          Payload: profile(str(p['identifier']), str(p['name']), c.id, [
            {
              PayloadType: 'com.jitmapper.settings',
              PayloadVersion: 1,
              PayloadIdentifier: `${str(p['identifier'])}.settings`,
              PayloadUUID: `${c.id}-1`,
              ...(toPlistValue(p['settings'] ?? {}) as Record<string, PlistValue>),
            },
          ]),
        }
      case 'remove_profile':
        return { RequestType: 'RemoveProfile', Identifier: str(p['identifier']) }
      case 'apply_restrictions':
        return {
          RequestType: 'InstallProfile',
          Payload: profile(RESTRICTIONS_PROFILE, 'Restrictions', c.id, [
            {
              PayloadType: 'com.apple.applicationaccess',
              PayloadVersion: 1,
              PayloadIdentifier: `${RESTRICTIONS_PROFILE}.access`,
              PayloadUUID: `${c.id}-1`,
              ...(toPlistValue(p['settings'] ?? {}) as Record<string, PlistValue>),
            },
          ]),
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
    }
  })()
  return { CommandUUID: c.id, Command: request }
}
