import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WakeOutcome, WakeTarget } from '../../../src/main/push'
import type { Diagnostic, EnrollResult } from '../../../src/shared/domain'
import { openWorkspace, seedSmallOrganisation, type TestWorkspace } from '../../helpers/workspace'

let ws: TestWorkspace
/** What the transport answers next, per device token; default success. */
const answers = new Map<string, WakeOutcome[]>()
const sent: WakeTarget[] = []

beforeEach(() => {
  answers.clear()
  sent.length = 0
  ws = openWorkspace({
    ackDeadlineMs: 60_000,
    transport: () => ({
      async send(targets) {
        sent.push(...targets)
        return targets.map(t => answers.get(t.pushToken)?.shift() ?? { ok: true, transport: 'test' })
      },
    }),
  })
  seedSmallOrganisation(ws)
})
afterEach(() => ws.close())

const enroll = async (serial: string, token: string) =>
  (await ws.call('devices/enroll', {
    serial,
    platform: 'android',
    userPrincipalName: 'alex@example.test',
    pushToken: token,
  })) as EnrollResult
const commandsOf = (deviceId: string) => ws.app.services.store.devices.commands(deviceId)
const devices = () => ws.app.services.devices
const latency = async () =>
  ((await ws.call('diagnostics/list', {})) as Diagnostic[]).filter(d => d.code === 'PAYLOAD_LATENCY')
const fail = (
  reason: string,
  disposition: 'retry' | 'stale-token' | 'rejected' | 'credentials',
  extra: object = {},
): WakeOutcome => ({ ok: false, transport: 'test', reason, disposition, ...extra })

