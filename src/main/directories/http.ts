// The one HTTP path every IdP connector takes (msal-node's network client, the Google
// client's fetch, Okta and Graph calls): it reads each response whole and retries what is
// transient, so a connection reset mid-page never reaches the sync as half a page.
// - 429 and 503 wait for Retry-After (seconds or an HTTP date) when the IdP sends it
//   (Graph throttling.md; Okta rate-limits; RFC 9110 §10.2.3), else back off.
// - Other 5xx, 408, network errors and timeouts back off exponentially with full jitter.
// - Google answers quota errors with 403 userRateLimitExceeded / quotaExceeded
//   (admin-sdk/directory/v1/limits): those are transient too.
// - Anything else (401, 403, 404, 410 …) goes back to the connector to interpret.
import { AppError } from '../../shared/errors'
import type { HttpPort, Sleep } from '../ports'

export interface IdpHttpOptions {
  http: HttpPort
  sleep: Sleep
  /** Which IdP, for messages: "Microsoft Graph", "Okta", "Google Workspace". */
  idp: string
  random?: () => number
  /** Attempts per request, the first included (default 6). */
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  /** Per attempt; a slower answer counts as a transient failure (default 30 s). */
  timeoutMs?: number
  onRetry?: (info: RetryInfo) => void
}

export interface RetryInfo {
  url: string
  attempt: number
  delayMs: number
  reason: string
}

export interface IdpResponse {
  status: number
  headers: Headers
  text: string
}

export interface IdpHttp {
  request(url: string, init?: RequestInit): Promise<IdpResponse>
  /** The same, shaped like the Fetch API for client libraries that take a fetch. */
  fetch(url: string | URL | Request, init?: RequestInit): Promise<Response>
  /** Parses a JSON body or fails with DIRECTORY_RESPONSE naming the IdP and URL. */
  json<T>(r: IdpResponse, url: string): T
}

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504])
const GOOGLE_QUOTA = /"reason"\s*:\s*"(userRateLimitExceeded|rateLimitExceeded|quotaExceeded)"/

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * Okta's 429 carries no Retry-After but X-Rate-Limit-Reset (UTC epoch seconds); wait until then
 * measured against the response's Date header, plus a second (Okta SDK README, rate-limits docs).
 */
export function rateLimitResetMs(headers: Headers): number | undefined {
  const reset = Number(headers.get('x-rate-limit-reset'))
  const date = Date.parse(headers.get('date') ?? '')
  if (!Number.isFinite(reset) || reset <= 0 || Number.isNaN(date)) return undefined
  return Math.max(0, reset * 1000 - date) + 1000
}

/** Full-jitter exponential back-off: a random wait up to base·2^(attempt-1), capped. */
export function backoffMs(attempt: number, random: () => number, baseMs: number, maxMs: number): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)))
}

const describeError = (e: unknown): string => {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause
    const code =
      cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined
    if (e.name === 'TimeoutError') return 'the request timed out'
    return code ? `${e.message} (${code})` : e.message
  }
  return String(e)
}

/** Host and path only: query strings can carry tokens and filters that do not belong in messages. */
const where = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.host}${u.pathname}`
  } catch {
    return 'the IdP'
  }
}

export function createIdpHttp(o: IdpHttpOptions): IdpHttp {
  const random = o.random ?? Math.random
  const maxAttempts = o.maxAttempts ?? 6
  const baseDelayMs = o.baseDelayMs ?? 500
  const maxDelayMs = o.maxDelayMs ?? 30_000
  const timeoutMs = o.timeoutMs ?? 30_000

  const request = async (url: string, init: RequestInit = {}): Promise<IdpResponse> => {
    let lastReason = ''
    for (let attempt = 1; ; attempt++) {
      let waitMs: number | undefined
      try {
        const signal = init.signal
          ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs)
        const res = await o.http.fetch(url, { ...init, signal })
        // Reading the body inside the attempt: a reset mid-body is retried like a failed connect.
        const text = await res.text()
        const quota = res.status === 403 && GOOGLE_QUOTA.test(text)
        if (!TRANSIENT_STATUS.has(res.status) && !quota) return { status: res.status, headers: res.headers, text }
        lastReason = `HTTP ${res.status}${quota ? ' (quota)' : ''}`
        if (res.status === 429 || res.status === 503)
          waitMs = retryAfterMs(res.headers.get('retry-after'), Date.now()) ?? rateLimitResetMs(res.headers)
      } catch (e) {
        if (init.signal?.aborted)
          throw new AppError('DIRECTORY_UNAVAILABLE', `The request to ${o.idp} was cancelled.`, { idp: o.idp })
        lastReason = describeError(e)
      }
      if (attempt >= maxAttempts) {
        throw new AppError(
          'DIRECTORY_UNAVAILABLE',
          `${o.idp} kept failing at ${where(url)} (${lastReason}); gave up after ${attempt} attempts. Nothing was changed; the next sync starts from the same point.`,
          { idp: o.idp, url: where(url), attempts: attempt, reason: lastReason },
        )
      }
      const delayMs = waitMs ?? backoffMs(attempt, random, baseDelayMs, maxDelayMs)
      o.onRetry?.({ url: where(url), attempt, delayMs, reason: lastReason })
      await o.sleep(delayMs)
    }
  }

  return {
    request,
    async fetch(input, init) {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
      const r = await request(url, init)
      // 204/304 cannot carry a body in the Response constructor.
      return new Response(r.status === 204 || r.status === 304 ? null : r.text, {
        status: r.status,
        headers: r.headers,
      })
    },
    json<T>(r: IdpResponse, url: string): T {
      try {
        return JSON.parse(r.text) as T
      } catch {
        throw new AppError(
          'DIRECTORY_RESPONSE',
          `${o.idp} sent a response that is not valid JSON from ${where(url)} (HTTP ${r.status}). Nothing was changed; try the sync again.`,
          {
            idp: o.idp,
            url: where(url),
            status: r.status,
          },
        )
      }
    },
  }
}
