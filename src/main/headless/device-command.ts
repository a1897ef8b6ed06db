// `jit-mapper device`: a device action from the command line — the same checks, queue, push and
// audit entry as the app's device page (devices/action), found by serial number.
import { parseArgs } from 'node:util'
import { DEVICE_ACTIONS, type DeviceActionName, type DeviceActionParams } from '../../shared/device-actions'
import { AppError, errorMessage } from '../../shared/errors'
import { createApp } from '../app'
import { type CliIo, existingWorkspace, UsageError } from './cli-io'

export const DEVICE_USAGE = `  device     Run a device action: queue its MDM or agent command, push it, audit it
               action SERIAL ACTION   ACTION is one of ${DEVICE_ACTIONS.join(', ')}
               actions SERIAL         list the actions this device can run now, and why not the others
               --message TEXT         lock, lost-mode-on: shown on the device
               --phone NUMBER         lock, lost-mode-on: a number shown on the device
               --footnote TEXT        lost-mode-on: a footnote
               --pin 123456           lock, wipe on a Mac: the six-digit PIN that unlocks it afterwards
               --notify-user          restart on a Mac: ask the user instead of restarting now
               --preserve-data-plan   wipe on iOS: keep the cellular plan
               --no-proximity-setup   wipe on iOS: no Proximity Setup afterwards
               --confirm SERIAL       wipe: the serial number again (required)
               --json                 print JSON instead of text`

export async function deviceCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof read>
  const read = () =>
    parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        message: { type: 'string' },
        phone: { type: 'string' },
        footnote: { type: 'string' },
        pin: { type: 'string' },
        'notify-user': { type: 'boolean' },
        'preserve-data-plan': { type: 'boolean' },
        'no-proximity-setup': { type: 'boolean' },
        confirm: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    })
  try {
    parsed = read()
  } catch (e) {
    throw new UsageError(errorMessage(e))
  }
  const { values: v, positionals } = parsed
  const [verb, serial, action, ...extra] = positionals
  if (verb !== 'action' && verb !== 'actions')
    throw new UsageError('device needs "action SERIAL ACTION" or "actions SERIAL"')
  if (!serial) throw new UsageError(`device ${verb} needs the device's serial number`)
  if (verb === 'action' && (!action || !(DEVICE_ACTIONS as readonly string[]).includes(action)))
    throw new UsageError(`device action needs one of ${DEVICE_ACTIONS.join(', ')}${action ? ` (got ${action})` : ''}`)
  if (extra.length > 0 || (verb === 'actions' && action))
    throw new UsageError(`unexpected ${[action, ...extra].filter(Boolean).join(' ')}`)
  const dataDir = existingWorkspace(v['data-dir'], io)
  if (!dataDir) return 1
  const app = createApp({ dataDir })
  try {
    const device = app.services.store.devices.list().find(d => d.serial === serial)
    if (!device) {
      io.err(`No device with serial ${serial} in this workspace.`)
      return 1
    }
    if (verb === 'actions') {
      const info = await app.call('devices/actions', { deviceId: device.id })
      if (v.json) io.out(JSON.stringify(info, null, 2))
      else
        for (const a of info.actions)
          io.out(`  ${a.allowed ? '✓' : '✗'} ${a.action.padEnd(14)} ${a.allowed ? `via ${a.transport}` : a.reason}`)
      return 0
    }
    const params: DeviceActionParams = {
      ...(v.message !== undefined ? { message: v.message } : {}),
      ...(v.phone !== undefined ? { phoneNumber: v.phone } : {}),
      ...(v.footnote !== undefined ? { footnote: v.footnote } : {}),
      ...(v.pin !== undefined ? { pin: v.pin } : {}),
      ...(v['notify-user'] ? { notifyUser: true } : {}),
      ...(v['preserve-data-plan'] ? { preserveDataPlan: true } : {}),
      ...(v['no-proximity-setup'] ? { disallowProximitySetup: true } : {}),
      ...(v.confirm !== undefined ? { confirm: v.confirm } : {}),
    }
    try {
      const outcome = await app.call('devices/action', {
        deviceId: device.id,
        action: action as DeviceActionName,
        params,
      })
      if (v.json) io.out(JSON.stringify(outcome, null, 2))
      else {
        io.out(outcome.summary)
        for (const c of outcome.queued) io.out(`  #${c.seq} ${c.type} (${c.id}) ${c.state}`)
      }
      return 0
    } catch (e) {
      if (!(e instanceof AppError)) throw e
      io.err(`${e.code}: ${e.message}`)
      return 1
    }
  } finally {
    app.close()
  }
}
