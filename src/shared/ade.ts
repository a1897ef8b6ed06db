// Automated Device Enrollment as the admin sees it: the connection to Apple Business/School
// Manager (the MDM server's account, the server token's expiry), the last ADE sync, and the
// devices Apple lists for this MDM server — before and after they enroll.
import type { ErrorInfo } from './errors'

export interface AdeAccount {
  serverName: string
  serverUuid: string
  orgName: string
  orgEmail: string | null
  orgPhone: string | null
  orgAddress: string | null
  adminId: string | null
}

export interface AdeSyncSummary {
  startedAt: string
  finishedAt: string
  ok: boolean
  /** Devices added, changed and removed from Apple's list by this sync. */
  added: number
  modified: number
  deleted: number
  /** Devices this sync assigned the default profile to. */
  assigned: number
  /** Whether the sync started over from a full fetch (first sync, or an expired/invalid cursor). */
  fullFetch: boolean
  error: ErrorInfo | null
}

export interface AdeStatus {
  /** A server token is uploaded. */
  connected: boolean
  /** The public certificate to upload to the MDM server in Apple Business Manager (PEM); null until made. */
  certificatePem: string | null
  certificateNotAfter: string | null
  tokenExpiry: string | null
  account: AdeAccount | null
  lastSync: AdeSyncSummary | null
  /** The profile new devices get: Apple's uuid, the URLs it points devices at. */
  defaultProfile: { uuid: string; name: string; url: string; configurationWebUrl: string; definedAt: string } | null
  /** Minutes between scheduled ADE syncs while the app runs. */
  syncIntervalMinutes: number
}

export type AdeEnrollmentState = 'assigned' | 'not-assigned' | 'enrolled' | 'removed'

export interface AdeDevice {
  serial: string
  model: string
  description: string
  color: string
  deviceFamily: string
  os: string
  /** Apple's profile_status: empty, assigned, pushed, removed. */
  profileStatus: string
  profileUuid: string | null
  /** The name of that profile when it is one we defined. */
  profileName: string | null
  profileAssignedAt: string | null
  assignedToServerAt: string | null
  /** "assigned, not enrolled" until a device with this serial enrolls. */
  state: AdeEnrollmentState
  /** The enrolled device and its user, once enrolled. */
  deviceId: string | null
  userPrincipalName: string | null
}
