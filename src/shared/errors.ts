// One error shape for every expected failure, so the renderer, the CLI and the logs can all
// say what happened, where, and what to do about it.

export type ErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RULE_PARSE'
  | 'IMPORT_INVALID'
  | 'NOT_EDITABLE'
  | 'UNAUTHORIZED'
  /** The IdP refused the directory's credentials: fix them; retrying does not help. */
  | 'DIRECTORY_AUTH'
  /** The IdP stayed unreachable or kept failing after the retries. */
  | 'DIRECTORY_UNAVAILABLE'
  /** The IdP answered something that is not its documented format. */
  | 'DIRECTORY_RESPONSE'
  /** The OS keychain is unavailable or refuses to unseal: credentials cannot be stored or read. */
  | 'SECRETS_UNAVAILABLE'
  /** The device ingress lacks what it needs to start (a certificate, the sign-in provider). */
  | 'INGRESS_NOT_CONFIGURED'
  /** Another program listens on the ingress's port already. */
  | 'INGRESS_PORT_IN_USE'
  /** The ingress may not listen there: an address this machine does not have, or a port it may not open. */
  | 'INGRESS_ADDRESS_UNAVAILABLE'
  /** The sign-in provider's discovery document could not be read. */
  | 'INGRESS_IDP_UNREACHABLE'
  /** The Android Management API refused a call, or Android Enterprise is not set up (service account, enterprise). */
  | 'ANDROID_ENTERPRISE'
  /** Automated Device Enrollment is not connected: no server token uploaded yet. */
  | 'ADE_NOT_CONNECTED'
  /** Apple's device assignment service refused the server token or the session. */
  | 'ADE_AUTH'
  /** Apple's device assignment service is unreachable, failing or limiting requests. */
  | 'ADE_UNAVAILABLE'
  /** Apple's device assignment service refused a request (a cursor, a profile, a serial). */
  | 'ADE_REFUSED'
  /** Apple's device assignment service answered something that is not its documented format. */
  | 'ADE_RESPONSE'
  /** A device action this device's platform, supervision, OS or state does not allow (the message says which). */
  | 'ACTION_UNSUPPORTED'
  /** A bug, not an expected failure: the message is for the log and the bug report. */
  | 'INTERNAL'

export interface ErrorInfo {
  code: ErrorCode
  message: string
  details?: Record<string, unknown>
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

export class AppError extends Error {
  readonly code: ErrorCode
  readonly details?: Record<string, unknown>

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.details = details
  }

  toInfo(): ErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

/** The message of anything thrown, for a sentence or a log field. */
export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** The stack of anything thrown (its message when it has none), for the log. */
export const errorStack = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message) : String(e))
