// The enrollment sign-in: OpenID Connect authorization code flow with PKCE (RFC 7636, S256)
// and a nonce. The ID token is verified with jose: signature against the IdP's JWKS, issuer,
// audience (our client id), expiry (against the injected clock) and the nonce we sent
// (OpenID Connect Core 1.0 §3.1.3.7).
//
// A started sign-in costs the server nothing: its PKCE verifier, nonce, context and expiry are
// sealed (AES-256-GCM, a key made at each launch) into the `state` parameter that the IdP hands
// back unchanged (RFC 6749 §4.1.1), so a flood of starts fills no table. The only memory is the
// ids of states already used, kept until they expire, so a callback cannot be replayed. A
// restart only means the user signs in again.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose'
import { AppError, errorMessage } from '../../shared/errors'
import type { Clock } from '../ports'
import type { IdpHttp } from './http'

export interface OidcProvider {
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  jwksUri: string
  clientId: string
  /** Confidential clients only; a desktop app is a public client and relies on PKCE. */
  clientSecret?: string
  /** Entra: the tenant (`tid`) an email-identified user must belong to; else read from the issuer. */
  tenantId?: string
  /** Google: the Workspace domain (`hd`) an email-identified user must belong to. */
  hostedDomain?: string
}

export interface SignIn<T> {
  /** Starts a sign-in carrying `context`; returns the IdP authorization URL to send the user to. */
  start(context: T): string
  /** Finishes the sign-in from the IdP's callback; returns the verified claims and the context. */
  complete(query: URLSearchParams): Promise<{ claims: JWTPayload; context: T }>
}

const b64url = (b: Buffer) => b.toString('base64url')
const SESSION_TTL_MS = 10 * 60_000
const STATE_AAD = Buffer.from('jit-mapper/enroll-state/v1')

interface Sealed<T> {
  id: string
  nonce: string
  verifier: string
  context: T
  expiresAt: number
}

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

const unauthorized = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('UNAUTHORIZED', message, details)

export function createSignIn<T>(o: {
  provider: OidcProvider
  redirectUri: string
  clock: Clock
  http: IdpHttp
  /** 32 bytes sealing the state; a fresh random key per launch when absent. */
  stateKey?: Buffer
}): SignIn<T> {
  const key = o.stateKey ?? randomBytes(32)
  /** Ids of states already used, with their expiry: a callback is good once. */
  const used = new Map<string, number>()
  let jwks: ReturnType<typeof createLocalJWKSet> | null = null

  const loadJwks = async () => {
    const res = await o.http.get(o.provider.jwksUri)
    if (res.status !== 200)
      throw unauthorized(`The IdP's signing keys could not be fetched (${res.status} from ${o.provider.jwksUri}).`, {
        status: res.status,
      })
    jwks = createLocalJWKSet(JSON.parse(res.body) as JSONWebKeySet)
    return jwks
  }

  const verify = async (idToken: string, nonce: string): Promise<JWTPayload> => {
    const options = { issuer: o.provider.issuer, audience: o.provider.clientId, currentDate: o.clock.now() }
    let payload: JWTPayload
    try {
      payload = (await jwtVerify(idToken, jwks ?? (await loadJwks()), options)).payload
    } catch (e) {
      if (!(e instanceof joseErrors.JWKSNoMatchingKey))
        throw unauthorized(`The ID token was refused: ${errorMessage(e)}.`, {
          reason: (e as { code?: string }).code,
        })
      // The IdP rotated its keys since we cached them: fetch once more.
      try {
        payload = (await jwtVerify(idToken, await loadJwks(), options)).payload
      } catch (e2) {
        throw unauthorized(`The ID token was refused: ${errorMessage(e2)}.`, {
          reason: (e2 as { code?: string }).code,
        })
      }
    }
    // OpenID Connect Core 1.0 §3.1.3.7 (4, 5): with several audiences, azp must be present and
    // be this client; when present it must be this client.
    const aud = payload.aud
    if ((Array.isArray(aud) && aud.length > 1) || payload['azp'] !== undefined) {
      if (payload['azp'] !== o.provider.clientId)
        throw unauthorized('The ID token was issued to another party (its azp is not this app).', { reason: 'azp' })
    }
    if (payload['nonce'] !== nonce)
      throw unauthorized('The ID token does not carry the nonce of this sign-in (a replayed or foreign token).', {
        reason: 'nonce',
      })
    return payload
  }

  return {
    start(context) {
      const now = o.clock.now().getTime()
      const nonce = b64url(randomBytes(24))
      const verifier = b64url(randomBytes(32))
      const sealed: Sealed<T> = {
        id: b64url(randomBytes(16)),
        nonce,
        verifier,
        context,
        expiresAt: now + SESSION_TTL_MS,
      }
      const state = sealState(key, sealed)
      const url = new URL(o.provider.authorizationEndpoint)
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: o.provider.clientId,
        redirect_uri: o.redirectUri,
        scope: 'openid profile email',
        state,
        nonce,
        code_challenge: b64url(createHash('sha256').update(verifier).digest()),
        code_challenge_method: 'S256',
      }).toString()
      return url.toString()
    },
    async complete(query) {
      const now = o.clock.now().getTime()
      for (const [id, expiresAt] of used) if (expiresAt < now) used.delete(id)
      const session = openState(key, query.get('state') ?? '') as Sealed<T> | null
      if (!session || typeof session.id !== 'string' || used.has(session.id))
        throw unauthorized('This sign-in is unknown or has expired; start the enrollment again.', { reason: 'state' })
      if (session.expiresAt < now)
        throw unauthorized('This sign-in has expired; start the enrollment again.', { reason: 'expired' })
      used.set(session.id, session.expiresAt)
      const idpError = query.get('error')
      if (idpError)
        throw unauthorized(
          `The IdP refused the sign-in: ${idpError}${query.get('error_description') ? ` (${query.get('error_description')})` : ''}.`,
          { reason: idpError },
        )
      const code = query.get('code')
      if (!code) throw new AppError('BAD_INPUT', 'The IdP callback has no authorization code.', { field: 'code' })
      const form: Record<string, string> = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: o.redirectUri,
        client_id: o.provider.clientId,
        code_verifier: session.verifier,
      }
      if (o.provider.clientSecret) form['client_secret'] = o.provider.clientSecret
      const res = await o.http.postForm(o.provider.tokenEndpoint, form)
      if (res.status !== 200)
        throw unauthorized(`The IdP refused the authorization code (${res.status}): ${res.body.slice(0, 300)}`, {
          status: res.status,
        })
      const idToken = (JSON.parse(res.body) as { id_token?: string }).id_token
      if (!idToken)
        throw unauthorized(
          'The IdP answered without an ID token; check that the app registration allows the openid scope.',
        )
      return { claims: await verify(idToken, session.nonce), context: session.context }
    },
  }
}

