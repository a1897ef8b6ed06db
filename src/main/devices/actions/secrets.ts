// What the admin's views see of a command: every value under a secret-named key (a device action's
// PIN under `secrets`, a profile's Wi-Fi password) is the KEPT_SECRET marker, as the policies
// channels show them. The outbox keeps them sealed (store/sealed.ts); only the device gets them.
import type { Command } from '../../../shared/domain'
import { KEPT_SECRET, SECRET_SETTING } from '../../../shared/policy'

function hide(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 32) return value
  if (Array.isArray(value)) return value.map(v => hide(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_SETTING.test(k) && v !== null && v !== undefined && v !== '' ? KEPT_SECRET : hide(v, depth + 1)
  return out
}

export const hidePayloadSecrets = (c: Command): Command => ({
  ...c,
  payload: hide(c.payload) as Record<string, unknown>,
})
