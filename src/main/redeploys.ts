// The one owner of "memberships changed -> redeploy these users". A directory sync, an
// attribute edit, a new rule group and an approved admin change all recompute devices through
// here. It forwards to the devices room once that exists: the devices room asks the directory
// room for just-in-time users, and the directories room redeploys after a sync, so one of the two
// is wired after the other, and this is the only place that happens.
import type { DeviceService, RedeployOptions } from './devices'
import type { Redeploy } from './policies'

export interface Redeploys {
  /** Recomputes the devices of users whose memberships changed, through the circuit breaker; `opts.progress` hears of a large one's parts. */
  users(userIds: Iterable<string>, opts?: RedeployOptions): Promise<number>
  /** Recomputes after an admin change that the circuit breaker checked before it was saved. */
  approved(r: Redeploy | null): Promise<number>
}

export function createRedeploys(): Redeploys & { attach(devices: DeviceService): void } {
  let devices: DeviceService | null = null
  const ready = (): DeviceService => {
    if (devices === null) throw new Error('Redeploy before the devices room was attached')
    return devices
  }
  return {
    attach(d) {
      devices = d
    },
    users: (userIds, opts) => ready().redeployUsers(userIds, opts),
    approved(r) {
      if (r === null) return Promise.resolve(0)
      if (r.kind === 'all') return ready().redeployAll({ approved: true })
      if (r.kind === 'users') return ready().redeployUsers(r.userIds, { approved: true })
      return ready().redeployDevices(r.deviceIds, { approved: true })
    },
  }
}
