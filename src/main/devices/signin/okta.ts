// Okta through okta-auth-js: the org authorization server (issuer https://<org>.okta.com,
// endpoints /oauth2/v1/…) or a custom one (…/oauth2/<id>, endpoints …/oauth2/<id>/v1/…), the URLs
// as the SDK derives them (getOAuthUrls), the authorize query as it builds it
// (buildAuthorizeParams), and the code redeemed and the ID token verified by
// token.exchangeCodeForTokens (signature against the server's keys, issuer, audience).
//
// What the SDK does not check, we do: exchangeCodeForTokens does not pass the nonce on to its
// verification (okta-auth-js oidc/exchangeCodeForTokens.js builds handleResponseOptions without
// it), its lifetime check reads Date.now() (so it is turned off, `ignoreLifetime`, and made
// against the injected clock), it compares `iss` with the issuer in the discovery document
// rather than the configured one, and it silently skips the signature when the runtime has no
// WebCrypto (features.isTokenVerifySupported), which we refuse to start without.
import { buildAuthorizeParams, getOAuthUrls, getWellKnown, OktaAuth } from '@okta/okta-auth-js'
import { AppError, errorMessage } from '../../../shared/errors'
import { checkClaims } from './checks'
import { oktaHttpClient } from './sdk-http'
import { unauthorized } from './state'
import type { IdpDeps, IdpFlow } from './types'

const SCOPES = ['openid', 'profile', 'email']

export async function createOktaFlow(d: IdpDeps): Promise<IdpFlow> {
  const { provider } = d
  const issuer = provider.issuer.replace(/\/$/, '')
  const sdk = new OktaAuth({
    issuer,
    clientId: provider.clientId,
    ...(provider.clientSecret ? { clientSecret: provider.clientSecret } : {}),
    redirectUri: d.redirectUri,
    pkce: true,
    ignoreLifetime: true,
    httpRequestClient: oktaHttpClient(d.http),
    // The SDK's token and transaction storage is one memory shared by every sign-in, which it
    // warns about on a server. Nothing of a sign-in is kept there: the verifier and nonce travel
    // in our sealed state, the claims are read from the exchange and the tokens dropped (the
    // exchange only clears the transaction storage). Keys of our own say so.
    tokenManager: { storageKey: 'jit-mapper-enrollment-tokens' },
    storageManager: { transaction: { storageKey: 'jit-mapper-enrollment-transaction' } },
  })
  if (!sdk.features.isTokenVerifySupported())
    throw new AppError('INTERNAL', 'This runtime cannot verify Okta ID token signatures (no WebCrypto).')
  // The discovery document is read now: an unreachable or misconfigured Okta fails the start
  // of the ingress, not the first person's sign-in; the SDK caches it for the verification.
  let discovered: { issuer?: unknown }
  try {
    discovered = await getWellKnown(sdk, issuer)
  } catch (e) {
    const err = e as { errorSummary?: string }
    throw new AppError(
      'BAD_INPUT',
      `Okta's discovery document for ${issuer} could not be read: ${err.errorSummary ?? errorMessage(e)}`,
      { issuer },
    )
  }
  if (discovered.issuer !== issuer)
    throw new AppError(
      'BAD_INPUT',
      `The discovery document names issuer ${String(discovered.issuer)}, not ${issuer}.`,
      {
        issuer,
      },
    )
  const urls = getOAuthUrls(sdk)

  return {
    authorizeUrl(begun) {
      return `${urls.authorizeUrl}${buildAuthorizeParams({
        clientId: provider.clientId,
        redirectUri: d.redirectUri,
        responseType: 'code',
        scopes: SCOPES,
        state: begun.state,
        nonce: begun.nonce,
        codeChallenge: begun.challenge,
        codeChallengeMethod: 'S256',
      })}`
    },
    async redeem(returned) {
      let claims: Record<string, unknown> | undefined
      try {
        const { tokens } = await sdk.token.exchangeCodeForTokens({
          authorizationCode: returned.code,
          codeVerifier: returned.verifier,
          redirectUri: d.redirectUri,
          scopes: SCOPES,
        })
        claims = tokens.idToken?.claims as Record<string, unknown> | undefined
      } catch (e) {
        const err = e as { errorCode?: string; errorSummary?: string; name?: string }
        throw unauthorized(`Okta refused the sign-in: ${err.errorSummary ?? errorMessage(e)}`, {
          reason: err.errorCode ?? err.name ?? 'token',
        })
      }
      if (!claims)
        throw unauthorized('Okta answered without an ID token; check that the app is granted the openid scope.')
      if (claims['iss'] !== issuer)
        throw unauthorized(`The ID token's issuer is ${String(claims['iss'])}, not ${issuer}.`, { reason: 'issuer' })
      return checkClaims(claims, { clientId: provider.clientId, nonce: returned.nonce, now: d.clock.now() })
    },
  }
}
