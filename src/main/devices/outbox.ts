// The command outbox: commands are rows in SQLite (per-device seq order, ids the device echoes
// back), pushes wake the device, a check-in hands out the next command and the device's answer
// closes it. Each step is one transaction guarded by the state it expects, so a crash between
// steps leaves a state the next step resumes from, and a repeated answer or push changes nothing.
import type { Command } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { Clock, Faults, IdSource, Log } from '../ports'
import type { PushTransport, WakeOutcome, WakeTarget } from '../push'
import type { Store } from '../store'
import { backoffMs } from './backoff'

export interface OutboxOptions {
  store: Store
  push: PushTransport
  clock: Clock
  ids: IdSource
  log: Log
  /** How long a device has after a push to acknowledge a command (PAYLOAD_LATENCY after that). */
  ackDeadlineMs: number
  /** Pushes per command before it is dead-lettered. */
  maxAttempts: number
  faults: Faults
}

/** FCM sendEach takes at most 500 messages per call (firebase-admin messaging docs). */
export const PUSH_BATCH = 500

export interface Outbox {
  /** Pushes every device with a command due now; returns how many devices were pushed. */
  pump(): Promise<number>
  /** When the next push is due (ISO), or null when nothing waits. */
  nextDueAt(): string | null
  /**
   * Hands out the next command of one channel's queue in seq order (Apple: one per check-in),
   * dead-lettered ones included; channel null = the device channel.
   */
  next(deviceId: string, channel?: string | null): Command | null
  /** Hands out every open command in seq order (the Android agent fetches them together). */
  pending(deviceId: string): Command[]
  /** Records the device's answer; a repeated answer is accepted and changes nothing. */
  answer(
    deviceId: string,
    commandId: string,
    status: 'acknowledged' | 'error',
    error?: string | null,
  ): { changed: boolean }
  /** Makes the device's open and dead-lettered commands due now (re-push), clearing a stale-token hold. */
  repush(deviceId: string): number
  /** Cancels open or dead-lettered commands: one, or all of the device's when commandId is null. */
  cancel(deviceId: string, commandId: string | null, why: string): number
}

