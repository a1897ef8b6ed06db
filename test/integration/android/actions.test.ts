// Device actions on Android Enterprise devices, through the app as wired (app.ts puts the Android
// Management API transport first) against the AMAPI fake: each action reaches the fake as the
// issueCommand or devices.delete it stands for, the history shows it acknowledged (or failed with
// the API's message), what AMAPI can't do is refused with the reason, and nothing goes over FCM.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AMAPI_TRANSPORT } from '../../../src/main/devices'
import { AMAPI_CHANNEL } from '../../../src/main/devices/android/channel'
import type { DeviceActionName } from '../../../src/shared/device-actions'
import {
  AMAPI_ORIGIN,
  GOOGLE_OAUTH_ORIGIN,
  startAmapiFake,
  type AmapiFake,
  type SimDevice,
} from '../../fakes/amapi/server'
import { loopbackRouter } from '../../fakes/router'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

const SA_EMAIL = 'jit-mapper@contoso-emm.iam.gserviceaccount.com'
const PROJECT = 'contoso-emm'
const ENTERPRISE = 'enterprises/LC0actions'
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
})
const SERVICE_ACCOUNT = JSON.stringify({
  type: 'service_account',
  project_id: PROJECT,
  client_email: SA_EMAIL,
  private_key: keys.privateKey,
})

let ws: TestWorkspace
let amapi: AmapiFake

beforeEach(async () => {
  let now = () => new Date()
  amapi = await startAmapiFake({
    projectId: PROJECT,
    serviceAccountEmail: SA_EMAIL,
    publicKey: keys.publicKey,
    now: () => now(),
  })
  ws = openWorkspace({ http: loopbackRouter({ [AMAPI_ORIGIN]: amapi.url, [GOOGLE_OAUTH_ORIGIN]: amapi.url }) })
  now = () => ws.clock.now()
  seedSmallOrganisation(ws)
  const { android, store } = ws.app.services
  await android.setServiceAccount(SERVICE_ACCOUNT)
  // Bound as the signup flow leaves it (that flow is enterprise.test.ts's).
  amapi.enterprises.set(ENTERPRISE, { name: ENTERPRISE, enterpriseDisplayName: 'Contoso', signinDetails: [] })
  store.android.putEnterprise({
    projectId: PROJECT,
    name: ENTERPRISE,
    displayName: 'Contoso',
    signupName: null,
    signupState: null,
    signinUrl: null,
    signinToken: null,
    boundAt: ws.clock.now().toISOString(),
    devicePageToken: null,
    polledAt: null,
  })
}, 60_000)

afterEach(async () => {
  await amapi.close()
  ws.close()
})

/** A device enrolled with a QR token, provisioned at the fake as `mode`, and read back by a poll. */
async function provisioned(
  serial: string,
  mode: Pick<SimDevice, 'managementMode' | 'ownership'> = {
    managementMode: 'DEVICE_OWNER',
    ownership: 'COMPANY_OWNED',
  },
): Promise<{ deviceId: string; sim: SimDevice }> {
  const token = await ws.app.services.android.enrollUser({
    userPrincipalName: 'kim@example.test',
    serial,
    via: 'token',
  })
  const sim = amapi.provision(token.value, { serial, ...mode })
  await ws.app.services.android.poll()
  // An FCM token, as if an agent had registered: anything due on its device channel would be pushed.
  ws.app.services.store.outbox.setFcmToken(token.deviceId, `fcm-${serial}`, ws.clock.now().toISOString())
  return { deviceId: token.deviceId, sim }
}

const act = (deviceId: string, action: DeviceActionName, params = {}) =>
  ws.call('devices/action', { deviceId, action, params })
const commandOf = (deviceId: string, id: string | undefined) =>
  ws.app.services.store.devices.command(deviceId, id ?? '')
const availability = async (deviceId: string, action: DeviceActionName) =>
  (await ws.call('devices/actions', { deviceId })).actions.find(a => a.action === action)

