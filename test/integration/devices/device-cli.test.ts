// `jit-mapper device action SERIAL ACTION`: the app's device action from the command line, with
// the same refusals and the same audit entry.
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../../src/main/app'
import type { CliIo } from '../../../src/main/headless/cli-io'
import { runCli } from '../../../src/main/headless/commands'
import { openWorkspace, seedSmallOrganisation } from '../../helpers/workspace'

const dirs: { close(): void }[] = []
afterEach(() => dirs.splice(0).forEach(d => d.close()))

async function workspaceWithIphone(): Promise<string> {
  const ws = openWorkspace()
  seedSmallOrganisation(ws)
  await ws.call('devices/enroll', { serial: 'CLI-IPHONE', platform: 'ios', userPrincipalName: 'alex@example.test' })
  ws.app.close()
  dirs.push({ close: () => ws.close() })
  return ws.dir
}

function cli() {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = { out: l => out.push(l), err: l => err.push(l), env: {}, untilStopped: async () => {} }
  return { io, out, err }
}

describe('jit-mapper device', () => {
  it('locks a device by serial: queued, audited, in its history', async () => {
    const dataDir = await workspaceWithIphone()
    const t = cli()
    expect(
      await runCli(['device', 'action', 'CLI-IPHONE', 'lock', '--message', 'Call IT', '--data-dir', dataDir], t.io),
    ).toBe(0)
    expect(t.out.join('\n')).toMatch(/Lock queued for .*\n {2}#\d+ device_lock/)
    const app = createApp({ dataDir })
    try {
      const device = app.services.store.devices.list().find(d => d.serial === 'CLI-IPHONE')
      const lock = app.services.store.devices.commands(device?.id ?? '').find(c => c.type === 'device_lock')
      expect(lock?.payload).toMatchObject({ message: 'Call IT' })
      expect(app.services.store.audit.list({ action: 'devices/lock' }).map(a => a.actor)).toEqual(['admin'])
    } finally {
      app.close()
    }
  })

  it('refuses what the device cannot do, and a wipe without the serial typed again (exit 1)', async () => {
    const dataDir = await workspaceWithIphone()
    const lost = cli()
    expect(
      await runCli(
        ['device', 'action', 'CLI-IPHONE', 'lost-mode-on', '--message', 'x', '--data-dir', dataDir],
        lost.io,
      ),
    ).toBe(1)
    expect(lost.err.join('\n')).toMatch(/ACTION_UNSUPPORTED: .*supervised/)
    const wipe = cli()
    expect(await runCli(['device', 'action', 'CLI-IPHONE', 'wipe', '--data-dir', dataDir], wipe.io)).toBe(1)
    expect(wipe.err.join('\n')).toMatch(/Type the serial number CLI-IPHONE/)
    const listed = cli()
    expect(await runCli(['device', 'actions', 'CLI-IPHONE', '--data-dir', dataDir], listed.io)).toBe(0)
    expect(listed.out.join('\n')).toMatch(/✗ clear-passcode .*UnlockToken/)
  })

  it('says how to use it (exit 2)', async () => {
    const t = cli()
    expect(await runCli(['device', 'action', 'X', 'explode'], t.io)).toBe(2)
    expect(t.err.join('\n')).toMatch(/one of lock, restart/)
  })
})
