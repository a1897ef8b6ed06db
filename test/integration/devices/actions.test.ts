// Device actions end to end over loopback HTTPS: the admin asks (devices/action), the command is
// queued and pushed, a simulated iPhone, Mac or Android agent fetches and acknowledges it, and the
// device's command history and the audit log show it.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KEPT_SECRET } from '../../../src/shared/policy'
import { openDevicesWorld, type DevicesWorld } from '../../helpers/devices-world'

let w: DevicesWorld
beforeEach(async () => {
  w = await openDevicesWorld()
}, 60_000)
afterEach(async () => {
  await w.close()
})

/** An enrolled device that has answered its first questions (so the app knows its OS and supervision). */
async function enrolled(serial: string, platform: 'ios' | 'macos', supervised = true) {
  const device = w.apple(serial, `UDID-${serial}`, { platform })
  device.about.IsSupervised = supervised
  expect((await device.enroll('alex@example.test')).status).toBe(200)
  const deviceId = w.deviceId(serial)
  const pushed = device.waitForPush(w.apns)
  await device.authenticateAndRegister()
  await pushed
  await device.poll()
  return { device, deviceId }
}

const history = async (deviceId: string) => (await w.ws.call('devices/get', { deviceId })).commands
const audited = async (action: string) => (await w.ws.call('audit/list', { action })).map(a => a.subject)