describe('device actions through the Android Management API', () => {
  it('locks, restarts and runs Lost Mode by issueCommand; each acknowledged, audited, never pushed', async () => {
    const { deviceId, sim } = await provisioned('PIXEL-A1')
    expect(await availability(deviceId, 'lock')).toMatchObject({ allowed: true, transport: AMAPI_TRANSPORT })

    const lock = await act(deviceId, 'lock')
    expect(lock.queued.map(c => [c.type, c.state, c.channel])).toEqual([['device_lock', 'acknowledged', AMAPI_CHANNEL]])
    expect(lock.summary).toContain('Lock sent to')
    await act(deviceId, 'restart')
    const on = await act(deviceId, 'lost-mode-on', { message: 'Please return to IT', phoneNumber: '+1 555 0100' })
    expect((await ws.call('devices/actions', { deviceId })).lostMode).toBe(true)
    await act(deviceId, 'lost-mode-off')
    expect(sim.commands).toEqual([
      { type: 'LOCK' },
      { type: 'REBOOT' },
      {
        type: 'START_LOST_MODE',
        startLostModeParams: {
          lostMessage: { defaultMessage: 'Please return to IT' },
          lostPhoneNumber: { defaultMessage: '+1 555 0100' },
        },
      },
      { type: 'STOP_LOST_MODE', stopLostModeParams: {} },
    ])
    expect(commandOf(deviceId, on.queued[0]?.id)).toMatchObject({
      type: 'enable_lost_mode',
      state: 'acknowledged',
      reason: { policyName: 'Device action: Enable Lost Mode' },
    })
    expect((await ws.call('devices/actions', { deviceId })).lostMode).toBe(false)
    const audit = await ws.call('audit/list', { action: 'devices/lock' })
    expect(audit.map(a => [a.subject, a.details['transport']])).toEqual([[deviceId, AMAPI_TRANSPORT]])

    // Nothing went over FCM, though the device has a token.
    await ws.app.services.devices.pump()
    expect(ws.push.wakeups).toEqual([])
  })

  it('records an API refusal as a failed command with the API message', async () => {
    const { deviceId, sim } = await provisioned('PIXEL-A2')
    amapi.devices.delete(sim.name)
    const out = await act(deviceId, 'lock')
    const failed = commandOf(deviceId, out.queued[0]?.id)
    expect(failed?.state).toBe('failed')
    expect(failed?.error).toContain(`The Android Management API refused to send LOCK to ${sim.name} (404 NOT_FOUND)`)
    expect(out.summary).toContain('Lock failed for')
  })

  it('wipes by devices.delete, and the device takes no more actions', async () => {
    const { deviceId, sim } = await provisioned('PIXEL-A3')
    const out = await act(deviceId, 'wipe', { confirm: 'PIXEL-A3' })
    expect(sim.wiped).toEqual({ flags: [], reason: null })
    expect(amapi.devices.has(sim.name)).toBe(false)
    expect(commandOf(deviceId, out.queued[0]?.id)).toMatchObject({ type: 'erase_device', state: 'acknowledged' })
    expect((await availability(deviceId, 'lock'))?.reason).toContain('no longer managed through Android Enterprise')
  })

  it('retires a company-owned work profile by RELINQUISH_OWNERSHIP and a personal one by devices.delete', async () => {
    const cope = await provisioned('PIXEL-A4', { managementMode: 'PROFILE_OWNER', ownership: 'COMPANY_OWNED' })
    const byod = await provisioned('PIXEL-A5', { managementMode: 'PROFILE_OWNER', ownership: 'PERSONALLY_OWNED' })
    const relinquished = await act(cope.deviceId, 'retire')
    expect(cope.sim.commands).toEqual([{ type: 'RELINQUISH_OWNERSHIP' }])
    expect(commandOf(cope.deviceId, relinquished.queued[0]?.id)?.state).toBe('acknowledged')
    const deleted = await act(byod.deviceId, 'retire')
    expect(byod.sim.commands).toEqual([])
    expect(byod.sim.wiped).toEqual({ flags: [], reason: null })
    expect(commandOf(byod.deviceId, deleted.queued[0]?.id)).toMatchObject({ type: 'unenroll', state: 'acknowledged' })
  })

  it('refuses what the API does not do, or not on this device, with the reason', async () => {
    const managed = await provisioned('PIXEL-A6')
    const byod = await provisioned('PIXEL-A7', { managementMode: 'PROFILE_OWNER', ownership: 'PERSONALLY_OWNED' })
    const reason = async (deviceId: string, action: DeviceActionName) => (await availability(deviceId, action))?.reason
    expect(await reason(managed.deviceId, 'clear-passcode')).toContain(
      "RESET_PASSWORD's newPassword is documented only",
    )
    expect(await reason(managed.deviceId, 'locate')).toBe('Locate (Lost Mode) has no Android Management API command.')
    expect(await reason(managed.deviceId, 'lost-mode-off')).toContain('is not in Lost Mode')
    expect(await reason(managed.deviceId, 'retire')).toContain(
      'a fully managed device leaves management only by a factory reset',
    )
    expect(await reason(byod.deviceId, 'restart')).toContain('runs on fully managed devices only')
    expect(await reason(byod.deviceId, 'lost-mode-on')).toContain('needs a company-owned device')
    expect((await ws.callError('devices/action', { deviceId: managed.deviceId, action: 'clear-passcode' })).code).toBe(
      'ACTION_UNSUPPORTED',
    )
    const noText = await ws.callError('devices/action', { deviceId: managed.deviceId, action: 'lost-mode-on' })
    expect(noText).toMatchObject({ code: 'BAD_INPUT' })
    expect(noText.message).toContain('Lost Mode needs a message or a phone number')
    const pin = await ws.callError('devices/action', {
      deviceId: managed.deviceId,
      action: 'lock',
      params: { pin: '123456' },
    })
    expect(pin.message).toContain('Lock through the Android Management API takes no options; pin do not apply.')
    expect([...managed.sim.commands, ...byod.sim.commands]).toEqual([])

    // Not provisioned yet: the agent's transport doesn't get it either.
    const waiting = await ws.app.services.android.enrollUser({ userPrincipalName: 'kim@example.test', via: 'token' })
    expect(await availability(waiting.deviceId, 'lock')).toMatchObject({
      allowed: false,
      transport: AMAPI_TRANSPORT,
      reason: expect.stringContaining('has not provisioned with Android Enterprise yet'),
    })
  })

  it('keeps an undelivered API command out of pushes, agent fetches and policy versions', async () => {
    const { deviceId } = await provisioned('PIXEL-A8')
    const { store, devices, android } = ws.app.services
    // As a crash between the action's commit and its delivery leaves it.
    store.devices.enqueue(
      deviceId,
      [
        {
          id: 'cmd-undelivered',
          type: 'device_lock',
          channel: AMAPI_CHANNEL,
          payload: { platform: 'android', api: 'issueCommand', command: { type: 'LOCK' } },
          reason: { policyId: '', policyName: 'Device action: Lock', groupId: null, groupName: null, summary: '' },
          deadlineAt: ws.clock.now().toISOString(),
        },
      ],
      ws.clock.now().toISOString(),
    )
    await devices.pump()
    expect(ws.push.wakeups).toEqual([])
    expect(devices.outbox.pending(deviceId).map(c => c.id)).not.toContain('cmd-undelivered')
    await android.syncPolicies([deviceId])
    expect(store.android.device(deviceId)?.carried).not.toContain('cmd-undelivered')
    amapi.report([...amapi.devices.keys()][0] as string)
    await android.poll()
    expect(store.devices.command(deviceId, 'cmd-undelivered')?.state).toBe('queued')
  })
})
