// A platform transport plugs into device actions by action name (as the Android Management API's
// issueCommand will): put ahead of the built-in ones, it decides what its devices can run, records
// its commands in the history, and is called to deliver them only after they are committed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDeviceActions, defaultTransports } from '../../../src/main/devices/actions'
import type { ActionTransport } from '../../../src/main/devices/actions/transport'
import { silentLog, timeOrderedIds } from '../../../src/main/ports'
import type { Command } from '../../../src/shared/domain'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

let ws: TestWorkspace
beforeEach(() => {
  ws = openWorkspace()
  seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

describe('a plugged-in action transport', () => {
  it('runs the actions it lists for the devices it reaches, and delivers after the commit', async () => {
    const { store, devices } = ws.app.services
    const delivered: { stored: Command | undefined; commands: readonly Command[] }[] = []
    const api: ActionTransport = {
      name: 'android-management-api',
      reaches: d => d.platform === 'android',
      unsupported: () => 'not in this API',
      actions: {
        'lost-mode-on': {
          refuse: () => null,
          checkParams: (_ctx, p) => (p.message ? null : 'needs a message'),
          run: (_ctx, p, queue) => queue([{ type: 'enable_lost_mode', payload: { lostMessage: p.message } }]),
        },
      },
      async deliver(device, commands) {
        delivered.push({ stored: store.devices.command(device.id, commands[0]?.id ?? ''), commands })
      },
    }
    let woken = 0
    const actions = createDeviceActions({
      store,
      clock: ws.clock,
      ids: timeOrderedIds(),
      log: silentLog,
      ackDeadlineMs: 60_000,
      wake: async () => {
        woken++
      },
      unbind: (ids, why) => devices.unbind(ids, why),
      transports: [api, ...defaultTransports()],
    })
    const { device } = await devices.enroll({
      serial: 'AMAPI-1',
      platform: 'android',
      userPrincipalName: 'kim@example.test',
    })
    const info = actions.info(device.id)
    expect(info.actions.filter(a => a.allowed).map(a => [a.action, a.transport])).toEqual([
      ['lost-mode-on', 'android-management-api'],
    ])
    expect(info.actions.find(a => a.action === 'lock')?.reason).toBe('not in this API')

    const outcome = await actions.run(device.id, 'lost-mode-on', { message: 'Lost' })
    expect(delivered).toHaveLength(1)
    expect(delivered[0]?.stored?.type).toBe('enable_lost_mode')
    expect(delivered[0]?.commands.map(c => c.id)).toEqual(outcome.queued.map(c => c.id))
    expect(woken).toBe(0)
    expect(store.audit.list({ action: 'devices/lost-mode-on' })[0]?.details).toMatchObject({
      transport: 'android-management-api',
      message: 'Lost',
    })
    await expect(actions.run(device.id, 'lost-mode-on', {})).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })
})
