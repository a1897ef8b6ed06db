// Entra ID through msal-node: its auth-code flow with PKCE (getAuthCodeUrl, acquireTokenByCode).
// The authority's metadata is read once at start-up (OpenID discovery) and handed to msal as
// `authorityMetadata` with the host in `knownAuthorities`, so msal neither reads it again nor
// asks login.microsoftonline.com for instance discovery (msal-common Authority: config metadata
// first; a known authority needs no cloud discovery); its `networkClient` is ours.
//
// msal-node decodes the ID token without checking it: no signature, issuer, audience or expiry
// (msal-common ResponseHandler.handleServerTokenResponse only extracts the claims and compares the
// nonce); it trusts the TLS connection to the token endpoint. OpenID Connect Core §3.1.3.7 allows
// that, but we check the signature against the authority's keys anyway (an IdP behind a
// private CA, a misrouted token endpoint), and the issuer, audience and lifetime ourselves.
// Multi-tenant issuer validation (Microsoft identity platform, "Validate the issuer"): the
// token's `iss` must be the metadata's issuer with `{tenantid}` replaced by the token's `tid`.
import { type Configuration, ConfidentialClientApplication, LogLevel, PublicClientApplication } from '@azure/msal-node'
import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose'
import { AppError, errorMessage } from '../../../shared/errors'
import { discoverOidc } from '../discovery'
import { checkClaims, CLOCK_SKEW_S } from './checks'
import { msalNetwork } from './sdk-http'
import { unauthorized } from './state'
import type { IdpDeps, IdpFlow } from './types'

const SCOPES = ['openid', 'profile', 'email']
const TEMPLATE = 'TEMPLATE'
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The tenant in an Entra issuer (…/<tenant>/v2.0), or null for organizations/common/consumers. */
export const tenantOfIssuer = (issuer: string): string | null => {
  const segment = /\/([^/]+)\/v2\.0\/?$/.exec(issuer)?.[1] ?? ''
  return GUID.test(segment) ? segment : null
}

export async function createEntraFlow(d: IdpDeps): Promise<IdpFlow> {
  const { provider, http } = d
  const issuer = provider.issuer.replace(/\/$/, '')
  if (!/\/v2\.0$/.test(issuer))
    throw new AppError(
      'BAD_INPUT',
      `An Entra issuer ends in /v2.0 (https://login.microsoftonline.com/<tenant>/v2.0), not ${issuer}.`,
      { field: 'oidc.issuer' },
    )
  const authority = issuer.replace(/\/v2\.0$/, '')
  const template = issuer.replace(/\/[^/]+\/v2\.0$/, '/{tenantid}/v2.0')
  const metadata = await discoverOidc(issuer, http, named => named === issuer || named === template)
  const tenant = provider.tenantId ?? tenantOfIssuer(issuer)

  const config: Configuration = {
    auth: {
      clientId: provider.clientId,
      authority,
      knownAuthorities: [new URL(authority).host],
      authorityMetadata: JSON.stringify(metadata.document),
      ...(provider.clientSecret ? { clientSecret: provider.clientSecret } : {}),
    },
    system: {
      networkClient: msalNetwork(http),
      loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => {} },
    },
  }
  const msal = provider.clientSecret ? new ConfidentialClientApplication(config) : new PublicClientApplication(config)

  // SignIn.start answers at once (a start is free), and msal's getAuthCodeUrl is async; its URL
  // is made once here and each start sets its own state, nonce and code challenge in it. The
  // per-request correlation id msal adds would be shared by every start, so it is dropped.
  const base = new URL(
    await msal.getAuthCodeUrl({
      scopes: SCOPES,
      redirectUri: d.redirectUri,
      state: TEMPLATE,
      nonce: TEMPLATE,
      codeChallenge: TEMPLATE,
      codeChallengeMethod: 'S256',
    }),
  )
  base.searchParams.delete('client-request-id')

  let jwks: ReturnType<typeof createLocalJWKSet> | null = null
  const loadJwks = async () => {
    const res = await http.get(metadata.jwksUri)
    if (res.status !== 200)
      throw unauthorized(`Entra's signing keys could not be fetched (${res.status} from ${metadata.jwksUri}).`, {
        status: res.status,
      })
    jwks = createLocalJWKSet(JSON.parse(res.body) as JSONWebKeySet)
    return jwks
  }
  const verifySignature = async (idToken: string): Promise<JWTPayload> => {
    const options = { algorithms: ['RS256'], currentDate: d.clock.now(), clockTolerance: CLOCK_SKEW_S }
    try {
      return (await jwtVerify(idToken, jwks ?? (await loadJwks()), options)).payload
    } catch (e) {
      const code = (e as { code?: string }).code
      // Entra rolls its keys: a kid we have not seen means fetching them once more.
      if (code === 'ERR_JWKS_NO_MATCHING_KEY')
        try {
          return (await jwtVerify(idToken, await loadJwks(), options)).payload
        } catch (e2) {
          throw refused(e2)
        }
      throw refused(e)
    }
  }

  return {
    authorizeUrl(begun) {
      const url = new URL(base)
      url.searchParams.set('state', begun.state)
      url.searchParams.set('nonce', begun.nonce)
      url.searchParams.set('code_challenge', begun.challenge)
      return url.toString()
    },
    async redeem(returned) {
      let result: Awaited<ReturnType<typeof msal.acquireTokenByCode>>
      try {
        result = await msal.acquireTokenByCode({
          code: returned.code,
          scopes: SCOPES,
          redirectUri: d.redirectUri,
          codeVerifier: returned.verifier,
          nonce: returned.nonce,
        })
      } catch (e) {
        throw unauthorized(`Entra refused the sign-in: ${errorMessage(e)}`, {
          reason: (e as { errorCode?: string }).errorCode ?? 'token',
        })
      }
      // msal keeps every account and token it receives in its memory cache; a sign-in needs
      // none of them afterwards, and thousands of enrollments must not grow the process.
      if (result.account) await msal.getTokenCache().removeAccount(result.account)
      if (!result.idToken)
        throw unauthorized('Entra answered without an ID token; check that the app registration allows openid.')
      const claims = checkClaims(await verifySignature(result.idToken), {
        clientId: provider.clientId,
        nonce: returned.nonce,
        now: d.clock.now(),
      })
      const tid = typeof claims['tid'] === 'string' ? claims['tid'] : ''
      if (!GUID.test(tid)) throw unauthorized('The Entra ID token has no tenant (tid).', { reason: 'tenant' })
      const expected = metadata.issuer.replace('{tenantid}', tid)
      if (claims.iss !== expected)
        throw unauthorized(`The ID token's issuer is ${String(claims.iss)}, not ${expected}.`, { reason: 'issuer' })
      if (tenant && tid.toLowerCase() !== tenant.toLowerCase())
        throw unauthorized(`The person signed in from tenant ${tid}, not ${tenant}.`, { reason: 'tenant' })
      return claims
    },
  }
}

const refused = (e: unknown) => {
  const code = (e as { code?: string }).code
  if (code === 'ERR_JWT_EXPIRED') return unauthorized('The ID token has expired.', { reason: 'expired' })
  return unauthorized(`The ID token was refused: ${errorMessage(e)}.`, { reason: code ?? 'signature' })
}
