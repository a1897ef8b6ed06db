// What a device reported back for a device action (store side of devices/actions): a DeviceLocation
// answer, a DeviceLock MessageResult. One answer per command; a repeated answer changes nothing.
import type { Db } from './db'

export interface CommandResult {
  commandId: string
  deviceId: string
  type: string
  result: Record<string, unknown>
  at: string
}

export function commandResultQueries(db: Db) {
  const insert = db.prepare(
    `INSERT INTO command_results (command_id, device_id, type, result, at) VALUES (@commandId, @deviceId, @type, @result, @at)
     ON CONFLICT (command_id) DO NOTHING`,
  )
  const latest = db.prepare(
    'SELECT command_id, device_id, type, result, at FROM command_results WHERE device_id = ? AND type = ? ORDER BY at DESC, command_id DESC LIMIT 1',
  )
  const ofDevice = db.prepare(
    'SELECT command_id, device_id, type, result, at FROM command_results WHERE device_id = ? ORDER BY at DESC, command_id DESC',
  )
  type Row = { command_id: string; device_id: string; type: string; result: string; at: string }
  const toResult = (r: Row): CommandResult => ({
    commandId: r.command_id,
    deviceId: r.device_id,
    type: r.type,
    result: JSON.parse(r.result) as Record<string, unknown>,
    at: r.at,
  })
  return {
    put(r: CommandResult): void {
      insert.run({ ...r, result: JSON.stringify(r.result) })
    },
    latest(deviceId: string, type: string): CommandResult | null {
      const r = latest.get(deviceId, type) as Row | undefined
      return r ? toResult(r) : null
    },
    ofDevice(deviceId: string): CommandResult[] {
      return (ofDevice.all(deviceId) as Row[]).map(toResult)
    },
  }
}
