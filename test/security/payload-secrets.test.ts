// Payload secrets at rest: a Wi-Fi password saved in a policy, queued for a device and recorded
// as sent never appears in the workspace's SQLite files; it is sealed under the data key behind
// the secrets port, and every room above the store still sees the plain value.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPayloadSealer } from '../../src/main/store'
import type { ChangeOutcome, PolicyDraft } from '../../src/shared/policy'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../helpers/workspace'

const PASSWORD = 'CorrectHorse-9f3b-secret'
let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>
beforeEach(() => {
  ws = openWorkspace()
  org = seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const wifi = (): PolicyDraft => ({
  name: 'Office Wi-Fi',
  description: '',
  priority: 10,
  platforms: ['ios'],
  items: [
    {
      kind: 'profile',
      identifier: 'com.example.wifi',
      name: 'Office',
      platform: null,
      settings: { type: 'wifi', ssid: 'Office', security: 'WPA2', password: PASSWORD },
      removeOnUnassign: false,
    },
  ],
  targets: [{ groupId: org.groups['Sales'] as string, mode: 'include' }],
})

const databaseBytes = () =>
  ['jit-mapper.db', 'jit-mapper.db-wal']
    .map(f => join(ws.dir, f))
    .filter(existsSync)
    .map(f => readFileSync(f).toString('latin1'))
    .join('')

describe('payload secrets at rest', () => {
  it('never writes a profile password into SQLite, while the policy, commands and sent items read it back', async () => {
    const saved = (await ws.call('policies/apply', { change: { kind: 'policy', draft: wifi() } })) as ChangeOutcome
    expect(saved.status).toBe('applied')
    const enrolled = await ws.app.services.devices.enroll({
      serial: 'SEAL-1',
      platform: 'ios',
      userPrincipalName: 'alex@example.test',
    })
    const { store } = ws.app.services
    const profile = store.devices.commands(enrolled.device.id).find(c => JSON.stringify(c.payload).includes('Office'))
    expect(JSON.stringify(profile?.payload)).toContain(PASSWORD)
    expect(JSON.stringify(store.devices.sentItems(enrolled.device.id))).toContain(PASSWORD)
    expect(JSON.stringify(store.policies.list())).toContain(PASSWORD)

    expect(databaseBytes()).not.toContain(PASSWORD)
    const db = new Database(join(ws.dir, 'jit-mapper.db'), { readonly: true })
    try {
      const stored = db.prepare('SELECT settings FROM payload_items').pluck().all() as string[]
      expect(stored.join()).toMatch(/"password":\{"\$sealed":"v1\./)
    } finally {
      db.close()
    }
    expect(JSON.parse(readFileSync(join(ws.dir, 'secrets.json'), 'utf8'))).toHaveProperty(['workspace.dataKey'])
  })

  it('compares what was sent by its plain value, so a recompute sends the profile no second time', async () => {
    await ws.call('policies/apply', { change: { kind: 'policy', draft: wifi() } })
    const { devices, store } = ws.app.services
    const { device } = await devices.enroll({
      serial: 'SEAL-2',
      platform: 'ios',
      userPrincipalName: 'alex@example.test',
    })
    const bulk = store.bulkReads.allSentItems().get(device.id) ?? []
    const profile = bulk.find(i => i.kind === 'profile')
    expect(profile?.json).toBe(JSON.stringify(profile?.value))
    expect(profile?.json).toContain(PASSWORD)
    const before = store.devices.commands(device.id).length
    expect(await devices.redeployAll({ approved: true })).toBe(0)
    expect(store.devices.commands(device.id).length).toBe(before)
  })

  it('seals the password of a policy edit held for approval, and approving it applies the plain value', async () => {
    await ws.call('policies/apply', { change: { kind: 'policy', draft: wifi() } })
    for (const serial of ['HELD-1', 'HELD-2'])
      await ws.app.services.devices.enroll({ serial, platform: 'ios', userPrincipalName: 'alex@example.test' })
    await ws.call('policies/setSettings', { breakerDevices: 1, breakerShare: 0.01 })
    const policy = (await ws.call('policies/list', {})).find(p => p.name === 'Office Wi-Fi')
    const NEW = 'Another-7c1d-secret'
    const draft: PolicyDraft = {
      ...wifi(),
      id: policy?.id,
      items: wifi().items.map(i => ({ ...i, id: policy?.items[0]?.id, settings: { ...i.settings, password: NEW } })),
      targets: [],
    }
    const held = (await ws.call('policies/apply', { change: { kind: 'policy', draft } })) as ChangeOutcome
    expect(held.status).toBe('held')
    expect(databaseBytes()).not.toContain(NEW)
    expect(JSON.stringify(await ws.call('policies/held', {}))).not.toContain(NEW)
    if (held.status !== 'held') return
    await ws.call('policies/approve', { heldChangeId: held.heldChange.id })
    expect(JSON.stringify(ws.app.services.store.policies.list())).toContain(NEW)
  })

  it('refuses to open a secret sealed under another key, and leaves other values alone', () => {
    const a = createPayloadSealer(() => Buffer.alloc(32, 1))
    const b = createPayloadSealer(() => Buffer.alloc(32, 2))
    const sealed = a.seal({ type: 'vpn', sharedSecret: 's3', nested: [{ Password: 'p' }], ssid: 'x' })
    expect(JSON.stringify(sealed)).not.toMatch(/"s3"|"p"/)
    expect(sealed).toMatchObject({ type: 'vpn', ssid: 'x' })
    expect(a.open(sealed)).toEqual({ type: 'vpn', sharedSecret: 's3', nested: [{ Password: 'p' }], ssid: 'x' })
    expect(a.seal(sealed)).toEqual(sealed)
    expect(() => b.open(sealed)).toThrow(/data key/)
  })
})
