import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { selfSignedEnvelopeCertificate } from '../../../../src/main/devices/apple/ca'
import { createDepClient, type DepClient, DepError } from '../../../../src/main/devices/apple/ade/client'
import { decryptServerToken } from '../../../../src/main/devices/apple/ade/token'
import { systemHttp } from '../../../../src/main/ports'
import { type FakeDep, startFakeDep } from '../../../fakes/dep/server'

let dep: FakeDep
let client: DepClient
const slept: number[] = []
let keyPair: { keyPem: string; certPem: string }

beforeEach(async () => {
  dep = await startFakeDep()
  keyPair ??= await selfSignedEnvelopeCertificate('JIT Mapper ADE', new Date(), 365)
  const token = decryptServerToken(dep.serverTokenFile(keyPair.certPem), keyPair)
  slept.length = 0
  client = createDepClient({
    baseUrl: dep.url,
    token: async () => token,
    http: systemHttp,
    clock: { now: () => new Date() },
    sleep: async ms => void slept.push(ms),
  })
})
afterEach(async () => {
  await dep.close()
})

const failure = async (p: Promise<unknown>): Promise<DepError> => {
  try {
    await p
  } catch (e) {
    if (e instanceof DepError) return e
    throw e
  }
  throw new Error('expected a DepError')
}

describe("the client of Apple's device assignment service", () => {
  it('decrypts the .p7m server token it was given for its certificate', async () => {
    const token = decryptServerToken(dep.serverTokenFile(keyPair.certPem), keyPair)
    expect(token).toEqual(dep.token)
    const other = await selfSignedEnvelopeCertificate('another', new Date(), 1)
    expect(() => decryptServerToken(dep.serverTokenFile(other.certPem), keyPair)).toThrow(/could not be decrypted/)
    expect(() => decryptServerToken('Content-Type: x\n\nnot base64 !!', keyPair)).toThrow(/not base64/)
  })

  it('opens a session with a signed /session request and sends its token on every call', async () => {
    const account = await client.account()
    expect(account).toMatchObject({ org_name: 'Example Org', server_name: 'JIT Mapper (test)' })
    const [auth, call] = dep.requests
    expect(auth).toMatchObject({ method: 'GET', path: '/session', status: 200 })
    expect(String(auth?.headers.authorization)).toMatch(/^OAuth .*oauth_signature_method="HMAC-SHA1"/)
    expect(call?.headers['x-adm-auth-session']).toBe([...dep.sessions][0])
    expect(call?.headers['x-server-protocol-version']).toBe('7')
    expect(call?.headers['user-agent']).toBeTruthy()
  })

  it('gets a new session when Apple says the old one expired, and repeats the request once', async () => {
    await client.account()
    dep.expireSessions()
    await client.account()
    expect(dep.requests.map(r => `${r.path} ${r.status}`)).toEqual([
      '/session 200',
      '/account 200',
      '/account 401',
      '/session 200',
      '/account 200',
    ])
  })

  it('says the terms must be accepted when Apple answers T_C_NOT_SIGNED, without retrying', async () => {
    dep.termsAccepted = false
    const e = await failure(client.account())
    expect(e).toMatchObject({ code: 'ADE_AUTH', reason: 'T_C_NOT_SIGNED', status: 403 })
    expect(e.message).toMatch(/accept/)
    expect(dep.requests).toHaveLength(1)
  })

  it('refuses a token that is not the one Apple issued (401 on /session)', async () => {
    const forged = createDepClient({
      baseUrl: dep.url,
      token: async () => ({ ...dep.token, access_secret: 'AS_wrong' }),
      http: systemHttp,
      clock: { now: () => new Date() },
      sleep: async () => {},
    })
    const e = await failure(forged.account())
    expect(e).toMatchObject({ code: 'ADE_AUTH', status: 401 })
    expect(e.message).toMatch(/Download a new token/)
  })

  it('waits out 429 with Retry-After, and reports the retry time when the wait is too long', async () => {
    await client.account()
    dep.rateLimit(2, 3)
    await client.account()
    expect(slept).toEqual([3000, 3000])
    dep.rateLimit(5, 600)
    const e = await failure(client.account())
    expect(e).toMatchObject({ code: 'ADE_UNAVAILABLE', status: 429 })
    expect(e.details?.['retryAt']).toEqual(expect.any(String))
  })

  it('pages a fetch with its cursor, then syncs the changes after it', async () => {
    for (let i = 0; i < 5; i++) dep.addDevice({ serial_number: `SER${i}` })
    const first = await client.fetchDevices({ limit: 2 })
    expect(first.devices.map(d => d.serial_number)).toEqual(['SER0', 'SER1'])
    expect(first.more_to_follow).toBe(true)
    const second = await client.fetchDevices({ cursor: first.cursor, limit: 2 })
    const third = await client.fetchDevices({ cursor: second.cursor, limit: 2 })
    expect(third.more_to_follow).toBe(false)
    expect([...second.devices, ...third.devices].map(d => d.serial_number)).toEqual(['SER2', 'SER3', 'SER4'])
    // A finished fetch's cursor is exhausted for fetch; it is where sync starts.
    expect(await failure(client.fetchDevices({ cursor: third.cursor }))).toMatchObject({
      code: 'ADE_REFUSED',
      reason: 'EXHAUSTED_CURSOR',
    })
    dep.addDevice({ serial_number: 'SER5' })
    dep.removeDevice('SER0')
    const sync = await client.syncDevices({ cursor: third.cursor })
    expect(sync.devices.map(d => [d.serial_number, d.op_type])).toEqual([
      ['SER5', 'added'],
      ['SER0', 'deleted'],
    ])
    expect(await failure(client.syncDevices({ cursor: 'nonsense' }))).toMatchObject({ reason: 'INVALID_CURSOR' })
    dep.advance(8 * 86_400_000)
    expect(await failure(client.syncDevices({ cursor: sync.cursor }))).toMatchObject({ reason: 'EXPIRED_CURSOR' })
  })

  it('defines a profile, assigns and clears it per serial', async () => {
    dep.addDevice({ serial_number: 'C02X' })
    const defined = await client.defineProfile({
      profile_name: 'JIT Mapper',
      url: 'https://mdm.example.test/mdm/enroll',
      configuration_web_url: 'https://mdm.example.test/ade/enroll',
      is_mdm_removable: false,
      is_supervised: true,
      await_device_configured: false,
      skip_setup_items: ['Location', 'Privacy'],
    })
    expect(defined.profile_uuid).toMatch(/^[0-9A-F]{32}$/)
    expect(await client.assignProfile(defined.profile_uuid, ['C02X', 'UNKNOWN'])).toEqual({
      profile_uuid: defined.profile_uuid,
      devices: { C02X: 'SUCCESS', UNKNOWN: 'NOT_ACCESSIBLE' },
    })
    expect(dep.profileFor('C02X')).toMatchObject({ configuration_web_url: 'https://mdm.example.test/ade/enroll' })
    expect(dep.requests.at(-1)?.method).toBe('PUT')
    expect(await client.removeProfile(['C02X'])).toEqual({ devices: { C02X: 'SUCCESS' } })
    expect(dep.profileFor('C02X')).toBeNull()
    expect(await failure(client.defineProfile({ profile_name: 'x', url: '', is_mdm_removable: true }))).toMatchObject({
      reason: 'CONFIG_URL_REQUIRED',
    })
  })
})
