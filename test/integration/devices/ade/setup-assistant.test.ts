import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DeviceDetail } from '../../../../src/shared/domain'
import { testAppleChain, deviceInfoHeader } from '../../../fakes/dep/device-info'
import { type FakeDep, startFakeDep } from '../../../fakes/dep/server'
import { SetupAssistant } from '../../../fakes/dep/setup-assistant'
import { request } from '../../../fakes/https-client'
import { type DevicesWorld, openDevicesWorld } from '../../../helpers/devices-world'

let dep: FakeDep
let w: DevicesWorld

beforeEach(async () => {
  dep = await startFakeDep()
  w = await openDevicesWorld({ adeBaseUrl: dep.url })
  await w.ws.call('ingress/save', {
    address: '127.0.0.1',
    port: w.ingress.port,
    publicUrl: w.ingress.url,
    startAtLaunch: false,
    oidc: { issuer: w.idp.issuer, clientId: w.idp.clientId, tenantId: null, hostedDomain: null, caPem: w.pki.caPem },
  })
  const { certificatePem } = await w.ws.call('ade/certificate', {})
  await w.ws.call('ade/uploadToken', { token: dep.serverTokenFile(certificatePem as string) })
}, 60_000)
afterEach(async () => {
  await w.close()
  await dep.close()
})

const detail = (deviceId: string) => w.ws.call('devices/get', { deviceId }) as Promise<DeviceDetail>
const assistant = (serial: string, user = 'alex@example.test', platform?: 'ios' | 'macos') =>
  new SetupAssistant({ device: w.apple(serial, undefined, platform ? { platform } : {}), dep, ca: w.pki.caPem, user })

describe('Automated Device Enrollment, from Apple’s list to acknowledged policies', () => {
  it('an iPhone in Apple’s list gets the profile, signs in during Setup Assistant, enrolls bound and acknowledges its policies', async () => {
    dep.addDevice({ serial_number: 'F2LADE001' })
    expect(await w.ws.call('ade/sync', {})).toMatchObject({ ok: true, added: 1, assigned: 1 })
    // Before it ever enrolls: assigned, not enrolled, with the profile it will get.
    expect(await w.ws.call('ade/devices', {})).toEqual([
      expect.objectContaining({ serial: 'F2LADE001', state: 'assigned', profileName: 'JIT Mapper', deviceId: null }),
    ])

    const sa = assistant('F2LADE001')
    expect(sa.webUrl()).toBe(`${w.ingress.url}/ade/enroll`)
    const opened = await sa.open()
    expect(opened.status).toBe(302)
    const authorize = new URL(String(opened.headers.location))
    expect(authorize.origin).toBe(new URL(w.idp.issuer).origin)
    expect(authorize.pathname).toMatch(/\/authorize$/)
    const answer = await sa.signIn(opened)
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toBe('application/x-apple-aspen-config')

    // The JIT path has finished before the device's first check-in: bound, policies decided, commands queued.
    const deviceId = w.deviceId('F2LADE001')
    const bound = await detail(deviceId)
    expect(bound.device).toMatchObject({ userPrincipalName: 'alex@example.test', platform: 'ios' })
    expect([...new Set(bound.assignments.map(a => a.policyName))]).toEqual(['Sales CRM Deployment'])
    expect(bound.commands.length).toBeGreaterThan(0)
    const queuedBefore = bound.commands.map(c => c.id)

    const device = sa.o.device
    device.install(answer)
    expect((await device.scep()).status).toBe('0')
    const pushed = device.waitForPush(w.apns)
    await device.authenticateAndRegister()
    await pushed
    const ran = await device.poll()
    expect(ran.map(c => c.requestType).slice(0, 2)).toEqual(['InstallApplication', 'InstallProfile'])

    const done = await detail(deviceId)
    // The same device, its identity adopted at Authenticate: no second enrollment, the same commands.
    expect(done.device.id).toBe(deviceId)
    expect(done.commands.filter(c => queuedBefore.includes(c.id)).map(c => c.state)).toEqual(
      queuedBefore.map(() => 'acknowledged'),
    )
    expect(done.commands.every(c => c.state === 'acknowledged')).toBe(true)
    const enrolls = (await w.ws.call('audit/list', { action: 'devices/enroll' })).filter(a => a.subject === deviceId)
    expect(enrolls).toHaveLength(1)
    expect(await w.ws.call('ade/devices', {})).toEqual([
      expect.objectContaining({
        serial: 'F2LADE001',
        state: 'enrolled',
        deviceId,
        userPrincipalName: 'alex@example.test',
      }),
    ])
  })

  it('a Mac from Apple’s list enrolls as a Mac', async () => {
    dep.addDevice({ serial_number: 'C02ADEMAC', device_family: 'Mac', model: 'MacBook Air', os: 'OSX' })
    await w.ws.call('ade/sync', {})
    const sa = assistant('C02ADEMAC', 'alex@example.test', 'macos')
    expect((await sa.run()).status).toBe(200)
    expect((await detail(w.deviceId('C02ADEMAC'))).device.platform).toBe('macos')
    expect((await sa.o.device.scep()).status).toBe('0')
    await sa.o.device.authenticateAndRegister()
    expect((await sa.o.device.poll()).length).toBeGreaterThan(0)
  })
})

