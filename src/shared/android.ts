// Android Enterprise as the admin UI sees it: the service account (never its key), the bound
// enterprise, and the devices managed through the Android Management API with their compliance.

export interface AndroidRefusal {
  key: string
  name: string
  reason: string
}

export interface AndroidDeviceStatus {
  deviceId: string
  deviceName: string
  userPrincipalName: string | null
  via: 'signin' | 'token'
  /** enterprises/…/devices/…, once the device provisioned. */
  amapiName: string | null
  hardwareSerial: string | null
  state: string | null
  policyName: string
  /** The version our last patch got; the device is up to date when it applied it. */
  policyVersion: string | null
  appliedPolicyVersion: string | null
  compliant: boolean | null
  nonCompliance: unknown[]
  /** Items of the device's policies Android Enterprise cannot take (refused, not sent). */
  refused: AndroidRefusal[]
  patchError: string | null
  lastReportAt: string | null
}

export interface AndroidEnrollmentToken {
  deviceId: string
  /** The token value (also in the QR code); a device set up with it enrolls into this user's policy. */
  value: string
  /** The QR code's content as the API returns it (a JSON string), and as an SVG image. */
  qrCode: string
  qrSvg: string
  expiresAt: string | null
}

export interface AndroidStatus {
  serviceAccount: { clientEmail: string; projectId: string } | null
  enterprise: { name: string; displayName: string | null; boundAt: string | null; signinUrl: string | null } | null
  /** A signup was started and waits for Google's callback. */
  signupPending: boolean
  polledAt: string | null
  devices: AndroidDeviceStatus[]
}
