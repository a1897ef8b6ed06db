// The push room: waking devices so they fetch their commands. A transport sends a batch of
// wake-ups and says, per device, what happened in words the outbox can act on; APNs and FCM
// live behind the same port.

export type { FailureDisposition, PushTransport, WakeOutcome, WakeTarget } from './transport'
import type { PushTransport, WakeOutcome } from './transport'

/** Sends Apple devices through one transport and Android devices through another. */
export function createPushRouter(routes: { apple: PushTransport; android: PushTransport }): PushTransport {
  return {
    async send(targets) {
      const apple = targets.map((t, i) => [t, i] as const).filter(([t]) => t.platform !== 'android')
      const android = targets.map((t, i) => [t, i] as const).filter(([t]) => t.platform === 'android')
      const out: WakeOutcome[] = new Array(targets.length)
      const [a, b] = await Promise.all([
        apple.length ? routes.apple.send(apple.map(([t]) => t)) : [],
        android.length ? routes.android.send(android.map(([t]) => t)) : [],
      ])
      apple.forEach(([, i], k) => (out[i] = a[k] as WakeOutcome))
      android.forEach(([, i], k) => (out[i] = b[k] as WakeOutcome))
      return out
    },
  }
}

export { pushHandlers } from './handlers'
export { createPushService, type PushService } from './credentials'
export { createApnsTransport } from './apns'
export { createFcmTransport } from './fcm'
