// The questions the product asks a device about itself, after enrollment and on Scan Device.
// Apple: DeviceInformation, SecurityInfo, InstalledApplicationList and ProfileList on the device
// channel, and ProfileList on each user channel (a Mac's user profiles are installed there).
// Android: the agent's inventory report.
import type { CommandType, Platform } from '../../../shared/domain'

export interface InventoryQuery {
  type: CommandType
  channel: string | null
}

const APPLE_DEVICE_QUERIES: readonly CommandType[] = [
  'device_information',
  'security_info',
  'installed_application_list',
  'profile_list',
]

export function inventoryQueries(platform: Platform, userChannels: readonly string[]): InventoryQuery[] {
  if (platform === 'android') return [{ type: 'device_information', channel: null }]
  return [
    ...APPLE_DEVICE_QUERIES.map(type => ({ type, channel: null })),
    ...userChannels.map(channel => ({ type: 'profile_list' as const, channel })),
  ]
}
