// Whether a failed token request means "fix the credentials" or "try again later". The OAuth 2.0
// token endpoint names a refused client or grant with one of the RFC 6749 §5.2 error codes
// (https://www.rfc-editor.org/rfc/rfc6749#section-5.2), on HTTP 400 or 401; a server that cannot
// answer says so with 5xx, 429 or `server_error` / `temporarily_unavailable` (§4.1.2.1). A request
// that never got an answer is a network failure, never a refusal.
import { AppError, type ErrorCode } from '../../shared/errors'

export const OAUTH_REFUSALS: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
])

const UNAVAILABLE: ReadonlySet<string> = new Set(['server_error', 'temporarily_unavailable', 'network_error'])

export type TokenFailureCode = Extract<ErrorCode, 'DIRECTORY_AUTH' | 'DIRECTORY_UNAVAILABLE'>

/** DIRECTORY_AUTH for a refusal; DIRECTORY_UNAVAILABLE for an endpoint that could not answer. */
export function tokenFailureCode(f: { status?: number; error?: string }): TokenFailureCode {
  if (f.error !== undefined && OAUTH_REFUSALS.has(f.error)) return 'DIRECTORY_AUTH'
  if (f.error !== undefined && UNAVAILABLE.has(f.error)) return 'DIRECTORY_UNAVAILABLE'
  if (f.status !== undefined && (f.status >= 500 || f.status === 429 || f.status === 408))
    return 'DIRECTORY_UNAVAILABLE'
  return 'DIRECTORY_AUTH'
}

/** Our own error inside a library's wrapper (its `cause`, or msal's `error`), if there is one. */
export function underlyingAppError(e: unknown): AppError | null {
  let cur: unknown = e
  for (let depth = 0; depth < 5 && cur !== null && typeof cur === 'object'; depth++) {
    if (cur instanceof AppError) return cur
    const next = (cur as { cause?: unknown; error?: unknown }).cause ?? (cur as { error?: unknown }).error
    cur = next
  }
  return null
}
