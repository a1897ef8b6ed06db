// A client for Apple's device assignment service (mdmenrollment.apple.com), the ADE REST API:
// a session from /session with an OAuth 1.0a-signed request, then every call with the
// X-ADM-Auth-Session header. Wire facts from Apple's Device Management documentation ("Device
// assignment") and nanodep (client/transport.go, godep/*.go):
// - a missing or expired session is a 401, or a 403 whose body says FORBIDDEN (seen from
//   Apple's simulator); get a new session and send the request once more;
// - a response may carry a fresh X-ADM-Auth-Session: keep it;
// - /session: 400 (bad OAuth parameters), 401 (bad key, expired token, bad signature, reused
//   nonce) and 403 ACCESS_DENIED / T_C_NOT_SIGNED are not retried
//   ("Interpreting Automated Device Enrollment error codes");
// - X-Server-Protocol-Version on every request, a non-empty User-Agent (else 400
//   USER_AGENT_MISSING), JSON bodies as application/json;charset=UTF8;
// - cursor errors are 400 with EXHAUSTED_CURSOR, EXPIRED_CURSOR, INVALID_CURSOR or
//   CURSOR_REQUIRED in the body (godep/device.go).
// 429 with Retry-After (RFC 9110 §10.2.3) and 503 are waited out when the wait is short, else
// reported with the time to retry at.
import { AppError, type ErrorCode } from '../../../../shared/errors'
import type { Clock, HttpPort, Sleep } from '../../../ports'
import { authorizationHeader } from './oauth1'
import type { ServerToken } from './token'

export const APPLE_DEP_URL = 'https://mdmenrollment.apple.com'
/** nanodep sends 7; fields like profile assignment throttling need later versions. */
export const SERVER_PROTOCOL_VERSION = '7'
const JSON_TYPE = 'application/json;charset=UTF8'

export interface DepAccount {
  server_name: string
  server_uuid: string
  admin_id?: string
  facilitator_id?: string
  org_name: string
  org_email?: string
  org_phone?: string
  org_address?: string
  org_id?: string
  org_type?: string
  org_version?: string
  urls?: { uri: string; http_method: string[]; limit?: { default: number; maximum: number } }[]
}

/** A device in Apple's list (fetch/sync). Sync adds op_type and op_date. */
export interface DepDevice {
  serial_number: string
  model?: string
  description?: string
  color?: string
  asset_tag?: string
  device_family?: string
  os?: string
  profile_status?: string
  profile_uuid?: string
  profile_assign_time?: string
  profile_push_time?: string
  device_assigned_date?: string
  device_assigned_by?: string
  op_type?: 'added' | 'modified' | 'deleted'
  op_date?: string
}

export interface DepDevicePage {
  cursor: string
  devices: DepDevice[]
  fetched_until: string
  more_to_follow: boolean
}

/** The profile Apple shows during Setup Assistant (Define a Profile). */
export interface DepProfile {
  profile_name: string
  url: string
  configuration_web_url?: string
  is_supervised?: boolean
  is_mandatory?: boolean
  is_mdm_removable: boolean
  await_device_configured?: boolean
  auto_advance_setup?: boolean
  is_multi_user?: boolean
  anchor_certs?: string[]
  supervising_host_certs?: string[]
  skip_setup_items?: string[]
  department?: string
  support_phone_number?: string
  support_email_address?: string
  org_magic?: string
  language?: string
  region?: string
  devices?: string[]
}

/** Per-serial outcome of define/assign/remove: SUCCESS, NOT_ACCESSIBLE, FAILED (or THROTTLED, v9+). */
export type DeviceStatuses = Record<string, string>

/** Why a call failed: the service's reason (EXPIRED_CURSOR …), its HTTP status, and when to retry. */
export class DepError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number,
    readonly reason: string | null,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, { status, reason, ...details })
  }
}

