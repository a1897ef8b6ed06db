// The rule side read on a thread, stale while revalidate: the one read before is served while a
// new one is read, the new one is installed and announced when it lands, a read that lands older
// than the store is followed by another, a failing thread leaves what was read and is tried again
// at the next write, and the first read is waited for. The thread here reads in process when the
// test lets it answer; the transfer is the one the real thread makes (a MessageChannel).
import Database from 'better-sqlite3'
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createDiagnosticsService, type DiagnosticsService } from '../../../src/main/diagnostics'
import { createRuleFailDetector } from '../../../src/main/diagnostics/rule-fail'
import { readSides, type SidesData, sidesTransfers } from '../../../src/main/diagnostics/sides'
import type { DiagnosticsThread } from '../../../src/main/diagnostics/thread'
import type { Log } from '../../../src/main/ports'
import { openWorkspace, type TestWorkspace } from '../../helpers/workspace'

const USERS = 300
/** Every user lacks usageLocation (two groups read it); every third lacks department too. */
const OPEN = USERS * 2 + USERS / 3

let ws: TestWorkspace

beforeEach(async () => {
  ws = openWorkspace()
  const { store, directories } = ws.app.services
  const directoryId = directories.createFileDirectory('Staff file')
  for (const [id, name, rule] of [
    ['g-de', 'Germany', 'user.usageLocation -eq "DE"'],
    ['g-at', 'Austria', 'user.usageLocation -eq "AT"'],
    ['g-sales', 'Sales', 'user.department -eq "Sales"'],
  ] as const)
    store.groups.create({ id, directoryId: null, name, kind: 'rule', dialect: 'entra', rule, description: '' })
  const rows = Array.from({ length: USERS }, (_, i) =>
    [`u${i}`, `user${String(i).padStart(3, '0')}@example.test`, `User ${i}`, i % 3 === 0 ? '' : 'Sales'].join(','),
  )
  await ws.call('directories/import', {
    directoryId,
    format: 'csv',
    content: ['id,userPrincipalName,displayName,department', ...rows].join('\n'),
    mode: 'update',
  })
})
afterEach(() => ws.close())

/** Another connection (the import thread, the CLI) clears the unknown memberships of users below `upn`. */
function clearBelow(upn: string): void {
  const other = new Database(ws.app.dbPath)
  other.pragma('busy_timeout = 5000')
  other
    .prepare('DELETE FROM rule_memberships WHERE user_id IN (SELECT id FROM users WHERE user_principal_name < ?)')
    .run(upn)
  other.close()
}

/** Crosses a MessageChannel with its buffers transferred, as the thread's postMessage does. */
function transferred(data: SidesData): SidesData {
  const { port1, port2 } = new MessageChannel()
  port1.postMessage(data, sidesTransfers(data))
  const got = receiveMessageOnPort(port2)?.message as SidesData
  port1.close()
  expect(data.devices.cause.length).toBe(0) // moved, not copied
  if (data.rules) expect(data.rules.rows.cause.length).toBe(0)
  return got
}

/** A thread whose reads happen when asked (the store as it is then) and land when the test says. */
function heldThread() {
  const { store, groups, clock } = ws.app.services
  const detector = createRuleFailDetector({ store, clock, inputs: groups.allInputs })
  const reads: { data: SidesData; land(): void; fail(e: Error): void }[] = []
  const thread: DiagnosticsThread = {
    compute: request =>
      new Promise<SidesData>((resolve, reject) => {
        const data = readSides(store, detector, request)
        reads.push({ data, land: () => resolve(transferred(data)), fail: reject })
      }),
    close: vi.fn(),
  }
  return { thread, reads }
}

const settle = () => new Promise<void>(resolve => setImmediate(resolve))

function service(thread: DiagnosticsThread, log?: Log) {
  const { store, clock, directories, groups } = ws.app.services
  const changed = vi.fn()
  const diagnostics: DiagnosticsService = createDiagnosticsService({
    store,
    clock,
    directories,
    ruleInputs: groups.allInputs,
    thread,
    changed,
    ...(log ? { log } : {}),
  })
  return { diagnostics, changed }
}

