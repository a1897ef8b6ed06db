// Every admin change — a rule from the rule editor, a target from the Policies page, a policy
// from the policy editor, a deletion — takes one path: `policies/whatIf` previews the change
// object that `policies/apply` then saves or holds. These tests pin that the paths agree: a held
// change is a value and saves nothing, Reject leaves everything as it was, the change is audited
// once, and a bad change fails with the same code in the preview as when applied.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProposedChange } from '../../src/shared/policy'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../helpers/workspace'

let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>

beforeEach(() => {
  ws = openWorkspace({ ackDeadlineMs: 60_000 })
  org = seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const HEADER = 'id,userPrincipalName,displayName,department,jobTitle,usageLocation,groups'

/** Fifty Sales users with a device each: withdrawing Sales from them trips the circuit breaker. */
async function fiftySalesDevices(): Promise<string[]> {
  const rows = Array.from({ length: 50 }, (_, i) => `s${i},s${i}@example.test,User ${i},Sales,Clerk,US,All Staff`)
  await ws.call('directories/import', {
    directoryId: org.directoryId,
    format: 'csv',
    mode: 'update',
    content: `${HEADER}\n${rows.join('\n')}\n`,
  })
  const ids: string[] = []
  for (let i = 0; i < 50; i++) {
    const r = await ws.call('devices/enroll', {
      serial: `S${i}`,
      platform: 'ios',
      userPrincipalName: `s${i}@example.test`,
    })
    ids.push(r.device.id)
  }
  return ids
}

/** What an admin change may touch: rules, policies with their targets, and every device's commands. */
async function state(deviceIds: string[]): Promise<string> {
  const { store } = ws.app.services
  const devices = await Promise.all(deviceIds.map(deviceId => ws.call('devices/get', { deviceId })))
  return JSON.stringify({
    groups: store.groups.list().map(g => [g.id, g.dialect, g.rule, g.memberCount]),
    policies: store.policies.list(),
    commands: devices.map(d => d.commands.map(c => c.id)),
  })
}

const actions = () => ws.app.services.store.audit.recent(1000).map(e => e.action)

/** Each editor's change, each withdrawing Sales CRM Deployment from the fifty devices. */
const editors: { editor: string; action: string; change: () => ProposedChange }[] = [
  {
    editor: 'the rule editor',
    action: 'groups/setRule',
    change: () => ({
      kind: 'rule',
      groupId: org.groups['Sales'] as string,
      dialect: 'okta',
      rule: 'user.department == "Field Sales"',
    }),
  },
  {
    editor: 'the targets table',
    action: 'policies/removeTarget',
    change: () => ({
      kind: 'target',
      policyId: org.policies['Sales CRM Deployment'] as string,
      groupId: org.groups['Sales'] as string,
      mode: null,
    }),
  },
  {
    editor: 'the policy editor',
    action: 'policies/update',
    change: () => {
      const p = ws.app.services.store.policies.get(org.policies['Sales CRM Deployment'] as string)
      if (!p) throw new Error('no Sales CRM Deployment')
      return { kind: 'policy', draft: { ...p, items: [], targets: [] } }
    },
  },
  {
    editor: 'deleting a policy',
    action: 'policies/delete',
    change: () => ({ kind: 'deletePolicy', policyId: org.policies['Sales CRM Deployment'] as string }),
  },
  {
    editor: 'deleting a group',
    action: 'groups/delete',
    change: () => ({ kind: 'deleteGroup', groupId: org.groups['Sales'] as string }),
  },
  {
    editor: 'removing an app from the inventory',
    action: 'apps/delete',
    change: () => {
      // Sales CRM Deployment assigns Salesforce on every platform: gone from the only platform that lists it.
      ws.app.services.store.inventory.put({
        id: 'app:ios:com.salesforce.chatter',
        platform: 'ios',
        identifier: 'com.salesforce.chatter',
        name: 'Salesforce',
      })
      return { kind: 'deleteApp', platform: 'ios', identifier: 'com.salesforce.chatter' }
    },
  },
]

describe.each(editors)('a change from $editor', ({ action, change }) => {
  it('is held as a value before anything is saved, and Reject leaves everything as it was', async () => {
    const devices = await fiftySalesDevices()
    const before = await state(devices)
    const preview = await ws.call('policies/whatIf', { change: change() })
    expect(preview.wouldHold).toBe(true)

    const outcome = await ws.call('policies/apply', { change: change() })
    expect(outcome).toMatchObject({ status: 'held', heldChange: { status: 'held', devicesAffected: 50 } })
    if (outcome.status !== 'held') return
    expect(await state(devices)).toBe(before)
    expect(actions().filter(a => a === 'policies/hold')).toHaveLength(1)
    expect(actions()).not.toContain(action)

    await ws.call('policies/reject', { heldChangeId: outcome.heldChange.id })
    expect(await state(devices)).toBe(before)
    expect(actions()).not.toContain(action)
    expect((await ws.callError('policies/approve', { heldChangeId: outcome.heldChange.id })).code).toBe('CONFLICT')
  })

  it('is saved and audited once when approved', async () => {
    const devices = await fiftySalesDevices()
    const before = await state(devices)
    const outcome = await ws.call('policies/apply', { change: change() })
    if (outcome.status !== 'held') throw new Error('expected a held change')
    await ws.call('policies/approve', { heldChangeId: outcome.heldChange.id })
    expect(await state(devices)).not.toBe(before)
    expect(actions().filter(a => a === action)).toHaveLength(1)
  })

  it('is saved and audited once when it trips nothing', async () => {
    const outcome = await ws.call('policies/apply', { change: change() })
    expect(outcome.status).toBe('applied')
    expect(actions().filter(a => a === action)).toHaveLength(1)
    expect(actions()).not.toContain('policies/hold')
  })
})

describe('a bad change', () => {
  const rule = (over: Partial<Extract<ProposedChange, { kind: 'rule' }>>): ProposedChange => ({
    kind: 'rule',
    groupId: org.groups['Sales'] as string,
    dialect: 'entra',
    rule: 'user.department -eq "Sales"',
    ...over,
  })
  const cases: { name: string; change: () => unknown; code: string; message?: RegExp }[] = [
    { name: 'a rule that does not parse', change: () => rule({ rule: 'user.department -eq' }), code: 'RULE_PARSE' },
    {
      name: 'a synced group',
      change: () => rule({ groupId: org.groups['Executives'] as string }),
      code: 'NOT_EDITABLE',
      message: /Executives is synced from the directory/,
    },
    { name: 'a group that does not exist', change: () => rule({ groupId: 'nope' }), code: 'NOT_FOUND' },
    // One limit for every rule: the parser, not the schema, explains a rule too long for its dialect
    // (Entra allows 3,072 characters; the schema used to cut apply's rules at 10,000).
    {
      name: 'a rule too long for Entra',
      change: () => rule({ rule: `user.department -eq "${'x'.repeat(20_000)}"` }),
      code: 'RULE_PARSE',
      message: /Entra allows at most 3,072/,
    },
    { name: 'a rule without its dialect', change: () => ({ ...rule({}), dialect: undefined }), code: 'BAD_INPUT' },
    {
      name: 'a target on a missing policy',
      change: () => ({ kind: 'target', policyId: 'nope', groupId: org.groups['Sales'], mode: 'include' }),
      code: 'NOT_FOUND',
    },
    {
      name: 'removing a target that is not there',
      change: () => ({
        kind: 'target',
        policyId: org.policies['Sales CRM Deployment'],
        groupId: org.groups['Developers'],
        mode: null,
      }),
      code: 'NOT_FOUND',
      message: /Sales CRM Deployment has no target/,
    },
    {
      name: 'deleting a synced group',
      change: () => ({ kind: 'deleteGroup', groupId: org.groups['Executives'] }),
      code: 'NOT_EDITABLE',
      message: /Executives is synced from Test directory; stop syncing it/,
    },
    {
      name: "renaming a group to another group's name",
      change: () => ({ kind: 'renameGroup', groupId: org.groups['Sales'], name: 'marketing' }),
      code: 'BAD_INPUT',
      message: /Sales was not renamed: name marketing is taken by another group/,
    },
    {
      name: "renaming a policy to another policy's name",
      change: () => ({ kind: 'renamePolicy', policyId: org.policies['Sales CRM Deployment'], name: 'Marketing Suite' }),
      code: 'BAD_INPUT',
      message: /name Marketing Suite is taken by another policy/,
    },
    {
      name: 'removing an app the inventory does not list',
      change: () => ({ kind: 'deleteApp', platform: 'android', identifier: 'com.example.none' }),
      code: 'NOT_FOUND',
    },
  ]

  it.each(cases)('fails alike in the preview and when applied: $name', async ({ change, code, message }) => {
    const rules = () => ws.app.services.store.groups.list().map(g => g.rule)
    const before = rules()
    const preview = await ws.app.invoke('policies/whatIf', { change: change() })
    const applied = await ws.app.invoke('policies/apply', { change: change() })
    for (const r of [preview, applied]) {
      expect(r.ok).toBe(false)
      if (r.ok) continue
      expect(r.error.code).toBe(code)
      if (message) expect(r.error.message).toMatch(message)
    }
    if (!preview.ok && !applied.ok)
      expect(applied.error.message).toBe(preview.error.message.replace('policies/whatIf', 'policies/apply'))
    expect(rules()).toEqual(before)
  })

  it('says where a rule does not parse, in one wording for the editor and the preview', async () => {
    const text = 'user.department -eq'
    const explained = await ws.callError('rules/explain', {
      dialect: 'entra',
      text,
      userId: ws.app.services.store.users.ids(1)[0],
    })
    const applied = await ws.callError('policies/apply', { change: rule({ rule: text }) })
    expect(applied.message).toBe(explained.message)
    expect(applied.message).toMatch(/^The rule does not parse \(line 1, column 20\): /)
  })
})

describe('renaming', () => {
  it('renames a policy and a rule group, audited with before and after, and reaches no device', async () => {
    const policyId = org.policies['Sales CRM Deployment']
    const groupId = org.groups['Sales']
    const preview = await ws.call('policies/whatIf', { change: { kind: 'renameGroup', groupId, name: 'Field Sales' } })
    expect(preview.totals.devicesAffected).toBe(0)
    await ws.call('policies/apply', { change: { kind: 'renamePolicy', policyId, name: ' Sales CRM ' } })
    await ws.call('policies/apply', { change: { kind: 'renameGroup', groupId, name: 'Field Sales' } })
    expect((await ws.call('policies/get', { policyId })).name).toBe('Sales CRM')
    expect((await ws.call('policies/get', { policyId })).targets[0]?.groupName).toBe('Field Sales')
    const audit = ws.app.services.store.audit.recent(10)
    expect(audit.find(e => e.action === 'policies/rename')?.details).toMatchObject({
      before: 'Sales CRM Deployment',
      after: 'Sales CRM',
    })
    expect(audit.find(e => e.action === 'groups/rename')?.details).toMatchObject({
      before: 'Sales',
      after: 'Field Sales',
    })
  })
})

describe('deleting a group', () => {
  it("withdraws what only it gave its members' devices, and leaves no membership behind", async () => {
    const [deviceId] = await fiftySalesDevices()
    const groupId = org.groups['Sales']
    // Fifty devices trip the circuit breaker: the deletion waits for approval.
    const outcome = await ws.call('policies/apply', { change: { kind: 'deleteGroup', groupId } })
    if (outcome.status !== 'held') throw new Error('expected a held change')
    expect(outcome.heldChange.summary).toMatch(/^Deleting the group Sales: 50 user\(s\) change groups/)
    await ws.call('policies/approve', { heldChangeId: outcome.heldChange.id })
    expect(ws.app.services.store.groups.get(groupId)).toBeUndefined()
    const device = await ws.call('devices/get', { deviceId: deviceId as string })
    expect(device.assignments.map(a => a.policyName)).not.toContain('Sales CRM Deployment')
    expect(
      ws.app.services.groups
        .allEffectiveGroupIds()
        .get(device.device.userId as string)
        ?.has(groupId) ?? false,
    ).toBe(false)
  })
})
