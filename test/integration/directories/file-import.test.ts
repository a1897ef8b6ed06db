// Importing files into a file directory: update and replace, rows without ids, and what the
// groups column may name.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SyncRun } from '../../../src/shared/domain'
import { acknowledgeAll, openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>
beforeEach(() => {
  ws = openWorkspace({ ackDeadlineMs: 60_000 })
  org = seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const importCsv = (content: string, mode: 'update' | 'replace', confirmRemovals?: boolean) =>
  ws.call('directories/import', {
    directoryId: org.directoryId,
    format: 'csv',
    content,
    mode,
    confirmRemovals,
  }) as Promise<{
    run: SyncRun
  }>
const userOf = (upn: string) => ws.app.services.store.users.idByPrincipalName(upn) as string
const groupsOf = (upn: string) =>
  ws.app.services.store.groups
    .membershipsOf(userOf(upn))
    .filter(m => m.groupKind === 'synced')
    .map(m => m.groupName)
    .sort()

describe('an update import', () => {
  it('updates the users a file without ids names, keeping the attributes and groups it does not give', async () => {
    const out = await importCsv(
      'userPrincipalName,department\nsam@example.test,Sales\nnew@example.test,Legal\n',
      'update',
    )
    expect(out.run).toMatchObject({ mode: 'import', status: 'succeeded', added: 1, changed: 1, removed: 0 })
    expect(ws.app.services.store.users.attributes(userOf('sam@example.test'))).toEqual({
      department: 'Sales',
      jobTitle: 'Brand Manager',
      usageLocation: 'DE',
    })
    expect(ws.app.services.store.users.summary(userOf('sam@example.test'))?.displayName).toBe('Sam Rivera')
    expect(groupsOf('sam@example.test')).toEqual(['All Staff', 'Executives'])
    expect(ws.app.services.store.sync.userCount(org.directoryId)).toBe(5)
  })

  it('clears an attribute whose cell is empty and sets the groups a groups column gives', async () => {
    await importCsv('id,userPrincipalName,jobTitle,groups\nu2,sam@example.test,,All Staff\n', 'update')
    expect(ws.app.services.store.users.attributes(userOf('sam@example.test'))).toEqual({
      department: 'Marketing',
      usageLocation: 'DE',
    })
    expect(groupsOf('sam@example.test')).toEqual(['All Staff'])
  })
})

describe('a replace import', () => {
  it('makes the file the whole directory: users missing from it leave', async () => {
    const out = await importCsv(
      'userPrincipalName,department,groups\nalex@example.test,Sales,All Staff\nsam@example.test,Sales,All Staff\ndee@example.test,,All Staff\n',
      'replace',
      true,
    )
    expect(out.run).toMatchObject({ mode: 'import', status: 'succeeded', changed: 3, removed: 1 })
    expect(ws.app.services.store.users.idByPrincipalName('kim@example.test')).toBeUndefined()
    // The row is the whole user: jobTitle and usageLocation were not in the file.
    expect(ws.app.services.store.users.attributes(userOf('sam@example.test'))).toEqual({ department: 'Sales' })
    expect(groupsOf('sam@example.test')).toEqual(['All Staff'])
  })

  it("withdraws at once what a removed user's devices were sent: delivered items removed, waiting ones cancelled", async () => {
    const crm = ws.app.services.store.policies
      .get(org.policies['Sales CRM Deployment'] as string)
      ?.items.find(i => i.kind === 'app')
    await ws.call('policies/setRemoveOnUnassign', { itemId: crm?.id as string, value: true })
    const phone = await ws.call('devices/enroll', {
      serial: 'P',
      platform: 'ios',
      userPrincipalName: 'alex@example.test',
    })
    const tablet = await ws.call('devices/enroll', {
      serial: 'T',
      platform: 'ios',
      userPrincipalName: 'alex@example.test',
    })
    await acknowledgeAll(ws, phone.device.id)
    await importCsv('userPrincipalName,department\nsam@example.test,Marketing\n', 'replace', true)
    const types = async (deviceId: string) =>
      (await ws.call('devices/get', { deviceId })).commands.map(c => `${c.type} ${c.state}`).sort()
    const delivered = await ws.call('devices/get', { deviceId: phone.device.id })
    expect(delivered.device.userId).toBeNull()
    expect(await types(phone.device.id)).toEqual([
      'apply_restrictions acknowledged',
      'apply_restrictions queued',
      'install_app acknowledged',
      'remove_app queued',
    ])
    expect(await types(tablet.device.id)).toEqual([
      'apply_restrictions cancelled',
      'apply_restrictions queued',
      'install_app cancelled',
    ])
    expect(ws.app.services.store.devices.sentItems(phone.device.id)).toEqual([])
    expect((await ws.call('policies/history', { deviceId: phone.device.id }))[0]).toMatchObject({
      action: 'withdrawn',
      summary: "Withdrawn: the device's user was removed from the directory.",
    })
  })

  it('is held when it removes more than the removal limits, and applied once confirmed', async () => {
    // Shares count once the directory has 20 users (removal-guard.ts).
    const more = Array.from({ length: 26 }, (_, i) => `u${i + 10}@example.test,Sales`).join('\n')
    await importCsv(`userPrincipalName,department\n${more}\n`, 'update')
    const file = 'userPrincipalName,department\nalex@example.test,Sales\n'
    const held = await importCsv(file, 'replace')
    expect(held.run).toMatchObject({ mode: 'import', status: 'held', removals: { usersRemoved: 29, usersTotal: 30 } })
    expect(ws.app.services.store.sync.userCount(org.directoryId)).toBe(30)
    const applied = await importCsv(file, 'replace', true)
    expect(applied.run).toMatchObject({ status: 'succeeded', removed: 29 })
    expect(ws.app.services.store.sync.userCount(org.directoryId)).toBe(1)
  })

  it('counts as a sync that confirms a withdrawal', async () => {
    const executives = org.groups['Executives'] as string
    const keeps = () => ws.app.services.groups.effectiveGroupIds(userOf('sam@example.test')).has(executives)
    await importCsv('userPrincipalName,groups\nsam@example.test,All Staff\n', 'update')
    // Left, but kept until a later sync confirms it (the default grace: one confirming sync).
    expect(keeps()).toBe(true)
    ws.clock.advance(60_000)
    await importCsv('userPrincipalName,department\nalex@example.test,Sales\n', 'update')
    expect(keeps()).toBe(false)
  })
})

describe('the groups column', () => {
  it("refuses a rule group's name with the row and column, and changes nothing", async () => {
    const e = await ws.callError('directories/import', {
      directoryId: org.directoryId,
      format: 'csv',
      content: 'userPrincipalName,Groups\nalex@example.test,All Staff\nkim@example.test,Marketing\n',
      mode: 'update',
    })
    expect(e.code).toBe('IMPORT_INVALID')
    expect(e.details?.['errors']).toEqual([expect.objectContaining({ row: 3, column: 'Groups' })])
    expect(groupsOf('kim@example.test')).toEqual(['All Staff'])
  })

  it("refuses another directory's synced group", async () => {
    const other = ws.app.services.directories.createFileDirectory('Contractors')
    ws.app.services.directories.importUsers(
      other,
      'csv',
      'userPrincipalName,groups\nc@example.test,Vendors\n',
      'update',
    )
    const e = await ws.callError('directories/import', {
      directoryId: org.directoryId,
      format: 'csv',
      content: 'userPrincipalName,groups\nalex@example.test,vendors\n',
      mode: 'update',
    })
    expect(e.details?.['errors']).toEqual([expect.objectContaining({ row: 2, column: 'groups' })])
  })

  it('creates a synced group of this directory for a new name', async () => {
    await importCsv('userPrincipalName,groups\nalex@example.test,All Staff;Night Shift\n', 'update')
    expect(groupsOf('alex@example.test')).toEqual(['All Staff', 'Night Shift'])
    expect(ws.app.services.store.groups.list().find(g => g.name === 'Night Shift')).toMatchObject({
      kind: 'synced',
      memberCount: 1,
    })
  })
})
