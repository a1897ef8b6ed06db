import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AdeStatus } from '../../../../src/shared/ade'
import { type FakeDep, startFakeDep } from '../../../fakes/dep/server'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../../helpers/workspace'

let dep: FakeDep
let ws: TestWorkspace
const PUBLIC_URL = 'https://mdm.example.test:8443'

beforeEach(async () => {
  dep = await startFakeDep()
  ws = openWorkspace({ adeBaseUrl: dep.url })
  seedSmallOrganisation(ws)
  await ws.call('ingress/save', {
    address: '127.0.0.1',
    port: 8443,
    publicUrl: PUBLIC_URL,
    startAtLaunch: false,
    oidc: { issuer: 'https://idp.example.test', clientId: 'c', tenantId: null, hostedDomain: null, caPem: null },
  })
})
afterEach(async () => {
  ws.close()
  await dep.close()
})

async function connect(): Promise<AdeStatus> {
  const { certificatePem } = await ws.call('ade/certificate', {})
  return ws.call('ade/uploadToken', { token: dep.serverTokenFile(certificatePem as string) })
}

const devices = () => ws.call('ade/devices', {})

describe('connecting Apple Business Manager', () => {
  it('makes a certificate to upload, reads the token Apple encrypted to it and shows the account', async () => {
    const before = await ws.call('ade/status', {})
    expect(before).toMatchObject({ connected: false, certificatePem: null, account: null })
    const made = await ws.call('ade/certificate', {})
    expect(made.certificatePem).toMatch(/BEGIN CERTIFICATE/)
    // The same key pair on the next call: a token made for the first certificate stays readable.
    expect((await ws.call('ade/certificate', {})).certificatePem).toBe(made.certificatePem)
    const connected = await ws.call('ade/uploadToken', { token: dep.serverTokenFile(made.certificatePem as string) })
    expect(connected).toMatchObject({
      connected: true,
      tokenExpiry: dep.token.access_token_expiry,
      account: { orgName: 'Example Org', serverName: 'JIT Mapper (test)', orgEmail: 'it@example.test' },
    })
    // The token is a secret: it is not in SQLite.
    const dump = JSON.stringify(ws.app.services.store.ade.account())
    expect(dump).not.toContain(dep.token.access_secret)
  })

  it('refuses a token that was made for another certificate, and keeps nothing', async () => {
    await ws.call('ade/certificate', {})
    const other = await startFakeDep()
    try {
      const { selfSignedEnvelopeCertificate } = await import('../../../../src/main/devices/apple/ca')
      const stranger = await selfSignedEnvelopeCertificate('other', new Date(), 1)
      const e = await ws.callError('ade/uploadToken', { token: other.serverTokenFile(stranger.certPem) })
      expect(e.code).toBe('BAD_INPUT')
      expect(e.message).toMatch(/could not be decrypted/)
      expect((await ws.call('ade/status', {})).connected).toBe(false)
    } finally {
      await other.close()
    }
  })

  it('says to accept the terms when Apple answers T_C_NOT_SIGNED', async () => {
    const { certificatePem } = await ws.call('ade/certificate', {})
    dep.termsAccepted = false
    const e = await ws.callError('ade/uploadToken', { token: dep.serverTokenFile(certificatePem as string) })
    expect(e.code).toBe('ADE_AUTH')
    expect(e.message).toMatch(/terms/)
  })
})

