import { describe, expect, it } from 'vitest'
import { discoverOidc } from '../../../src/main/devices/discovery'
import type { IdpHttp } from '../../../src/main/devices/http'
import { claimedIdentity, createSignIn } from '../../../src/main/devices/signin'

const http = (status: number, body: unknown): IdpHttp => ({
  get: async () => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  postForm: async () => ({ status: 500, body: '' }),
})
const ISSUER = 'https://login.example.test/tenant/v2.0'
const doc = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/keys`,
}

describe('OpenID discovery', () => {
  it('reads the endpoints', async () => {
    expect(await discoverOidc(ISSUER, 'app', http(200, doc))).toEqual({
      issuer: ISSUER,
      clientId: 'app',
      authorizationEndpoint: `${ISSUER}/authorize`,
      tokenEndpoint: `${ISSUER}/token`,
      jwksUri: `${ISSUER}/keys`,
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
    await expect(discoverOidc(ISSUER, 'app', h)).rejects.toThrow(message)
  })
})

describe('the sign-in', () => {
  it('sends the user to the IdP with PKCE S256, a state and a nonce', () => {
    const signIn = createSignIn<{ serial: string }>({
      provider: {
        issuer: ISSUER,
        authorizationEndpoint: doc.authorization_endpoint,
        tokenEndpoint: doc.token_endpoint,
        jwksUri: doc.jwks_uri,
        clientId: 'app',
      },
      redirectUri: 'https://mdm.example/enroll/callback',
      clock: { now: () => new Date() },
      http: http(500, ''),
    })
    const url = new URL(signIn.start({ serial: 'S' }))
    expect(url.origin + url.pathname).toBe(doc.authorization_endpoint)
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
    const signIn = createSignIn({
      provider: {
        issuer: ISSUER,
        authorizationEndpoint: doc.authorization_endpoint,
        tokenEndpoint: doc.token_endpoint,
        jwksUri: doc.jwks_uri,
        clientId: 'app',
      },
      redirectUri: 'https://x/cb',
      clock: { now: () => new Date() },
      http: http(500, ''),
    })
    await expect(signIn.complete(new URLSearchParams({ code: 'c', state: 'forged' }))).rejects.toThrow(
      /unknown or has expired/,
    )
  })
})

describe('the user an ID token names', () => {
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
  const entra = { issuer: `https://login.microsoftonline.com/${TENANT}/v2.0` }
  const google = { issuer: 'https://accounts.google.com', hostedDomain: 'example.test' }
  it.each([
    [
      'Entra: oid, not the mutable name',
      entra,
      { oid: 'o-1', sub: 's-1', preferred_username: 'alex@example.test' },
      'o-1',
      null,
    ],
    ['sub when there is no oid', entra, { sub: 's-1' }, 's-1', null],
    ['a verified email', entra, { sub: 's', email: 'kim@example.test', email_verified: true }, 's', 'kim@example.test'],
    [
      'Cognito-style "true"',
      entra,
      { sub: 's', email: 'kim@example.test', email_verified: 'true' },
      's',
      'kim@example.test',
    ],
    ['an unverified email', entra, { sub: 's', email: 'kim@example.test', email_verified: false }, 's', null],
    ['an email without email_verified', entra, { sub: 's', email: 'kim@example.test' }, 's', null],
    ['another tenant', entra, { sub: 's', email: 'k@example.test', email_verified: true, tid: 'other' }, 's', null],
    [
      'the right tenant',
      entra,
      { sub: 's', email: 'k@example.test', email_verified: true, tid: TENANT },
      's',
      'k@example.test',
    ],
    ['Google without hd', google, { sub: 's', email: 'k@example.test', email_verified: true }, 's', null],
    [
      'Google, another hd',
      google,
      { sub: 's', email: 'k@example.test', email_verified: true, hd: 'evil.test' },
      's',
      null,
    ],
    [
      'Google, its hd',
      google,
      { sub: 's', email: 'k@example.test', email_verified: true, hd: 'example.test' },
      's',
      'k@example.test',
    ],
    ['a name only', entra, { upn: 'kim@example.test' }, null, null],
  ] as const)('%s', (_, provider, claims, subject, email) => {
    const who = claimedIdentity(claims, provider)
    expect(who.subject).toBe(subject)
    expect(who.email).toBe(email)
    expect(who.emailRefusal === null).toBe(email !== null)
  })
})