describe('device actions on an iPhone', () => {
  it('locks it: queued, pushed, fetched, acknowledged, in the history and the audit log', async () => {
    const { device, deviceId } = await enrolled('F5ACTIONS01', 'ios')
    const pushed = device.waitForPush(w.apns)
    const outcome = await w.ws.call('devices/action', {
      deviceId,
      action: 'lock',
      params: { message: 'Please call IT', phoneNumber: '+1 555 0100' },
    })
    expect(outcome.queued.map(c => [c.type, c.state])).toEqual([['device_lock', 'queued']])
    await pushed
    expect((await history(deviceId)).find(c => c.id === outcome.queued[0]?.id)?.state).toBe('pushed')
    const ran = await device.poll()
    expect(ran.map(c => c.requestType)).toEqual(['DeviceLock'])
    expect(device.actions.at(-1)).toEqual({
      requestType: 'DeviceLock',
      keys: { Message: 'Please call IT', PhoneNumber: '+1 555 0100' },
    })
    const lock = (await history(deviceId)).find(c => c.id === outcome.queued[0]?.id)
    expect(lock).toMatchObject({
      type: 'device_lock',
      state: 'acknowledged',
      reason: { policyName: 'Device action: Lock' },
    })
    expect(await audited('devices/lock')).toEqual([deviceId])
  })

  it('clears the passcode with the UnlockToken the device handed over, never showing it', async () => {
    const { device, deviceId } = await enrolled('F5ACTIONS02', 'ios', false)
    await w.ws.call('devices/action', { deviceId, action: 'clear-passcode' })
    await device.poll()
    const clear = device.actions.find(a => a.requestType === 'ClearPasscode')
    expect(Buffer.from(clear?.keys['UnlockToken'] as Uint8Array)).toEqual(device.unlockToken)
    const command = (await history(deviceId)).find(c => c.type === 'clear_passcode')
    expect(command?.state).toBe('acknowledged')
    expect(JSON.stringify(command)).not.toContain(device.unlockToken.toString('base64'))
  })

  it('runs Lost Mode: enable, locate (the location is kept), play the sound, disable', async () => {
    const { device, deviceId } = await enrolled('F5ACTIONS03', 'ios')
    expect((await w.ws.call('devices/actions', { deviceId })).actions.find(a => a.action === 'locate')).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/only in Lost Mode/),
    })
    await w.ws.call('devices/action', { deviceId, action: 'lost-mode-on', params: { message: 'Lost phone' } })
    await w.ws.call('devices/action', { deviceId, action: 'locate' })
    await w.ws.call('devices/action', { deviceId, action: 'play-sound' })
    await device.poll()
    expect(device.actions.map(a => a.requestType)).toEqual(['EnableLostMode', 'PlayLostModeSound'])
    const info = await w.ws.call('devices/actions', { deviceId })
    expect(info.lostMode).toBe(true)
    expect(info.location).toMatchObject({ latitude: 52.3731, longitude: 4.8922, horizontalAccuracy: 12 })
    await w.ws.call('devices/action', { deviceId, action: 'lost-mode-off' })
    await device.poll()
    expect(device.lostMode).toBe(false)
    expect((await w.ws.call('devices/actions', { deviceId })).lostMode).toBe(false)
  })

  it('refuses Lost Mode and restart on an unsupervised iPhone, saying why, and queues nothing', async () => {
    const { deviceId } = await enrolled('F5ACTIONS04', 'ios', false)
    const before = (await history(deviceId)).length
    for (const action of ['lost-mode-on', 'restart'] as const) {
      const e = await w.ws.callError('devices/action', { deviceId, action, params: { message: 'x' } })
      expect(e).toMatchObject({ code: 'ACTION_UNSUPPORTED', message: expect.stringMatching(/not supervised/) })
    }
    expect(await history(deviceId)).toHaveLength(before)
    expect(await audited('devices/restart')).toEqual([])
  })

  it('wipes only with the serial typed, cancelling what waits behind the erase', async () => {
    const { device, deviceId } = await enrolled('F5ACTIONS05', 'ios')
    expect(
      await w.ws.callError('devices/action', { deviceId, action: 'wipe', params: { confirm: 'nope' } }),
    ).toMatchObject({
      code: 'BAD_INPUT',
      details: { field: 'confirm' },
    })
    device.refuse.set('DeviceInformation', 'NotNow')
    await w.ws.call('devices/scan', { deviceId })
    const waiting = (await history(deviceId)).filter(c => c.state !== 'acknowledged').length
    expect(waiting).toBeGreaterThan(0)
    const outcome = await w.ws.call('devices/action', {
      deviceId,
      action: 'wipe',
      params: { confirm: 'F5ACTIONS05', preserveDataPlan: true },
    })
    expect(outcome.cancelled).toBe(waiting)
    const sent = () => w.ws.app.services.store.devices.sentItems(deviceId)
    expect(sent().length).toBeGreaterThan(0)
    device.refuse.clear()
    await device.poll()
    expect(device.actions.at(-1)).toEqual({ requestType: 'EraseDevice', keys: { PreserveDataPlan: true } })
    expect((await history(deviceId)).find(c => c.type === 'erase_device')?.state).toBe('acknowledged')
    // The erased device holds nothing we sent: enrolled again, it is sent its policies afresh.
    expect(sent()).toEqual([])
  })
})

describe('device actions on a Mac', () => {
  it('locks it with a PIN that is sealed at rest and never shown', async () => {
    const { device, deviceId } = await enrolled('C02ACTIONS1', 'macos', false)
    await w.ws.call('devices/action', { deviceId, action: 'lock', params: { pin: '482913' } })
    const shown = (await history(deviceId)).find(c => c.type === 'device_lock')
    expect(shown?.payload['secrets']).toEqual(KEPT_SECRET)
    const audit = (await w.ws.call('audit/list', { action: 'devices/lock' }))[0]
    expect(JSON.stringify(audit)).not.toContain('482913')
    const files = ['jit-mapper.db', 'jit-mapper.db-wal'].map(f => join(w.ws.dir, f)).filter(existsSync)
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) expect(readFileSync(f).toString('latin1')).not.toContain('482913')
    await device.poll()
    expect(device.actions.at(-1)).toEqual({ requestType: 'DeviceLock', keys: { PIN: '482913' } })
  })

  it('retires it: every policy withdrawn first, then the enrollment profile removed; no user after', async () => {
    const { device, deviceId } = await enrolled('C02ACTIONS2', 'macos', false)
    const outcome = await w.ws.call('devices/action', { deviceId, action: 'retire' })
    expect(outcome.queued.map(c => c.type)).toEqual(['unenroll'])
    const commands = await history(deviceId)
    const unenroll = commands.find(c => c.type === 'unenroll')
    // The removals the withdrawal queued come before the unenroll in the device's queue.
    expect(commands.filter(c => c.seq > (unenroll?.seq ?? 0))).toEqual([])
    expect((await w.ws.call('devices/get', { deviceId })).device.userId).toBeNull()
    const ran = await device.poll()
    expect(ran.at(-1)).toMatchObject({
      requestType: 'RemoveProfile',
      command: { Identifier: 'com.jitmapper.enrollment' },
    })
    expect(await audited('devices/unbind')).toContain(deviceId)
    expect(await audited('devices/retire')).toEqual([deviceId])
  })

  it('refuses clearing a Mac passcode (Apple has ClearPasscode on iOS only)', async () => {
    const { deviceId } = await enrolled('C02ACTIONS3', 'macos', false)
    const info = await w.ws.call('devices/actions', { deviceId })
    expect(info.actions.find(a => a.action === 'clear-passcode')).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/not available on macOS/),
    })
  })
})

