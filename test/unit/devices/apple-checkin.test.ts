// Every check-in MessageType and the command connection, replayed through apple/checkin.ts with
// a real store: captured messages from micromdm/nanomdm and a macOS user-channel sequence built
// from Apple's schema (test/fixtures/apple/README.md says which is which).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../../src/main/app'
import {
  type AppleAnswer,
  channelOf,
  createAppleMdm,
  SHARED_IPAD_USER_ID,
} from '../../../src/main/devices/apple/checkin'
import { buildPlist, parsePlist, type PlistValue } from '../../../src/main/devices/plist'
import { silentLog } from '../../../src/main/ports'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

type Dict = Record<string, PlistValue>
const fixture = (name: string): Dict =>
  parsePlist(readFileSync(join(__dirname, '..', '..', 'fixtures', 'apple', name), 'utf8')) as Dict

const IMAC = '66ADE930-5FDF-5EC4-8429-15640684C489'
const IPAD = '663b07bb783e9ade1dae4fbb92ea12afc0ce5b69'
const MAC_USER = 'B9E8A1F2-3C4D-4E5F-8A6B-7C8D9E0F1A2B'
const TOPIC = 'com.apple.mgmt.External.e0bd1eac-1f17-4c8e-8a63-dd17d3dd35d9'

let ws: TestWorkspace
let imac: string
let ipad: string
let authenticated: string[]
beforeEach(async () => {
  ws = openWorkspace()
  seedSmallOrganisation(ws)
  const { devices } = ws.app.services
  const enroll = async (serial: string, udid: string, platform: 'ios' | 'macos') =>
    (
      await devices.enroll({
        serial,
        platform,
        userPrincipalName: 'alex@example.test',
        identity: { kind: 'apple', udid, fingerprint: 'ab'.repeat(32) },
      })
    ).device.id
  imac = await enroll('C02MT66KFLHH', IMAC, 'macos')
  ipad = await enroll('F5JM992LF193', IPAD, 'ios')
  authenticated = []
})
afterEach(() => ws.close())

const mdm = () =>
  createAppleMdm({ store: ws.app.services.store, devices: ws.app.services.devices, clock: ws.clock, log: silentLog })
/** Stands in for the ingress: the UDID's enrolled device (the certificate check is the ingress's). */
const authenticate = (udid: string) => {
  authenticated.push(udid)
  const known = ws.app.services.store.outbox.appleByUdid(udid)
  if (!known) throw new Error(`no device ${udid}`)
  return known.deviceId
}
const checkIn = (m: Dict) => mdm().checkIn(m, authenticate)
const report = (m: Dict) => mdm().report(m, authenticate)
const body = (a: AppleAnswer) => {
  if (!a.ok) throw new Error(`refused: ${a.status} ${a.message}`)
  return a.body
}
const store = () => ws.app.services.store
const commandsOf = (deviceId: string) => store().devices.commands(deviceId)

describe('the channel a message comes from (after nanomdm mdm/type.go)', () => {
  it.each([
    ['nothing', {}, null],
    ['a UDID', { UDID: 'a' }, { kind: 'device', udid: 'a' }],
    [
      'a UDID and UserID',
      { UDID: 'b', UserID: 'c', UserShortName: 'alex' },
      { kind: 'user', udid: 'b', channel: 'c', shortName: 'alex', longName: null },
    ],
    [
      'a Shared iPad user',
      { UDID: 'g', UserID: SHARED_IPAD_USER_ID, UserShortName: 'appleid@example.com' },
      { kind: 'user', udid: 'g', channel: 'appleid@example.com', shortName: 'appleid@example.com', longName: null },
    ],
    ['an EnrollmentID', { EnrollmentID: 'd' }, { kind: 'user-enrollment', enrollmentId: 'd', enrollmentUserId: null }],
    [
      'an EnrollmentID and EnrollmentUserID',
      { EnrollmentID: 'e', EnrollmentUserID: 'f' },
      { kind: 'user-enrollment', enrollmentId: 'e', enrollmentUserId: 'f' },
    ],
  ] as const)('%s', (_name, message, expected) => {
    expect(channelOf(message as Dict)).toEqual(expected)
  })
})

describe('Authenticate', () => {
  it('records what a captured Mac says about itself and queues its questions', async () => {
    expect(body(await checkIn(fixture('nanomdm-Authenticate.2.plist')))).toBeNull()
    expect(store().apple.facts(imac)).toMatchObject({
      deviceName: 'Fruit',
      osVersion: '10.12.6',
      buildVersion: '16G2136',
      model: 'iMac14,2',
      modelName: 'iMac',
      productName: 'iMac14,2',
    })
    expect(commandsOf(imac).map(c => [c.type, c.channel])).toEqual(
      expect.arrayContaining([
        ['device_information', null],
        ['security_info', null],
        ['installed_application_list', null],
        ['profile_list', null],
      ]),
    )
  })

  it('asks its questions once, however often the device authenticates', async () => {
    await checkIn(fixture('nanomdm-Authenticate.1.plist'))
    await checkIn(fixture('nanomdm-Authenticate.1.plist'))
    expect(commandsOf(ipad).filter(c => c.type === 'device_information')).toHaveLength(1)
  })
})

