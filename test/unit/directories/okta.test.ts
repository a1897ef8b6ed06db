import { describe, expect, it } from 'vitest'
import { deletedUserIds, nextLink, parseOktaCursor, ruleCondition } from '../../../src/main/directories/okta'
import { compileRule, INTERNAL_ID } from '../../../src/main/rules'
import { DirectoryData } from '../../fakes/directory-data'
import { logEvents, logsPage } from '../../fakes/okta/system-log'

/** A LogEvent as reference/api/system-log shows one, cut to what matters here. */
const logEvent = (eventType: string, target: unknown, outcome: unknown = { result: 'SUCCESS', reason: null }) => ({
  uuid: 'f790999f-fe87-467a-9880-6982a583986c',
  published: '2026-11-01T10:00:00.000Z',
  eventType,
  version: '0',
  severity: 'INFO',
  actor: { id: '00u1qw1mqitPHM8AJ0g7', type: 'User', alternateId: 'admin@example.com', displayName: 'John Doe' },
  outcome,
  target,
})
const user = (id: string) => ({
  id,
  type: 'User',
  alternateId: `${id}@example.com`,
  displayName: 'Jane Doe',
  detailEntry: null,
})

describe('deletedUserIds', () => {
  it.each([
    ['a completed deletion', [logEvent('user.lifecycle.delete.completed', [user('00ua')])], ['00ua']],
    ['an initiated deletion', [logEvent('user.lifecycle.delete.initiated', [user('00ua')])], ['00ua']],
    [
      'both events of one deletion, once',
      [
        logEvent('user.lifecycle.delete.initiated', [user('00ua')]),
        logEvent('user.lifecycle.delete.completed', [user('00ua')]),
      ],
      ['00ua'],
    ],
    [
      'only targets of type User',
      [logEvent('user.lifecycle.delete.completed', [{ id: '00gx', type: 'UserGroup' }, user('00ub')])],
      ['00ub'],
    ],
    [
      'other event types',
      [logEvent('user.lifecycle.deactivate', [user('00ua')]), logEvent('group.user_membership.remove', [user('00ub')])],
      [],
    ],
    [
      'a failed deletion',
      [logEvent('user.lifecycle.delete.completed', [user('00ua')], { result: 'FAILURE', reason: 'INVALID' })],
      [],
    ],
    ['an event without an outcome', [logEvent('user.lifecycle.delete.completed', [user('00ua')], null)], ['00ua']],
    ['an event without targets', [logEvent('user.lifecycle.delete.completed', null)], []],
    ['a target without an id', [logEvent('user.lifecycle.delete.completed', [{ type: 'User' }])], []],
    ['an empty page', [], []],
  ])('reads %s', (_, events, ids) => {
    expect(deletedUserIds(events)).toEqual(ids)
  })

  it.each([
    ['an object', { events: [] }],
    ['events without eventType', [{ uuid: 'x' }]],
    ['a list of strings', ['user.lifecycle.delete.completed']],
  ])('refuses a page that is %s', (_, page) => {
    expect(deletedUserIds(page)).toBeNull()
  })
})

describe('parseOktaCursor', () => {
  const log = 'https://contoso.okta.com/api/v1/logs?filter=x&after=abc'
  it.each([
    ['no cursor', null, null],
    ['an empty cursor', '', null],
    [
      'a cursor from before the System Log was read',
      '{"users":"2026-11-01T00:00:01.000Z","groups":"2026-11-01T00:00:01.000Z"}',
      { users: '2026-11-01T00:00:01.000Z', groups: '2026-11-01T00:00:01.000Z' },
    ],
    [
      'a cursor with a log position',
      JSON.stringify({ users: 'u', groups: 'g', logs: log, logsAt: '2026-11-02T09:00:00.000Z' }),
      { users: 'u', groups: 'g', logs: log, logsAt: '2026-11-02T09:00:00.000Z' },
    ],
    [
      'a cursor whose log was refused',
      '{"users":"u","groups":"g","logs":null}',
      { users: 'u', groups: 'g', logs: null },
    ],
    ['something that is not JSON', 'https://graph.microsoft.com/delta', null],
    ['JSON of another shape', '{"users":1}', null],
    ['a log position that is not a string', '{"users":"u","groups":"g","logs":5}', null],
    ['a log time that is not a time', '{"users":"u","groups":"g","logs":"x","logsAt":"soon"}', null],
  ])('reads %s', (_, text, cursor) => {
    expect(parseOktaCursor(text)).toEqual(cursor)
  })
})

