// Every admin change lands in the audit log with before → after, and no secret does: directory
// configuration and credentials, push credentials, and the device actions.
import { afterEach, describe, expect, it } from 'vitest'
import { openDevicesWorld, type DevicesWorld } from '../../helpers/devices-world'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

const pemLine = (pem: string): string => pem.split('\n').filter(l => l && !l.startsWith('-----'))[1] ?? ''

let ws: TestWorkspace | null = null
let world: DevicesWorld | null = null
afterEach(async () => {
  ws?.close()
  await world?.close()
  ws = null
  world = null
})

describe('the audit trail', () => {
  it('records directory configuration with before → after and credentials by name only', async () => {
    ws = openWorkspace()
    const directory = await ws.call('directories/connect', {
      kind: 'okta',
      name: 'Okta',
      settings: { orgUrl: 'https://example.okta.com' },
      secrets: { apiToken: '00first-token' },
    })
    const directoryId = directory.directory.id
    await ws.call('directories/setCredentials', { directoryId, settings: {}, secrets: { apiToken: '00second-token' } })
    await ws.call('directories/setSchedule', { directoryId, minutes: 60 })
    await ws.call('directories/setGroupFilter', { directoryId, groups: ['Sales'] })
    const log = ws.app.services.store.audit.list({ action: 'directories/' })
    expect(log.map(e => e.action)).toEqual([
      'directories/setGroupFilter',
      'directories/setSchedule',
      'directories/setCredentials',
      'directories/connect',
    ])
    expect(log[1]?.details).toEqual({ before: null, after: 60 })
    expect(log[2]?.details).toMatchObject({ credentialsReplaced: ['apiToken'] })
    expect(log[3]?.details).toMatchObject({ after: { kind: 'okta', name: 'Okta' }, credentials: ['apiToken'] })
    expect(JSON.stringify(ws.app.services.store.audit.list({}))).not.toMatch(/first-token|second-token/)
  })

  it('records the device actions', async () => {
    ws = openWorkspace()
    seedSmallOrganisation(ws)
    const { device } = await ws.call('devices/enroll', {
      serial: 'A1',
      platform: 'ios',
      userPrincipalName: 'alex@example.test',
    })
    await ws.call('devices/scan', { deviceId: device.id })
    await ws.call('devices/repush', { deviceId: device.id })
    await ws.call('devices/cancel', { deviceId: device.id })
    expect(ws.app.services.store.audit.list({ action: 'devices/' }).map(e => e.action)).toEqual([
      'devices/cancel',
      'devices/repush',
      'devices/scan',
      'devices/enroll',
    ])
  })

  it('records push credentials by topic and project, never the key', async () => {
    world = await openDevicesWorld({})
    await world.ws.call('push/setApnsCertificate', { certificate: world.pki.push.certPem, key: world.pki.push.keyPem })
    await world.ws.call('push/setServiceAccount', { serviceAccount: world.fcm.serviceAccount })
    const log = world.ws.app.services.store.audit.list({ action: 'push/' })
    expect(log.map(e => e.action)).toEqual(['push/setServiceAccount', 'push/setApnsCertificate'])
    expect(log[1]?.details).toMatchObject({ before: { topic: null }, after: { topic: expect.any(String) } })
    const text = JSON.stringify(log)
    expect(text).not.toContain(pemLine(world.pki.push.keyPem))
    expect(text).not.toContain('PRIVATE KEY')
  })
})
