import { DEFAULT_POLICY_SETTINGS, type PolicySettings } from '../../shared/policy'
import { AppError } from '../../shared/errors'
import type { Store } from '../store'

/**
 * The stored settings over the defaults (grace: one confirming sync; breaker: 20 devices or 10%;
 * directory syncs held above 20% of memberships or 10% of users, once there are 20 of them).
 */
export function readPolicySettings(store: Store): PolicySettings {
  const stored = store.policySettings.all()
  const pick = (key: keyof PolicySettings): number => {
    const v = stored[key]
    return typeof v === 'number' && Number.isFinite(v) ? v : DEFAULT_POLICY_SETTINGS[key]
  }
  return {
    graceSyncs: pick('graceSyncs'),
    graceMinutes: pick('graceMinutes'),
    breakerDevices: pick('breakerDevices'),
    breakerShare: pick('breakerShare'),
    syncHoldMembershipShare: pick('syncHoldMembershipShare'),
    syncHoldUserShare: pick('syncHoldUserShare'),
    syncHoldMinimum: pick('syncHoldMinimum'),
  }
}

export function writePolicySettings(store: Store, patch: Partial<PolicySettings>): PolicySettings {
  const fields: { path: string; message: string }[] = []
  const whole = (key: keyof PolicySettings, max: number) => {
    const v = patch[key]
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > max))
      fields.push({ path: key, message: `must be a whole number from 0 to ${max}` })
  }
  whole('graceSyncs', 100)
  whole('graceMinutes', 60 * 24 * 30)
  whole('breakerDevices', 1_000_000)
  whole('syncHoldMinimum', 10_000_000)
  const share = (key: keyof PolicySettings) => {
    const v = patch[key]
    if (v !== undefined && !(v > 0 && v <= 1))
      fields.push({ path: key, message: 'must be a share above 0 and at most 1 (0.1 = 10%)' })
  }
  share('breakerShare')
  share('syncHoldMembershipShare')
  share('syncHoldUserShare')
  if (fields.length > 0)
    throw new AppError('BAD_INPUT', `Settings not saved: ${fields.map(f => `${f.path} ${f.message}`).join('; ')}.`, {
      fields,
    })
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) store.policySettings.put(k, v)
  return readPolicySettings(store)
}

/**
 * Whether withdrawing policies from `withdrawn` of `total` devices must be held for approval:
 * more than the device threshold, or more than the share. One device is never held: that is
 * the everyday case of one user changing department.
 */
export function tripsBreaker(withdrawn: number, total: number, s: PolicySettings): boolean {
  if (withdrawn <= 1) return false
  return withdrawn > s.breakerDevices || (total > 0 && withdrawn / total > s.breakerShare)
}
