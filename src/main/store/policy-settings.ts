// The policy engine's settings (policy_settings: grace period, circuit breaker, sync hold limits,
// stored as JSON by key) and its caches: the revision that every write to policies, payloads,
// targets or group names bumps (policy_revision) and each device's last plan digest (device_plan_digests).
import type { Db } from './db'

export function policySettingQueries(db: Db) {
  const all = db.prepare('SELECT key, value FROM policy_settings')
  const put = db.prepare(
    'INSERT INTO policy_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  )
  const revision = db.prepare('SELECT n FROM policy_revision WHERE id = 1')
  const digestsAll = db.prepare('SELECT device_id, digest FROM device_plan_digests').raw(true)
  const putDigest = db.prepare(
    'INSERT INTO device_plan_digests (device_id, digest) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET digest = excluded.digest',
  )
  const dropDigest = db.prepare('DELETE FROM device_plan_digests WHERE device_id = ?')

  return {
    all: (): Record<string, unknown> =>
      Object.fromEntries(
        (all.all() as { key: string; value: string }[]).map(r => [r.key, JSON.parse(r.value) as unknown]),
      ),
    put(key: string, value: unknown): void {
      put.run(key, JSON.stringify(value))
    },
    revision: (): number => (revision.get() as { n: number }).n,
    planDigests: (): Map<string, string> => new Map(digestsAll.all() as [string, string][]),
    /** null forgets the digest (the next recompute reads what was sent). */
    setPlanDigest(deviceId: string, digest: string | null): void {
      if (digest === null) dropDigest.run(deviceId)
      else putDigest.run(deviceId, digest)
    },
  }
}
