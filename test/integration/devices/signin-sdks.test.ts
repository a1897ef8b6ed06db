// The enrollment sign-in through each IdP's own SDK (msal-node, okta-auth-js, google-auth-library)
// against fakes that speak that IdP's documented endpoints on 127.0.0.1: a good sign-in, and each
// way a sign-in must be refused. Every request the SDKs make is seen, and must stay on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIdpHttp, type IdpHttp } from '../../../src/main/devices/http'
import { createSignIn, type SignIn, type SignInProvider } from '../../../src/main/devices/signin'
import { AppError } from '../../../src/shared/errors'
import { request } from '../../fakes/https-client'
import { FAKE_TENANT, type FakeIdp, type FakeIdpOptions, startFakeIdp } from '../../fakes/idp'
import { type TestPki, testPki } from '../../fakes/pki'
import { fakeClock } from '../../helpers/workspace'

const pki: TestPki = testPki()
/** google-auth-library checks lifetimes against the machine's clock too: the test clock starts at it. */
const clock = fakeClock(new Date().toISOString())
const reached: string[] = []
/** How far the injected clock is ahead of the IdP's (the machine's). */
let ahead = 0

/** The workspace's IdP client, recording where the SDKs connect; anything off loopback fails. */
const loopbackOnly = (): IdpHttp => {
  const inner = createIdpHttp({ ca: [pki.caPem] })
  return {
    ...inner,
    send: req => {
      reached.push(req.url)
      if (new URL(req.url).hostname !== '127.0.0.1') throw new Error(`left loopback: ${req.url}`)
      return inner.send(req)
    },
  }
}

async function world(o: FakeIdpOptions, provider: (idp: FakeIdp) => SignInProvider = idp => idp.provider) {
  const idp = await startFakeIdp(pki, { ...o, now: () => new Date(clock.now().getTime() - ahead) })
  const signIn = await createSignIn<{ serial: string }>({
    provider: provider(idp),
    redirectUri: 'https://127.0.0.1:1/enroll/callback',
    clock,
    http: loopbackOnly(),
  })
  return { idp, signIn }
}

/** The person signs in at the IdP; the query the IdP sends back to our callback. */
async function signInAs(signIn: SignIn<{ serial: string }>, user: string, serial = 'S-1'): Promise<URLSearchParams> {
  const authorize = await request(signIn.start({ serial }), { ca: pki.caPem, headers: { 'x-test-user': user } })
  expect(authorize.status).toBe(302)
  return new URL(String(authorize.headers.location)).searchParams
}

const refusal = async (p: Promise<unknown>): Promise<{ code: string; reason: unknown; message: string }> => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(AppError)
  const err = e as AppError
  return { code: err.code, reason: err.details?.['reason'], message: err.message }
}

/** name, fake, the claim that is the immutable id, why a token with several audiences is refused. */
const cases: [string, FakeIdpOptions, string, string][] = [
  ['Entra ID (msal-node), one tenant', { kind: 'entra' }, 'oid', 'azp'],
  ['Entra ID (msal-node), any tenant (organizations)', { kind: 'entra', audience: 'organizations' }, 'oid', 'azp'],
  ['Okta (okta-auth-js), custom authorization server', { kind: 'okta', audience: 'custom' }, 'sub', 'azp'],
  ['Okta (okta-auth-js), org authorization server', { kind: 'okta', audience: 'org' }, 'sub', 'azp'],
  // google-auth-library itself refuses an aud that is not exactly the client id.
  ['Google (google-auth-library)', { kind: 'google' }, 'sub', 'audience'],
]

