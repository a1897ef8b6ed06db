import type { JWTPayload } from 'jose'
import { describe, expect, it } from 'vitest'
import { discoverOidc } from '../../../src/main/devices/discovery'
import { type IdpHttp, idpHttpOf } from '../../../src/main/devices/http'
import { claimedIdentity, createSignIn, type SignInProvider } from '../../../src/main/devices/signin'
import { checkClaims } from '../../../src/main/devices/signin/checks'
import { pendingSignIns } from '../../../src/main/devices/signin/state'
import { AppError } from '../../../src/shared/errors'

const http = (status: number, body: unknown): IdpHttp =>
  idpHttpOf(async req =>
    req.method === 'GET'
      ? { status, headers: {}, body: typeof body === 'string' ? body : JSON.stringify(body) }
      : { status: 500, headers: {}, body: '' },
  )
const ISSUER = 'https://login.example.test/tenant/v2.0'
const doc = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/keys`,
}

describe('OpenID discovery', () => {
  it('reads the endpoints', async () => {
    expect(await discoverOidc(ISSUER, http(200, doc))).toEqual({
      issuer: ISSUER,
      authorizationEndpoint: `${ISSUER}/authorize`,
      tokenEndpoint: `${ISSUER}/token`,
      jwksUri: `${ISSUER}/keys`,
      document: doc,
    })
  })
  it.each([
    ['a failed fetch', http(404, ''), /could not be read \(404/],
    ['a document that is not JSON', http(200, '<html>'), /is not JSON/],
    ['another issuer', http(200, { ...doc, issuer: 'https://evil.test' }), /names issuer https:\/\/evil.test/],
    [
      'a plain-http endpoint',
      http(200, { ...doc, token_endpoint: 'http://login.example.test/token' }),
      /no https token_endpoint/,
    ],
  ])('refuses %s', async (_, h, message) => {
    await expect(discoverOidc(ISSUER, h)).rejects.toThrow(message)
  })
})

/** An Okta org in memory: its discovery document is all a start needs. */
const OKTA = 'https://example.okta.test'
const oktaDiscovery = http(200, {
  issuer: OKTA,
  authorization_endpoint: `${OKTA}/oauth2/v1/authorize`,
  token_endpoint: `${OKTA}/oauth2/v1/token`,
  jwks_uri: `${OKTA}/oauth2/v1/keys`,
})

describe('the sign-in', () => {
  it('sends the user to the IdP with PKCE S256, a state and a nonce', async () => {
    const signIn = await createSignIn<{ serial: string }>({
      provider: { kind: 'okta', issuer: OKTA, clientId: 'app' },
      redirectUri: 'https://mdm.example/enroll/callback',
      clock: { now: () => new Date() },
      http: oktaDiscovery,
    })
    const url = new URL(signIn.start({ serial: 'S' }))
    expect(url.origin + url.pathname).toBe(`${OKTA}/oauth2/v1/authorize`)
    const q = url.searchParams
    expect(
      Object.fromEntries(
        ['response_type', 'client_id', 'redirect_uri', 'scope', 'code_challenge_method'].map(k => [k, q.get(k)]),
      ),
    ).toEqual({
      response_type: 'code',
      client_id: 'app',
      redirect_uri: 'https://mdm.example/enroll/callback',
      scope: 'openid profile email',
      code_challenge_method: 'S256',
    })
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(q.get('state')).not.toBe(q.get('nonce'))
  })

  it('refuses a callback whose state it never issued', async () => {
    const signIn = await createSignIn({
      provider: { kind: 'okta', issuer: OKTA, clientId: 'app' },
      redirectUri: 'https://x/cb',
      clock: { now: () => new Date() },
      http: oktaDiscovery,
    })
    await expect(signIn.complete(new URLSearchParams({ code: 'c', state: 'forged' }))).rejects.toThrow(
      /unknown or has expired/,
    )
  })

  it('carries the context through the state, once, and only while it lives', () => {
    let now = 0
    const pending = pendingSignIns<{ serial: string }>({ clock: { now: () => new Date(now) } })
    const begun = pending.begin({ serial: 'S' })
    const query = new URLSearchParams({ code: 'c', state: begun.state })
    expect(pending.finish(query)).toEqual({
      code: 'c',
      nonce: begun.nonce,
      verifier: begun.verifier,
      context: { serial: 'S' },
    })
    expect(() => pending.finish(query)).toThrow(/unknown or has expired/)
    const late = pending.begin({ serial: 'T' })
    now += 10 * 60_000 + 1
    expect(() => pending.finish(new URLSearchParams({ code: 'c', state: late.state }))).toThrow(/has expired/)
  })

  it('says what the IdP refused, and that a callback without a code is malformed', () => {
    const pending = pendingSignIns<null>({ clock: { now: () => new Date() } })
    const refused = new URLSearchParams({ state: pending.begin(null).state, error: 'access_denied' })
    expect(() => pending.finish(refused)).toThrow(/The IdP refused the sign-in: access_denied/)
    const codeless = new URLSearchParams({ state: pending.begin(null).state })
    expect(() => pending.finish(codeless)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
  })
})

describe('the checks we make after every SDK', () => {
  const now = new Date('2026-11-02T09:00:00Z')
  const t = now.getTime() / 1000
  const good = { iss: 'x', aud: 'app', exp: t + 600, iat: t - 10, nonce: 'n' }
  it.each([
    ['a good token', good, null],
    ['a token expired beyond the skew', { ...good, exp: t - 301 }, 'expired'],
    ['a token expired within the skew', { ...good, exp: t - 299 }, null],
    ['a token issued in the future', { ...good, iat: t + 301 }, 'lifetime'],
    ['a token without an expiry', { ...good, exp: undefined }, 'lifetime'],
    ['another audience', { ...good, aud: 'other' }, 'audience'],
    ['several audiences without azp', { ...good, aud: ['app', 'api'] }, 'azp'],
    ['several audiences, azp this app', { ...good, aud: ['app', 'api'], azp: 'app' }, null],
    ['an azp of another app', { ...good, azp: 'other' }, 'azp'],
    ['another nonce', { ...good, nonce: 'm' }, 'nonce'],
    ['no nonce', { ...good, nonce: undefined }, 'nonce'],
  ] as const)('%s', (_, claims, reason) => {
    const run = () => checkClaims(claims as JWTPayload, { clientId: 'app', nonce: 'n', now })
    if (reason === null) expect(run()).toBe(claims)
    else {
      const e = (() => {
        try {
          run()
        } catch (x) {
          return x
        }
      })()
      expect(e).toBeInstanceOf(AppError)
      expect((e as AppError).details?.['reason']).toBe(reason)
    }
  })
})

describe('the user an ID token names', () => {
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
  const entra: SignInProvider = {
    kind: 'entra',
    clientId: 'a',
    issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
  }
  const anyTenant: SignInProvider = {
    kind: 'entra',
    clientId: 'a',
    issuer: 'https://login.microsoftonline.com/organizations/v2.0',
  }
  const okta: SignInProvider = { kind: 'okta', clientId: 'a', issuer: 'https://example.okta.com' }
  const google: SignInProvider = {
    kind: 'google',
    clientId: 'a',
    issuer: 'https://accounts.google.com',
    hostedDomain: 'example.test',
  }
  const googleAnyDomain: SignInProvider = { kind: 'google', clientId: 'a', issuer: 'https://accounts.google.com' }
  const verified = { email: 'k@example.test', email_verified: true }
  it.each([
    [
      'Entra: oid, not the mutable name',
      entra,
      { oid: 'o-1', sub: 's-1', preferred_username: 'alex@example.test' },
      'o-1',
      null,
    ],
    ['Entra: never the pairwise sub', entra, { sub: 's-1' }, null, null],
    ['Okta: sub, never an oid claim an admin may have mapped', okta, { sub: '00u1', oid: 'u2' }, '00u1', null],
    ['Google: sub', google, { sub: '1234', hd: 'example.test' }, '1234', null],
    ['a verified email', entra, { oid: 'o', ...verified, tid: TENANT }, 'o', 'k@example.test'],
    [
      'Cognito-style "true"',
      okta,
      { sub: 's', email: 'k@example.test', email_verified: 'true' },
      's',
      'k@example.test',
    ],
    ['an unverified email', okta, { sub: 's', email: 'k@example.test', email_verified: false }, 's', null],
    ['an email without email_verified', okta, { sub: 's', email: 'k@example.test' }, 's', null],
    ['another tenant', entra, { oid: 'o', ...verified, tid: 'other' }, 'o', null],
    ['no tenant in the token', entra, { oid: 'o', ...verified }, 'o', null],
    ['Entra, any tenant: an email names no one', anyTenant, { oid: 'o', ...verified, tid: TENANT }, 'o', null],
    ['Google without hd', google, { sub: 's', ...verified }, 's', null],
    ['Google, another hd', google, { sub: 's', ...verified, hd: 'evil.test' }, 's', null],
    ['Google, its hd', google, { sub: 's', ...verified, hd: 'example.test' }, 's', 'k@example.test'],
    [
      'Google, no domain set: an email names no one',
      googleAnyDomain,
      { sub: 's', ...verified, hd: 'example.test' },
      's',
      null,
    ],
    ['a name only', entra, { upn: 'kim@example.test' }, null, null],
  ] as const)('%s', (_, provider, claims, subject, email) => {
    const who = claimedIdentity(claims, provider)
    expect(who.subject).toBe(subject)
    expect(who.email).toBe(email)
    expect(who.emailRefusal === null).toBe(email !== null)
  })
})