export interface DepClient {
  account(): Promise<DepAccount>
  fetchDevices(o?: { cursor?: string; limit?: number }): Promise<DepDevicePage>
  syncDevices(o: { cursor: string; limit?: number }): Promise<DepDevicePage>
  defineProfile(profile: DepProfile): Promise<{ profile_uuid: string; devices: DeviceStatuses }>
  assignProfile(profileUuid: string, serials: string[]): Promise<{ profile_uuid: string; devices: DeviceStatuses }>
  removeProfile(serials: string[]): Promise<{ devices: DeviceStatuses }>
}

export interface DepClientOptions {
  token: () => Promise<ServerToken>
  http: HttpPort
  clock: Clock
  sleep: Sleep
  baseUrl?: string
  userAgent?: string
  /** Longest Retry-After waited out before giving up with the time to retry at; default 30 s. */
  maxWaitMs?: number
}

/** The service's reason word in an error body: JSON `{error:…}`/`{code:…}` or the plain text Apple sends. */
export function reasonOf(body: string): string | null {
  try {
    const v = JSON.parse(body) as Record<string, unknown>
    for (const k of ['code', 'error', 'reason']) if (typeof v[k] === 'string') return v[k] as string
  } catch {
    // Plain text, e.g. "EXHAUSTED_CURSOR".
  }
  return /\b[A-Z][A-Z_]{3,}\b/.exec(body)?.[0] ?? null
}

const SESSION_REFUSALS: Record<string, string> = {
  T_C_NOT_SIGNED:
    'Apple refused the server token: the organisation has not accepted the latest Apple Business Manager terms. An administrator must sign in to Apple Business Manager and accept them.',
  ACCESS_DENIED:
    'Apple refused the server token: this MDM server may not make that request (ACCESS_DENIED). Check the MDM server in Apple Business Manager.',
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3) → milliseconds from now; null when absent or bad. */
export function retryAfterMs(header: string | null, now: Date): number | null {
  if (!header) return null
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime())
}

