import { describe, expect, it } from 'vitest'
import { groupByCause, page, summarize } from '../../../src/main/diagnostics/causes'
import type { CauseSpec, Entry } from '../../../src/main/diagnostics/entries'
import type { DiagnosticFilter } from '../../../src/shared/domain'

const cause = (
  key: string,
  code: CauseSpec['code'] = 'SYNC_ATTR_MISSING',
  extra: Partial<CauseSpec> = {},
): CauseSpec => ({
  key,
  code,
  describe: n => ({ title: `${key}: ${n.count}/${n.users}/${n.devices}`, remediation: `fix ${key}` }),
  ...extra,
})

const usage = cause('usage', 'SYNC_ATTR_MISSING', { directoryId: 'd1', attribute: 'usageLocation' })
const dept = cause('dept', 'SYNC_ATTR_MISSING', { directoryId: 'd2', attribute: 'department' })
const late = cause('late', 'PAYLOAD_LATENCY', { cause: 'deadline', remediations: ['devices/repush'] })

const entry = (c: CauseSpec, ids: Partial<Entry>, title: string): Entry => ({
  code: c.code,
  cause: c,
  ...(c.directoryId ? { directoryId: c.directoryId } : {}),
  ...ids,
  render: () => ({ code: c.code, title, explanation: '', remediation: '', detectedAt: 't' }),
})

const ENTRIES: Entry[] = [
  entry(usage, { userId: 'u1', groupId: 'g1', groupName: 'Germany' }, 'a'),
  entry(usage, { userId: 'u1', groupId: 'g2', groupName: 'Austria' }, 'b'),
  entry(usage, { userId: 'u2', groupId: 'g1', groupName: 'Germany' }, 'c'),
  entry(dept, { userId: 'u3', groupId: 'g3', groupName: 'Sales' }, 'd'),
  entry(late, { deviceId: 'dev1' }, 'e'),
  entry(late, { deviceId: 'dev1' }, 'f'),
  entry(late, { deviceId: 'dev2' }, 'g'),
]

describe('diagnostic causes', () => {
  it('groups entries by cause in first-seen order, counting distinct users and devices and the groups most named', () => {
    expect(groupByCause(ENTRIES)).toEqual([
      {
        key: 'usage',
        code: 'SYNC_ATTR_MISSING',
        title: 'usage: 3/2/0',
        remediation: 'fix usage',
        count: 3,
        users: 2,
        devices: 0,
        directoryId: 'd1',
        attribute: 'usageLocation',
        groups: [
          { id: 'g1', name: 'Germany', count: 2 },
          { id: 'g2', name: 'Austria', count: 1 },
        ],
      },
      {
        key: 'dept',
        code: 'SYNC_ATTR_MISSING',
        title: 'dept: 1/1/0',
        remediation: 'fix dept',
        count: 1,
        users: 1,
        devices: 0,
        directoryId: 'd2',
        attribute: 'department',
        groups: [{ id: 'g3', name: 'Sales', count: 1 }],
      },
      {
        key: 'late',
        code: 'PAYLOAD_LATENCY',
        title: 'late: 3/0/2',
        remediation: 'fix late',
        count: 3,
        users: 0,
        devices: 2,
        cause: 'deadline',
        remediations: ['devices/repush'],
        groups: [],
      },
    ])
  })

  const cases: [string, DiagnosticFilter, string[], Record<string, number>][] = [
    [
      'nothing',
      {},
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      { SYNC_ATTR_MISSING: 4, GROUP_RULE_FAIL: 0, PAYLOAD_LATENCY: 3 },
    ],
    [
      'a code',
      { code: 'PAYLOAD_LATENCY' },
      ['e', 'f', 'g'],
      { SYNC_ATTR_MISSING: 0, GROUP_RULE_FAIL: 0, PAYLOAD_LATENCY: 3 },
    ],
    ['a cause', { cause: 'dept' }, ['d'], { SYNC_ATTR_MISSING: 1, GROUP_RULE_FAIL: 0, PAYLOAD_LATENCY: 0 }],
    [
      'a directory',
      { directoryId: 'd1' },
      ['a', 'b', 'c'],
      { SYNC_ATTR_MISSING: 3, GROUP_RULE_FAIL: 0, PAYLOAD_LATENCY: 0 },
    ],
    ['a group', { groupId: 'g1' }, ['a', 'c'], { SYNC_ATTR_MISSING: 2, GROUP_RULE_FAIL: 0, PAYLOAD_LATENCY: 0 }],
    ['a device', { deviceId: 'dev1' }, ['e', 'f'], { SYNC_ATTR_MISSING: 0, GROUP_RULE_FAIL: 0, PAYLOAD_LATENCY: 2 }],
    [
      'a user and a group',
      { userId: 'u1', groupId: 'g2' },
      ['b'],
      { SYNC_ATTR_MISSING: 1, GROUP_RULE_FAIL: 0, PAYLOAD_LATENCY: 0 },
    ],
  ]
  it.each(cases)('narrows by %s, counting by code but keeping the unfiltered total', (_, filter, titles, counts) => {
    expect(page(ENTRIES, filter, 0, 100)).toEqual({
      rows: titles.map(t => expect.objectContaining({ title: t })),
      total: titles.length,
    })
    const s = summarize(ENTRIES, filter)
    expect(s.total).toBe(7)
    expect(s.counts).toEqual(counts)
    expect(s.causes.reduce((n, c) => n + c.count, 0)).toBe(titles.length)
  })

  it('cuts a page and renders only the entries on it', () => {
    let rendered = 0
    const counted = ENTRIES.map(e => ({
      ...e,
      render: () => {
        rendered++
        return e.render()
      },
    }))
    const p = page(counted, { code: 'SYNC_ATTR_MISSING' }, 1, 2)
    expect(p.rows.map(r => r.title)).toEqual(['b', 'c'])
    expect(p.total).toBe(4)
    expect(rendered).toBe(2)
  })
})
