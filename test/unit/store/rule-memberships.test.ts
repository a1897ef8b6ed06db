import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createStore } from '../../../src/main/store'
import { openDatabase } from '../../../src/main/store/db'
import { MIGRATIONS } from '../../../src/main/store/migrations'
import {
  decodeRuleMemberships,
  encodeRuleMemberships,
  type RuleMembership,
} from '../../../src/main/store/rule-memberships'
import { tempFiles } from '../../helpers/workspace'

const files = tempFiles()
const dbFile = files.file
afterEach(files.remove)

const at = '2026-11-01T00:00:00.000Z'
const plain = (groupId: string): RuleMembership => ({
  groupId,
  state: 'in',
  effective: true,
  missing: [],
  updatedAt: at,
})

describe('encoding a user rule-group memberships', () => {
  const cases: [string, RuleMembership[], { plain: string; other: string }][] = [
    ['nothing', [], { plain: '', other: '[]' }],
    ['plain memberships as ids', [plain('g1'), plain('g2')], { plain: 'g1,g2', other: '[]' }],
    [
      'an unknown membership in full, keeping its effect and time',
      [
        {
          groupId: 'g3',
          state: 'unknown',
          effective: true,
          missing: ['department'],
          updatedAt: '2026-10-01T00:00:00.000Z',
        },
      ],
      { plain: '', other: '[["g3","unknown",1,["department"],"2026-10-01T00:00:00.000Z"]]' },
    ],
    [
      'in while a rule read an absent attribute, in full',
      [plain('g1'), { groupId: 'g4', state: 'in', effective: true, missing: ['country'], updatedAt: at }],
      { plain: 'g1', other: `[["g4","in",1,["country"],"${at}"]]` },
    ],
    [
      'an unknown membership without effect',
      [{ groupId: 'g5', state: 'unknown', effective: false, missing: ['a', 'b'], updatedAt: at }],
      { plain: '', other: `[["g5","unknown",0,["a","b"],"${at}"]]` },
    ],
  ]
  it.each(cases)('%s', (_, list, encoded) => {
    expect(encodeRuleMemberships(list)).toEqual(encoded)
    expect(decodeRuleMemberships(encoded.plain, encoded.other, at)).toEqual([
      ...list.filter(m => m.missing.length === 0 && m.state === 'in'),
      ...list.filter(m => !(m.missing.length === 0 && m.state === 'in')),
    ])
  })
})