/** Who a verified ID token says signed in. */
export interface ClaimedIdentity {
  /**
   * The IdP's immutable id for the person: Entra's `oid` (the Graph user id), else `sub` (Okta's
   * and Google's user id). OpenID Connect Core 1.0 §2: `sub` is never reassigned; Microsoft's
   * ID token reference says to key users by `oid` (with `tid`), not by mutable names.
   */
  subject: string | null
  /** An email the IdP says it verified, in the expected tenant or domain; null when none. */
  email: string | null
  /** Why the email may not identify the user (said when the subject is not in the directory). */
  emailRefusal: string | null
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i

/**
 * The identity claims of a verified ID token. A name (`preferred_username`, `upn`) is mutable
 * and unverified, so it never identifies anyone; an email does only when `email_verified` is
 * true and the tenant (`tid`) or Workspace domain (`hd`) is the expected one.
 */
export function claimedIdentity(
  claims: JWTPayload,
  provider: Pick<OidcProvider, 'issuer' | 'tenantId' | 'hostedDomain'>,
): ClaimedIdentity {
  const str = (k: string) =>
    typeof claims[k] === 'string' && (claims[k] as string).length > 0 ? (claims[k] as string) : null
  const subject = str('oid') ?? str('sub')
  const email = str('email')
  const tenant = provider.tenantId ?? GUID.exec(provider.issuer)?.[0] ?? null
  const refusal = !email
    ? 'The ID token carries no email claim.'
    : claims['email_verified'] !== true && claims['email_verified'] !== 'true'
      ? `The IdP has not verified the email ${email} (email_verified is not true).`
      : !email.includes('@')
        ? `The email claim ${JSON.stringify(email)} is not an address.`
        : tenant && str('tid') && str('tid')?.toLowerCase() !== tenant.toLowerCase()
          ? `The ID token is from tenant ${str('tid')}, not ${tenant}.`
          : provider.hostedDomain && str('hd') !== provider.hostedDomain
            ? `The ID token's Workspace domain (hd) is ${str('hd') ?? 'absent'}, not ${provider.hostedDomain}.`
            : null
  return { subject, email: refusal ? null : email, emailRefusal: refusal }
}