describe('TokenUpdate', () => {
  it('stores a captured iPad push identity and its UnlockToken, sealed at rest', async () => {
    const captured = fixture('nanomdm-TokenUpdate.1.plist')
    expect(body(await checkIn(captured))).toBeNull()
    expect(store().outbox.pushTarget(ipad)).toMatchObject({
      pushToken: Buffer.from(captured['Token'] as Uint8Array).toString('hex'),
      pushMagic: 'CEFDF0BD-E342-4A27-8742-E930EA116B0A',
      pushTopic: TOPIC,
    })
    const unlock = captured['UnlockToken'] as Uint8Array
    expect(Buffer.from(store().apple.unlockToken(ipad) ?? [])).toEqual(Buffer.from(unlock))
    const db = new Database(join(ws.dir, DATABASE_FILE), { readonly: true })
    const raw = db.prepare('SELECT unlock_token FROM devices WHERE id = ?').pluck().get(ipad) as string
    db.close()
    expect(raw).toContain('$sealed')
    expect(raw).not.toContain(Buffer.from(unlock).toString('base64').slice(0, 40))
  })

  it("keeps a Mac's user channel apart from its device channel", async () => {
    await checkIn(fixture('nanomdm-TokenUpdate.2.plist'))
    const device = store().outbox.pushTarget(imac)
    const user = fixture('constructed-macos-user-TokenUpdate.plist')
    expect(body(await checkIn(user))).toBeNull()
    expect(store().outbox.pushTarget(imac)).toEqual(device)
    expect(store().apple.userChannels(imac)).toEqual([
      expect.objectContaining({ channel: MAC_USER, shortName: 'alex', longName: 'Alex Example' }),
    ])
    expect(store().apple.userChannelTarget(imac, MAC_USER)).toEqual({
      deviceId: imac,
      channel: MAC_USER,
      pushToken: Buffer.from(user['Token'] as Uint8Array).toString('hex'),
      pushTopic: TOPIC,
      pushMagic: '5B1D2C3E-6F70-4A81-92B3-C4D5E6F70819',
    })
  })
})

describe('the command connection on two channels', () => {
  it("hands a user channel's Idle only that user's commands", async () => {
    await checkIn(fixture('nanomdm-Authenticate.2.plist'))
    await checkIn(fixture('constructed-macos-user-TokenUpdate.plist'))
    const idle = fixture('constructed-macos-user-Idle.plist')
    // The device channel's policies and questions wait; the user channel gets none of them.
    expect(body(await report(idle))).toBeNull()
    await ws.app.services.devices.scan(imac)
    const next = body(await report(idle)) as Dict
    expect((next['Command'] as Dict)['RequestType']).toBe('ProfileList')
    const uuid = next['CommandUUID'] as string
    expect(commandsOf(imac).find(c => c.id === uuid)?.channel).toBe(MAC_USER)
    const ack = {
      ...idle,
      Status: 'Acknowledged',
      CommandUUID: uuid,
      ProfileList: [{ PayloadIdentifier: 'com.example.user.vpn', PayloadDisplayName: 'VPN', PayloadUUID: 'P-1' }],
    }
    expect(body(await report(ack))).toBeNull()
    expect(store().apple.userChannels(imac)[0]?.profiles).toEqual([
      { identifier: 'com.example.user.vpn', name: 'VPN', uuid: 'P-1' },
    ])
    // The user's profiles are not the device's.
    expect(store().apple.facts(imac)?.profiles).toBeNull()
  })

  it("wakes a user channel with its own token and records the push on that channel's commands only", async () => {
    // The Mac has no device push token yet: its device-channel questions cannot be pushed.
    await checkIn(fixture('nanomdm-Authenticate.2.plist'))
    const user = fixture('constructed-macos-user-TokenUpdate.plist')
    await checkIn(user)
    await ws.app.services.devices.scan(imac)
    expect(ws.push.wakeups).toEqual([
      expect.objectContaining({
        deviceId: imac,
        pushToken: Buffer.from(user['Token'] as Uint8Array).toString('hex'),
        pushMagic: '5B1D2C3E-6F70-4A81-92B3-C4D5E6F70819',
      }),
    ])
    const commands = commandsOf(imac)
    expect(commands.filter(c => c.channel === MAC_USER).map(c => [c.state, c.attempts])).toEqual([['pushed', 1]])
    expect(commands.filter(c => c.channel === null).every(c => c.state === 'queued' && c.attempts === 0)).toBe(true)
  })

  it("refuses a result on one channel for a command of the other channel's queue", async () => {
    await checkIn(fixture('nanomdm-Authenticate.2.plist'))
    const deviceCommand = commandsOf(imac)[0]
    const r = await report({
      ...fixture('constructed-macos-user-Idle.plist'),
      Status: 'Acknowledged',
      CommandUUID: deviceCommand?.id as string,
    })
    expect(r).toMatchObject({ ok: false, status: 404 })
    expect(commandsOf(imac).find(c => c.id === deviceCommand?.id)?.state).not.toBe('acknowledged')
  })

  it('stores a captured DeviceInformation result on the device record', async () => {
    const result = fixture('nanomdm-DeviceInformation.1.plist')
    const at = ws.clock.now().toISOString()
    store().devices.enqueue(
      imac,
      [
        {
          id: result['CommandUUID'] as string,
          type: 'device_information',
          payload: {},
          reason: { policyId: '', policyName: 'Scan Device', groupId: null, groupName: null, summary: '' },
          deadlineAt: at,
        },
      ],
      at,
    )
    await checkIn(fixture('nanomdm-Authenticate.2.plist'))
    body(await report(result))
    expect(commandsOf(imac).find(c => c.id === result['CommandUUID'])?.state).toBe('acknowledged')
    // It answered only HostName and UDID: what Authenticate said stays, the report time is new.
    expect(store().apple.facts(imac)).toMatchObject({ osVersion: '10.12.6', informationAt: at })
  })
})

