// The Android Management API client: @googleapis/androidmanagement (v1) authenticated as the
// workspace's service account (one scope, https://www.googleapis.com/auth/androidmanagement;
// role Android Management User). Every byte goes through the app's HttpPort: the API calls by the
// client's fetchImplementation, the OAuth token by google-auth-library's JWT client (the one
// @googleapis/admin brings, which takes a fetchImplementation too; 5.1.1's own gtoken posts to a
// hard-coded URL). The token rides each call as an Authorization header. Library retries are off:
// a 429 or 5xx comes back to the caller, who decides (POST and PATCH are never retried by gaxios).
//
// Calls the 5.1.1 build lacks (provisioningInfo.get) or types without the newer fields
// (SigninDetail.defaultStatus) go through the same client or plain fetch with the same token; the
// REST shapes are the reference's (developers.google.com/android/management/reference/rest/v1).
import { auth } from '@googleapis/admin'
import { androidmanagement, type androidmanagement_v1 } from '@googleapis/androidmanagement'
import { AppError, errorMessage } from '../../../shared/errors'
import type { HttpPort } from '../../ports'

export const AMAPI_SCOPE = 'https://www.googleapis.com/auth/androidmanagement'
export const AMAPI_ROOT = 'https://androidmanagement.googleapis.com'

export interface ServiceAccount {
  project_id: string
  client_email: string
  private_key: string
}

export function parseServiceAccount(json: string): ServiceAccount {
  let v: unknown
  try {
    v = JSON.parse(json)
  } catch (e) {
    throw new AppError('BAD_INPUT', `The Android Enterprise service account is not JSON: ${errorMessage(e)}.`, {
      field: 'serviceAccount',
    })
  }
  const sa = (v ?? {}) as Partial<ServiceAccount>
  const missing = (['project_id', 'client_email', 'private_key'] as const).filter(
    k => typeof sa[k] !== 'string' || sa[k] === '',
  )
  if (missing.length > 0)
    throw new AppError(
      'BAD_INPUT',
      `The service account key lacks ${missing.join(', ')}; download its JSON key again from the Google Cloud console.`,
      { field: 'serviceAccount', missing },
    )
  return sa as ServiceAccount
}

export interface ProvisioningInfo {
  name?: string
  enterprise?: string
  authenticatedUserEmail?: string
  brand?: string
  model?: string
  apiLevel?: number
  managementMode?: string
  ownership?: string
  serialNumber?: string
}

export interface EnrollmentToken {
  name: string
  value: string
  qrCode: string
  expirationTimestamp: string | null
}

export interface AmapiDevice {
  name: string
  state?: string
  appliedState?: string
  policyName?: string
  appliedPolicyName?: string
  appliedPolicyVersion?: string
  policyCompliant?: boolean
  nonComplianceDetails?: unknown[]
  hardwareInfo?: { serialNumber?: string; model?: string; brand?: string }
  enrollmentTokenName?: string
  enrollmentTokenData?: string
  lastStatusReportTime?: string
  /** DEVICE_OWNER (fully managed) or PROFILE_OWNER (work profile). */
  managementMode?: string
  /** COMPANY_OWNED or PERSONALLY_OWNED. */
  ownership?: string
}

export type CommandType =
  | 'LOCK'
  | 'REBOOT'
  | 'RESET_PASSWORD'
  | 'RELINQUISH_OWNERSHIP'
  | 'START_LOST_MODE'
  | 'STOP_LOST_MODE'

/** A UserFacingMessage: the text shown when the device has no localized one for its locale. */
export interface UserFacingMessage {
  defaultMessage: string
}

/**
 * StartLostModeParams (reference, enterprises.devices/issueCommand): at least one of them, the
 * organization name aside, must be given for the device to go into lost mode.
 */
export interface StartLostModeParams {
  lostMessage?: UserFacingMessage
  lostPhoneNumber?: UserFacingMessage
  lostEmailAddress?: string
  lostStreetAddress?: UserFacingMessage
  lostOrganization?: UserFacingMessage
}

export interface AmapiCommand {
  type: CommandType
  newPassword?: string
  resetPasswordFlags?: string[]
  startLostModeParams?: StartLostModeParams
  stopLostModeParams?: Record<string, never>
}

export interface AmapiClient {
  createSignupUrl(projectId: string, callbackUrl: string): Promise<{ name: string; url: string }>
  createEnterprise(a: {
    projectId: string
    signupUrlName: string
    enterpriseToken: string
    displayName?: string
  }): Promise<{ name: string; displayName: string | null }>
  /** Replaces the enterprise's sign-in details with one default entry; its enterprise-wide token. */
  setSigninUrl(enterprise: string, signinUrl: string): Promise<{ signinEnrollmentToken: string | null }>
  provisioningInfo(name: string): Promise<ProvisioningInfo>
  /** Creates or replaces the whole policy (no updateMask); the version the server gave it. */
  putPolicy(name: string, policy: object): Promise<{ version: string | null }>
  createEnrollmentToken(
    enterprise: string,
    t: { policyName: string; additionalData: string; duration: string; oneTimeOnly: boolean },
  ): Promise<EnrollmentToken>
  listDevices(enterprise: string, pageToken: string | null): Promise<{ devices: AmapiDevice[]; next: string | null }>
  issueCommand(device: string, command: AmapiCommand): Promise<{ name: string | null; done: boolean }>
  deleteDevice(device: string, opts: { wipeDataFlags?: string[]; wipeReasonMessage?: string }): Promise<void>
}

interface GaxiosLike {
  code?: number | string
  message?: string
  response?: { status?: number; data?: { error?: { message?: string; status?: string } } }
}

