import { cpSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadDemo } from '../../src/main/demo'
import { resourcesDir } from '../../src/main/resources'
import { openWorkspace, tempDir, type TestWorkspace } from '../helpers/workspace'

let ws: TestWorkspace
const dirs: { remove(): void }[] = []
afterEach(() => {
  ws.close()
  dirs.splice(0).forEach(d => d.remove())
})

describe('the demo organisation', () => {
  it("loads into an empty workspace once, with the brief's three mappings", async () => {
    ws = openWorkspace()
    expect(loadDemo(ws.app)).toBe(true)
    expect(loadDemo(ws.app)).toBe(false)
    const summary = await ws.call('workspace/summary', {})
    expect(summary.users).toBeGreaterThanOrEqual(300)
    expect(summary.policies).toBe(6)
    const groups = await ws.call('groups/list', {})
    const byName = new Map(groups.map(g => [g.name, g]))
    for (const name of ['Sales', 'Developers', 'EU Staff']) expect(byName.get(name)?.memberCount).toBeGreaterThan(0)
    const policies = await ws.call('policies/list', {})
    const target = (name: string) => policies.find(p => p.name === name)?.targets.map(t => t.groupName)
    expect(target('Sales CRM Deployment')).toEqual(['Sales'])
    expect(target('Developer Tools')).toEqual(['Developers'])
    expect(target('GDPR Data Residency')).toEqual(['EU Staff'])
    const [directory] = await ws.call('directories/list', {})
    expect(directory).toMatchObject({
      kind: 'file',
      userCount: summary.users,
      lastSync: { status: 'succeeded', added: summary.users },
    })
  })

  it("has demo policies that pass the same validation as an admin's save, and saving one unchanged sends nothing", async () => {
    ws = openWorkspace()
    loadDemo(ws.app)
    const enrolled = await ws.call('devices/enroll', {
      serial: 'DEMO-1',
      platform: 'ios',
      userPrincipalName: 'alex.morgan@northwind.example',
    })
    expect(
      enrolled.commands.find(c => c.type === 'install_profile' && c.payload['name'] === 'Northwind mail')?.payload[
        'settings'
      ],
    ).toMatchObject({
      emailAddress: 'alex.morgan@northwind.example',
    })
    for (const p of await ws.call('policies/list', {})) {
      const draft = { ...p, targets: p.targets.map(t => ({ groupId: t.groupId, mode: t.mode })) }
      const outcome = await ws.call('policies/apply', { change: { kind: 'policy', draft } })
      expect(outcome, p.name).toMatchObject({ status: 'applied', devicesUpdated: 0 })
    }
  })

  it('refuses a broken organisation file and leaves the workspace empty', () => {
    ws = openWorkspace()
    const dir = tempDir('demo-')
    dirs.push(dir)
    cpSync(join(resourcesDir(), 'demo'), dir.path, { recursive: true })
    writeFileSync(
      join(dir.path, 'organisation.json'),
      JSON.stringify({
        directory: { name: 'X', kind: 'file', usersFile: 'users.csv' },
        groups: [],
        policies: [{ name: 'P', platforms: ['ios'], items: [], targets: [{ group: 'Nope', mode: 'include' }] }],
      }),
    )
    expect(() => loadDemo(ws.app, dir.path)).toThrow(/targets unknown group Nope/)
    expect(ws.app.services.store.isEmpty()).toBe(true)
  })
})