describe('rule-group memberships in the store', () => {
  const seed = (path: string, migrations = MIGRATIONS) => {
    const db = openDatabase(path, migrations)
    db.exec(`INSERT INTO directories (id, kind, name, config, created_at) VALUES ('d', 'file', 'Office', '{}', 't');
      INSERT INTO users (id, directory_id, external_id, user_principal_name, display_name, updated_at) VALUES
        ('u1', 'd', 'e1', 'ann@x.test', 'Ann', 't'), ('u2', 'd', 'e2', 'bob@x.test', 'bob', 't'), ('u3', 'd', 'e3', 'cy@x.test', 'Cy', 't');
      INSERT INTO groups (id, directory_id, name, kind, dialect, rule) VALUES
        ('sales', 'd', 'Sales', 'rule', 'entra', 'user.department -eq "Sales"'),
        ('de', 'd', 'Germany', 'rule', 'entra', 'user.country -eq "DE"'),
        ('team', 'd', 'Team', 'synced', NULL, NULL);`)
    return db
  }

  it('moves memberships stored one row each (schema 4) into one row per user, keeping every state', () => {
    const path = dbFile()
    const db = seed(
      path,
      MIGRATIONS.filter(m => m.version <= 4),
    )
    db.exec(`INSERT INTO memberships (group_id, user_id, state, effective, missing, updated_at) VALUES
      ('sales', 'u1', 'in', 1, '[]', 't1'), ('de', 'u1', 'unknown', 1, '["country"]', 't2'),
      ('sales', 'u2', 'unknown', 0, '["department"]', 't3'), ('team', 'u2', 'in', 1, '[]', 't4')`)
    db.close()
    const store = createStore(path)
    expect(store.groups.ruleMembershipsOf('u1')).toEqual([
      { groupId: 'sales', state: 'in', effective: true, missing: [], updatedAt: 't2' },
      { groupId: 'de', state: 'unknown', effective: true, missing: ['country'], updatedAt: 't2' },
    ])
    expect(store.groups.membershipsOf('u2')).toEqual([
      {
        groupId: 'sales',
        groupName: 'Sales',
        groupKind: 'rule',
        state: 'unknown',
        effective: false,
        missing: ['department'],
      },
      { groupId: 'team', groupName: 'Team', groupKind: 'synced', state: 'in', effective: true, missing: [] },
    ])
    expect(store.groups.list().map(g => [g.name, g.memberCount, g.unknownCount])).toEqual([
      ['Germany', 0, 1],
      ['Sales', 1, 1],
      ['Team', 1, 0],
    ])
    const upns = store.users.principalNames()
    expect(
      store.groups
        .unknownMemberships()
        .map(m => [upns.get(m.userId), m.groupName, m.missing, m.updatedAt])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['ann@x.test', 'Germany', ['country'], 't2'],
      ['bob@x.test', 'Sales', ['department'], 't3'],
    ])
    expect(store.bulkReads.allEffectiveGroups()).toEqual(
      new Map([
        ['u1', new Set(['sales', 'de'])],
        ['u2', new Set(['team'])],
      ]),
    )
    store.close()
    const raw = new Database(path)
    expect(raw.prepare('SELECT group_id, user_id FROM memberships').all()).toEqual([
      { group_id: 'team', user_id: 'u2' },
    ])
    raw.close()
  })

  it('lists a rule group members unknowns first, then by display name ignoring case', () => {
    const path = dbFile()
    seed(path).close()
    const store = createStore(path)
    store.groups.setRuleMemberships('u3', [plain('sales')], at)
    store.groups.setRuleMemberships('u2', [plain('sales')], at)
    store.groups.setRuleMemberships(
      'u1',
      [{ ...plain('sales'), state: 'unknown', missing: ['department'] }, plain('de')],
      at,
    )
    expect(store.groups.members('sales', 10).map(m => [m.displayName, m.state])).toEqual([
      ['Ann', 'unknown'],
      ['bob', 'in'],
      ['Cy', 'in'],
    ])
    expect(store.groups.members('sales', 2)).toHaveLength(2)
    expect(store.groups.get('sales')).toMatchObject({ memberCount: 2, unknownCount: 1 })
    expect(store.bulkReads.membersOfGroup('de')).toEqual(
      new Map([['u1', { state: 'in', effective: true, missing: '[]' }]]),
    )
    store.close()
  })

  it('forgets a rule group in every user row when the group is deleted or stops being rule-based', () => {
    const path = dbFile()
    seed(path).close()
    const store = createStore(path)
    store.groups.setRuleMemberships(
      'u1',
      [plain('sales'), { ...plain('de'), state: 'unknown', missing: ['country'] }],
      at,
    )
    store.groups.setRuleMemberships('u2', [plain('de')], at)
    store.sync.deleteGroup('de')
    expect(store.groups.ruleMembershipsOf('u1').map(m => m.groupId)).toEqual(['sales'])
    expect(store.groups.ruleMembershipsOf('u2')).toEqual([])
    store.sync.updateGroup({
      id: 'sales',
      externalId: 'x',
      name: 'Sales',
      kind: 'synced',
      dialect: null,
      rule: null,
      description: '',
    })
    expect(store.groups.ruleMembershipsOf('u1')).toEqual([])
    store.close()
    const raw = new Database(path)
    expect(raw.prepare('SELECT COUNT(*) AS n FROM rule_memberships').get()).toEqual({ n: 0 })
    raw.close()
  })

  it('drops a user row with the user', () => {
    const path = dbFile()
    seed(path).close()
    const store = createStore(path)
    store.groups.setRuleMemberships('u1', [plain('sales')], at)
    store.sync.deleteUser('u1')
    store.close()
    const raw = new Database(path)
    expect(raw.prepare('SELECT COUNT(*) AS n FROM rule_memberships').get()).toEqual({ n: 0 })
    raw.close()
  })
})

describe('insert transactions', () => {
  it('check foreign keys again once done, also after a failure', () => {
    const store = createStore(dbFile())
    store.directories.create({ id: 'd', kind: 'file', name: 'Office' }, at)
    store.groups.create({
      id: 'g',
      directoryId: 'd',
      name: 'Team',
      kind: 'synced',
      dialect: null,
      rule: null,
      description: '',
    })
    expect(() =>
      store.insertTransaction(() => {
        throw new Error('boom')
      }),
    ).toThrow('boom')
    expect(() =>
      store.groups.setMembership('nobody', { groupId: 'g', state: 'in', effective: true, missing: [] }, at),
    ).toThrow(/FOREIGN KEY/)
    store.insertTransaction(() =>
      store.groups.setMembership('nobody', { groupId: 'g', state: 'in', effective: true, missing: [] }, at),
    )
    expect(() =>
      store.groups.setMembership('nobody2', { groupId: 'g', state: 'in', effective: true, missing: [] }, at),
    ).toThrow(/FOREIGN KEY/)
    store.close()
  })
})
