// What a device tells about itself, read out of its messages into DeviceFacts. Keys from Apple's
// device-management schema: mdm/checkin/authenticate.yaml; mdm/commands/information.device.yaml
// (QueryResponses), information.security.yaml (SecurityInfo), application.installed.list.yaml
// (InstalledApplicationList), profile.list.yaml (ProfileList). A key a device leaves out (an
// access right it lacks, an OS that lacks it) stays unknown: only keys present are read.
import type { CommandType, InstalledApp, InstalledProfile } from '../../../shared/domain'
import type { FactsPatch } from '../../store'
import type { PlistValue } from '../plist'

type Dict = Record<string, PlistValue>

const isDict = (v: PlistValue | undefined): v is Dict =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array)

const text = (d: Dict, k: string): string | undefined => {
  const v = d[k]
  return typeof v === 'string' && v.length > 0 ? v.slice(0, 500) : undefined
}
const num = (d: Dict, k: string): number | undefined => {
  const v = d[k]
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}
const flag = (d: Dict, k: string): boolean | undefined => {
  const v = d[k]
  return typeof v === 'boolean' ? v : undefined
}

/** Drops keys the message did not carry, so a merge keeps what an earlier report said. */
const present = (p: Record<string, unknown>): FactsPatch =>
  Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as FactsPatch

/** Authenticate carries the device's name, model and OS (iOS always; macOS some of them). */
export function factsFromAuthenticate(m: Dict): FactsPatch {
  return present({
    deviceName: text(m, 'DeviceName'),
    osVersion: text(m, 'OSVersion'),
    buildVersion: text(m, 'BuildVersion'),
    model: text(m, 'Model'),
    modelName: text(m, 'ModelName'),
    productName: text(m, 'ProductName'),
  })
}

function deviceInformation(q: Dict, at: string): FactsPatch {
  return present({
    deviceName: text(q, 'DeviceName'),
    osVersion: text(q, 'OSVersion'),
    buildVersion: text(q, 'BuildVersion'),
    model: text(q, 'Model'),
    modelName: text(q, 'ModelName'),
    productName: text(q, 'ProductName'),
    capacityGb: num(q, 'DeviceCapacity'),
    availableGb: num(q, 'AvailableDeviceCapacity'),
    supervised: flag(q, 'IsSupervised'),
    informationAt: at,
  })
}

function securityInfo(s: Dict, at: string): FactsPatch {
  const passcode = flag(s, 'PasscodePresent')
  const caps = num(s, 'HardwareEncryptionCaps')
  // macOS reports FileVault as FDE_Enabled. iOS has data protection when HardwareEncryptionCaps
  // is 3 (block- and file-level) and a passcode is set (information.security.yaml).
  const fileVault = flag(s, 'FDE_Enabled')
  const encrypted = fileVault ?? (caps === undefined ? undefined : caps === 3 && passcode === true)
  return present({ encrypted, passcodePresent: passcode, securityAt: at })
}

function installedApps(list: PlistValue[], at: string): FactsPatch {
  const apps: InstalledApp[] = list
    .filter(isDict)
    .map(a => ({
      identifier: text(a, 'Identifier') ?? '',
      name: text(a, 'Name') ?? null,
      version: text(a, 'ShortVersion') ?? text(a, 'Version') ?? null,
    }))
    .filter(a => a.identifier !== '')
    .sort((a, b) => a.identifier.localeCompare(b.identifier))
  return { apps, appsAt: at }
}

/** The managed profiles in a ProfileList answer, by identifier; null when it carries none. */
export function profilesOf(result: Dict): InstalledProfile[] | null {
  const list = result['ProfileList']
  if (!Array.isArray(list)) return null
  return list
    .filter(isDict)
    .map(p => ({
      identifier: text(p, 'PayloadIdentifier') ?? '',
      name: text(p, 'PayloadDisplayName') ?? null,
      uuid: text(p, 'PayloadUUID') ?? null,
    }))
    .filter(p => p.identifier !== '')
    .sort((a, b) => a.identifier.localeCompare(b.identifier))
}

/**
 * The facts an acknowledged query's result carries, or null when the command asks nothing or the
 * result lacks its answer. A user channel's ProfileList is that user's profiles, not the
 * device's: the caller passes only device-channel results here.
 */
export function factsFromResult(type: CommandType, result: Dict, at: string): FactsPatch | null {
  const answer = (key: string) => result[key]
  switch (type) {
    case 'device_information': {
      const q = answer('QueryResponses')
      return isDict(q) ? deviceInformation(q, at) : null
    }
    case 'security_info': {
      const s = answer('SecurityInfo')
      return isDict(s) ? securityInfo(s, at) : null
    }
    case 'installed_application_list': {
      const l = answer('InstalledApplicationList')
      return Array.isArray(l) ? installedApps(l, at) : null
    }
    case 'profile_list': {
      const profiles = profilesOf(result)
      return profiles ? { profiles, profilesAt: at } : null
    }
    default:
      return null
  }
}
