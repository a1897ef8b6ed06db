// Google through google-auth-library's OAuth2Client: generateAuthUrl (PKCE S256, `hd` as the
// account chooser's hint), getToken (the code and verifier redeemed), verifyIdToken (signature
// against Google's certificates, issuer, audience, lifetime). Its endpoints are the ones Google's
// discovery document names (authorization, token); the client reads its certificates in PEM form
// in Node (OAuth2Client.getFederatedSignonCertsAsync), which Google publishes beside the JWK set
// (https://www.googleapis.com/oauth2/v1/certs next to …/v3/certs), so that URL is derived from
// the discovery's jwks_uri.
//
// What the client does not check, we do: the nonce (verifyIdToken takes none), the `hd` claim
// (Google: "the hd parameter is a hint … verify that the returned ID token has an hd claim value
// that matches", OpenID Connect for Google, "Authentication URI parameters"), azp when there are
// several audiences, and the lifetime against the injected clock (the client reads the machine's
// clock, new Date(), which stays as a second check).
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library'
import type { JWTPayload } from 'jose'
import { errorMessage } from '../../../shared/errors'
import { discoverOidc } from '../discovery'
import { checkClaims } from './checks'
import { fetchOver } from './sdk-http'
import { unauthorized } from './state'
import type { IdpDeps, IdpFlow } from './types'

const SCOPES = ['openid', 'email', 'profile']
const GOOGLE_ISSUER = 'https://accounts.google.com'

export async function createGoogleFlow(d: IdpDeps): Promise<IdpFlow> {
  const { provider } = d
  const issuer = provider.issuer.replace(/\/$/, '')
  const metadata = await discoverOidc(issuer, d.http)
  const client = new OAuth2Client({
    clientId: provider.clientId,
    ...(provider.clientSecret ? { clientSecret: provider.clientSecret } : {}),
    redirectUri: d.redirectUri,
    endpoints: {
      oauth2AuthBaseUrl: metadata.authorizationEndpoint,
      oauth2TokenUrl: metadata.tokenEndpoint,
      oauth2FederatedSignonPemCertsUrl: new URL('/oauth2/v1/certs', metadata.jwksUri).href,
      oauth2FederatedSignonJwkCertsUrl: metadata.jwksUri,
    },
    // Google's ID tokens name the issuer with or without the scheme (OpenID Connect for Google,
    // "Validating an ID token"); any other issuer is named exactly.
    issuers: issuer === GOOGLE_ISSUER ? ['accounts.google.com', GOOGLE_ISSUER] : [issuer],
    transporterOptions: { fetchImplementation: fetchOver(d.http) },
  })

  return {
    authorizeUrl(begun) {
      return client.generateAuthUrl({
        scope: SCOPES,
        state: begun.state,
        nonce: begun.nonce,
        code_challenge: begun.challenge,
        code_challenge_method: CodeChallengeMethod.S256,
        ...(provider.hostedDomain ? { hd: provider.hostedDomain } : {}),
      })
    },
    async redeem(returned) {
      let idToken: string | null | undefined
      try {
        idToken = (await client.getToken({ code: returned.code, codeVerifier: returned.verifier })).tokens.id_token
      } catch (e) {
        const data = (e as { response?: { data?: { error?: string; error_description?: string } } }).response?.data
        throw unauthorized(`Google refused the sign-in: ${data?.error_description ?? data?.error ?? errorMessage(e)}`, {
          reason: data?.error ?? 'token',
        })
      }
      if (!idToken) throw unauthorized('Google answered without an ID token; check that the openid scope is allowed.')
      let payload: JWTPayload | undefined
      try {
        payload = (await client.verifyIdToken({ idToken, audience: provider.clientId })).getPayload() as
          | JWTPayload
          | undefined
      } catch (e) {
        const message = errorMessage(e)
        throw unauthorized(`The ID token was refused: ${message.split(/: (?=ey|\{)/)[0]}.`, {
          reason: /too late/.test(message)
            ? 'expired'
            : /audience/.test(message)
              ? 'audience'
              : /issuer/.test(message)
                ? 'issuer'
                : 'signature',
        })
      }
      if (!payload) throw unauthorized('The ID token has no claims.')
      const claims = checkClaims(payload, { clientId: provider.clientId, nonce: returned.nonce, now: d.clock.now() })
      if (provider.hostedDomain && claims['hd'] !== provider.hostedDomain)
        throw unauthorized(
          `The person signed in with an account of ${typeof claims['hd'] === 'string' ? claims['hd'] : 'no Workspace domain (a consumer account)'}, not ${provider.hostedDomain}.`,
          { reason: 'hd' },
        )
      return claims
    },
  }
}
