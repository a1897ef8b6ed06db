// Flooding the enrollment sign-in: unauthenticated starts must not block enrollment for everyone.
// Bounded floods on loopback only.
import https from 'node:https'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIdpHttp } from '../../src/main/devices'
import { createRateLimiter } from '../../src/main/devices/rate-limit'
import { createSignIn, openState, sealState } from '../../src/main/devices/signin'
import { request } from '../fakes/https-client'
import { startFakeIdp, type FakeIdp } from '../fakes/idp'
import { testPki, type TestPki } from '../fakes/pki'
import { openDevicesWorld, type DevicesWorld } from '../helpers/devices-world'

describe('a flood of sign-in starts', () => {
  let pki: TestPki
  let idp: FakeIdp
  beforeAll(async () => {
    pki = testPki()
    idp = await startFakeIdp(pki)
  }, 30_000)
  afterAll(async () => {
    await idp.close()
  })

  it('leaves room for a real sign-in after 20,000 starts that never reached the IdP', async () => {
    const signIn = await createSignIn<{ serial: string }>({
      provider: idp.provider,
      redirectUri: 'https://127.0.0.1:1/enroll/callback',
      clock: { now: () => new Date() },
      http: createIdpHttp({ ca: [pki.caPem] }),
    })
    for (let i = 0; i < 20_000; i++) signIn.start({ serial: `FLOOD-${i}` })
    const authorize = await request(signIn.start({ serial: 'REAL-1' }), {
      ca: pki.caPem,
      headers: { 'x-test-user': 'alex@example.test' },
    })
    expect(authorize.status).toBe(302)
    const query = new URL(String(authorize.headers.location)).searchParams
    const done = await signIn.complete(query)
    expect(done.context).toEqual({ serial: 'REAL-1' })
    await expect(signIn.complete(query)).rejects.toThrow(/unknown or has expired/)
  })

  it('seals the state: altered, foreign or truncated states open to nothing', () => {
    const key = Buffer.alloc(32, 7)
    const state = sealState(key, { id: 'x', serial: 'S' })
    expect(openState(key, state)).toEqual({ id: 'x', serial: 'S' })
    const raw = Buffer.from(state, 'base64url')
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1
    expect(openState(key, raw.toString('base64url'))).toBeNull()
    expect(openState(Buffer.alloc(32, 8), state)).toBeNull()
    expect(openState(key, state.slice(0, 20))).toBeNull()
    expect(openState(key, '')).toBeNull()
  })
})

describe('per-client limits on the ingress', () => {
  let w: DevicesWorld
  beforeAll(async () => {
    w = await openDevicesWorld({ enrollStartsPerMinute: 5 })
  }, 60_000)
  afterAll(async () => {
    await w.close()
  })

  it('answers 429 with Retry-After once one address has started 5 sign-ins, and lets it again a minute later', async () => {
    const agent = new https.Agent({ keepAlive: true, ca: w.pki.caPem })
    const start = (i: number) =>
      request(`${w.ingress.url}/enroll/start?platform=android&serial=RL-${i}&pushToken=t`, { ca: w.pki.caPem, agent })
    for (let i = 0; i < 5; i++) expect((await start(i)).status).toBe(302)
    const limited = await start(5)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(w.logged.some(l => l.level === 'warn' && /Too many enrollments/.test(String(l.fields?.['message'])))).toBe(
      true,
    )
    w.ws.clock.advance(60_000)
    expect((await start(6)).status).toBe(302)
    agent.destroy()
  })
})

describe('a flood of SCEP requests', () => {
  let w: DevicesWorld
  beforeAll(async () => {
    w = await openDevicesWorld({ scepOperationsPerMinute: 3 })
  }, 60_000)
  afterAll(async () => {
    await w.close()
  })

  it('answers 429 once one address has sent 3 PKIOperations, before reading the body, and lets it again later', async () => {
    const agent = new https.Agent({ keepAlive: true, ca: w.pki.caPem })
    const pkiOperation = () =>
      request(`${w.ingress.url}/scep?operation=PKIOperation`, {
        method: 'POST',
        ca: w.pki.caPem,
        agent,
        body: Buffer.from('not a PKCS#7 message'),
      })
    for (let i = 0; i < 3; i++) expect((await pkiOperation()).status).toBe(400)
    const limited = await pkiOperation()
    expect(limited.status).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    // The cheap operations a client needs before it can ask are not counted.
    const caps = await request(`${w.ingress.url}/scep?operation=GetCACaps`, { ca: w.pki.caPem, agent })
    expect(caps.status).toBe(200)
    w.ws.clock.advance(60_000)
    expect((await pkiOperation()).status).toBe(400)
    agent.destroy()
  })
})

describe('the rate limiter', () => {
  it('keeps its table of clients bounded under a flood from many addresses', () => {
    let now = 0
    const limiter = createRateLimiter({ perMinute: 1, now: () => now, maxClients: 100 })
    for (let i = 0; i < 10_000; i++) expect(limiter.take(`10.0.${i >> 8}.${i & 255}`)).toBe(0)
    // The first addresses were forgotten (bounded memory) and the latest are still limited.
    expect(limiter.take('10.0.39.15')).toBeGreaterThan(0)
    now += 60_000
    expect(limiter.take('10.0.39.15')).toBe(0)
  })
})