describe('nextLink', () => {
  it('finds rel="next" among the links Okta sends', () => {
    const self = 'https://contoso.okta.com/api/v1/logs?since=2026-11-01T00%3A00%3A00Z'
    const next = 'https://contoso.okta.com/api/v1/logs?after=1627500044869_1'
    expect(nextLink(`<${self}>; rel="self", <${next}>; rel="next"`)).toBe(next)
    expect(nextLink(`<${self}>; rel="self"`)).toBeUndefined()
    expect(nextLink(null)).toBeUndefined()
  })
})

describe('the Okta fake System Log', () => {
  const data = new DirectoryData({ users: 10, groups: 2, seed: 3 })
  for (const u of data.someUsers(3)) data.deleteUser(u.id)
  const events = logEvents(data)
  const now = Date.parse('2026-11-02T00:00:00.000Z')
  const self = (q: string) => new URL(`https://contoso.okta.com/api/v1/logs?${q}`)
  const page = (q: string) => logsPage(events, new URLSearchParams(q), self(q), now)
  const nextOf = (link: string) => {
    const n = nextLink(link)
    return n === undefined ? undefined : new URL(n).search.slice(1)
  }

  it('always links a next page of a polling request, even an empty one', () => {
    const q = 'filter=eventType eq "user.lifecycle.delete.completed"&sortOrder=ASCENDING&limit=2'
    const first = page(q)
    if (first.status !== 200) throw new Error(first.errorSummary)
    expect(first.body.map(e => e.eventType)).toEqual([
      'user.lifecycle.delete.completed',
      'user.lifecycle.delete.completed',
    ])
    const second = page(nextOf(first.link)!)
    if (second.status !== 200) throw new Error(second.errorSummary)
    expect(second.body).toHaveLength(1)
    const third = page(nextOf(second.link)!)
    if (third.status !== 200) throw new Error(third.errorSummary)
    expect(third.body).toHaveLength(0)
    expect(nextOf(third.link)).toContain('after=')
    expect(nextOf(third.link)).not.toContain('since=')
  })

  it('ends a bounded request', () => {
    const r = page(`since=2026-11-01T00:00:00Z&until=2026-11-02T00:00:00Z&limit=1000`)
    if (r.status !== 200) throw new Error(r.errorSummary)
    expect(r.body).toHaveLength(events.length)
    expect(nextLink(r.link)).toBeUndefined()
    expect(r.link).toContain('rel="self"')
  })

  it.each([
    ['since with after', 'since=2026-11-01T00:00:00Z&after=eyJuIjowfQ', 'E0000001'],
    ['a filter it cannot read', 'filter=published gt "2026"', 'E0000053'],
    ['a limit over 1000', 'limit=1001', 'E0000001'],
    ['a since over 180 days back', 'since=2026-01-01T00:00:00Z', 'E0000053'],
  ])('answers 400 to %s', (_, q, code) => {
    expect(page(q)).toMatchObject({ status: 400, errorCode: code })
  })
})

describe('an Okta group rule as the app evaluates it', () => {
  const rule = (value: string | undefined, exclude?: string[]) => ({
    id: '0pr1',
    status: 'ACTIVE',
    conditions: { people: { users: { exclude } }, expression: { value, type: 'urn:okta:expression:1.0' } },
  })
  it.each([
    ['no exclusions', rule('user.department == "Sales"', []), 'user.department == "Sales"'],
    ['no people condition', rule('user.department == "Sales"'), 'user.department == "Sales"'],
    [
      'two excluded users',
      rule('user.department == "Sales" OR user.title == "CEO"', ['00u1', '00u2']),
      '(user.department == "Sales" OR user.title == "CEO") AND user.getInternalProperty("id") != "00u1" AND user.getInternalProperty("id") != "00u2"',
    ],
    ['no expression', rule(undefined, ['00u1']), null],
  ])('%s', (_, r, expected) => {
    expect(ruleCondition(r)).toBe(expected)
  })

  it('never puts an excluded user in, whatever the expression says', () => {
    const compiled = compileRule('okta', ruleCondition(rule('user.department == "Sales"', ['00u1'])) as string)
    if (!compiled.ok) throw new Error('the rule does not compile')
    expect(compiled.rule.evaluate({ department: 'Sales', [INTERNAL_ID]: '00u1' }).result).toBe(false)
    expect(compiled.rule.evaluate({ department: 'Sales', [INTERNAL_ID]: '00u2' }).result).toBe(true)
  })
})