describe.each(cases)('sign-in with %s', (_, options, idClaim, severalAudiences) => {
  let idp: FakeIdp
  let signIn: SignIn<{ serial: string }>
  beforeAll(async () => {
    ;({ idp, signIn } = await world(options))
  }, 30_000)
  afterAll(() => idp.close())
  const reset = () => {
    idp.fault = null
    idp.claims = {}
  }

  it('signs the person in with PKCE, and gives back the verified claims and the context', async () => {
    reset()
    idp.ids = { 'kim@example.test': 'immutable-kim' }
    const url = new URL(signIn.start({ serial: 'X' }))
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(url.searchParams.get('nonce')).toBeTruthy()
    const done = await signIn.complete(await signInAs(signIn, 'kim@example.test', 'S-GOOD'))
    expect(done.context).toEqual({ serial: 'S-GOOD' })
    expect(done.claims[idClaim]).toBe('immutable-kim')
    expect(done.claims['email']).toBe('kim@example.test')
    expect(reached.every(u => new URL(u).hostname === '127.0.0.1')).toBe(true)
  })

  it('makes a new state, nonce and code challenge for every start, and sends a public client no secret', async () => {
    reset()
    const [a, b] = [new URL(signIn.start({ serial: 'A' })), new URL(signIn.start({ serial: 'B' }))]
    for (const k of ['state', 'nonce', 'code_challenge']) {
      expect(a.searchParams.get(k)).not.toBe(b.searchParams.get(k))
      expect(a.searchParams.getAll(k)).toHaveLength(1)
    }
    expect(a.searchParams.get('client_id')).toBe(idp.clientId)
    await signIn.complete(await signInAs(signIn, 'kim@example.test'))
    expect(idp.clientSecrets.at(-1)).toBeNull()
  })

  it('refuses a replayed callback (the state is good once)', async () => {
    reset()
    const query = await signInAs(signIn, 'kim@example.test')
    await signIn.complete(query)
    const again = await refusal(signIn.complete(query))
    expect(again).toMatchObject({ code: 'UNAUTHORIZED', reason: 'state' })
  })

  it('refuses a state it did not seal, and one past its lifetime', async () => {
    reset()
    const query = await signInAs(signIn, 'kim@example.test')
    const forged = new URLSearchParams(query)
    const raw = Buffer.from(query.get('state') ?? '', 'base64url')
    raw[40] = (raw[40] as number) ^ 1
    forged.set('state', raw.toString('base64url'))
    expect(await refusal(signIn.complete(forged))).toMatchObject({ reason: 'state' })
    clock.advance(11 * 60_000)
    try {
      expect(await refusal(signIn.complete(query))).toMatchObject({ reason: 'expired' })
    } finally {
      clock.advance(-11 * 60_000)
    }
  })

  it.each([
    ['an ID token from another issuer', 'wrong-issuer', /issuer/i],
    ['an ID token for another app', 'wrong-audience', /audience|another app|recipient/i],
    ['an expired ID token', 'expired', /expired|too late/i],
    ['an ID token with another nonce', 'wrong-nonce', /nonce/i],
    ['an ID token signed by a key the IdP does not publish', 'unknown-key', /./],
  ] as const)('refuses %s', async (_, fault, message) => {
    reset()
    idp.fault = fault
    const r = await refusal(signIn.complete(await signInAs(signIn, 'kim@example.test')))
    expect(r.code).toBe('UNAUTHORIZED')
    expect(r.message).toMatch(message)
  })

  it('judges the token by the injected clock, not the machine’s', async () => {
    reset()
    // By the machine's clock (the IdP's, and google-auth-library's) the token is fresh; by ours
    // it expired an hour ago.
    ahead = 2 * 3600_000
    clock.advance(ahead)
    try {
      const r = await refusal(signIn.complete(await signInAs(signIn, 'kim@example.test')))
      expect(r).toMatchObject({ code: 'UNAUTHORIZED', reason: 'expired' })
    } finally {
      clock.advance(-ahead)
      ahead = 0
    }
  })

  it('refuses several audiences without azp, and an azp that is another app', async () => {
    reset()
    idp.claims = { aud: [idp.clientId, 'another-api'], azp: undefined }
    expect(await refusal(signIn.complete(await signInAs(signIn, 'kim@example.test')))).toMatchObject({
      reason: severalAudiences,
    })
    idp.claims = { aud: [idp.clientId, 'another-api'], azp: 'another-api' }
    expect(await refusal(signIn.complete(await signInAs(signIn, 'kim@example.test')))).toMatchObject({
      reason: severalAudiences,
    })
    idp.claims = { azp: 'another-app' }
    expect(await refusal(signIn.complete(await signInAs(signIn, 'kim@example.test')))).toMatchObject({ reason: 'azp' })
  })
})

