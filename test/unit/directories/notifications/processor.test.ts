// The notification queue's processing: one fetch per user for all its waiting notifications, a
// user never fetched twice at once, back-off on failure, a sync where only a sync can tell, and rows
// another process claimed and left are taken once its claim lapses.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createNotificationProcessor,
  MAX_ATTEMPTS,
  type ProcessorDeps,
  type UserRead,
} from '../../../../src/main/directories/notifications/processor'
import { silentLog } from '../../../../src/main/ports'
import { createStore } from '../../../../src/main/store'
import { fakeClock, tempDir, type FakeClock } from '../../../helpers/workspace'

let dir: ReturnType<typeof tempDir>
let store: ReturnType<typeof createStore>
let clock: FakeClock
beforeEach(() => {
  dir = tempDir('notify-queue-')
  store = createStore(`${dir.path}/w.db`)
  clock = fakeClock()
  store.directories.create({ id: 'd1', kind: 'okta', name: 'Okta' }, clock.now().toISOString())
})
afterEach(() => {
  store.close()
  dir.remove()
})

const queue = (eventKey: string, userKey: string) =>
  store.notifications.enqueue('d1', eventKey, userKey, clock.now().toISOString())

function processor(over: Partial<ProcessorDeps> = {}) {
  const reads: string[] = []
  const syncs: string[] = []
  const redeployed: string[][] = []
  const timers: { fn: () => void; ms: number }[] = []
  const p = createNotificationProcessor({
    store,
    clock,
    log: silentLog,
    readUser: async (_d, userKey): Promise<UserRead> => {
      reads.push(userKey)
      return { found: true, changedUserIds: [`local-${userKey}`], journal: null }
    },
    sync: async directoryId => void syncs.push(directoryId),
    redeploy: async ids => void redeployed.push(ids),
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
    ...over,
  })
  return { p, reads, syncs, redeployed, timers }
}

describe('the notification processor', () => {
  it('fetches each user once for all of their waiting notifications, and redeploys them', async () => {
    queue('e1', 'u1')
    queue('e2', 'u2')
    queue('e3', 'u1')
    expect(queue('e3', 'u1')).toBe(false)
    const { p, reads, redeployed } = processor()
    await p.drain()
    expect(reads.sort()).toEqual(['u1', 'u2'])
    expect(redeployed.flat().sort()).toEqual(['local-u1', 'local-u2'])
    expect(store.notifications.openCount('d1')).toBe(0)
  })

  it('leaves a notification that arrives while its user is fetched for another fetch', async () => {
    queue('e1', 'u1')
    let first = true
    const { p, reads } = processor({
      readUser: async (_d, userKey) => {
        reads.push(userKey)
        // The IdP changed the user again while we were reading it.
        if (first) queue('e2', 'u1')
        first = false
        return { found: true, changedUserIds: [], journal: null }
      },
    })
    await p.drain()
    expect(reads).toEqual(['u1', 'u1'])
  })

  it('retries a failed fetch after a back-off, and gives up after the last attempt', async () => {
    queue('e1', 'u1')
    let attempts = 0
    const { p, timers } = processor({
      readUser: async () => {
        attempts++
        throw new Error('Okta answered HTTP 503')
      },
    })
    await p.drain()
    expect(attempts).toBe(1)
    expect(store.notifications.openCount('d1')).toBe(1)
    expect(timers.at(-1)?.ms).toBe(5000)
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      clock.advance(11 * 60_000)
      await p.drain()
    }
    expect(attempts).toBe(MAX_ATTEMPTS)
    expect(store.notifications.openCount('d1')).toBe(0)
  })

  it('syncs for a group change, and for a stored user the IdP no longer knows', async () => {
    store.users.upsert(
      {
        id: 'local-gone',
        directoryId: 'd1',
        externalId: 'gone',
        userPrincipalName: 'g@x',
        displayName: 'G',
        attributes: {},
      },
      clock.now().toISOString(),
    )
    queue('e1', '*')
    queue('e2', 'gone')
    queue('e3', 'never-stored')
    const { p, syncs } = processor({
      readUser: async () => ({ found: false, changedUserIds: [], journal: null }),
    })
    await p.drain()
    expect(syncs).toEqual(['d1', 'd1'])
  })

  it("takes rows another process claimed once that process's claim has lapsed", async () => {
    queue('e1', 'u1')
    const now = clock.now()
    expect(
      store.notifications.claimDue(now.toISOString(), new Date(now.getTime() + 60_000).toISOString(), 4),
    ).toHaveLength(1)
    const { p, reads } = processor()
    await p.drain()
    expect(reads).toEqual([])
    clock.advance(61_000)
    await p.drain()
    expect(reads).toEqual(['u1'])
  })
})
