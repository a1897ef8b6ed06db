import { afterEach, describe, expect, it } from 'vitest'
import { createStore, JoinedIds } from '../../../src/main/store'
import { tempFiles } from '../../helpers/workspace'

const files = tempFiles()
afterEach(files.remove)
const at = '2026-11-01T00:00:00.000Z'

function storeWithRuleGroup() {
  const store = createStore(files.file())
  store.directories.create({ id: 'd', kind: 'entra', name: 'Contoso' }, at)
  store.groups.create({
    id: 'g',
    directoryId: 'd',
    name: 'Dynamic Sales',
    kind: 'rule',
    dialect: 'entra',
    rule: 'user.department -eq "Sales"',
    description: '',
  })
  // Local ids are the IdP ids upper-cased: listings are stored by IdP id and read back as local ones.
  for (const ext of ['u1', 'u2', 'u3'])
    store.users.upsert(
      {
        id: ext.toUpperCase(),
        directoryId: 'd',
        externalId: ext,
        userPrincipalName: `${ext}@x.test`,
        displayName: ext,
        attributes: {},
      },
      at,
    )
  return store
}

describe('the members an IdP lists in its rule groups', () => {
  it.each([
    ['a full listing replaces', [{ replace: ['u1', 'u2'] }, { replace: ['u3'] }], ['U3']],
    ['an incremental one adds and removes', [{ replace: ['u1', 'u2'] }, { add: ['u3'], remove: ['u1'] }], ['U2', 'U3']],
    ['an incremental one starts from nothing', [{ add: ['u1'], remove: ['u9'] }], ['U1']],
    ['an empty listing is kept (the IdP lists no one)', [{ replace: ['u1'] }, { replace: [] }], []],
    ['users the store does not have are left out', [{ replace: ['u1', 'someone-else'] }], ['U1']],
    [
      'a full listing given as joined bytes is stored as text, an id listed twice read once',
      [{ replace: new JoinedIds(Buffer.from('u1,u3,u1')) }, { add: ['u2'], remove: ['u3'] }],
      ['U1', 'U2'],
    ],
  ])('%s', (_, changes, expected) => {
    const store = storeWithRuleGroup()
    for (const change of changes) store.idpRuleMembers.apply('g', change, at)
    expect([...(store.idpRuleMembers.all().get('g')?.members ?? ['not listed'])].sort()).toEqual(expected)
    store.close()
  })

  it('go with their group, and move the rule-fail revision on every write that can change GROUP_RULE_FAIL', () => {
    const store = storeWithRuleGroup()
    const r0 = store.idpRuleMembers.revision()
    store.idpRuleMembers.apply('g', { replace: ['u1'] }, at)
    const r1 = store.idpRuleMembers.revision()
    expect(r1).toBeGreaterThan(r0)
    store.groups.setRule('g', 'entra', 'user.department -eq "HR"')
    const r2 = store.idpRuleMembers.revision()
    expect(r2).toBeGreaterThan(r1)
    expect(store.idpRuleMembers.revision()).toBe(r2)
    store.sync.deleteGroup('g')
    expect(store.idpRuleMembers.all().size).toBe(0)
    expect(store.idpRuleMembers.revision()).toBeGreaterThan(r2)
    store.close()
  })
})