describe('the outbox', () => {
  it('hands commands out in per-device order and treats a repeated answer as the same answer', async () => {
    const r = await enroll('S1', 't1')
    const [first, second] = [...r.commands].sort((a, b) => a.seq - b.seq)
    expect(devices().outbox.next(r.device.id)?.id).toBe(first?.id)
    expect(devices().outbox.next(r.device.id)?.id).toBe(first?.id)
    expect(devices().outbox.answer(r.device.id, first?.id as string, 'acknowledged')).toEqual({ changed: true })
    expect(devices().outbox.answer(r.device.id, first?.id as string, 'error', 'late duplicate')).toEqual({
      changed: false,
    })
    expect(devices().outbox.next(r.device.id)?.id).toBe(second?.id)
    expect(commandsOf(r.device.id).find(c => c.id === first?.id)).toMatchObject({ state: 'acknowledged', error: null })
  })

  it('retries a failed push with backoff, honouring Retry-After, then dead-letters it with the reason', async () => {
    answers.set(
      't1',
      Array.from({ length: 8 }, () => fail('APNs 503 ServiceUnavailable', 'retry', { retryAfterMs: 45_000 })),
    )
    const r = await enroll('S1', 't1')
    expect(sent).toHaveLength(1)
    expect(commandsOf(r.device.id)[0]).toMatchObject({
      state: 'queued',
      attempts: 1,
      nextAttemptAt: '2026-11-02T09:00:45.000Z',
    })
    ws.clock.advance(44_000)
    expect(await devices().pump()).toBe(0)
    ws.clock.advance(1_000)
    expect(await devices().pump()).toBe(1)
    expect(commandsOf(r.device.id)[0]).toMatchObject({ attempts: 2, nextAttemptAt: '2026-11-02T09:02:45.000Z' })
    for (let i = 0; i < 6; i++) {
      ws.clock.advance(30 * 60_000)
      await devices().pump()
    }
    expect(sent).toHaveLength(8)
    expect(commandsOf(r.device.id).map(c => c.state)).toEqual(['dead', 'dead'])
    expect(commandsOf(r.device.id)[0]?.error).toBe('Push failed 8 times; last: APNs 503 ServiceUnavailable')
    ws.clock.advance(60 * 60_000)
    expect(await devices().pump()).toBe(0)
  })

  it('re-pushes an unacknowledged command after its deadline and dead-letters it after the last push', async () => {
    const r = await enroll('S1', 't1')
    expect(commandsOf(r.device.id)[0]).toMatchObject({ state: 'pushed', deadlineAt: '2026-11-02T09:01:00.000Z' })
    for (let i = 0; i < 7; i++) {
      ws.clock.advance(60_000)
      expect(await devices().pump()).toBe(1)
    }
    ws.clock.advance(60_000)
    expect(await devices().pump()).toBe(0)
    expect(commandsOf(r.device.id)[0]).toMatchObject({ state: 'dead', error: 'Not acknowledged after 8 pushes' })
  })

  it('still hands dead-lettered commands to a device that finally checks in', async () => {
    const r = await enroll('S1', 't1')
    for (let i = 0; i < 8; i++) {
      ws.clock.advance(60_000)
      await devices().pump()
    }
    expect(commandsOf(r.device.id).map(c => c.state)).toEqual(['dead', 'dead'])
    const handed = devices().outbox.pending(r.device.id)
    expect(handed.map(c => c.seq)).toEqual([1, 2])
    expect(commandsOf(r.device.id).map(c => [c.state, c.error])).toEqual([
      ['sent', null],
      ['sent', null],
    ])
    for (const c of handed) devices().outbox.answer(r.device.id, c.id, 'acknowledged')
    expect(commandsOf(r.device.id).map(c => c.state)).toEqual(['acknowledged', 'acknowledged'])
    expect(await latency()).toEqual([])
  })

  it('marks a token stale on 410 unless a newer token arrived, and resumes on the new token', async () => {
    answers.set('t1', [fail('APNs 410 Unregistered', 'stale-token', { invalidSince: '2026-11-02T08:00:00.000Z' })])
    const stale = await enroll('S1', 't1')
    expect(ws.app.services.store.outbox.pushTarget(stale.device.id)?.tokenStaleAt).toBeNull()
    expect(commandsOf(stale.device.id)[0]).toMatchObject({ state: 'queued', nextAttemptAt: '2026-11-02T09:00:30.000Z' })

    answers.set('t2', [fail('APNs 410 Unregistered', 'stale-token', { invalidSince: '2026-11-02T09:00:00.000Z' })])
    const gone = await enroll('S2', 't2')
    expect(ws.app.services.store.outbox.pushTarget(gone.device.id)?.tokenStaleAt).toBe('2026-11-02T09:00:00.000Z')
    expect(commandsOf(gone.device.id)[0]?.nextAttemptAt).toBeNull()
    expect((await latency()).find(d => d.deviceId === gone.device.id)?.explanation).toContain('410 Unregistered')

    ws.clock.advance(5_000)
    ws.app.services.store.outbox.setFcmToken(gone.device.id, 't2-new', ws.clock.now().toISOString())
    ws.app.services.store.outbox.rearm(gone.device.id, ws.clock.now().toISOString())
    expect(await devices().pump()).toBe(1)
    expect(sent.at(-1)?.pushToken).toBe('t2-new')
    expect(commandsOf(gone.device.id)[0]?.state).toBe('pushed')
  })

  it('records a late acknowledgement of a dead-lettered command, but not of a cancelled one', async () => {
    answers.set(
      't1',
      Array.from({ length: 8 }, () => fail('APNs 503', 'retry')),
    )
    const r = await enroll('S1', 't1')
    for (let i = 0; i < 8; i++) {
      ws.clock.advance(30 * 60_000)
      await devices().pump()
    }
    const [a, b] = [...commandsOf(r.device.id)].sort((x, y) => x.seq - y.seq)
    expect([a?.state, b?.state]).toEqual(['dead', 'dead'])
    expect(devices().outbox.answer(r.device.id, a?.id as string, 'acknowledged')).toEqual({ changed: true })
    devices().cancel(r.device.id, b?.id as string)
    expect(devices().outbox.answer(r.device.id, b?.id as string, 'acknowledged')).toEqual({ changed: false })
    expect(
      commandsOf(r.device.id)
        .map(c => c.state)
        .sort(),
    ).toEqual(['acknowledged', 'cancelled'])
  })

  it('backs off FCM quota errors from one minute', async () => {
    answers.set('t1', [fail('FCM messaging/message-rate-exceeded', 'retry', { minBackoffMs: 60_000 })])
    const r = await enroll('S1', 't1')
    expect(commandsOf(r.device.id)[0]?.nextAttemptAt).toBe('2026-11-02T09:01:00.000Z')
  })
})