describe('the other check-in messages', () => {
  const mac = (m: Dict): Dict => ({ UDID: IMAC, Topic: TOPIC, ...m })

  it('declines UserAuthenticate with 410 Gone', async () => {
    expect(await checkIn(fixture('constructed-macos-user-UserAuthenticate.plist'))).toMatchObject({
      ok: false,
      status: 410,
      code: 'USER_NOT_MANAGED',
    })
  })

  it('marks a device that checks out and keeps its record and commands; Authenticate enrolls it again', async () => {
    const before = commandsOf(imac).length
    expect(body(await checkIn(mac({ MessageType: 'CheckOut' })))).toBeNull()
    expect(store().apple.checkedOutAt(imac)).toBe(ws.clock.now().toISOString())
    expect(store().devices.get(imac)).toBeDefined()
    expect(commandsOf(imac)).toHaveLength(before)
    await checkIn(fixture('nanomdm-Authenticate.2.plist'))
    expect(store().apple.checkedOutAt(imac)).toBeNull()
  })

  it('keeps the bootstrap token sealed and gives it back; an empty one removes it', async () => {
    const token = new Uint8Array(Buffer.from('bootstrap-token-bytes'))
    expect(body(await checkIn(mac({ MessageType: 'SetBootstrapToken', BootstrapToken: token })))).toBeNull()
    const got = body(await checkIn(mac({ MessageType: 'GetBootstrapToken' }))) as Dict
    expect(Buffer.from(got['BootstrapToken'] as Uint8Array).toString()).toBe('bootstrap-token-bytes')
    await checkIn(mac({ MessageType: 'SetBootstrapToken' }))
    expect(body(await checkIn(mac({ MessageType: 'GetBootstrapToken' })))).toBeNull()
  })

  it.each([
    ['DeclarativeManagement', { Endpoint: 'tokens' }, 404, 'DECLARATIVE_MANAGEMENT_UNSUPPORTED'],
    ['GetToken', { TokenServiceType: 'com.apple.maid' }, 400, 'BAD_INPUT'],
    ['Frobnicate', {}, 400, 'BAD_INPUT'],
  ])('refuses %s with %s', async (type, keys, status, code) => {
    expect(await checkIn(mac({ MessageType: type, ...keys }))).toMatchObject({ ok: false, status, code })
  })

  it('refuses a device-channel message that arrives on a user channel', async () => {
    expect(await checkIn(mac({ MessageType: 'CheckOut', UserID: MAC_USER }))).toMatchObject({ ok: false, status: 400 })
    expect(store().apple.checkedOutAt(imac)).toBeNull()
  })

  it('refuses account-driven User Enrollment with a message that says so, before authenticating', async () => {
    const r = await checkIn({ MessageType: 'Authenticate', EnrollmentID: 'ENR-1', Topic: TOPIC })
    expect(r).toMatchObject({ ok: false, status: 400, code: 'USER_ENROLLMENT_UNSUPPORTED' })
    expect(r.ok ? '' : r.message).toMatch(/User Enrollment .* not supported/)
    expect(authenticated).toEqual([])
  })

  it('answers every message type with wrong field types by a 4xx, never an exception', async () => {
    const types = [
      'Authenticate',
      'TokenUpdate',
      'CheckOut',
      'UserAuthenticate',
      'SetBootstrapToken',
      'GetBootstrapToken',
      'DeclarativeManagement',
      'GetToken',
    ]
    for (const MessageType of types) {
      const bad = mac({
        MessageType,
        Token: 'not data',
        PushMagic: 7,
        BootstrapToken: 'x',
        Endpoint: 1,
        TokenServiceType: [],
        UserID: 3,
      })
      const r = await checkIn(bad)
      expect(r.ok ? 200 : r.status, MessageType).toBeGreaterThanOrEqual(400)
      expect(r.ok ? 200 : r.status, MessageType).toBeLessThan(500)
    }
    // A whole property list re-encoded from a capture still parses the same (no key is lost).
    expect(parsePlist(buildPlist(fixture('nanomdm-TokenUpdate.1.plist')))).toEqual(
      fixture('nanomdm-TokenUpdate.1.plist'),
    )
  })
})
