// The one place an unexpected error (a bug, a broken database) becomes the answer a caller
// gets, the same over IPC, over the loopback host and on the command line: code INTERNAL, a
// short reference the admin can quote, and the whole stack in the log under that reference.
import { randomBytes } from 'node:crypto'
import { errorMessage, errorStack, type ErrorInfo } from '../shared/errors'
import type { Log } from './ports'

export function internalError(e: unknown, where: string, log: Log): ErrorInfo {
  const reference = randomBytes(4).toString('hex')
  log.error('unexpected error', { where, reference, error: errorStack(e) })
  return {
    code: 'INTERNAL',
    message: `JIT Mapper hit an unexpected error in ${where} (reference ${reference}): ${errorMessage(e)}. Nothing else was changed by this request; the details are in the log under that reference.`,
    details: { reference, where },
  }
}