describe('device actions through the Android agent', () => {
  it('carries lock and restart as agent commands, acknowledged into the history', async () => {
    const agent = w.android('ANDROID-ACT')
    expect((await agent.enroll('kim@example.test')).status).toBe(200)
    await agent.poll()
    const deviceId = agent.deviceId as string
    await w.ws.call('devices/action', { deviceId, action: 'lock', params: { message: 'Call IT' } })
    await w.ws.call('devices/action', { deviceId, action: 'restart' })
    const ran = await agent.poll()
    expect(ran.map(c => [c.type, c.payload])).toEqual([
      ['device_lock', { platform: 'android', message: 'Call IT' }],
      ['restart_device', { platform: 'android' }],
    ])
    expect(
      (await history(deviceId)).filter(c => c.type === 'device_lock' || c.type === 'restart_device').map(c => c.state),
    ).toEqual(['acknowledged', 'acknowledged'])
    expect(
      await w.ws.callError('devices/action', { deviceId, action: 'lost-mode-on', params: { message: 'x' } }),
    ).toMatchObject({
      code: 'ACTION_UNSUPPORTED',
    })
    // Wiped: what the agent was sent is forgotten once it says the erase ran.
    await w.ws.call('devices/action', { deviceId, action: 'wipe', params: { confirm: 'ANDROID-ACT' } })
    const sent = () => w.ws.app.services.store.devices.sentItems(deviceId)
    expect(sent().length).toBeGreaterThan(0)
    expect((await agent.poll()).at(-1)?.type).toBe('erase_device')
    expect(sent()).toEqual([])
  })
})

describe('bulk Re-push and Scan Device', () => {
  it('says per device what was queued and what was refused', async () => {
    const { deviceId } = await enrolled('F5BULK0001', 'ios')
    const idle = await enrolled('F5BULK0002', 'ios')
    const scan = await w.ws.call('devices/bulk', { action: 'scan', deviceIds: [deviceId, 'no-such-device'] })
    expect(scan.done).toEqual([{ deviceId, deviceName: expect.any(String), commands: 4 }])
    expect(scan.refused).toEqual([
      { deviceId: 'no-such-device', deviceName: 'no-such-device', reason: expect.any(String) },
    ])
    // Nothing waits for the second device: there is nothing to re-push. The first waits for its
    // queries, but this workspace has no APNs certificate set, so the re-push is refused with that reason.
    const repush = await w.ws.call('devices/bulk', { action: 'repush', deviceIds: [deviceId, idle.deviceId] })
    expect(repush.done).toEqual([])
    expect(repush.refused.map(r => [r.deviceId, r.reason])).toEqual([
      [deviceId, expect.stringMatching(/APNs is not configured/)],
      [idle.deviceId, expect.stringMatching(/nothing to re-push/)],
    ])
  })
})
