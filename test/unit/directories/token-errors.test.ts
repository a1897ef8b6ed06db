// Network error vs refused credentials: a token request that never got an answer, or that the
// IdP could not serve, says "try again later"; only the RFC 6749 §5.2 refusals say "fix the
// credentials". Entra's case is a regression: msal hides a network failure as `network_error`,
// which was reported as "Entra ID refused the app's credentials".
import { describe, expect, it } from 'vitest'
import { createEntraConnector, entraTokenError } from '../../../src/main/directories/entra'
import { createIdpHttp } from '../../../src/main/directories/http'
import { createOktaConnector } from '../../../src/main/directories/okta'
import { tokenFailureCode, underlyingAppError } from '../../../src/main/directories/token-errors'
import { AppError } from '../../../src/shared/errors'
import { generateKeyPairSync } from 'node:crypto'

describe('tokenFailureCode', () => {
  it.each([
    [{ status: 400, error: 'invalid_client' }, 'DIRECTORY_AUTH'],
    [{ status: 401, error: 'invalid_client' }, 'DIRECTORY_AUTH'],
    [{ status: 400, error: 'invalid_grant' }, 'DIRECTORY_AUTH'],
    [{ status: 400, error: 'unauthorized_client' }, 'DIRECTORY_AUTH'],
    [{ status: 400, error: 'invalid_scope' }, 'DIRECTORY_AUTH'],
    [{ status: 400, error: 'invalid_request' }, 'DIRECTORY_AUTH'],
    [{ status: 403 }, 'DIRECTORY_AUTH'],
    [{ status: 500, error: 'server_error' }, 'DIRECTORY_UNAVAILABLE'],
    [{ status: 503, error: 'temporarily_unavailable' }, 'DIRECTORY_UNAVAILABLE'],
    [{ error: 'network_error' }, 'DIRECTORY_UNAVAILABLE'],
    [{ status: 502 }, 'DIRECTORY_UNAVAILABLE'],
    [{ status: 429 }, 'DIRECTORY_UNAVAILABLE'],
    [{ status: 408 }, 'DIRECTORY_UNAVAILABLE'],
    [{}, 'DIRECTORY_AUTH'],
  ] as const)('%j is %s', (failure, code) => {
    expect(tokenFailureCode(failure)).toBe(code)
  })

  it('finds our error inside a library wrapper', () => {
    const ours = new AppError('DIRECTORY_UNAVAILABLE', 'down')
    expect(underlyingAppError(new Error('wrapped', { cause: ours }))).toBe(ours)
    expect(underlyingAppError({ error: { cause: ours } })).toBe(ours)
    expect(underlyingAppError(new Error('plain'))).toBeNull()
  })
})

describe('entraTokenError', () => {
  it.each([
    [
      { errorCode: 'invalid_client', errorMessage: 'AADSTS7000215: Invalid client secret provided.' },
      'DIRECTORY_AUTH',
      /^Entra ID refused the app's credentials \(invalid_client\): AADSTS7000215/,
    ],
    [
      { errorCode: 'network_error', errorMessage: 'Network request failed' },
      'DIRECTORY_UNAVAILABLE',
      /^Entra ID's sign-in service could not answer \(network_error\)/,
    ],
    [{ errorCode: 'temporarily_unavailable', errorMessage: 'AADSTS90007' }, 'DIRECTORY_UNAVAILABLE', /try again later/],
  ] as const)('classifies %j', (e, code, message) => {
    const error = entraTokenError(e)
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
  })
})

/** IdP HTTP whose every request fails before an answer, as with no network. */
const unreachable = (idp: string) =>
  createIdpHttp({
    idp,
    maxAttempts: 2,
    sleep: async () => {},
    http: {
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) })
      },
    },
  })

/** IdP HTTP that answers every request with this status and body. */
const answering = (idp: string, status: number, body: unknown) =>
  createIdpHttp({
    idp,
    maxAttempts: 1,
    sleep: async () => {},
    http: {
      fetch: async () =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    },
  })

const entra = (http: ReturnType<typeof createIdpHttp>) =>
  createEntraConnector({
    settings: { tenantId: 'contoso.onmicrosoft.com', clientId: '11111111-1111-1111-1111-111111111111' },
    secrets: { clientSecret: 'a-secret' },
    http,
  })

describe('the Entra connector', () => {
  it('reports a network failure as unreachable, not as refused credentials', async () => {
    const e = await entra(unreachable('Microsoft Graph'))
      .test()
      .catch((x: unknown) => x)
    expect(e).toBeInstanceOf(AppError)
    expect((e as AppError).code).toBe('DIRECTORY_UNAVAILABLE')
    expect((e as AppError).message).toMatch(/kept failing at login\.microsoftonline\.com.*ECONNREFUSED/)
    expect((e as AppError).message).not.toMatch(/refused the app's credentials/)
  })

  it('reports invalid_client as refused credentials', async () => {
    const e = await entra(
      answering('Microsoft Graph', 401, {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.',
      }),
    )
      .test()
      .catch((x: unknown) => x)
    expect((e as AppError).code).toBe('DIRECTORY_AUTH')
    expect((e as AppError).message).toMatch(/^Entra ID refused the app's credentials \(invalid_client\)/)
  })
})

describe('the Okta connector (service app)', () => {
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string
  const okta = (http: ReturnType<typeof createIdpHttp>) =>
    createOktaConnector({
      settings: { orgUrl: 'https://example.okta.com', clientId: '0oa1' },
      secrets: { privateKey },
      http,
      sleep: async () => {},
    })

  it.each([
    ['a network failure', unreachable('Okta'), 'DIRECTORY_UNAVAILABLE', /Okta kept failing at example\.okta\.com/],
    [
      'invalid_client',
      answering('Okta', 401, {
        error: 'invalid_client',
        error_description: 'The client_assertion signature is invalid.',
      }),
      'DIRECTORY_AUTH',
      /^Okta refused the service app's token request \(invalid_client/,
    ],
    [
      'a server error at the token endpoint',
      answering('Okta', 500, { error: 'server_error', error_description: 'Internal' }),
      'DIRECTORY_UNAVAILABLE',
      /^Okta kept failing|^Okta's token endpoint could not answer/,
    ],
  ] as const)('classifies %s', async (_, http, code, message) => {
    const e = await okta(http)
      .test()
      .catch((x: unknown) => x)
    expect((e as AppError).code).toBe(code)
    expect((e as AppError).message).toMatch(message)
  })
})