describe('a device of another person', () => {
  it('is held for an admin once, at Authenticate, with the identity the device proves', async () => {
    dep.addDevice({ serial_number: 'F2LADEMOVE' })
    await w.ws.call('ade/sync', {})
    const first = assistant('F2LADEMOVE')
    expect((await first.run()).status).toBe(200)
    const deviceId = w.deviceId('F2LADEMOVE')
    // Erased and handed to someone else: Setup Assistant runs again, as Sam.
    const again = new SetupAssistant({ device: w.apple('F2LADEMOVE'), dep, ca: w.pki.caPem, user: 'sam@example.test' })
    expect((await again.run()).status).toBe(200)
    expect((await detail(deviceId)).rebinds).toEqual([])
    expect((await again.o.device.scep()).status).toBe('0')
    expect((await again.o.device.authenticate()).status).toBe(200)
    const d = await detail(deviceId)
    expect(d.device.userPrincipalName).toBe('alex@example.test')
    expect(d.rebinds).toEqual([expect.objectContaining({ status: 'held', toUserPrincipalName: 'sam@example.test' })])
  })
})

describe('the Setup Assistant page refuses, with 4xx and a reason, never 401', () => {
  beforeEach(async () => {
    dep.addDevice({ serial_number: 'F2LADE002' })
    await w.ws.call('ade/sync', {})
  })

  const error = (r: { body: string }) => (JSON.parse(r.body) as { error: { message: string } }).error.message

  it('a request without the signed device information', async () => {
    const r = await request(`${w.ingress.url}/ade/enroll`, { ca: w.pki.caPem })
    expect(r.status).toBe(400)
    expect(error(r)).toMatch(/x-apple-aspen-deviceinfo/)
  })

  it('device information not signed through Apple’s chain', async () => {
    const sa = assistant('F2LADE002')
    const s = testAppleChain().stranger('UDID-F2LADE002')
    const forged = deviceInfoHeader(
      { UDID: 'UDID-F2LADE002', SERIAL: 'F2LADE002', PRODUCT: 'iPhone16,1', VERSION: '22B83' },
      s,
      [s.caPem],
    )
    const r = await sa.open(forged)
    expect(r.status).toBe(400)
    expect(error(r)).toMatch(/does not chain to a trusted Apple CA/)
  })

  it('a serial that is not assigned to this MDM server', async () => {
    const sa = new SetupAssistant({
      device: w.apple('F2LADE002'),
      dep,
      ca: w.pki.caPem,
      user: 'alex@example.test',
      info: { SERIAL: 'NOTINABM' },
    })
    const r = await sa.open()
    expect(r.status).toBe(403)
    expect(error(r)).toMatch(/NOTINABM is not assigned to this MDM server/)
  })

  it('a person the directory does not know: 403, and no device is bound', async () => {
    const r = await assistant('F2LADE002', 'nobody@example.test').run()
    expect(r.status).toBe(403)
    expect(error(r)).toContain('nobody@example.test')
    expect(w.ws.app.services.store.devices.enrollmentOf('F2LADE002')).toBeUndefined()
  })
})
