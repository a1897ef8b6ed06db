// The command outbox's delivery bookkeeping: which devices are due a push, what each push did,
// which command a check-in hands out next, and the device's answer. Every state change is
// guarded by the state it expects, so a repeated answer or a replayed step changes nothing.
import type { Command, Platform } from '../../shared/domain'
import { toCommand, type CommandRow } from './devices'
import { plainSealer, type PayloadSealer } from './sealed'
import type { Db } from './db'

const OPEN = `('queued', 'pushed', 'sent')`

export interface PushTarget {
  deviceId: string
  platform: Platform
  pushToken: string | null
  pushTopic: string | null
  pushMagic: string | null
  tokenUpdatedAt: string | null
  tokenStaleAt: string | null
}

export interface AppleIdentity {
  deviceId: string
  udid: string
  identityFingerprint: string | null
}

export interface StaleToken {
  deviceId: string
  deviceName: string
  platform: Platform
  staleAt: string
  reason: string | null
}

export interface AckLatency {
  commandId: string
  deviceId: string
  pushedAt: string
  acknowledgedAt: string
  ms: number
}

export function outboxQueries(db: Db, sealer: PayloadSealer = plainSealer) {
  const asCommand = (r: CommandRow) => toCommand(r, sealer)
  // From the devices a push can wake (migration 23's partial index), in id order, to the batch's
  // last: not every open command of the fleet, sorted, on each of the pump's rounds.
  const due = db.prepare(`SELECT d.id AS device_id FROM devices d INDEXED BY devices_pushable
    WHERE d.push_token IS NOT NULL AND d.token_stale_at IS NULL AND EXISTS (SELECT 1 FROM commands c
      WHERE c.device_id = d.id AND c.state IN ${OPEN} AND c.next_attempt_at IS NOT NULL AND c.next_attempt_at <= ?
        AND c.channel IS NULL)
    ORDER BY d.id LIMIT ?`)
  // An Apple user channel is woken with its own push token and PushMagic, not the device's.
  // From the user channels (a Mac's few) to their commands, not from every open command.
  const dueChannels = db.prepare(`SELECT DISTINCT c.device_id, c.channel, d.platform, u.push_token, u.push_topic,
      u.push_magic FROM apple_user_channels u CROSS JOIN commands c ON c.device_id = u.device_id AND c.channel = u.channel
    JOIN devices d ON d.id = c.device_id
    WHERE c.state IN ${OPEN} AND c.next_attempt_at IS NOT NULL AND c.next_attempt_at <= ? AND d.checked_out_at IS NULL
    ORDER BY c.device_id, c.channel LIMIT ?`)
  const nextDue = db.prepare(`SELECT MIN(c.next_attempt_at) AS at FROM commands c JOIN devices d ON d.id = c.device_id
    WHERE c.state IN ${OPEN} AND c.next_attempt_at IS NOT NULL AND (
      (c.channel IS NULL AND d.push_token IS NOT NULL AND d.token_stale_at IS NULL) OR
      (c.channel IS NOT NULL AND d.checked_out_at IS NULL AND EXISTS (SELECT 1 FROM apple_user_channels u
        WHERE u.device_id = c.device_id AND u.channel = c.channel)))`)
  const target = db.prepare(
    `SELECT id, platform, push_token, push_topic, push_magic, token_updated_at, token_stale_at FROM devices WHERE id = ?`,
  )
  const openOf = db.prepare(`SELECT * FROM commands WHERE device_id = ? AND state IN ${OPEN} ORDER BY seq`)
  // Dead-lettered commands are no longer pushed, but a device that shows up still gets them:
  // giving up on waking a device must not lose what it was meant to receive.
  const deliverableOf = db.prepare(
    `SELECT * FROM commands WHERE device_id = ? AND channel IS ? AND state IN ('queued', 'pushed', 'sent', 'dead') ORDER BY seq`,
  )
  const pushed = db.prepare(`UPDATE commands SET state = CASE state WHEN 'queued' THEN 'pushed' ELSE state END,
    pushed_at = @at, deadline_at = @deadlineAt, attempts = attempts + 1, next_attempt_at = @deadlineAt
    WHERE device_id = @deviceId AND channel IS @channel AND state IN ${OPEN}`)
  const retryLater = db.prepare(`UPDATE commands SET attempts = attempts + 1, next_attempt_at = @nextAt
    WHERE device_id = @deviceId AND channel IS @channel AND state IN ${OPEN}`)
  const hold = db.prepare(`UPDATE commands SET next_attempt_at = NULL WHERE device_id = ? AND state IN ${OPEN}`)
  const deadLetter =
    db.prepare(`UPDATE commands SET state = 'dead', error = @reason, finished_at = @at, next_attempt_at = NULL
    WHERE device_id = @deviceId AND channel IS @channel AND state IN ${OPEN} AND attempts >= @maxAttempts`)
  const expire =
    db.prepare(`UPDATE commands SET state = 'dead', error = @reason, finished_at = @now, next_attempt_at = NULL
    WHERE state IN ${OPEN} AND next_attempt_at IS NOT NULL AND next_attempt_at <= @now AND attempts >= @maxAttempts`)
  const unstale = db.prepare('UPDATE devices SET token_stale_at = NULL, token_stale_reason = NULL WHERE id = ?')
  const rearm = db.prepare(`UPDATE commands SET next_attempt_at = ? WHERE device_id = ? AND state IN ${OPEN}`)
  const handOut = db.prepare(
    `UPDATE commands SET state = 'sent', sent_at = ?, error = NULL, finished_at = NULL WHERE id = ? AND state IN ('queued', 'pushed', 'dead')`,
  )
  const finish =
    db.prepare(`UPDATE commands SET state = @state, acknowledged_at = CASE @state WHEN 'acknowledged' THEN @at ELSE acknowledged_at END,
    finished_at = @at, error = @error, next_attempt_at = NULL WHERE id = @id AND device_id = @deviceId AND state IN ('queued', 'pushed', 'sent', 'dead')`)
  const cancelOne =
    db.prepare(`UPDATE commands SET state = 'cancelled', finished_at = ?, error = ?, next_attempt_at = NULL
    WHERE id = ? AND device_id = ? AND state IN ('queued', 'pushed', 'sent', 'dead')`)
  const cancelAll =
    db.prepare(`UPDATE commands SET state = 'cancelled', finished_at = ?, error = ?, next_attempt_at = NULL
    WHERE device_id = ? AND state IN ('queued', 'pushed', 'sent', 'dead')`)
  const revive =
    db.prepare(`UPDATE commands SET state = 'queued', attempts = 0, error = NULL, finished_at = NULL, next_attempt_at = ?
    WHERE device_id = ? AND state = 'dead'`)
  const setApple = db.prepare(`UPDATE devices SET push_token = @token, push_topic = @topic, push_magic = @magic,
    token_updated_at = @at, token_stale_at = NULL, token_stale_reason = NULL, last_seen_at = @at WHERE id = @deviceId`)
  const setFcm = db.prepare(`UPDATE devices SET push_token = @token, token_updated_at = @at, token_stale_at = NULL,
    token_stale_reason = NULL, last_seen_at = @at WHERE id = @deviceId`)
  // APNs's 410 timestamp says when it learned the token was invalid; a TokenUpdate after that
  // moment means the device re-registered, so the stale verdict does not apply (Apple,
  // "Handling notification responses from APNs").
  const markStale = db.prepare(`UPDATE devices SET token_stale_at = @at, token_stale_reason = @reason
    WHERE id = @deviceId AND push_token = @token AND (token_updated_at IS NULL OR token_updated_at <= @invalidSince)`)
  const staleDevices =
    db.prepare(`SELECT d.id, d.name, d.platform, d.token_stale_at, d.token_stale_reason FROM devices d
    WHERE d.token_stale_at IS NOT NULL ORDER BY d.token_stale_at`)
  const byUdid = db.prepare('SELECT id, udid, identity_fingerprint FROM devices WHERE udid = ?')
  const bindApple = db.prepare('UPDATE devices SET udid = ?, identity_fingerprint = ? WHERE id = ?')
  const credentialOf = db.prepare('SELECT credential_hash FROM devices WHERE id = ?')
  const setCredential = db.prepare('UPDATE devices SET credential_hash = ? WHERE id = ?')
  const insertDelivery =
    db.prepare(`INSERT INTO push_deliveries (id, device_id, transport, status, reason, created_at, disposition)
    VALUES (?, ?, ?, ?, ?, ?, ?)`)
  const latencies = db.prepare(`SELECT id, device_id, pushed_at, acknowledged_at FROM commands
    WHERE state = 'acknowledged' AND pushed_at IS NOT NULL AND acknowledged_at IS NOT NULL
    ORDER BY acknowledged_at DESC LIMIT ?`)
  const deadOf = db.prepare(`SELECT c.*, d.name AS device_name FROM commands c JOIN devices d ON d.id = c.device_id
    WHERE c.state = 'dead' ORDER BY c.finished_at`)

  return {
    /** Devices whose device-channel commands are due a push. */
    dueDevices(now: string, limit: number): string[] {
      return (due.all(now, limit) as { device_id: string }[]).map(r => r.device_id)
    },
    /** Apple user channels with commands due a push, with the channel's own push identity. */
    dueUserChannels(now: string, limit: number): (PushTarget & { channel: string })[] {
      return (
        dueChannels.all(now, limit) as {
          device_id: string
          channel: string
          platform: Platform
          push_token: string
          push_topic: string
          push_magic: string
        }[]
      ).map(r => ({
        deviceId: r.device_id,
        channel: r.channel,
        platform: r.platform,
        pushToken: r.push_token,
        pushTopic: r.push_topic,
        pushMagic: r.push_magic,
        tokenUpdatedAt: null,
        tokenStaleAt: null,
      }))
    },
    /** When the next push falls due, so a dispatcher can sleep until then. */
    nextDueAt(): string | null {
      return (nextDue.get() as { at: string | null }).at
    },
    pushTarget(deviceId: string): PushTarget | undefined {
      const r = target.get(deviceId) as
        | {
            id: string
            platform: Platform
            push_token: string | null
            push_topic: string | null
            push_magic: string | null
            token_updated_at: string | null
            token_stale_at: string | null
          }
        | undefined
      return r
        ? {
            deviceId: r.id,
            platform: r.platform,
            pushToken: r.push_token,
            pushTopic: r.push_topic,
            pushMagic: r.push_magic,
            tokenUpdatedAt: r.token_updated_at,
            tokenStaleAt: r.token_stale_at,
          }
        : undefined
    },
    openCommands(deviceId: string): Command[] {
      return (openOf.all(deviceId) as CommandRow[]).map(asCommand)
    },
    /**
     * What a check-in on one channel hands out, in seq order: open and dead-lettered commands of
     * that channel's queue (null = the device channel; Apple user channels never see its commands).
     */
    deliverableCommands(deviceId: string, channel: string | null = null): Command[] {
      return (deliverableOf.all(deviceId, channel) as CommandRow[]).map(asCommand)
    },
    /** Records a push to one channel (null = the device channel) for that channel's open commands. */
    recordPushed(deviceId: string, at: string, deadlineAt: string, channel: string | null = null): number {
      return pushed.run({ deviceId, at, deadlineAt, channel }).changes
    },
    recordRetry(deviceId: string, nextAt: string, channel: string | null = null): void {
      retryLater.run({ deviceId, nextAt, channel })
    },
    hold(deviceId: string): void {
      hold.run(deviceId)
    },
    deadLetter(
      deviceId: string,
      maxAttempts: number,
      reason: string,
      at: string,
      channel: string | null = null,
    ): number {
      return deadLetter.run({ deviceId, maxAttempts, reason, at, channel }).changes
    },
    /** Dead-letters commands that are due again but have used up their pushes. */
    expireUnanswered(now: string, maxAttempts: number, reason: string): number {
      return expire.run({ now, maxAttempts, reason }).changes
    },
    /** Gives dead-lettered commands a fresh set of pushes (the admin's re-push). */
    revive(deviceId: string, at: string): number {
      return revive.run(at, deviceId).changes
    },
    clearStale(deviceId: string): void {
      unstale.run(deviceId)
    },
    rearm(deviceId: string, at: string): number {
      return rearm.run(at, deviceId).changes
    },
    handOut(commandId: string, at: string): boolean {
      return handOut.run(at, commandId).changes === 1
    },
    finish(
      deviceId: string,
      commandId: string,
      state: 'acknowledged' | 'failed',
      at: string,
      error: string | null,
    ): boolean {
      return finish.run({ deviceId, id: commandId, state, at, error }).changes === 1
    },
    cancel(deviceId: string, commandId: string | null, at: string, why: string): number {
      return commandId ? cancelOne.run(at, why, commandId, deviceId).changes : cancelAll.run(at, why, deviceId).changes
    },
    setApplePush(deviceId: string, token: string, topic: string, magic: string, at: string): void {
      setApple.run({ deviceId, token, topic, magic, at })
    },
    setFcmToken(deviceId: string, token: string, at: string): void {
      setFcm.run({ deviceId, token, at })
    },
    markTokenStale(deviceId: string, token: string, reason: string, invalidSince: string, at: string): boolean {
      return markStale.run({ deviceId, token, reason, invalidSince, at }).changes === 1
    },
    /** Devices whose push token was declared stale, and why. */
    staleTokens(): StaleToken[] {
      return (
        staleDevices.all() as {
          id: string
          name: string
          platform: Platform
          token_stale_at: string
          token_stale_reason: string | null
        }[]
      ).map(r => ({
        deviceId: r.id,
        deviceName: r.name,
        platform: r.platform,
        staleAt: r.token_stale_at,
        reason: r.token_stale_reason,
      }))
    },
    appleByUdid(udid: string): AppleIdentity | undefined {
      const r = byUdid.get(udid) as { id: string; udid: string; identity_fingerprint: string | null } | undefined
      return r ? { deviceId: r.id, udid: r.udid, identityFingerprint: r.identity_fingerprint } : undefined
    },
    bindAppleIdentity(deviceId: string, udid: string, fingerprint: string): void {
      bindApple.run(udid, fingerprint, deviceId)
    },
    credentialHash(deviceId: string): string | null {
      return (credentialOf.get(deviceId) as { credential_hash: string | null } | undefined)?.credential_hash ?? null
    },
    setCredentialHash(deviceId: string, hash: string): void {
      setCredential.run(hash, deviceId)
    },
    recordDelivery(
      id: string,
      deviceId: string,
      transport: string,
      status: 'sent' | 'failed',
      reason: string | null,
      disposition: string,
      at: string,
    ): void {
      insertDelivery.run(id, deviceId, transport, status, reason, at, disposition)
    },
    ackLatencies(limit: number): AckLatency[] {
      return (
        latencies.all(limit) as { id: string; device_id: string; pushed_at: string; acknowledged_at: string }[]
      ).map(r => ({
        commandId: r.id,
        deviceId: r.device_id,
        pushedAt: r.pushed_at,
        acknowledgedAt: r.acknowledged_at,
        ms: Date.parse(r.acknowledged_at) - Date.parse(r.pushed_at),
      }))
    },
    deadLettered(): (Command & { deviceName: string })[] {
      return (deadOf.all() as (CommandRow & { device_name: string })[]).map(r => ({
        ...asCommand(r),
        deviceName: r.device_name,
      }))
    },
  }
}