describe('the rule side read on a thread', () => {
  it('starts the first read at once and makes callers wait for it', async () => {
    const { thread, reads } = heldThread()
    const { diagnostics, changed } = service(thread)
    expect(reads).toHaveLength(1)
    let ready = false
    const waiting = diagnostics.ready().then(() => {
      ready = true
    })
    await settle()
    expect(ready).toBe(false)
    reads[0]?.land()
    await waiting
    expect(diagnostics.count()).toBe(OPEN)
    const summary = diagnostics.summary({})
    expect(summary.causes.map(c => [c.title, c.count, c.users])).toEqual([
      ['usageLocation missing for 300 users of Staff file: rules read it', 600, 300],
      ['department missing for 100 users of Staff file: rules read it', 100, 100],
    ])
    expect(diagnostics.page({ groupId: 'g-sales' }, 0, 1).rows[0]).toMatchObject({
      title: 'user000@example.test lacks department, which Sales needs',
      attribute: 'department',
    })
    expect(changed).toHaveBeenCalledTimes(1)
    expect(reads).toHaveLength(1)
  })

  it('serves the stale rule side after a write, reads once on the thread however often asked, then serves and announces the new one', async () => {
    const { thread, reads } = heldThread()
    const { diagnostics, changed } = service(thread)
    reads[0]?.land()
    await diagnostics.ready()
    clearBelow('user150')
    expect(diagnostics.count()).toBe(OPEN)
    expect(diagnostics.summary({}).total).toBe(OPEN)
    expect(diagnostics.page({}, 0, 5).total).toBe(OPEN)
    expect(reads).toHaveLength(2)
    expect(changed).toHaveBeenCalledTimes(1)
    reads[1]?.land()
    await settle()
    expect(changed).toHaveBeenCalledTimes(2)
    expect(diagnostics.count()).toBe(OPEN / 2)
    expect(diagnostics.page({}, 0, 1).rows[0]?.title).toBe(
      'user150@example.test lacks usageLocation, which Austria needs',
    )
    expect(reads).toHaveLength(2)
  })

  it('installs a read that lands older than the store, and reads again at once', async () => {
    const { thread, reads } = heldThread()
    const { diagnostics, changed } = service(thread)
    reads[0]?.land()
    await diagnostics.ready()
    clearBelow('user150')
    diagnostics.count()
    expect(reads).toHaveLength(2)
    // A second write while the first refresh is read: no second read at the same time.
    clearBelow('user300')
    expect(diagnostics.count()).toBe(OPEN)
    expect(reads).toHaveLength(2)
    reads[1]?.land()
    await settle()
    expect(diagnostics.count()).toBe(OPEN / 2)
    expect(reads).toHaveLength(3)
    reads[2]?.land()
    await settle()
    expect(diagnostics.count()).toBe(0)
    expect(changed).toHaveBeenCalledTimes(3)
    expect(reads).toHaveLength(3)
  })

  it('reads again after a write that changes no diagnostic, and announces nothing', async () => {
    const { thread, reads } = heldThread()
    const { diagnostics, changed } = service(thread)
    reads[0]?.land()
    await diagnostics.ready()
    ws.app.services.store.changeLog.record('another process', ['policies'], ws.clock.now().toISOString())
    diagnostics.count()
    expect(reads).toHaveLength(2)
    expect(reads[1]?.data.rules).toBeNull()
    reads[1]?.land()
    await settle()
    expect(changed).toHaveBeenCalledTimes(1)
    expect(diagnostics.count()).toBe(OPEN)
    expect(reads).toHaveLength(2)
  })

  it('keeps serving what it had when the thread fails, and tries again at the next write', async () => {
    const { thread, reads } = heldThread()
    const warn = vi.fn()
    const { diagnostics, changed } = service(thread, { info() {}, warn, error() {} })
    reads[0]?.land()
    await diagnostics.ready()
    clearBelow('user150')
    diagnostics.count()
    reads[1]?.fail(new Error('the thread stopped (exit code 1)'))
    await settle()
    expect(warn).toHaveBeenCalledWith(
      'the diagnostics thread failed; the diagnostics read before are served',
      expect.objectContaining({ error: 'Error: the thread stopped (exit code 1)' }),
    )
    expect(diagnostics.count()).toBe(OPEN)
    expect(reads).toHaveLength(2)
    expect(changed).toHaveBeenCalledTimes(1)
    clearBelow('user300')
    expect(diagnostics.count()).toBe(OPEN)
    expect(reads).toHaveLength(3)
    reads[2]?.land()
    await settle()
    expect(diagnostics.count()).toBe(0)
  })

  it('reads in process when the first read fails, so no caller waits forever', async () => {
    const { thread, reads } = heldThread()
    const { diagnostics } = service(thread, { info() {}, warn() {}, error() {} })
    const waiting = diagnostics.ready()
    reads[0]?.fail(new Error('Cannot find module diagnostics-worker.cjs'))
    await waiting
    expect(diagnostics.count()).toBe(OPEN)
  })

  it('reads in process from the third failure in a row on', async () => {
    const { thread, reads } = heldThread()
    const { diagnostics } = service(thread, { info() {}, warn() {}, error() {} })
    reads[0]?.land()
    await diagnostics.ready()
    for (const upn of ['user100', 'user200', 'user300']) {
      clearBelow(upn)
      diagnostics.count()
      reads.at(-1)?.fail(new Error('broken'))
      await settle()
    }
    expect(reads).toHaveLength(4)
    expect(diagnostics.count()).toBe(0)
    expect(reads).toHaveLength(4)
  })

  it('reads the device side on the thread too: the same diagnostics as read in process, a device turning late served after the read lands', async () => {
    const { store } = ws.app.services
    store.policies.create(
      {
        id: 'p-crm',
        name: 'Sales CRM',
        description: '',
        priority: 0,
        platforms: ['ios'],
        items: [
          {
            id: 'p-crm-app',
            kind: 'app',
            identifier: 'com.example.crm',
            name: 'CRM',
            platform: null,
            settings: {},
            removeOnUnassign: false,
          },
        ],
        targets: [{ groupId: 'g-sales', groupName: 'Sales', mode: 'include' }],
      },
      ws.clock.now().toISOString(),
    )
    const enrolled = await ws.call('devices/enroll', {
      serial: 'DIAG-1',
      platform: 'ios',
      userPrincipalName: 'user001@example.test',
    })
    const { thread, reads } = heldThread()
    const { diagnostics, changed } = service(thread)
    reads[0]?.land()
    await diagnostics.ready()
    expect(diagnostics.summary({}).counts.PAYLOAD_LATENCY).toBe(0)

    ws.clock.advance(24 * 60 * 60_000)
    expect(diagnostics.summary({}).counts.PAYLOAD_LATENCY).toBe(0)
    expect(reads).toHaveLength(2)
    expect(reads[1]?.data.rules).toBeNull() // the rule side held is current: not read again
    reads[1]?.land()
    await settle()
    expect(changed).toHaveBeenCalledTimes(2)
    const here = createDiagnosticsService({
      store,
      clock: ws.clock,
      directories: ws.app.services.directories,
      ruleInputs: ws.app.services.groups.allInputs,
    })
    const late = { code: 'PAYLOAD_LATENCY' } as const
    expect(diagnostics.summary({}).counts.PAYLOAD_LATENCY).toBeGreaterThan(0)
    expect(diagnostics.summary({})).toEqual(here.summary({}))
    expect(diagnostics.summary(late)).toEqual(here.summary(late))
    expect(diagnostics.page(late, 0, 10)).toEqual(here.page(late, 0, 10))
    expect(diagnostics.page({ deviceId: enrolled.device.id }, 0, 10)).toEqual(
      here.page({ deviceId: enrolled.device.id }, 0, 10),
    )
    expect(diagnostics.page({}, OPEN - 2, 10)).toEqual(here.page({}, OPEN - 2, 10))
    const userId = store.users.idByPrincipalName('user001@example.test') as string
    for (const filter of [{ deviceId: enrolled.device.id }, { userId }, { groupId: 'g-sales' }, { deviceId: 'none' }])
      expect(diagnostics.summary(filter)).toEqual(here.summary(filter))
    expect(diagnostics.deviceList()).toEqual(here.deviceList())
    expect(diagnostics.list()).toEqual(here.list())
  })

  it('lists the device side for a caller that did not wait, without reading the rule side in process', () => {
    const { thread, reads } = heldThread()
    const { diagnostics } = service(thread)
    const ruleSide = vi.spyOn(ws.app.services.store.groups, 'unknownMemberships')
    expect(diagnostics.deviceList()).toEqual([])
    expect(ruleSide).not.toHaveBeenCalled()
    expect(reads).toHaveLength(1)
  })

  it('stops the thread when closed', () => {
    const { thread, reads } = heldThread()
    const { diagnostics } = service(thread)
    reads[0]?.land()
    diagnostics.close()
    expect(thread.close).toHaveBeenCalledTimes(1)
  })
})