describe.each(['entra', 'okta', 'google'] as const)('a confidential %s client', kind => {
  it('sends its client secret with the code', async () => {
    const { idp, signIn } = await world({ kind }, i => ({ ...i.provider, clientSecret: 's3cret' }))
    try {
      const done = await signIn.complete(await signInAs(signIn, 'kim@example.test'))
      expect(done.claims['email']).toBe('kim@example.test')
      expect(idp.clientSecrets).toEqual(['s3cret'])
    } finally {
      await idp.close()
    }
  })
})

describe('what only one IdP has', () => {
  it('Entra: refuses a person from another tenant when the sign-in names one', async () => {
    const { idp, signIn } = await world({ kind: 'entra' })
    try {
      idp.claims = { tid: '00000000-0000-4000-8000-000000000001' }
      const r = await refusal(signIn.complete(await signInAs(signIn, 'kim@example.test')))
      expect(r.reason).toBe('issuer')
    } finally {
      await idp.close()
    }
  })

  it('Entra, any tenant: accepts the issuer of the token’s own tenant and refuses a mismatched one', async () => {
    const { idp, signIn } = await world({ kind: 'entra', audience: 'organizations' })
    try {
      const other = '00000000-0000-4000-8000-000000000002'
      idp.claims = { tid: other }
      const ok = await signIn.complete(await signInAs(signIn, 'kim@example.test'))
      expect(ok.claims.iss).toBe(`${idp.issuer.replace('/organizations/v2.0', '')}/${other}/v2.0`)
      // A token whose iss names a tenant other than its tid is refused.
      idp.fault = 'wrong-issuer'
      expect((await refusal(signIn.complete(await signInAs(signIn, 'kim@example.test')))).reason).toBe('issuer')
    } finally {
      await idp.close()
    }
  })

  it('Entra, any tenant, with a tenant id set: refuses the other tenants', async () => {
    const { idp, signIn } = await world({ kind: 'entra', audience: 'organizations' }, i => ({
      ...i.provider,
      tenantId: FAKE_TENANT,
    }))
    try {
      idp.claims = { tid: '00000000-0000-4000-8000-000000000003' }
      expect((await refusal(signIn.complete(await signInAs(signIn, 'kim@example.test')))).reason).toBe('tenant')
      idp.claims = {}
      expect((await signIn.complete(await signInAs(signIn, 'kim@example.test'))).claims['tid']).toBe(FAKE_TENANT)
    } finally {
      await idp.close()
    }
  })

  it('Google: asks for the Workspace domain and refuses an account of another (hd) or a consumer account', async () => {
    const { idp, signIn } = await world({ kind: 'google' })
    try {
      expect(new URL(signIn.start({ serial: 'S' })).searchParams.get('hd')).toBe('example.test')
      idp.claims = { hd: 'evil.test' }
      expect((await refusal(signIn.complete(await signInAs(signIn, 'kim@example.test')))).reason).toBe('hd')
      idp.claims = { hd: undefined }
      expect((await refusal(signIn.complete(await signInAs(signIn, 'kim@gmail.test')))).reason).toBe('hd')
    } finally {
      await idp.close()
    }
  })

  it('an IdP whose discovery names another issuer is refused at start-up', async () => {
    const idp = await startFakeIdp(pki, { kind: 'google' })
    try {
      await expect(
        createSignIn({
          provider: { ...idp.provider, issuer: `${idp.issuer}/elsewhere` },
          redirectUri: 'https://127.0.0.1:1/cb',
          clock,
          http: loopbackOnly(),
        }),
      ).rejects.toThrow(/discovery document/)
    } finally {
      await idp.close()
    }
  })
})
