// OAuth 1.0a request signing (RFC 5849) as Apple's device assignment service asks for its
// /session call: HMAC-SHA1 over the signature base string, keyed by the consumer secret and the
// access secret from the server token ("HMAC-SHA1 is required by Apple", nanodep client/auth.go;
// Apple's "Authenticating for Automated Device Enrollment").
import { createHmac, randomBytes } from 'node:crypto'

export interface OAuth1Credentials {
  consumerKey: string
  consumerSecret: string
  token: string
  tokenSecret: string
}

/** RFC 5849 §3.6: percent-encode everything but the RFC 3986 unreserved characters. */
export const percentEncode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** RFC 5849 §3.4.1: METHOD & base URI & the sorted, encoded parameters (query and oauth_*). */
export function signatureBaseString(method: string, url: URL, oauth: Record<string, string>): string {
  const params: [string, string][] = [...url.searchParams.entries(), ...Object.entries(oauth)].map(([k, v]) => [
    percentEncode(k),
    percentEncode(v),
  ])
  params.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
  // §3.4.1.2: scheme and host in lower case, the default port left out, no query or fragment.
  const port =
    url.port && !(url.protocol === 'http:' && url.port === '80') && !(url.protocol === 'https:' && url.port === '443')
  const base = `${url.protocol}//${url.hostname.toLowerCase()}${port ? `:${url.port}` : ''}${url.pathname}`
  return [method.toUpperCase(), percentEncode(base), percentEncode(params.map(([k, v]) => `${k}=${v}`).join('&'))].join(
    '&',
  )
}

/** §3.4.2: base64 of HMAC-SHA1 keyed by the two encoded secrets joined with "&". */
export function hmacSha1Signature(base: string, consumerSecret: string, tokenSecret: string): string {
  return createHmac('sha1', `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`)
    .update(base)
    .digest('base64')
}

/**
 * The `Authorization: OAuth …` header for one request (§3.5.1). `timestamp` (seconds) and
 * `nonce` are fixed in tests; a nonce is fresh for every request (§3.3: the server refuses reuse).
 */
export function authorizationHeader(
  method: string,
  url: URL,
  creds: OAuth1Credentials,
  at: { timestamp: number; nonce?: string },
): string {
  const oauth: Record<string, string> = {
    oauth_consumer_key: creds.consumerKey,
    oauth_nonce: at.nonce ?? randomBytes(16).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(at.timestamp),
    oauth_token: creds.token,
    oauth_version: '1.0',
  }
  const signature = hmacSha1Signature(signatureBaseString(method, url, oauth), creds.consumerSecret, creds.tokenSecret)
  const fields = { ...oauth, oauth_signature: signature }
  return `OAuth ${Object.entries(fields)
    .map(([k, v]) => `${k}="${percentEncode(v)}"`)
    .join(', ')}`
}

/** The parameters of an `Authorization: OAuth …` header (§3.5.1), decoded; null if it is not one. */
export function parseAuthorizationHeader(header: string | undefined): Record<string, string> | null {
  if (!header?.startsWith('OAuth ')) return null
  const out: Record<string, string> = {}
  for (const part of header.slice(6).split(',')) {
    const m = /^\s*([A-Za-z0-9_]+)="([^"]*)"\s*$/.exec(part)
    if (!m) return null
    const [, k, v] = m as unknown as [string, string, string]
    if (k in out) return null
    out[k] = decodeURIComponent(v)
  }
  return out
}