export function createDepClient(o: DepClientOptions): DepClient {
  const base = (o.baseUrl ?? APPLE_DEP_URL).replace(/\/$/, '')
  const userAgent = o.userAgent ?? 'jit-mapper/1'
  const maxWait = o.maxWaitMs ?? 30_000
  let session: string | null = null
  let opening: Promise<string> | null = null

  const newSession = async (): Promise<string> => {
    const token = await o.token()
    const url = new URL(`${base}/session`)
    const authorization = authorizationHeader(
      'GET',
      url,
      {
        consumerKey: token.consumer_key,
        consumerSecret: token.consumer_secret,
        token: token.access_token,
        tokenSecret: token.access_secret,
      },
      { timestamp: Math.floor(o.clock.now().getTime() / 1000) },
    )
    const res = await send(url.toString(), {
      method: 'GET',
      headers: {
        authorization,
        'content-type': JSON_TYPE,
        'user-agent': userAgent,
        'x-server-protocol-version': SERVER_PROTOCOL_VERSION,
      },
    })
    const body = await res.text()
    if (res.status !== 200) {
      const reason = reasonOf(body)
      const message =
        (reason && SESSION_REFUSALS[reason]) ??
        (res.status === 401 || res.status === 400
          ? `Apple refused the server token (${res.status}${reason ? ` ${reason}` : ''}): it has expired, was replaced, or is not this server's. Download a new token for this MDM server in Apple Business Manager and upload it.`
          : `Apple's device assignment service did not open a session (${res.status}${reason ? ` ${reason}` : ''}).`)
      throw new DepError(res.status >= 500 ? 'ADE_UNAVAILABLE' : 'ADE_AUTH', message, res.status, reason)
    }
    let parsed: { auth_session_token?: unknown }
    try {
      parsed = JSON.parse(body) as { auth_session_token?: unknown }
    } catch {
      parsed = {}
    }
    if (typeof parsed.auth_session_token !== 'string' || !parsed.auth_session_token)
      throw new DepError('ADE_RESPONSE', 'Apple answered /session without an auth_session_token.', 200, null)
    return parsed.auth_session_token
  }

  /** One session at a time: concurrent calls that need one share the same /session request. */
  const ensureSession = async (fresh: boolean, stale: string | null): Promise<string> => {
    if (!fresh && session) return session
    if (fresh && session !== stale && session) return session
    opening ??= newSession().finally(() => {
      opening = null
    })
    session = await opening
    return session
  }

  const send = async (url: string, init: RequestInit): Promise<Response> => {
    try {
      return await o.http.fetch(url, init)
    } catch (e) {
      throw new DepError(
        'ADE_UNAVAILABLE',
        `Apple's device assignment service at ${base} could not be reached: ${(e as Error).message}.`,
        0,
        null,
      )
    }
  }

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const url = `${base}${path}`
    let renewed = false
    for (let attempt = 0; ; attempt++) {
      const current = await ensureSession(false, null)
      const headers: Record<string, string> = {
        'x-adm-auth-session': current,
        'x-server-protocol-version': SERVER_PROTOCOL_VERSION,
        'user-agent': userAgent,
        accept: JSON_TYPE,
      }
      if (body !== undefined) headers['content-type'] = JSON_TYPE
      const res = await send(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await res.text()
      const refreshed = res.headers.get('x-adm-auth-session')
      if (refreshed) session = refreshed
      const reason = reasonOf(text)
      const expired = res.status === 401 || (res.status === 403 && /FORBIDDEN/.test(text))
      if (expired && !renewed) {
        renewed = true
        await ensureSession(true, current)
        continue
      }
      if (res.status === 429 || res.status === 503) {
        const wait = retryAfterMs(res.headers.get('retry-after'), o.clock.now()) ?? 1000 * 2 ** attempt
        if (attempt < 3 && wait <= maxWait) {
          await o.sleep(wait)
          continue
        }
        const at = new Date(o.clock.now().getTime() + wait).toISOString()
        throw new DepError(
          'ADE_UNAVAILABLE',
          `Apple's device assignment service is limiting requests (${res.status}); retry at ${at}.`,
          res.status,
          reason,
          { retryAt: at, path },
        )
      }
      if (res.status === 200) {
        if (!text) return undefined as T
        try {
          return JSON.parse(text) as T
        } catch {
          throw new DepError(
            'ADE_RESPONSE',
            `Apple answered ${method} ${path} with a body that is not JSON.`,
            200,
            null,
          )
        }
      }
      if (res.status === 401 || res.status === 403)
        throw new DepError(
          'ADE_AUTH',
          (reason && SESSION_REFUSALS[reason]) ??
            `Apple refused ${method} ${path} (${res.status}${reason ? ` ${reason}` : ''}) even with a new session.`,
          res.status,
          reason,
          { path },
        )
      throw new DepError(
        res.status >= 500 ? 'ADE_UNAVAILABLE' : 'ADE_REFUSED',
        `Apple refused ${method} ${path} (${res.status}${reason ? ` ${reason}` : ''}).`,
        res.status,
        reason,
        { path },
      )
    }
  }

  return {
    account: () => call<DepAccount>('GET', '/account'),
    fetchDevices: (q = {}) =>
      call<DepDevicePage>('POST', '/server/devices', {
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      }),
    syncDevices: q =>
      call<DepDevicePage>('POST', '/devices/sync', { cursor: q.cursor, ...(q.limit ? { limit: q.limit } : {}) }),
    defineProfile: profile => call('POST', '/profile', profile),
    // PUT, as nanodep sends it "for compatibility" with Apple's simulator (godep/profile.go);
    // Apple's current "Assign a Profile" page lists POST.
    assignProfile: (profileUuid, serials) =>
      call('PUT', '/profile/devices', { profile_uuid: profileUuid, devices: serials }),
    removeProfile: serials => call('DELETE', '/profile/devices', { devices: serials }),
  }
}
