// `npm run bench -- notify`: a department move from the IdP's change notification to the device's
// command queue. The Graph fake (10,000 users) sends its notification over HTTPS to the app's own
// ingress as Graph does; the app queues it, fetches that one user from the fake, re-evaluates and
// queues the Marketing install. 1,000 moves, one after another, each timed from the moment the fake
// sends to the moment the install is in the device's queue. No scheduled sync runs.
import { performance } from 'node:perf_hooks'
import { openNotifyWorld } from '../test/helpers/notify-world'
import type { Figure } from './devices'

const USERS = 10_000
const MOVES = 1000

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
const round = (n: number): number => Math.round(n * 1000) / 1000

export async function notifySuite(): Promise<Figure[]> {
  const cleanups: (() => unknown)[] = []
  try {
    const w = await openNotifyWorld('entra', cleanups, { users: USERS })
    const { app } = w
    await app.call('notifications/enable', { directoryId: w.directoryId })
    await w.settle()
    const movers = [...w.data.users.values()]
      .filter(u => u.department !== 'Marketing' && u.id !== w.mover.id)
      .slice(0, MOVES)
    const devices = new Map<string, string>()
    for (const [i, u] of movers.entries()) {
      const r = await app.call('devices/enroll', {
        serial: `MOVE-${i}`,
        platform: 'android',
        userPrincipalName: u.userPrincipalName,
      })
      devices.set(u.id, r.device.id)
    }
    const installed = (deviceId: string) =>
      app.services.store.devices
        .commands(deviceId)
        .some(c => c.type === 'install_app' && c.payload['name'] === 'Salesforce' && c.state !== 'cancelled')
    const times: number[] = []
    for (const u of movers) {
      const deviceId = devices.get(u.id) as string
      const sent = w.sender.deliveries.length
      w.data.updateUser(u.id, { department: 'Marketing' })
      await w.settle()
      const delivery = w.sender.deliveries[sent]
      if (!delivery || !installed(deviceId)) throw new Error(`the move of ${u.userPrincipalName} queued no install`)
      times.push(performance.now() - delivery.sentAt)
    }
    times.sort((a, b) => a - b)
    return [
      { name: 'move.change_to_command_p50_ms', value: round(percentile(times, 50)), unit: 'ms' },
      { name: 'move.change_to_command_p99_ms', value: round(percentile(times, 99)), unit: 'ms' },
    ]
  } finally {
    for (const c of cleanups.splice(0).reverse()) await c()
  }
}
