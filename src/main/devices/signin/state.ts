// A started sign-in costs the server nothing: its PKCE verifier, nonce, context and expiry are
// sealed (AES-256-GCM, a key made at each launch) into the `state` parameter that the IdP hands
// back unchanged (RFC 6749 §4.1.1), so a flood of starts fills no table. The only memory is the
// ids of states already used, kept until they expire, so a callback cannot be replayed. A
// restart only means the user signs in again. The same for every IdP: the SDKs are given the
// verifier, challenge, nonce and state made here.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { AppError } from '../../../shared/errors'
import type { Clock } from '../../ports'

const b64url = (b: Buffer) => b.toString('base64url')
export const SESSION_TTL_MS = 10 * 60_000
const STATE_AAD = Buffer.from('jit-mapper/enroll-state/v1')

/** AES-256-GCM: 12-byte IV, 16-byte tag, then the ciphertext, as base64url. */
export function sealState(key: Buffer, value: unknown): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(STATE_AAD)
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')
}

/** The sealed value, or null when the state was not sealed with this key or was altered. */
export function openState(key: Buffer, state: string): unknown {
  const raw = Buffer.from(state, 'base64url')
  if (raw.length < 29 || state.length > 16_384) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
    decipher.setAAD(STATE_AAD)
    decipher.setAuthTag(raw.subarray(12, 28))
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'))
  } catch {
    return null
  }
}

export const unauthorized = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('UNAUTHORIZED', message, details)

/** What one start hands the IdP's SDK. */
export interface Begun {
  state: string
  nonce: string
  /** PKCE (RFC 7636 §4.1): 32 random bytes, base64url (43 characters). */
  verifier: string
  /** S256: base64url(SHA-256(verifier)) (RFC 7636 §4.2). */
  challenge: string
}

/** A callback whose state opened: the authorization code and what its start sealed. */
export interface Returned<T> {
  code: string
  nonce: string
  verifier: string
  context: T
}

interface Sealed<T> {
  id: string
  nonce: string
  verifier: string
  context: T
  expiresAt: number
}

export interface PendingSignIns<T> {
  begin(context: T): Begun
  /** The callback's code and sealed start; refuses unknown, altered, expired and used states. */
  finish(query: URLSearchParams): Returned<T>
}

export function pendingSignIns<T>(o: { clock: Clock; key?: Buffer }): PendingSignIns<T> {
  const key = o.key ?? randomBytes(32)
  /** Ids of states already used, with their expiry: a callback is good once. */
  const used = new Map<string, number>()
  return {
    begin(context) {
      const nonce = b64url(randomBytes(24))
      const verifier = b64url(randomBytes(32))
      const sealed: Sealed<T> = {
        id: b64url(randomBytes(16)),
        nonce,
        verifier,
        context,
        expiresAt: o.clock.now().getTime() + SESSION_TTL_MS,
      }
      return {
        state: sealState(key, sealed),
        nonce,
        verifier,
        challenge: b64url(createHash('sha256').update(verifier).digest()),
      }
    },
    finish(query) {
      const now = o.clock.now().getTime()
      for (const [id, expiresAt] of used) if (expiresAt < now) used.delete(id)
      const session = openState(key, query.get('state') ?? '') as Sealed<T> | null
      if (!session || typeof session.id !== 'string' || used.has(session.id))
        throw unauthorized('This sign-in is unknown or has expired; start the enrollment again.', { reason: 'state' })
      if (session.expiresAt < now)
        throw unauthorized('This sign-in has expired; start the enrollment again.', { reason: 'expired' })
      // Used from here on, whatever the outcome: a code is good once at the IdP too.
      used.set(session.id, session.expiresAt)
      const idpError = query.get('error')
      if (idpError)
        throw unauthorized(
          `The IdP refused the sign-in: ${idpError}${query.get('error_description') ? ` (${query.get('error_description')})` : ''}.`,
          { reason: idpError },
        )
      const code = query.get('code')
      if (!code) throw new AppError('BAD_INPUT', 'The IdP callback has no authorization code.', { field: 'code' })
      return { code, nonce: session.nonce, verifier: session.verifier, context: session.context }
    },
  }
}
