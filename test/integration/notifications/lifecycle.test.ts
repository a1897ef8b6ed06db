// Subscriptions over time: renewed before they expire (Graph extends, Google replaces the channel),
// lifecycle notifications acted on, an endpoint the IdP cannot reach reported, the Send test button,
// and a receiver that refuses what is not from the IdP without ever falling over.
import { afterEach, describe, expect, it } from 'vitest'
import type { GoogleFake } from '../../fakes/google/server'
import type { GraphFake } from '../../fakes/graph/server'
import type { OktaFake } from '../../fakes/okta/server'
import { request } from '../../fakes/https-client'
import { openNotifyWorld } from '../../helpers/notify-world'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const soon = () => new Date(Date.now() + 5 * 60_000).toISOString()

describe('Graph subscriptions', () => {
  it('are renewed (PATCH) when they come within two days of expiring', async () => {
    const w = await openNotifyWorld('entra', cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    const store = w.app.services.store.notifications
    const [users] = store.subscriptionsOf(w.directoryId)
    if (!users) throw new Error('no subscription')
    store.activateSubscription(users.id, { remoteId: users.remoteId, expiresAt: soon() })
    ;(w.fake as GraphFake).subscriptions.subscriptions.get(users.remoteId)!.expirationDateTime = soon()
    await w.app.services.notifications.renewDue()
    const renewed = store.subscriptionsOf(w.directoryId).find(s => s.id === users.id)
    expect(Date.parse(renewed?.expiresAt ?? '') - Date.now()).toBeGreaterThan(28 * 24 * 60 * 60_000)
    expect(w.fake.requests.some(r => r.method === 'PATCH' && r.url.includes(users.remoteId))).toBe(true)
  })

  it('left pending by an app that stopped mid-creation, are deleted at Graph and made again', async () => {
    const w = await openNotifyWorld('entra', cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    const store = w.app.services.store.notifications
    const users = store.subscriptionsOf(w.directoryId).find(s => s.event === '/users')!
    // As the app left it: Graph made the subscription, the app named it and stopped before activating it.
    store.deleteSubscription(users.id)
    store.addSubscription({ ...users, id: 'left-pending', state: 'pending', expiresAt: null })
    await w.app.services.notifications.renewDue()
    const graph = w.fake as GraphFake
    const remote = [...graph.subscriptions.subscriptions.values()].filter(s => s.resource === '/users')
    expect(remote).toHaveLength(1)
    expect(remote[0]?.id).not.toBe(users.remoteId)
    expect((await w.app.call('notifications/status', {}))[0]).toMatchObject({ active: true, problem: null })
  })

  it('replace one Graph still has for the same endpoint (a restored workspace): 409, deleted, made again', async () => {
    const w = await openNotifyWorld('entra', cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    const store = w.app.services.store.notifications
    // The workspace forgets its subscriptions (an older backup restored); Graph still has them.
    for (const sub of store.subscriptionsOf(w.directoryId)) store.deleteSubscription(sub.id)
    const graph = w.fake as GraphFake
    const before = [...graph.subscriptions.subscriptions.keys()]
    const status = await w.app.call('notifications/enable', { directoryId: w.directoryId })
    expect(status).toMatchObject({ active: true, problem: null })
    const after = [...graph.subscriptions.subscriptions.keys()]
    expect(after).toHaveLength(2)
    expect(after.some(id => before.includes(id))).toBe(false)
    w.data.updateUser(w.mover.id, { department: 'Marketing' })
    await w.settle()
    expect(await w.hasSalesforce()).toBe(true)
  })

  it('missed: runs an incremental sync, which brings the move', async () => {
    const w = await openNotifyWorld('entra', cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    await w.settle()
    const runs = w.app.services.store.sync.runs(w.directoryId, 100).length
    const graph = w.fake as GraphFake
    // The change happened while Graph dropped its notifications; then it says so.
    graph.notifications.ca = null
    const sent = graph.notifications.deliveries.length
    w.data.updateUser(w.mover.id, { department: 'Marketing' })
    await w.settle()
    expect(await w.hasSalesforce()).toBe(false)
    // Graph retried the undeliverable notification with back-off (the fake: four retries).
    expect(graph.notifications.deliveries.slice(sent).map(d => d.attempt)).toEqual([1, 2, 3, 4, 5])
    graph.notifications.ca = (await w.app.call('ingress/get', {})).certificate?.trustPem ?? null
    const users = [...graph.subscriptions.subscriptions.values()].find(s => s.resource === '/users')!
    await graph.subscriptions.lifecycle(users.id, 'missed')
    await w.settle()
    expect(w.app.services.store.sync.runs(w.directoryId, 100).length).toBe(runs + 1)
    expect(await w.hasSalesforce()).toBe(true)
  })

  it('reauthorizationRequired: renews; subscriptionRemoved: subscribes again and syncs', async () => {
    const w = await openNotifyWorld('entra', cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    await w.settle()
    const graph = w.fake as GraphFake
    const users = [...graph.subscriptions.subscriptions.values()].find(s => s.resource === '/users')!
    await graph.subscriptions.lifecycle(users.id, 'reauthorizationRequired')
    await w.settle()
    await expect.poll(() => w.fake.requests.some(r => r.method === 'PATCH')).toBe(true)

    const runs = w.app.services.store.sync.runs(w.directoryId, 100).length
    await graph.subscriptions.lifecycle(users.id, 'subscriptionRemoved')
    await w.settle()
    await expect
      .poll(() => [...graph.subscriptions.subscriptions.values()].filter(s => s.resource === '/users').length)
      .toBe(1)
    const fresh = [...graph.subscriptions.subscriptions.values()].find(s => s.resource === '/users')!
    expect(fresh.id).not.toBe(users.id)
    await w.settle()
    expect(w.app.services.store.sync.runs(w.directoryId, 100).length).toBe(runs + 1)
    const status = (await w.app.call('notifications/status', {}))[0]
    expect(status).toMatchObject({ active: true, problem: null })
  })

  it('cannot be created when Graph cannot reach the endpoint: reported as unreachable', async () => {
    const w = await openNotifyWorld('entra', cleanups)
    w.sender.ca = null
    const r = await w.app.invoke('notifications/enable', { directoryId: w.directoryId })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/Subscription validation request failed/)
    const status = (await w.app.call('notifications/status', {}))[0]
    expect(status).toMatchObject({ enabled: true, active: false, problem: { code: 'NOTIFY_UNREACHABLE' } })
    // The overview names it too, linked to Settings where notifications are tested and renewed.
    const board = await w.app.call('overview/health', {})
    expect(board.items.find(i => i.key === `notifications:${w.directoryId}`)).toMatchObject({
      tone: 'bad',
      title: expect.stringMatching(/change notifications stopped$/),
      detail: expect.stringMatching(/Moves wait for the next scheduled sync/),
      href: '#/settings',
    })
  })
})

describe('Google channels', () => {
  it('are replaced before they expire: a new channel, then the old one stopped', async () => {
    const w = await openNotifyWorld('google', cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    await w.settle()
    const store = w.app.services.store.notifications
    const update = store.subscriptionsOf(w.directoryId).find(s => s.event === 'update')!
    store.activateSubscription(update.id, { remoteId: update.remoteId, expiresAt: soon() })
    await w.app.services.notifications.renewDue()
    await w.settle()
    const channels = (w.fake as GoogleFake).channels.channels
    expect(channels.has(update.remoteId)).toBe(false)
    const replacement = [...channels.values()].filter(c => c.event === 'update')
    expect(replacement).toHaveLength(1)
    expect(store.subscriptionByRemote('google', replacement[0]!.id)?.state).toBe('active')
    // The new channel carries the next move.
    w.data.updateUser(w.mover.id, { department: 'Marketing' })
    await w.settle()
    expect(await w.hasSalesforce()).toBe(true)
  })
})

describe('removing a directory', () => {
  it('deletes its event hook at Okta', async () => {
    const w = await openNotifyWorld('okta', cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    const hooks = (w.fake as OktaFake).eventHooks.hooks
    expect(hooks.size).toBe(1)
    const outcome = await w.app.call('directories/remove', { directoryId: w.directoryId, confirmRemovals: true })
    expect(outcome.status).toBe('removed')
    expect(hooks.size).toBe(0)
    expect(w.app.services.store.notifications.allSubscriptions()).toEqual([])
  })
})

describe('Send test', () => {
  it.each(['entra', 'okta', 'google'] as const)('makes %s call the endpoint and records it', async kind => {
    const w = await openNotifyWorld(kind, cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    await w.settle()
    const tested = await w.app.call('notifications/test', { directoryId: w.directoryId })
    await w.settle()
    const status = (await w.app.call('notifications/status', {}))[0]
    expect(status?.lastTestAt).toBe(tested.lastTestAt)
    expect(Date.parse(status?.lastTestOkAt ?? '')).toBeGreaterThanOrEqual(Date.parse(tested.lastTestAt ?? ''))
    expect(status).toMatchObject({ active: true, problem: null })
  })
})

describe('the receivers', () => {
  it('refuse what is not from the IdP, and answer bad input with 4xx', async () => {
    const w = await openNotifyWorld('okta', cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    await w.settle()
    const ca = w.sender.ca as string
    const hook = w.app.services.store.notifications.subscriptionsOf(w.directoryId)[0]!
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      request(`${w.ingressUrl}${path}`, {
        method: 'POST',
        ca,
        body,
        headers: { 'content-type': 'application/json', ...headers },
      })
    const event = JSON.stringify({
      source: `https://contoso.okta.com/api/v1/eventHooks/${hook.remoteId}`,
      data: {
        events: [{ uuid: 'x', eventType: 'user.account.update_profile', target: [{ id: w.mover.id, type: 'User' }] }],
      },
    })
    expect((await post('/notifications/okta', event, { authorization: 'not the secret' })).status).toBe(401)
    expect((await post('/notifications/okta', event)).status).toBe(401)
    expect((await post('/notifications/okta', '{"source": ')).status).toBe(400)
    expect((await post('/notifications/google', '{}')).status).toBe(400)
    expect(
      (await post('/notifications/google', '{}', { 'x-goog-channel-id': 'nope', 'x-goog-resource-state': 'sync' }))
        .status,
    ).toBe(401)
    expect((await post('/notifications/okta', 'x'.repeat(2 * 1024 * 1024))).status).toBe(413)
    // A wrong clientState is dropped and still answered 202, as Graph's guidance has it.
    const graphLike = JSON.stringify({
      value: [{ subscriptionId: 'unknown', clientState: 'guess', resource: 'Users/1', changeType: 'updated' }],
    })
    expect((await post('/notifications/entra', graphLike)).status).toBe(202)
    expect(w.app.services.store.notifications.openCount(w.directoryId)).toBe(0)
    // Still serving: the next real notification goes through.
    w.data.updateUser(w.mover.id, { department: 'Marketing' })
    await w.settle()
    expect(await w.hasSalesforce()).toBe(true)
  })
})
