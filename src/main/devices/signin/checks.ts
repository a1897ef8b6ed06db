// The ID token checks we make ourselves after the IdP's SDK has done its part, because each SDK
// skips some of them (said where each SDK is used): the lifetime against the injected clock
// (the SDKs read the machine's clock, or not at all), the nonce of this sign-in (OpenID Connect
// Core 1.0 §3.1.3.7 (11)), and azp when there are several audiences (§3.1.3.7 (4, 5)).
import type { JWTPayload } from 'jose'
import { unauthorized } from './state'

/** Seconds of clock difference tolerated, as the SDKs do (okta-auth-js and google-auth-library: 300). */
export const CLOCK_SKEW_S = 300

export function checkClaims(claims: JWTPayload, o: { clientId: string; nonce: string; now: Date }): JWTPayload {
  const now = Math.floor(o.now.getTime() / 1000)
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number')
    throw unauthorized('The ID token has no expiry or issue time.', { reason: 'lifetime' })
  if (claims.exp + CLOCK_SKEW_S < now)
    throw unauthorized(`The ID token expired at ${new Date(claims.exp * 1000).toISOString()}.`, { reason: 'expired' })
  if (claims.iat - CLOCK_SKEW_S > now)
    throw unauthorized(`The ID token was issued in the future (${new Date(claims.iat * 1000).toISOString()}).`, {
      reason: 'lifetime',
    })
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (!aud.includes(o.clientId))
    throw unauthorized(`The ID token is for another app (aud ${aud.join(', ')}), not ${o.clientId}.`, {
      reason: 'audience',
    })
  if ((aud.length > 1 || claims['azp'] !== undefined) && claims['azp'] !== o.clientId)
    throw unauthorized('The ID token was issued to another party (its azp is not this app).', { reason: 'azp' })
  if (claims['nonce'] !== o.nonce)
    throw unauthorized('The ID token does not carry the nonce of this sign-in (a replayed or foreign token).', {
      reason: 'nonce',
    })
  return claims
}
