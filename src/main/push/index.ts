// The push room: waking devices so they fetch their commands. APNs and FCM transports come
// later; until then the in-process transport records each wake-up so the loop can be run
// and inspected end to end without a network.
import type { Platform } from '../../shared/domain'

export interface WakeTarget {
  deviceId: string
  platform: Platform
  pushToken: string | null
}

export type WakeOutcome = { ok: true; transport: string } | { ok: false; transport: string; reason: string }

export interface PushTransport {
  wake(target: WakeTarget): Promise<WakeOutcome>
}

export interface RecordingPush extends PushTransport {
  readonly wakeups: readonly WakeTarget[]
}

export function createRecordingPush(): RecordingPush {
  const wakeups: WakeTarget[] = []
  return {
    wakeups,
    async wake(target) {
      wakeups.push(target)
      return { ok: true, transport: 'in-process' }
    },
  }
}
