// A department move reaches the device in seconds: the IdP fake sends its change notification to
// the ingress (as Graph, Okta and Google document: handshakes, secrets, retries, duplicates), the
// app fetches that one user, re-evaluates and queues the Marketing install, with no scheduled sync.
import { afterEach, describe, expect, it } from 'vitest'
import { type IdpKind, openNotifyWorld } from '../../helpers/notify-world'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const KINDS: IdpKind[] = ['entra', 'okta', 'google']

describe.each(KINDS)('change notifications from %s', kind => {
  it('queue the Marketing install for a user moved to Marketing, with no sync', async () => {
    const w = await openNotifyWorld(kind, cleanups)
    const status = await w.app.call('notifications/enable', { directoryId: w.directoryId })
    expect(status).toMatchObject({ enabled: true, active: true, problem: null })
    expect(status.subscriptions.every(s => s.state === 'active')).toBe(true)
    // The IdP called the endpoint while subscribing (Graph's validation, Okta's verification, Google's sync).
    await w.settle()
    expect((await w.app.call('notifications/status', {}))[0]?.lastTestOkAt).not.toBeNull()
    const syncsBefore = w.app.services.store.sync.runs(w.directoryId, 100).length
    expect(await w.hasSalesforce()).toBe(false)

    w.data.updateUser(w.mover.id, { department: 'Marketing' })
    await w.settle()

    expect(await w.hasSalesforce()).toBe(true)
    expect(w.app.services.store.sync.runs(w.directoryId, 100).length).toBe(syncsBefore)
    const after = (await w.app.call('notifications/status', {})).find(s => s.directoryId === w.directoryId)
    expect(after).toMatchObject({ queued: 0, problem: null })
    expect(after?.lastEventAt).not.toBeNull()
  })

  it('delivers each notification twice and the device still gets one install', async () => {
    const w = await openNotifyWorld(kind, cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    await w.settle()
    w.sender.duplicates = true
    w.data.updateUser(w.mover.id, { department: 'Marketing' })
    await w.settle()
    const installs = (await w.app.call('devices/get', { deviceId: w.phone })).commands.filter(
      c => c.type === 'install_app' && c.payload['name'] === 'Salesforce',
    )
    expect(installs).toHaveLength(1)
  })

  it('turned off, deletes the subscription at the IdP, and a move waits for the sync', async () => {
    const w = await openNotifyWorld(kind, cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    await w.settle()
    const off = await w.app.call('notifications/disable', { directoryId: w.directoryId })
    expect(off).toMatchObject({ enabled: false, subscriptions: [] })
    const remote =
      'subscriptions' in w.fake
        ? w.fake.subscriptions.subscriptions.size
        : 'eventHooks' in w.fake
          ? w.fake.eventHooks.hooks.size
          : w.fake.channels.channels.size
    expect(remote).toBe(0)
    w.data.updateUser(w.mover.id, { department: 'Marketing' })
    await w.settle()
    expect(await w.hasSalesforce()).toBe(false)
    await w.app.call('directories/sync', { directoryId: w.directoryId })
    expect(await w.hasSalesforce()).toBe(true)
  })
})

describe('the notification queue', () => {
  it('processes after a restart what was queued but not processed', async () => {
    const w = await openNotifyWorld('okta', cleanups)
    await w.app.call('notifications/enable', { directoryId: w.directoryId })
    await w.settle()
    // The process stops between queueing and processing: the processor is stopped first.
    w.app.services.notifications.processor.stop()
    w.data.updateUser(w.mover.id, { department: 'Marketing' })
    await w.sender.settled()
    expect(w.app.services.store.notifications.openCount(w.directoryId)).toBe(1)
    expect(await w.hasSalesforce()).toBe(false)
    await w.app.services.serving.stop()
    w.app.close()

    const again = w.reopen()
    again.services.scheduler.start()
    await again.services.notifications.processor.drain()
    again.services.scheduler.stop()
    expect(again.services.store.notifications.openCount(w.directoryId)).toBe(0)
    expect(await w.hasSalesforce()).toBe(true)
  })
})
