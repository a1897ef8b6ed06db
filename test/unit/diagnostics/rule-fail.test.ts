// GROUP_RULE_FAIL is raised where the attributes are there but the rule does not decide the
// membership the admin can rely on: the IdP's listing disagrees, a clause can't be evaluated, or
// the AND/OR grouping decides. Each case is a small file directory, one rule group and the
// diagnostics the local store gives.
import { afterEach, describe, expect, it } from 'vitest'
import { createRuleFailDetector, decidingClauses } from '../../../src/main/diagnostics/rule-fail'
import type { Diagnostic, Dialect } from '../../../src/shared/domain'
import { openWorkspace, type TestWorkspace } from '../../helpers/workspace'

const open: TestWorkspace[] = []
afterEach(() => {
  for (const ws of open.splice(0)) ws.close()
})

const CSV = [
  'userPrincipalName,displayName,department,country,level,city',
  'ann@x.test,Ann,Sales,US,4,Berlin',
  'bob@x.test,Bob,Sales,CA,2,Paris',
  'cy@x.test,Cy,HR,CA,7,Lagos',
  'dee@x.test,Dee,,US,1,Osaka',
].join('\n')

async function workspace(dialect: Dialect, rule: string) {
  const ws = openWorkspace()
  open.push(ws)
  const directoryId = ws.app.services.directories.createFileDirectory('Staff')
  await ws.call('directories/import', { directoryId, format: 'csv', content: CSV, mode: 'update' })
  const group = await ws.call('groups/create', { name: 'G', dialect, rule, directoryId })
  const userId = (upn: string) =>
    ws.app.services.store.users.list(undefined, 100, 0).rows.find(u => u.userPrincipalName === upn)?.id as string
  /** The IdP's id of a user: what an IdP listing names. */
  const externalId = (upn: string) => ws.app.services.store.users.ruleInput(userId(upn))['id'] as string
  return { ws, groupId: group.group.id, userId, externalId }
}

const ruleFails = async (ws: TestWorkspace): Promise<Diagnostic[]> =>
  (await ws.call('diagnostics/list', {})).filter(d => d.code === 'GROUP_RULE_FAIL')

const who = (ws: TestWorkspace, list: Diagnostic[]) =>
  list.map(d => `${ws.app.services.store.users.summary(d.userId as string)?.userPrincipalName}:${d.trigger}`).sort()

describe('GROUP_RULE_FAIL for a clause that cannot be evaluated (evaluation-error)', () => {
  it.each([
    // A CSV's values are text: Okta's typed > on a number never compares with "4".
    ['okta', 'user.level > 3', ['ann@x.test', 'bob@x.test', 'cy@x.test', 'dee@x.test'], 'level is the text'],
    [
      'entra',
      'user.city -ge "2020-01-01T00:00:00Z"',
      ['ann@x.test', 'bob@x.test', 'cy@x.test', 'dee@x.test'],
      'needs a date-time',
    ],
    // A user out for an ordinary reason (another value of the right type) is not raised.
    ['okta', 'user.department == "Sales"', [], ''],
  ] as [Dialect, string, string[], string][])('%s: %s', async (dialect, rule, users, words) => {
    const { ws } = await workspace(dialect, rule)
    const found = await ruleFails(ws)
    expect(who(ws, found)).toEqual(users.map(u => `${u}:evaluation-error`))
    for (const d of found) {
      expect(d.explanation).toContain(words)
      expect(d.remediation).toMatch(/Map level|Map city/)
    }
  })
})

describe('GROUP_RULE_FAIL when the AND/OR grouping decides (mixed-logic)', () => {
  it.each([
    // (Sales AND US) OR CA vs Sales AND (US OR CA): Cy (HR, CA) is in only by the grouping.
    ['entra', 'user.department -eq "Sales" -and user.country -eq "US" -or user.country -eq "CA"', ['cy@x.test']],
    ['okta', 'user.department == "Sales" AND user.country == "US" OR user.country == "CA"', ['cy@x.test']],
    // CA OR (Sales AND US) vs (CA OR Sales) AND US: Bob and Cy are in only by the grouping.
    [
      'google',
      "user.country == 'CA' || user.department == 'Sales' && user.country == 'US'",
      ['bob@x.test', 'cy@x.test'],
    ],
    // With parentheses there is nothing to raise.
    ['entra', '(user.department -eq "Sales" -and user.country -eq "US") -or user.country -eq "CA"', []],
  ] as [Dialect, string, string[]][])('%s: %s', async (dialect, rule, users) => {
    const { ws } = await workspace(dialect, rule)
    const found = await ruleFails(ws)
    expect(who(ws, found)).toEqual(users.map(u => `${u}:mixed-logic`))
    for (const d of found) expect(d.explanation).toMatch(/AND and OR without parentheses/)
  })
})

