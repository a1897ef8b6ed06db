import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type {
  DeviceDetail,
  EnrollResult,
  GroupDetail,
  RuleCheck,
  RulePreview,
  RuleUserExplanation,
} from '../../src/shared/domain'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../helpers/workspace'

let ws: TestWorkspace
let org: ReturnType<typeof seedSmallOrganisation>

beforeEach(() => {
  ws = openWorkspace({ ackDeadlineMs: 60_000 })
  org = seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const userId = (upn: string) => ws.app.services.store.users.idByPrincipalName(upn) as string
const names = (detail: GroupDetail) => detail.members.map(m => m.userPrincipalName).sort()

describe('rules/check', () => {
  it('returns the parse error with its position and the tokens to highlight', async () => {
    const check = (await ws.call('rules/check', {
      dialect: 'entra',
      text: 'user.department -eq "Sales" -and',
    })) as RuleCheck
    expect(check.error).toMatchObject({ line: 1, column: 33, message: expect.stringMatching(/ends where a condition/) })
    expect(check.tokens.map(t => t.kind)).toEqual(['attribute', 'operator', 'string', 'keyword'])
  })

  it('lints against the synced users', async () => {
    const check = (await ws.call('rules/check', {
      dialect: 'okta',
      text: 'user.department == "sales" OR user.department == "Marketing"',
    })) as RuleCheck
    expect(check.error).toBeNull()
    expect(check.usersChecked).toBe(4)
    expect(check.warnings.map(w => w.code)).toEqual(['case-or-whitespace', 'unsatisfied'])
  })
})

describe('rules/preview and rules/explain', () => {
  it('pages who would be in the group, with counts', async () => {
    const preview = (await ws.call('rules/preview', {
      dialect: 'entra',
      text: 'user.department -in ["Sales", "Marketing"]',
      limit: 2,
    })) as RulePreview
    expect(preview).toMatchObject({ error: null, usersEvaluated: 4, memberCount: 3, unknownCount: 1 })
    expect(preview.rows).toHaveLength(2)
    const rest = (await ws.call('rules/preview', {
      dialect: 'entra',
      text: 'user.department -in ["Sales", "Marketing"]',
      offset: 2,
      limit: 2,
    })) as RulePreview
    expect([...preview.rows, ...rest.rows].map(r => `${r.userPrincipalName} ${r.state}`).sort()).toEqual([
      'alex@example.test in',
      'dee@example.test unknown',
      'kim@example.test in',
      'sam@example.test in',
    ])
  })

  it('previews Okta group functions over the synced groups', async () => {
    const preview = (await ws.call('rules/preview', {
      dialect: 'okta',
      text: 'isMemberOfGroupName("Executives")',
    })) as RulePreview
    expect(preview.rows.map(r => r.userPrincipalName)).toEqual(['sam@example.test'])
  })

  it('explains the rule for one user', async () => {
    const x = (await ws.call('rules/explain', {
      dialect: 'google',
      text: "user.department == 'sales'",
      userId: userId('alex@example.test'),
    })) as RuleUserExplanation
    expect(x.result).toBe(false)
    expect(x.root).toMatchObject({ attribute: 'department', actual: 'Sales', expected: 'sales' })
    expect(x.hints.join(' ')).toMatch(/upper\/lower case/)
  })
})

describe('saving a rule', () => {
  it('creates a rule group, evaluates every user and deploys the policies targeted at it', async () => {
    const enrolled = (await ws.call('devices/enroll', {
      serial: 'S1',
      platform: 'ios',
      userPrincipalName: 'dee@example.test',
    })) as EnrollResult
    const created = (await ws.call('groups/create', {
      name: 'Developers (Okta)',
      dialect: 'okta',
      rule: 'String.stringContains(user.jobTitle, "Developer")',
    })) as GroupDetail
    expect(created.group).toMatchObject({ kind: 'rule', dialect: 'okta', memberCount: 1 })
    expect(names(created)).toEqual(['dee@example.test'])
    await ws.call('policies/apply', {
      change: {
        kind: 'target',
        policyId: org.policies['Sales CRM Deployment'],
        groupId: created.group.id,
        mode: 'include',
      },
    })
    const device = (await ws.call('devices/get', { deviceId: enrolled.device.id })) as DeviceDetail
    expect(device.commands.some(c => c.type === 'install_app' && c.payload['name'] === 'Salesforce')).toBe(true)
  })

  it('changes a group rule and redeploys the devices of users who moved', async () => {
    const alex = (await ws.call('devices/enroll', {
      serial: 'S2',
      platform: 'ios',
      userPrincipalName: 'alex@example.test',
      pushToken: 'token-S2',
    })) as EnrollResult
    expect(alex.policies).toContain('Sales CRM Deployment')
    const pushesBefore = ws.push.wakeups.length
    const outcome = await ws.call('policies/apply', {
      change: { kind: 'rule', groupId: org.groups['Sales'], dialect: 'google', rule: "user.department == 'Marketing'" },
    })
    expect(outcome.status).toBe('applied')
    const changed = await ws.call('groups/get', { groupId: org.groups['Sales'] as string })
    expect(changed.group).toMatchObject({ dialect: 'google', rule: "user.department == 'Marketing'" })
    expect(changed.members.map(m => `${m.userPrincipalName} ${m.state}`).sort()).toEqual([
      'dee@example.test unknown',
      'sam@example.test in',
    ])
    // Alex left the group: the device gets new commands withdrawing the Sales policy, and a push.
    const device = (await ws.call('devices/get', { deviceId: alex.device.id })) as DeviceDetail
    expect(device.commands.length).toBeGreaterThan(alex.commands.length)
    expect(ws.push.wakeups.length).toBeGreaterThan(pushesBefore)
  })

  it('evaluates system.now against the workspace clock, not the machine clock', async () => {
    const { store } = ws.app.services
    store.users.patchAttributes(
      userId('alex@example.test'),
      { employeeHireDate: '2026-11-01T00:00:00Z' },
      ws.clock.now().toISOString(),
    )
    const rule = 'user.employeeHireDate -ge system.now -minus p7d'
    const members = async () =>
      ((await ws.call('rules/preview', { dialect: 'entra', text: rule })) as RulePreview).rows
        .filter(r => r.state === 'in')
        .map(r => r.userPrincipalName)
    expect(await members()).toEqual(['alex@example.test'])
    ws.clock.advance(30 * 86_400_000)
    expect(await members()).toEqual([])
  })

  it('refuses a rule that does not parse, a synced group and a taken name, changing nothing', async () => {
    const bad = await ws.callError('policies/apply', {
      change: { kind: 'rule', groupId: org.groups['Sales'], dialect: 'entra', rule: 'user.department -eq' },
    })
    expect(bad).toMatchObject({ code: 'RULE_PARSE', details: { line: 1, column: 20 } })
    expect(((await ws.call('groups/get', { groupId: org.groups['Sales'] })) as GroupDetail).group.rule).toBe(
      'user.department -eq "Sales"',
    )
    expect(
      (
        await ws.callError('policies/apply', {
          change: { kind: 'rule', groupId: org.groups['Executives'], dialect: 'entra', rule: 'user.a -eq "x"' },
        })
      ).code,
    ).toBe('NOT_EDITABLE')
    expect(
      (await ws.callError('groups/create', { name: 'sales', dialect: 'entra', rule: 'user.a -eq "x"' })).code,
    ).toBe('CONFLICT')
    expect((await ws.callError('groups/create', { name: 'X', dialect: 'ldap', rule: 'x' })).code).toBe('BAD_INPUT')
  })
})