describe('PAYLOAD_LATENCY and its remediations', () => {
  it('is raised past the deadline with the cause, and re-push, Scan Device and cancel remediate it', async () => {
    const r = await enroll('S1', 't1')
    expect(await latency()).toEqual([])
    ws.clock.advance(61_000)
    const late = await latency()
    expect(late).toHaveLength(2)
    expect(late[0]).toMatchObject({
      deviceId: r.device.id,
      remediations: ['devices/repush', 'devices/scan', 'devices/cancel'],
    })
    expect(late[0]?.explanation).toContain('pushed at 2026-11-02T09:00:00.000Z')

    const before = sent.length
    const repushed = await ws.call('devices/repush', { deviceId: r.device.id })
    expect(sent.length).toBe(before + 1)
    expect(repushed.commands.every(c => c.deadlineAt === '2026-11-02T09:02:01.000Z')).toBe(true)
    expect(await latency()).toEqual([])

    const scanned = await ws.call('devices/scan', { deviceId: r.device.id })
    expect(scanned.commands[0]).toMatchObject({ type: 'device_information', state: 'pushed' })

    ws.clock.advance(61_000)
    expect(await latency()).toHaveLength(3)
    const cancelled = await ws.call('devices/cancel', { deviceId: r.device.id })
    expect(cancelled.commands.map(c => c.state)).toEqual(['cancelled', 'cancelled', 'cancelled'])
    expect(cancelled.commands[0]?.error).toBe('Cancelled by the admin')
    expect(await latency()).toEqual([])
  })

  it('names a dead-lettered command and a failed push with their reasons', async () => {
    answers.set(
      't1',
      Array.from({ length: 8 }, () => fail('APNs 403 BadCertificate: renew the MDM push certificate', 'credentials')),
    )
    const r = await enroll('S1', 't1')
    const failed = (await latency()).find(d => d.deviceId === r.device.id && !d.commandId)
    expect(failed?.explanation).toContain('403 BadCertificate')
    for (let i = 0; i < 8; i++) {
      ws.clock.advance(30 * 60_000)
      await devices().pump()
    }
    const dead = (await latency()).filter(d => d.title.includes('dead-lettered'))
    expect(dead).toHaveLength(2)
    expect(dead[0]?.explanation).toContain('Push failed 8 times')
  })

  it('refuses remediations for unknown devices and commands', async () => {
    expect((await ws.callError('devices/repush', { deviceId: 'nope' })).code).toBe('NOT_FOUND')
    const r = await enroll('S1', 't1')
    expect((await ws.callError('devices/cancel', { deviceId: r.device.id, commandId: 'nope' })).code).toBe('NOT_FOUND')
  })
})

describe('the outbox pump', () => {
  it('retries due pushes on its own when the app runs it on an interval', async () => {
    const { createApp } = await import('../../../src/main/app')
    const { tempDir, fakeClock } = await import('../../helpers/workspace')
    const dir = tempDir()
    const clock = fakeClock()
    let pushes = 0
    let second: () => void = () => {}
    const retried = new Promise<void>(resolve => (second = resolve))
    const app = createApp({
      dataDir: dir.path,
      clock,
      pumpIntervalMs: 5,
      push: {
        async send(targets) {
          if (++pushes === 2) second()
          return targets.map(() => ({
            ok: false as const,
            transport: 'test',
            reason: 'APNs 503',
            disposition: 'retry' as const,
          }))
        },
      },
    })
    try {
      seedSmallOrganisation({ app } as TestWorkspace)
      await app.services.devices.enroll({
        serial: 'PUMP-1',
        platform: 'ios',
        userPrincipalName: 'alex@example.test',
        pushToken: 'tok',
      })
      expect(pushes).toBe(1)
      clock.advance(30_000)
      await retried
      expect(pushes).toBe(2)
    } finally {
      app.close()
      dir.remove()
    }
  })
})

describe('one pump at a time', () => {
  it('folds pumps asked for during a push into one more run that sees their commits', async () => {
    const { createApp } = await import('../../../src/main/app')
    const { tempDir } = await import('../../helpers/workspace')
    const dir = tempDir()
    const calls: string[][] = []
    let release: () => void = () => {}
    let entered: () => void = () => {}
    const firstEntered = new Promise<void>(resolve => (entered = resolve))
    const app = createApp({
      dataDir: dir.path,
      push: {
        async send(targets) {
          calls.push(targets.map(t => t.pushToken))
          if (calls.length === 1) {
            entered()
            await new Promise<void>(resolve => (release = resolve))
          }
          return targets.map(() => ({ ok: true as const, transport: 'test' }))
        },
      },
    })
    try {
      seedSmallOrganisation({ app } as TestWorkspace)
      const first = app.services.devices.enroll({
        serial: 'P-1',
        platform: 'android',
        userPrincipalName: 'alex@example.test',
        pushToken: 'tok-1',
      })
      await firstEntered
      const second = app.services.devices.enroll({
        serial: 'P-2',
        platform: 'android',
        userPrincipalName: 'kim@example.test',
        pushToken: 'tok-2',
      })
      const third = app.services.devices.pump()
      release()
      await Promise.all([first, second, third])
      expect(calls).toEqual([['tok-1'], ['tok-2']])
    } finally {
      app.close()
      dir.remove()
    }
  })
})
