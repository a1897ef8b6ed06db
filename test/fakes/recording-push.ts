// A push transport that records wake-ups instead of sending them, for tests that watch
// what the outbox pushes without an APNs or FCM fake.
import type { PushTransport, WakeTarget } from '../../src/main/push'

export interface RecordingPush extends PushTransport {
  readonly wakeups: readonly WakeTarget[]
}

export function createRecordingPush(): RecordingPush {
  const wakeups: WakeTarget[] = []
  return {
    wakeups,
    async send(targets) {
      wakeups.push(...targets)
      return targets.map(() => ({ ok: true, transport: 'in-process' }))
    },
  }
}
