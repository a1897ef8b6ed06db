// Payload problems (device_payload_problems): a device's profiles that could not be filled
// because the user lacks an attribute a {{user.<attribute>}} variable reads (SYNC_ATTR_MISSING).
import type { Db } from './db'

export interface PayloadProblem {
  deviceId: string
  deviceName: string
  userId: string | null
  itemKey: string
  policyId: string
  policyName: string
  itemName: string
  variables: string[]
  detectedAt: string
}

interface ProblemRow {
  device_id: string
  device_name: string
  user_id: string | null
  item_key: string
  policy_id: string
  policy_name: string
  item_name: string
  variables: string
  detected_at: string
}

export function payloadProblemQueries(db: Db) {
  const dropOf = db.prepare('DELETE FROM device_payload_problems WHERE device_id = ?')
  const put =
    db.prepare(`INSERT OR REPLACE INTO device_payload_problems (device_id, item_key, policy_id, policy_name, item_name, variables, detected_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`)
  const all =
    db.prepare(`SELECT p.*, d.name AS device_name, d.user_id FROM device_payload_problems p JOIN devices d ON d.id = p.device_id
    ORDER BY d.name, p.item_name`)
  const sinceOf = db.prepare('SELECT item_key, detected_at FROM device_payload_problems WHERE device_id = ?')

  return {
    /** Replaces a device's payload problems, keeping when each was first seen. */
    set(
      deviceId: string,
      problems: { itemKey: string; policyId: string; policyName: string; itemName: string; variables: string[] }[],
      at: string,
    ): void {
      const since = new Map(
        (sinceOf.all(deviceId) as { item_key: string; detected_at: string }[]).map(r => [r.item_key, r.detected_at]),
      )
      dropOf.run(deviceId)
      for (const p of problems)
        put.run(
          deviceId,
          p.itemKey,
          p.policyId,
          p.policyName,
          p.itemName,
          JSON.stringify(p.variables),
          since.get(p.itemKey) ?? at,
        )
    },
    list: (): PayloadProblem[] =>
      (all.all() as ProblemRow[]).map(r => ({
        deviceId: r.device_id,
        deviceName: r.device_name,
        userId: r.user_id,
        itemKey: r.item_key,
        policyId: r.policy_id,
        policyName: r.policy_name,
        itemName: r.item_name,
        variables: JSON.parse(r.variables) as string[],
        detectedAt: r.detected_at,
      })),
  }
}
