// Removing a directory: the preview says what goes and what the devices of its users lose; a
// removal that reaches many devices is held until the admin confirms; then the devices lose
// their policies and user, and the directory, its users, groups and credentials are gone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>

beforeEach(() => {
  ws = openWorkspace({ ackDeadlineMs: 60_000 })
  org = seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const enroll = async (serial: string, upn: string) =>
  (await ws.call('devices/enroll', { serial, platform: 'ios', userPrincipalName: upn })).device.id

describe('the removal preview', () => {
  it('lists the users, groups, targeting policies and what each device loses, writing nothing', async () => {
    const alex = await enroll('A1', 'alex@example.test')
    const preview = await ws.call('directories/removalPreview', { directoryId: org.directoryId })
    expect(preview).toMatchObject({ name: 'Test directory', users: 4, wouldHold: false, devicesWithdrawn: 1 })
    expect(preview.groups.map(g => g.name)).toContain('Executives')
    expect(preview.policies.map(p => p.name)).toEqual(['Marketing Suite'])
    expect(preview.devices).toEqual([
      expect.objectContaining({ deviceId: alex, userPrincipalName: 'alex@example.test', unmanaged: ['Salesforce'] }),
    ])
    expect(preview.summary).toMatch(/^Removing Test directory removes 4 user\(s\) and \d+ group\(s\)/)
    expect(ws.app.services.store.directories.get(org.directoryId)).toBeDefined()
  })

  it('says NOT_FOUND for a directory that does not exist', async () => {
    expect((await ws.callError('directories/removalPreview', { directoryId: 'nope' })).code).toBe('NOT_FOUND')
  })
})

describe('removing a directory', () => {
  it('withdraws its users’ devices, unbinds them and deletes its users and groups', async () => {
    const alex = await enroll('A1', 'alex@example.test')
    const outcome = await ws.call('directories/remove', { directoryId: org.directoryId })
    expect(outcome.status).toBe('removed')
    expect(ws.app.services.store.directories.get(org.directoryId)).toBeUndefined()
    expect(ws.app.services.store.users.count()).toBe(0)
    expect(ws.app.services.store.groups.get(org.groups['Executives'])).toBeUndefined()
    const device = await ws.call('devices/get', { deviceId: alex })
    expect(device.device.userId).toBeNull()
    expect(device.assignments).toEqual([])
    const actions = ws.app.services.store.audit.list({}).map(e => e.action)
    expect(actions).toEqual(expect.arrayContaining(['devices/unbind', 'directories/remove']))
  })

  it('is held like a sync that removes too many users, until confirmed', async () => {
    // Every user leaves: held once the directory has as many users as the sync hold counts from.
    await ws.call('policies/setSettings', { syncHoldMinimum: 4 })
    await enroll('A1', 'alex@example.test')
    const held = await ws.call('directories/remove', { directoryId: org.directoryId })
    expect(held.status).toBe('held')
    expect(held.removal.summary).toMatch(/held until you confirm/)
    expect(ws.app.services.store.directories.get(org.directoryId)).toBeDefined()
    expect(ws.app.services.store.users.count()).toBe(4)
    const removed = await ws.call('directories/remove', { directoryId: org.directoryId, confirmRemovals: true })
    expect(removed.status).toBe('removed')
    expect(ws.app.services.store.directories.get(org.directoryId)).toBeUndefined()
  })

  it('forgets the directory’s stored credentials', async () => {
    const id = await ws.app.services.directories.connect({
      kind: 'okta',
      name: 'Okta',
      settings: { orgUrl: 'https://example.okta.com' },
      secrets: { apiToken: 'SSWS-secret' },
    })
    expect((await ws.call('directories/get', { directoryId: id })).secretsStored).toEqual(['apiToken'])
    await ws.call('directories/remove', { directoryId: id })
    expect(await ws.app.services.directories.list().find(d => d.id === id)).toBeUndefined()
    const secrets = await import('node:fs').then(fs => fs.readFileSync(`${ws.dir}/secrets.json`, 'utf8'))
    expect(secrets).not.toContain('SSWS-secret')
  })
})
