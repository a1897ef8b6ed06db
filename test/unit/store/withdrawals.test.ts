// The users whose withdrawals matured, asked of SQL (store/withdrawals.ts maturedUserIds), agree
// with the grace rule as the groups room applies it to each withdrawal (groups/withdrawal.ts).
import { afterEach, describe, expect, it } from 'vitest'
import { isMatured } from '../../../src/main/groups/withdrawal'
import { createStore } from '../../../src/main/store'
import { tempFiles } from '../../helpers/workspace'

const files = tempFiles()
afterEach(files.remove)

describe('matured withdrawals', () => {
  const grace: [string, { syncs: number; minutes: number }][] = [
    ['no grace', { syncs: 0, minutes: 0 }],
    ['one sync', { syncs: 1, minutes: 0 }],
    ['two syncs', { syncs: 2, minutes: 0 }],
    ['an hour', { syncs: 0, minutes: 60 }],
    ['one sync and an hour', { syncs: 1, minutes: 60 }],
  ]
  it.each(grace)('lists the users the grace rule lets go with %s', (_, g) => {
    const store = createStore(files.file())
    const now = new Date('2026-03-01T12:00:00.000Z')
    store.directories.create({ id: 'd1', kind: 'file', name: 'Office' }, '2026-01-01T00:00:00Z')
    store.groups.create({
      id: 'g1',
      directoryId: null,
      name: 'Sales',
      kind: 'rule',
      dialect: 'entra',
      rule: 'user.department -eq "Sales"',
      description: '',
    })
    // Left 3 hours, 90 and 30 minutes ago; syncs succeeded 2 hours and 10 minutes ago.
    const left = [180, 90, 30].map(m => new Date(now.getTime() - m * 60_000).toISOString())
    left.forEach((at, i) => {
      store.users.upsert(
        {
          id: `u${i}`,
          directoryId: 'd1',
          externalId: `e${i}`,
          userPrincipalName: `u${i}@example.test`,
          displayName: `U ${i}`,
          attributes: {},
        },
        at,
      )
      store.withdrawals.put(`u${i}`, 'g1', at)
    })
    for (const [i, ago] of [120, 10].entries())
      store.directories.recordSyncRun({
        id: `r${i}`,
        directoryId: 'd1',
        startedAt: new Date(now.getTime() - ago * 60_000).toISOString(),
        finishedAt: new Date(now.getTime() - ago * 60_000 + 1000).toISOString(),
        status: 'succeeded',
        mode: 'full',
        added: 0,
        changed: 0,
        removed: 0,
        error: null,
      })
    const expected = store.withdrawals
      .all()
      .filter(w => isMatured(w, g, now))
      .map(w => w.userId)
      .sort()
    const leftBy = new Date(now.getTime() - g.minutes * 60_000).toISOString()
    expect(store.withdrawals.maturedUserIds(g.syncs, leftBy).sort()).toEqual(expected)
    store.close()
  })
})
