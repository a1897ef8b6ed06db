// How the device page words what a device reported (pure, so it is tested without a browser).
import type { DeviceFacts, Platform } from '../../shared/domain'

export const NOT_REPORTED = 'not reported'

/** "91.3 GB free of 128 GB", or null before the device reported its storage. */
export function storageText(f: DeviceFacts | null): string | null {
  if (!f || f.capacityGb === null) return null
  const gb = (n: number) => `${Number(n.toFixed(1))} GB`
  return f.availableGb === null ? gb(f.capacityGb) : `${gb(f.availableGb)} free of ${gb(f.capacityGb)}`
}

export function yesNo(v: boolean | null | undefined): string {
  return v === null || v === undefined ? NOT_REPORTED : v ? 'Yes' : 'No'
}

/** FileVault on a Mac; data protection (encryption with a passcode) on an iPhone or iPad. */
export const encryptionLabel = (platform: Platform) => (platform === 'macos' ? 'FileVault' : 'Data protection')

export function modelText(f: DeviceFacts | null): string | null {
  if (!f) return null
  const name = f.modelName ?? f.productName
  return name && f.productName && name !== f.productName ? `${name} (${f.productName})` : name
}
