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