describe('the ADE sync', () => {
  it('loads Apple’s list, gives new devices the default profile, then follows changes with the cursor', async () => {
    dep.addDevice({ serial_number: 'C02AAA' })
    dep.addDevice({ serial_number: 'C02BBB', model: 'MacBook Air', device_family: 'Mac', os: 'OSX' })
    await connect()
    const first = await ws.call('ade/sync', {})
    expect(first).toMatchObject({ ok: true, added: 2, assigned: 2, fullFetch: true, error: null })
    const [profileUuid, profile] = [...dep.profiles.entries()][0] as [string, Record<string, unknown>]
    expect(profile).toMatchObject({
      profile_name: 'JIT Mapper',
      url: `${PUBLIC_URL}/ade/machineinfo`,
      configuration_web_url: `${PUBLIC_URL}/ade/enroll`,
      is_supervised: true,
      is_mdm_removable: false,
      await_device_configured: false,
    })
    expect(dep.profileFor('C02AAA')).toBe(profile)
    expect(await devices()).toEqual([
      expect.objectContaining({ serial: 'C02AAA', state: 'assigned', profileUuid, profileName: 'JIT Mapper' }),
      expect.objectContaining({ serial: 'C02BBB', state: 'assigned', model: 'MacBook Air', deviceFamily: 'Mac' }),
    ])
    const status = await ws.call('ade/status', {})
    expect(status.lastSync).toMatchObject({ ok: true, added: 2 })
    expect(status.defaultProfile).toMatchObject({ uuid: profileUuid, configurationWebUrl: `${PUBLIC_URL}/ade/enroll` })

    dep.addDevice({ serial_number: 'C02CCC' })
    dep.removeDevice('C02BBB')
    const second = await ws.call('ade/sync', {})
    expect(second).toMatchObject({ ok: true, added: 1, deleted: 1, assigned: 1, fullFetch: false })
    expect(dep.requests.filter(r => r.path === '/devices/sync').length).toBeGreaterThan(0)
    // One profile defined: the same default is assigned again.
    expect(dep.profiles.size).toBe(1)
    expect((await devices()).map(d => [d.serial, d.state])).toEqual([
      ['C02AAA', 'assigned'],
      ['C02CCC', 'assigned'],
    ])
  })

  it('starts over with a full fetch when the cursor expired, and drops what Apple no longer lists', async () => {
    dep.addDevice({ serial_number: 'OLD1' })
    dep.addDevice({ serial_number: 'OLD2' })
    await connect()
    await ws.call('ade/sync', {})
    dep.removeDevice('OLD2')
    dep.advance(8 * 86_400_000)
    const again = await ws.call('ade/sync', {})
    expect(again).toMatchObject({ ok: true, fullFetch: true, deleted: 1 })
    expect(dep.requests.some(r => r.path === '/devices/sync' && r.status === 400)).toBe(true)
    expect((await devices()).map(d => d.serial)).toEqual(['OLD1'])
  })

  it('changes nothing when the sync fails half-way, and says when to retry', async () => {
    for (let i = 0; i < 3; i++) dep.addDevice({ serial_number: `S${i}` })
    await connect()
    dep.rateLimit(10, 3600)
    const failed = await ws.call('ade/sync', {})
    expect(failed.ok).toBe(false)
    expect(failed.error).toMatchObject({ code: 'ADE_UNAVAILABLE', details: { retryAt: expect.any(String) } })
    expect(await devices()).toEqual([])
    expect((await ws.call('ade/status', {})).lastSync).toMatchObject({ ok: false })
  })

  it('a new profile is defined when the ingress URL changes', async () => {
    dep.addDevice({ serial_number: 'A1' })
    await connect()
    await ws.call('ade/sync', {})
    await ws.call('ingress/save', {
      address: '127.0.0.1',
      port: 8443,
      publicUrl: 'https://enroll.example.test',
      startAtLaunch: false,
      oidc: { issuer: 'https://idp.example.test', clientId: 'c', tenantId: null, hostedDomain: null, caPem: null },
    })
    dep.addDevice({ serial_number: 'A2' })
    await ws.call('ade/sync', {})
    expect(dep.profileFor('A2')).toMatchObject({ configuration_web_url: 'https://enroll.example.test/ade/enroll' })
    expect(dep.profileFor('A1')).toMatchObject({ configuration_web_url: `${PUBLIC_URL}/ade/enroll` })
  })

  it('refuses Sync now before a token is uploaded', async () => {
    expect((await ws.callError('ade/sync', {})).code).toBe('ADE_NOT_CONNECTED')
  })
})

describe('the scheduled ADE sync', () => {
  it('runs at its interval once connected, and re-arms after each run', async () => {
    const { createApp } = await import('../../../../src/main/app')
    const { tempDir } = await import('../../../helpers/workspace')
    const pending: { fn: () => void; ms: number }[] = []
    const dir = tempDir()
    const app = createApp({
      dataDir: dir.path,
      adeBaseUrl: dep.url,
      timers: { setTimeout: (fn, ms) => pending.push({ fn, ms }), clearTimeout: () => {} },
    })
    try {
      await app.call('ingress/save', {
        address: '127.0.0.1',
        port: 8443,
        publicUrl: PUBLIC_URL,
        startAtLaunch: false,
        oidc: { issuer: 'https://idp.example.test', clientId: 'c', tenantId: null, hostedDomain: null, caPem: null },
      })
      app.services.ade.startSchedule()
      expect(pending.map(p => p.ms)).toEqual([60 * 60_000])
      const { certificatePem } = await app.call('ade/certificate', {})
      await app.call('ade/uploadToken', { token: dep.serverTokenFile(certificatePem as string) })
      dep.addDevice({ serial_number: 'SCHED1' })
      pending.shift()?.fn()
      for (let i = 0; i < 200 && pending.length === 0; i++) await new Promise(r => setTimeout(r, 10))
      expect((await app.call('ade/status', {})).lastSync).toMatchObject({ ok: true, added: 1, assigned: 1 })
      expect(pending.map(p => p.ms)).toEqual([60 * 60_000])
    } finally {
      app.close()
      dir.remove()
    }
  })
})