describe('GROUP_RULE_FAIL when the IdP lists other members than the rule gives (idp-disagrees)', () => {
  it.each([
    // The IdP lists Bob (our rule: out) and not Ann (our rule: in); Dee lacks the department
    // (SYNC_ATTR_MISSING, never GROUP_RULE_FAIL), Cy agrees.
    [
      ['bob@x.test', 'dee@x.test'],
      ['ann@x.test:idp-disagrees', 'bob@x.test:idp-disagrees'],
    ],
    [['ann@x.test'], []],
  ])('IdP lists %j', async (listed, expected) => {
    const { ws, groupId, externalId } = await workspace(
      'entra',
      'user.department -eq "Sales" -and user.country -eq "US"',
    )
    ws.app.services.store.idpRuleMembers.apply(groupId, { replace: listed.map(externalId) }, '2026-11-02T09:00:00.000Z')
    const found = await ruleFails(ws)
    expect(who(ws, found)).toEqual(expected)
    for (const d of found) {
      expect(d.explanation).toContain('JIT Mapper trusts its own evaluation')
      expect(d.groupId).toBe(groupId)
    }
  })
})

describe('the diagnostics answer', () => {
  it('names the user, the group and the values compared, and is computed again only when the store moved', async () => {
    const { ws, groupId, userId, externalId } = await workspace('okta', 'user.department == "Sales"')
    expect(await ruleFails(ws)).toEqual([])
    const listed = ['ann@x.test', 'bob@x.test', 'cy@x.test'].map(externalId)
    ws.app.services.store.idpRuleMembers.apply(groupId, { replace: listed }, '2026-11-02T09:00:00.000Z')
    const [d, ...rest] = await ruleFails(ws)
    expect(rest).toEqual([])
    expect(d).toMatchObject({ code: 'GROUP_RULE_FAIL', trigger: 'idp-disagrees', userId: userId('cy@x.test'), groupId })
    expect(d?.title).toBe('the directory file lists cy@x.test in G, but its rule leaves cy@x.test out here')
    expect(d?.explanation).toContain('user.department == "Sales" is false (the user has "HR")')
    // The same answer object while nothing changed; a listing change is seen at once.
    const before = await ws.call('diagnostics/list', {})
    expect((await ws.call('workspace/summary', {})).openDiagnostics).toBe(before.length)
    ws.app.services.store.idpRuleMembers.apply(
      groupId,
      { add: [], remove: [externalId('cy@x.test')] },
      '2026-11-02T09:00:00.000Z',
    )
    expect(await ruleFails(ws)).toEqual([])
  })

  it('reads the users again only after a write that can change the answer (the store revision)', async () => {
    const { ws, groupId, userId, externalId } = await workspace('okta', 'user.department == "Sales"')
    let reads = 0
    const detector = createRuleFailDetector({
      store: ws.app.services.store,
      clock: ws.clock,
      inputs: attributes => {
        reads++
        return ws.app.services.groups.allInputs(attributes)
      },
    })
    detector.list()
    detector.list()
    expect(reads).toBe(1)
    ws.app.services.store.idpRuleMembers.apply(
      groupId,
      { replace: [externalId('cy@x.test')] },
      '2026-11-02T09:00:00.000Z',
    )
    expect(detector.list().length).toBeGreaterThan(0)
    expect(reads).toBe(2)
    await ws.call('directories/import', {
      directoryId: ws.app.services.store.users.summary(userId('cy@x.test'))?.directoryId as string,
      format: 'csv',
      content: 'userPrincipalName,displayName,department\ncy@x.test,Cy,Sales\n',
      mode: 'update',
    })
    detector.list()
    expect(reads).toBe(3)
  })

  it('picks the clauses that decided the answer', () => {
    const root = {
      text: 'a AND b',
      operator: 'and',
      result: false,
      children: [
        { text: 'a', operator: 'eq', result: true, actual: 'x' },
        { text: 'b', operator: 'eq', result: false, actual: 'y' },
      ],
    }
    expect(decidingClauses(root, false)).toEqual(['b is false (the user has "y")'])
  })
})