export function createOutbox(o: OutboxOptions): Outbox {
  const { store, clock } = o
  const iso = (ms: number) => new Date(ms).toISOString()

  /** Records one push's outcome for one channel's commands (null = the device channel). */
  const record = (target: WakeTarget, outcome: WakeOutcome, nowMs: number, channel: string | null = null): void => {
    const at = iso(nowMs)
    const { deviceId } = target
    store.transaction(() => {
      if (outcome.ok) {
        store.outbox.recordPushed(deviceId, at, iso(nowMs + o.ackDeadlineMs), channel)
        store.outbox.recordDelivery(o.ids.next(), deviceId, outcome.transport, 'sent', null, 'delivered', at)
        return
      }
      store.outbox.recordDelivery(
        o.ids.next(),
        deviceId,
        outcome.transport,
        'failed',
        outcome.reason,
        outcome.disposition,
        at,
      )
      // A user channel's token going stale says nothing about the device's: that channel only retries.
      if (channel === null && (outcome.disposition === 'stale-token' || outcome.disposition === 'rejected')) {
        // Nothing can reach the device until it sends a new token: hold its commands, keep them.
        // A TokenUpdate newer than APNs's verdict means the device re-registered: retry instead.
        if (store.outbox.markTokenStale(deviceId, target.pushToken, outcome.reason, outcome.invalidSince ?? at, at)) {
          store.outbox.hold(deviceId)
          return
        }
      }
      const attempts =
        Math.max(
          0,
          ...store.outbox
            .openCommands(deviceId)
            .filter(c => c.channel === channel)
            .map(c => c.attempts),
        ) + 1
      store.outbox.recordRetry(deviceId, iso(nowMs + backoffMs(attempts, outcome)), channel)
      store.outbox.deadLetter(
        deviceId,
        o.maxAttempts,
        `Push failed ${o.maxAttempts} times; last: ${outcome.reason}`,
        at,
        channel,
      )
    })
    if (!outcome.ok)
      o.log.warn('push failed', {
        deviceId,
        transport: outcome.transport,
        reason: outcome.reason,
        disposition: outcome.disposition,
      })
  }

  const targetOf = (deviceId: string): WakeTarget | null => {
    const t = store.outbox.pushTarget(deviceId)
    if (!t?.pushToken) return null
    return { deviceId, platform: t.platform, pushToken: t.pushToken, pushTopic: t.pushTopic, pushMagic: t.pushMagic }
  }

  let running: Promise<number> | null = null
  const pumpAll = async (): Promise<number> => {
    let pushed = 0
    for (;;) {
      const now = iso(clock.now().getTime())
      store.outbox.expireUnanswered(now, o.maxAttempts, `Not acknowledged after ${o.maxAttempts} pushes`)
      const due = store.outbox.dueDevices(now, PUSH_BATCH)
      const users = store.outbox.dueUserChannels(now, PUSH_BATCH)
      if (due.length === 0 && users.length === 0) return pushed
      const targets = due.map(targetOf).filter((t): t is WakeTarget => t !== null)
      const userTargets: WakeTarget[] = users.map(u => ({
        deviceId: u.deviceId,
        platform: u.platform,
        pushToken: u.pushToken as string,
        pushTopic: u.pushTopic,
        pushMagic: u.pushMagic,
      }))
      const outcomes = await o.push.send([...targets, ...userTargets])
      o.faults.hit('push:before-record')
      const after = clock.now().getTime()
      targets.forEach((t, i) => record(t, outcomes[i] as WakeOutcome, after))
      userTargets.forEach((t, i) =>
        record(t, outcomes[targets.length + i] as WakeOutcome, after, users[i]?.channel ?? null),
      )
      pushed += targets.length + userTargets.length
    }
  }
  // One pump at a time, so a device is never pushed twice at once. Pumps asked for while one
  // runs share one more run after it, so what their callers just committed is never left behind.
  let rerun: Promise<number> | null = null
  const pump = (): Promise<number> => {
    if (!running) {
      running = pumpAll().finally(() => {
        running = null
      })
      return running
    }
    rerun ??= running
      .catch(() => 0)
      .then(() => {
        rerun = null
        return pump()
      })
    return rerun
  }

  return {
    pump,
    nextDueAt: () => store.outbox.nextDueAt(),
    next(deviceId, channel = null) {
      const at = clock.now().toISOString()
      const command = store.transaction(() => {
        const [first] = store.outbox.deliverableCommands(deviceId, channel)
        if (!first) return null
        store.outbox.handOut(first.id, at)
        store.devices.markSeen(deviceId, at)
        return first
      })
      o.faults.hit('fetch:after-commit')
      return command
    },
    pending(deviceId) {
      const at = clock.now().toISOString()
      const commands = store.transaction(() => {
        const open = store.outbox.deliverableCommands(deviceId)
        for (const c of open) store.outbox.handOut(c.id, at)
        store.devices.markSeen(deviceId, at)
        return open
      })
      o.faults.hit('fetch:after-commit')
      return commands
    },
    answer(deviceId, commandId, status, error) {
      if (!store.devices.command(deviceId, commandId)) {
        throw new AppError('NOT_FOUND', `Device ${deviceId} has no command ${commandId}.`, { deviceId, commandId })
      }
      o.faults.hit('ack:before-commit')
      const at = clock.now().toISOString()
      const changed = store.transaction(() => {
        store.devices.markSeen(deviceId, at)
        // Devices repeat answers after a lost response; only the first one counts.
        return store.outbox.finish(
          deviceId,
          commandId,
          status === 'acknowledged' ? 'acknowledged' : 'failed',
          at,
          status === 'error' ? (error ?? 'The device reported an error') : null,
        )
      })
      o.faults.hit('ack:after-commit')
      return { changed }
    },
    repush(deviceId) {
      const at = clock.now().toISOString()
      return store.transaction(() => {
        const t = store.outbox.pushTarget(deviceId)
        // The admin's re-push overrides a stale verdict (e.g. after fixing the push certificate).
        if (t?.tokenStaleAt) store.outbox.clearStale(deviceId)
        return store.outbox.revive(deviceId, at) + store.outbox.rearm(deviceId, at)
      })
    },
    cancel(deviceId, commandId, why) {
      return store.outbox.cancel(deviceId, commandId, clock.now().toISOString(), why)
    },
  }
}
