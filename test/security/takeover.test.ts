// Device takeover by serial: a user who can sign in must not move a colleague's device to
// themselves, take its queued commands, lock the real device out or flip its platform.
import { createHash, X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDevicesWorld, type DevicesWorld } from '../helpers/devices-world'
import { request } from '../fakes/https-client'

let w: DevicesWorld
beforeAll(async () => {
  w = await openDevicesWorld({ ackDeadlineMs: 60_000 })
}, 60_000)
afterAll(async () => {
  await w.close()
})

const store = () => w.ws.app.services.store
const deviceBySerial = (serial: string) => {
  const d = store()
    .devices.list()
    .find(x => x.serial === serial)
  if (!d) throw new Error(`no device ${serial}`)
  return d
}
/** The previous user's installs the device has not fetched: what a rebind must never hand to the new user. */
const openCommands = (deviceId: string) =>
  store()
    .devices.commands(deviceId)
    .filter(c => ['queued', 'pushed'].includes(c.state) && c.type.startsWith('install_'))

describe('re-enrolling a colleague’s serial', () => {
  it('Android: is held for an admin; the victim keeps the device, its credential and its commands', async () => {
    const victim = w.android('AND-VICTIM-1')
    expect((await victim.enroll('alex@example.test')).status).toBe(200)
    const device = deviceBySerial('AND-VICTIM-1')
    const queued = openCommands(device.id).map(c => c.id)
    expect(queued.length).toBeGreaterThan(0)

    const attacker = w.android('AND-VICTIM-1')
    const r = await attacker.enroll('kim@example.test')
    expect(r.status).toBe(202)
    const held = JSON.parse(r.body) as { held: boolean; heldRebindId: string; credential: string }
    expect(held.held).toBe(true)

    expect(deviceBySerial('AND-VICTIM-1').userPrincipalName).toBe('alex@example.test')
    expect(openCommands(device.id).map(c => c.id)).toEqual(queued)
    expect((await victim.fetch()).status).toBe(200)
    attacker.credential = held.credential
    expect((await attacker.fetch()).status).toBe(401)

    const detail = w.ws.app.services.devices.get(device.id)
    expect(detail.rebinds).toMatchObject([
      { status: 'held', fromUserPrincipalName: 'alex@example.test', toUserPrincipalName: 'kim@example.test' },
    ])
    victim.close()
    attacker.close()
  })

  it('Android: an admin’s approval moves the device, cancels its open commands and swaps the credential', async () => {
    const victim = w.android('AND-APPROVE-1')
    expect((await victim.enroll('alex@example.test')).status).toBe(200)
    const device = deviceBySerial('AND-APPROVE-1')
    const before = openCommands(device.id).map(c => c.id)
    const attacker = w.android('AND-APPROVE-1')
    const r = await attacker.enroll('kim@example.test')
    expect(r.status).toBe(202)
    const held = JSON.parse(r.body) as { heldRebindId: string; credential: string }

    const result = await w.ws.app.invoke('devices/decideRebind', { heldRebindId: held.heldRebindId, approve: true })
    expect(result).toMatchObject({ ok: true })
    expect(deviceBySerial('AND-APPROVE-1').userPrincipalName).toBe('kim@example.test')
    const states = new Map(
      store()
        .devices.commands(device.id)
        .map(c => [c.id, c.state]),
    )
    for (const id of before) expect(states.get(id)).toBe('cancelled')
    attacker.credential = held.credential
    expect((await attacker.fetch()).status).toBe(200)
    expect((await victim.fetch()).status).toBe(401)
    const again = await w.ws.app.invoke('devices/decideRebind', { heldRebindId: held.heldRebindId, approve: false })
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
    victim.close()
    attacker.close()
  })

  it('a rejected rebind changes nothing', async () => {
    const victim = w.android('AND-REJECT-1')
    expect((await victim.enroll('alex@example.test')).status).toBe(200)
    const device = deviceBySerial('AND-REJECT-1')
    const commands = JSON.stringify(store().devices.commands(device.id))
    const r = await w.android('AND-REJECT-1').enroll('kim@example.test')
    const { heldRebindId } = JSON.parse(r.body) as { heldRebindId: string }
    expect(await w.ws.app.invoke('devices/decideRebind', { heldRebindId, approve: false })).toMatchObject({ ok: true })
    expect(deviceBySerial('AND-REJECT-1').userPrincipalName).toBe('alex@example.test')
    expect(JSON.stringify(store().devices.commands(device.id))).toBe(commands)
    expect((await victim.fetch()).status).toBe(200)
  })

  it('Android: the device proving its current credential moves at once, and its old commands are cancelled', async () => {
    const agent = w.android('AND-PROVEN-1')
    expect((await agent.enroll('alex@example.test')).status).toBe(200)
    const device = deviceBySerial('AND-PROVEN-1')
    const before = openCommands(device.id).map(c => c.id)
    expect((await agent.enroll('kim@example.test')).status).toBe(200)
    expect(deviceBySerial('AND-PROVEN-1').userPrincipalName).toBe('kim@example.test')
    const states = new Map(
      store()
        .devices.commands(device.id)
        .map(c => [c.id, c.state]),
    )
    for (const id of before) expect(states.get(id)).toBe('cancelled')
  })

  it('Apple: another person’s device claiming the serial is held; the real one keeps checking in', async () => {
    const real = w.apple('C02TAKE1', 'UDID-TAKE-REAL')
    expect((await real.enroll('alex@example.test')).status).toBe(200)
    await real.authenticateAndRegister()
    const fake = w.apple('C02TAKE1', 'UDID-TAKE-FAKE')
    // Its Authenticate is answered (a refusal would only fail the profile's installation), but held.
    expect((await fake.enroll('kim@example.test')).status).toBe(200)
    expect(deviceBySerial('C02TAKE1').userPrincipalName).toBe('alex@example.test')
    expect(w.ws.app.services.devices.get(deviceBySerial('C02TAKE1').id).rebinds).toMatchObject([
      { status: 'held', toUserPrincipalName: 'kim@example.test' },
    ])
    expect((await real.report({ Status: 'Idle' })).status).toBe(200)
    // Refused with 400, never 401: a real device receiving 401 removes its MDM profile.
    expect((await fake.report({ Status: 'Idle' })).status).toBe(400)
  })

  it('Apple: another person enrolling the same device waits for an admin; approval binds the new identity', async () => {
    const d = w.apple('C02TAKE2', 'UDID-TAKE-2')
    expect((await d.enroll('alex@example.test')).status).toBe(200)
    const alexIdentity = d.identity as { certPem: string; keyPem: string }
    expect((await d.enroll('kim@example.test')).status).toBe(200)
    expect(deviceBySerial('C02TAKE2').userPrincipalName).toBe('alex@example.test')
    expect((await d.report({ Status: 'Idle' })).status).toBe(400)
    const [held] = w.ws.app.services.devices.get(deviceBySerial('C02TAKE2').id).rebinds
    expect(
      await w.ws.app.invoke('devices/decideRebind', { heldRebindId: held?.id ?? '', approve: true }),
    ).toMatchObject({ ok: true })
    expect(deviceBySerial('C02TAKE2').userPrincipalName).toBe('kim@example.test')
    expect((await d.report({ Status: 'Idle' })).status).toBe(200)
    d.presentIdentity(alexIdentity)
    expect((await d.report({ Status: 'Idle' })).status).toBe(400)
  })

  it('Apple: the device is bound to the person whose sign-in its identity was issued for', async () => {
    const d = w.apple('C02TAKE3', 'UDID-TAKE-3')
    expect((await d.enroll('kim@example.test')).status).toBe(200)
    const issued = w.ws.app.services.store.appleIdentities.identity(
      createHash('sha256')
        .update(new X509Certificate(d.identity?.certPem ?? '').raw)
        .digest('hex'),
    )
    expect(issued?.userPrincipalName).toBe('kim@example.test')
    expect(deviceBySerial('C02TAKE3').userPrincipalName).toBe('kim@example.test')
  })

  it('an Android enrollment with an iPhone’s serial is refused and the platform stays', async () => {
    const phone = w.apple('C02FLIP1', 'UDID-FLIP-1')
    expect((await phone.enroll('alex@example.test')).status).toBe(200)
    for (const user of ['alex@example.test', 'kim@example.test']) {
      const r = await w.android('C02FLIP1').enroll(user)
      expect(r.status).toBe(409)
      expect(JSON.parse(r.body).error.message).toMatch(/never changes platform/)
    }
    expect(deviceBySerial('C02FLIP1')).toMatchObject({ platform: 'ios', userPrincipalName: 'alex@example.test' })
    expect(w.ws.app.services.devices.get(deviceBySerial('C02FLIP1').id).rebinds).toEqual([])
  })

  it('a bearer credential of another device proves nothing', async () => {
    const a = w.android('AND-PROOF-A')
    expect((await a.enroll('alex@example.test')).status).toBe(200)
    const b = w.android('AND-PROOF-B')
    expect((await b.enroll('sam@example.test')).status).toBe(200)
    // b presents its own valid credential while enrolling a's serial as sam.
    const q = new URLSearchParams({ platform: 'android', serial: 'AND-PROOF-A', pushToken: 'tok-proof' })
    const start = await request(`${w.ingress.url}/enroll/start?${q}`, {
      ca: w.pki.caPem,
      headers: { authorization: `Bearer ${b.credential}` },
    })
    const authorize = await request(String(start.headers.location), {
      ca: w.pki.caPem,
      headers: { 'x-test-user': 'sam@example.test' },
    })
    const cb = new URL(String(authorize.headers.location))
    const r = await request(`${w.ingress.url}${cb.pathname}${cb.search}`, { ca: w.pki.caPem })
    expect(r.status).toBe(202)
    expect(deviceBySerial('AND-PROOF-A').userPrincipalName).toBe('alex@example.test')
  })
})