/** A refusal from the API as our error: what we tried, the HTTP status, Google's status and message. */
export function amapiError(what: string, e: unknown): AppError {
  const g = e as GaxiosLike
  const status = g.response?.status
  const body = g.response?.data?.error
  const message = body?.message ?? g.message ?? String(e)
  const hint =
    status === 401 || status === 403
      ? ' Check the service account key and that it has the Android Management User role on the project that owns the enterprise.'
      : status === 429
        ? ' The project is over its quota (1,000 queries per 100 s by default); try again in a minute.'
        : ''
  return new AppError(
    'ANDROID_ENTERPRISE',
    `The Android Management API refused to ${what}${status ? ` (${status}${body?.status ? ` ${body.status}` : ''})` : ''}: ${message}.${hint}`,
    { status: status ?? null, googleStatus: body?.status ?? null },
  )
}

export function createAmapiClient(sa: ServiceAccount, http: HttpPort): AmapiClient {
  const fetchImplementation = (url: string | URL | Request, init?: RequestInit) =>
    http.fetch(url instanceof Request ? url.url : String(url), init)
  const jwt = new auth.JWT({
    email: sa.client_email,
    key: sa.private_key,
    scopes: [AMAPI_SCOPE],
    transporterOptions: { fetchImplementation, retry: false },
  })
  const api = androidmanagement({
    version: 'v1',
    retry: false,
    fetchImplementation: fetchImplementation as never,
  })
  const headers = async (): Promise<{ headers: Record<string, string> }> => {
    let token: string | null | undefined
    try {
      token = (await jwt.getAccessToken()).token
    } catch (e) {
      throw new AppError(
        'ANDROID_ENTERPRISE',
        `Google refused the Android Enterprise service account's token request: ${errorMessage(e)}. Check the key in Settings.`,
        { reason: 'token' },
      )
    }
    return { headers: { Authorization: `Bearer ${token ?? ''}` } }
  }
  const call = async <T>(what: string, fn: (h: { headers: Record<string, string> }) => Promise<{ data: T }>) => {
    const h = await headers()
    try {
      return (await fn(h)).data
    } catch (e) {
      throw amapiError(what, e)
    }
  }

  return {
    async createSignupUrl(projectId, callbackUrl) {
      const r = await call('create a signup URL', h => api.signupUrls.create({ projectId, callbackUrl }, h))
      return { name: r.name ?? '', url: r.url ?? '' }
    },
    async createEnterprise({ projectId, signupUrlName, enterpriseToken, displayName }) {
      const r = await call('create the enterprise', h =>
        api.enterprises.create(
          {
            projectId,
            signupUrlName,
            enterpriseToken,
            requestBody: displayName ? { enterpriseDisplayName: displayName } : {},
          },
          h,
        ),
      )
      return { name: r.name ?? '', displayName: r.enterpriseDisplayName ?? null }
    },
    async setSigninUrl(enterprise, signinUrl) {
      // defaultStatus is newer than the 5.1.1 types; the client sends the body as it is.
      const signinDetails = [
        { signinUrl, allowPersonalUsage: 'PERSONAL_USAGE_ALLOWED', defaultStatus: 'SIGNIN_DETAIL_IS_DEFAULT' },
      ] as unknown as androidmanagement_v1.Schema$SigninDetail[]
      const r = await call('set the sign-in URL', h =>
        api.enterprises.patch({ name: enterprise, updateMask: 'signinDetails', requestBody: { signinDetails } }, h),
      )
      return { signinEnrollmentToken: r.signinDetails?.[0]?.signinEnrollmentToken ?? null }
    },
    async provisioningInfo(name) {
      const h = await headers()
      const url = `${AMAPI_ROOT}/v1/${name.split('/').map(encodeURIComponent).join('/')}`
      let res: Response
      try {
        res = await http.fetch(url, { headers: { ...h.headers, accept: 'application/json' } })
      } catch (e) {
        throw amapiError('read the provisioning info', e)
      }
      const text = await res.text()
      let data: unknown
      try {
        data = JSON.parse(text)
      } catch {
        data = {}
      }
      if (!res.ok)
        throw amapiError('read the provisioning info', {
          response: { status: res.status, data },
        })
      return data as ProvisioningInfo
    },
    async putPolicy(name, policy) {
      const r = await call(`write policy ${name}`, h =>
        api.enterprises.policies.patch({ name, requestBody: policy as androidmanagement_v1.Schema$Policy }, h),
      )
      return { version: r.version ?? null }
    },
    async createEnrollmentToken(enterprise, t) {
      const r = await call('create an enrollment token', h =>
        api.enterprises.enrollmentTokens.create({ parent: enterprise, requestBody: t }, h),
      )
      return {
        name: r.name ?? '',
        value: r.value ?? '',
        qrCode: r.qrCode ?? '',
        expirationTimestamp: r.expirationTimestamp ?? null,
      }
    },
    async listDevices(enterprise, pageToken) {
      const r = await call('list devices', h =>
        api.enterprises.devices.list({ parent: enterprise, pageSize: 100, ...(pageToken ? { pageToken } : {}) }, h),
      )
      return { devices: (r.devices ?? []) as AmapiDevice[], next: r.nextPageToken ?? null }
    },
    async issueCommand(device, command) {
      const r = await call(`send ${command.type} to ${device}`, h =>
        // The lost-mode params are newer than the 5.1.1 types; the client sends the body as it is.
        api.enterprises.devices.issueCommand(
          { name: device, requestBody: command as androidmanagement_v1.Schema$Command },
          h,
        ),
      )
      return { name: r.name ?? null, done: r.done === true }
    },
    async deleteDevice(device, opts) {
      await call(`delete ${device}`, h => api.enterprises.devices.delete({ name: device, ...opts }, h))
    },
  }
}
