// The driver: applies a sequence of ops to the real app (over the Graph fake and a file
// directory, through `app.invoke`) and to the reference model, and after every step checks the
// invariants of check.ts. It reaches the app only through its public surface: the contract's
// channels, `createApp` and its ports (fake clock, push transport, faults), the Graph fake's
// DirectoryData and the devices room's check-in front door (`services.devices.outbox`), which is
// how the MDM and Android endpoints hand out commands.
import { join } from 'node:path'
import { createApp, type App } from '../../src/main/app'
import type { Faults } from '../../src/main/ports'
import type { PushTransport, WakeOutcome } from '../../src/main/push'
import type {
  Command,
  DeviceDetail,
  DirectoryDetail,
  GroupDetail,
  Policy,
  ImportResult,
  SyncRun,
} from '../../src/shared/domain'
import type { PolicyWhy } from '../../src/shared/policy'
import { DirectoryData } from '../fakes/directory-data'
import { GRAPH_ORIGIN, LOGIN_ORIGIN, startGraphFake, type GraphFake } from '../fakes/graph/server'
import { loopbackRouter } from '../fakes/router'
import { fakeClock, tempDir, type FakeClock } from '../helpers/workspace'
import { checkDevice, checkDrained, disabled, type Ledger, newLedger, resetTaint, SimViolation } from './check'
import { Model, type ModelUser } from './model'
import { type Op, type FaultPoint, platformOf, prng, picker, type GenState } from './ops'
import {
  DEPARTMENTS,
  ENTRA_USERS,
  FILE_USERS,
  type ItemSpec,
  OPTIONAL_ITEMS,
  type PolicySpec,
  RULE_GROUPS,
  SYNCED_GROUPS,
  TITLES,
} from './scenario'

const TENANT = { tenantId: 'sim.test', clientId: 'sim-client', clientSecret: 'sim-secret' }

/**
 * How import modes are asked for. The contract has no mode yet (every import replaces the
 * directory); zod drops the unknown key until it does.
 */
const IMPORT_MODE_FIELD = 'mode'

export interface RunResult {
  /** Ops applied (and checked) before the failure, or all of them. */
  applied: number
  violation: SimViolation | null
  /** Ops skipped because they did not apply to the world (e.g. a user that no longer exists). */
  skipped: number
  /** What the run exercised, so a test can tell a run that checked little. */
  stats: SimStats
}

export interface SimStats {
  kills: number
  syncs: number
  imports: number
  enrollments: number
  answered: number
  refused: number
  /** Items the model kept on a device through grace, or while the membership was unknown. */
  keptByGrace?: number
  keptWhileUnknown?: number
}

class Killed extends Error {
  constructor(readonly point: string) {
    super(`killed at ${point}`)
  }
}

/** The fixed starting world for a seed: attributes and team memberships of the first users. */
export function initialWorld(seed: number): { entra: ModelUser[]; file: ModelUser[] } {
  const r = picker(prng(seed ^ 0x5eed))
  const entra: ModelUser[] = Array.from({ length: ENTRA_USERS }, (_, i) => ({
    key: `e${i}`,
    directory: 'entra',
    upn: '',
    attributes: { department: r.pick(DEPARTMENTS), jobTitle: r.pick(TITLES), accountEnabled: true },
    groups: new Set(['team1', 'team2'].filter(() => r.bool(0.4))),
  }))
  const file: ModelUser[] = Array.from({ length: FILE_USERS }, (_, i) => ({
    key: `f${i}`,
    directory: 'file',
    upn: `field${i}@files.sim.test`,
    attributes: { department: r.pick(DEPARTMENTS), jobTitle: r.pick(TITLES), accountEnabled: true },
    // f0 is always in Field Crew, so the file directory's synced group exists from the first import.
    groups: new Set(i === 0 || r.bool() ? ['field'] : []),
  }))
  return { entra, file }
}

export const initialGenState = (): GenState => ({
  entraUsers: Array.from({ length: ENTRA_USERS }, (_, i) => `e${i}`),
  fileUsers: Array.from({ length: FILE_USERS }, (_, i) => `f${i}`),
  nextEntra: ENTRA_USERS,
  nextFile: FILE_USERS,
})

const csvCell = (v: string) => (/[",\n;]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)

function fileCsv(users: ModelUser[]): string {
  const rows = users.map(u =>
    [
      u.key,
      u.upn,
      u.key,
      u.attributes.department ?? '',
      u.attributes.jobTitle,
      String(u.attributes.accountEnabled),
      [...u.groups].map(g => SYNCED_GROUPS.find(s => s.key === g)?.name ?? g).join(';'),
    ]
      .map(csvCell)
      .join(','),
  )
  return ['id,userPrincipalName,displayName,department,jobTitle,accountEnabled,groups', ...rows].join('\n')
}

/** A switchable push transport: while down, every wake-up fails as a transient error. */
function switchablePush(): PushTransport & { up: boolean } {
  const t = {
    up: true,
    send: async (targets: readonly unknown[]): Promise<WakeOutcome[]> =>
      targets.map(() =>
        t.up
          ? { ok: true as const, transport: 'sim' }
          : {
              ok: false as const,
              transport: 'sim',
              reason: 'sim: push service unavailable',
              disposition: 'retry' as const,
            },
      ),
  }
  return t
}

/** The fake device: what it has installed, and the command ids it has carried out. */
export interface FakeDevice {
  deviceId: string
  apps: Map<string, Record<string, unknown>>
  profiles: Map<string, Record<string, unknown>>
  restrictions: Record<string, unknown>
  done: Set<string>
}

export class Simulation {
  readonly model = new Model()
  readonly ledger: Ledger = newLedger()
  readonly devices = new Map<string, FakeDevice>()
  private graph!: GraphFake
  private dir = tempDir('jit-sim-')
  private clock: FakeClock = fakeClock()
  private push = switchablePush()
  private armed: FaultPoint | null = null
  private app!: App
  private entraId = ''
  private fileId = ''
  private readonly groupIds = new Map<string, string>()
  private readonly policyIds = new Map<string, string>()
  /** Sim user key → Graph user id. */
  private readonly graphIds = new Map<string, string>()
  /** The file directory's next file (its "IdP"). */
  private readonly fileTruth = new Map<string, ModelUser>()
  /** Users no file lists any more (an enrollment may still name them: the app refuses or uses its cache). */
  private readonly gone = new Map<string, ModelUser>()
  /** Serials bound by a known defect to a user the model does not have: out of the simulation. */
  private readonly tainted = new Set<string>()
  private syncInFlight = false
  private lastSyncRunId: string | null = null
  readonly stats: SimStats = { kills: 0, syncs: 0, imports: 0, enrollments: 0, answered: 0, refused: 0 }

  constructor(private readonly seed: number) {
    resetTaint()
  }

  private open(): void {
    const faults: Faults = {
      hit: point => {
        if (point !== this.armed) return
        this.armed = null
        // Stands in for kill -9: the process stops here. Closing the database first makes every
        // later statement of this process fail, and SQLite rolls back a transaction that did not
        // commit whether the process dies or the connection closes.
        this.app.close()
        throw new Killed(point)
      },
    }
    this.app = createApp({
      dataDir: this.dir.path,
      clock: this.clock,
      push: this.push,
      faults,
      http: loopbackRouter({ [GRAPH_ORIGIN]: this.graph.url, [LOGIN_ORIGIN]: this.graph.url }),
    })
  }

  private async call<T>(channel: string, args: unknown): Promise<T> {
    const r = await this.app.invoke(channel, args)
    if (!r.ok) throw new SimViolation('call-failed', `${channel} failed: ${r.error.code} ${r.error.message}`)
    return r.value as T
  }

  async start(): Promise<void> {
    const world = initialWorld(this.seed)
    const data = new DirectoryData({ users: ENTRA_USERS, groups: 3, seed: this.seed, domain: 'sim.test' })
    const fakeUsers = [...data.users.values()]
    const teams = [...data.groups.values()].filter(g => g.rule === null)
    world.entra.forEach((u, i) => {
      const f = fakeUsers[i]
      if (!f) throw new Error('graph fake has too few users')
      data.updateUser(f.id, { department: u.attributes.department, jobTitle: u.attributes.jobTitle })
      u.upn = f.userPrincipalName
      this.graphIds.set(u.key, f.id)
      for (const t of teams) data.setMember(t.id, f.id, u.groups.has(t.name === 'Team 1' ? 'team1' : 'team2'))
    })
    this.graph = await startGraphFake({ data, ...TENANT, pageSize: 4 })
    this.open()
    await this.call('policies/setSettings', {
      graceSyncs: 1,
      graceMinutes: 0,
      // The circuit breaker and the sync hold are out of the way: admin edits and syncs apply at once.
      breakerDevices: 1_000_000,
      breakerShare: 1,
      syncHoldMembershipShare: 1,
      syncHoldUserShare: 1,
      syncHoldMinimum: 1_000_000,
    })
    this.entraId = (
      await this.call<DirectoryDetail>('directories/connect', {
        kind: 'entra',
        name: 'Sim Entra',
        settings: { tenantId: TENANT.tenantId, clientId: TENANT.clientId },
        secrets: { clientSecret: TENANT.clientSecret },
      })
    ).directory.id
    this.fileId = (
      await this.call<DirectoryDetail>('directories/connect', {
        kind: 'file',
        name: 'Sim Files',
        // The simulation imports files through directories/import; the path names no file, so an
        // enrollment's JIT step falls back to the last import (as with an unreachable IdP).
        settings: { path: join(this.dir.path, 'no-such-export.csv') },
        secrets: {},
      })
    ).directory.id
    for (const g of RULE_GROUPS) {
      const created = await this.call<GroupDetail>('groups/create', {
        name: g.name,
        dialect: 'entra',
        rule: g.variants[0]?.text,
        // A rule group belongs to one directory (issue #13); ignored by a contract without the field.
        directoryId: g.directory === 'entra' ? this.entraId : this.fileId,
      })
      this.groupIds.set(g.key, created.group.id)
    }
    for (const u of world.entra) this.model.idp.set(u.key, u)
    for (const u of world.file) this.fileTruth.set(u.key, u)
    await this.call('directories/sync', { directoryId: this.entraId, mode: 'full' })
    this.model.sync()
    await this.importFile('replace', [...this.fileTruth.keys()])
    const groups = await this.call<{ id: string; name: string; kind: string }[]>('groups/list', {})
    for (const s of SYNCED_GROUPS) {
      const g = groups.find(x => x.name === s.name && x.kind === 'synced')
      if (!g) throw new Error(`setup: no synced group ${s.name} after the first sync`)
      this.groupIds.set(s.key, g.id)
    }
    for (const p of this.model.policies) {
      for (const it of p.items)
        if (it.kind === 'app')
          await this.call('apps/save', { platform: it.platform, identifier: it.identifier, name: it.identifier })
      await this.savePolicy(p)
    }
    this.model.recomputeAll()
  }

  private async draft(p: PolicySpec): Promise<unknown> {
    const item = (i: ItemSpec) => {
      const base = { identifier: i.identifier, name: i.key }
      if (i.kind === 'app')
        return {
          ...base,
          kind: 'app',
          platform: i.platform,
          settings: { intent: i.intent },
          removeOnUnassign: i.remove,
        }
      if (i.kind === 'profile')
        return {
          ...base,
          kind: 'profile',
          platform: null,
          settings: { type: 'wifi', ssid: i.ssid, security: 'none' },
          removeOnUnassign: false,
        }
      return { ...base, kind: 'restriction', platform: null, settings: { value: i.value }, removeOnUnassign: false }
    }
    const id = this.policyIds.get(p.key)
    const existing = id ? await this.call<Policy>('policies/get', { policyId: id }) : undefined
    return {
      ...(id ? { id } : {}),
      name: p.name,
      description: 'simulation',
      priority: p.priority,
      platforms: p.platforms,
      // Keep item ids across edits so an edit is a change of the item, not a new one.
      items: p.items.map(i => {
        const prior = existing?.items.find(x => x.name === i.key)
        return { ...(prior ? { id: prior.id } : {}), ...item(i) }
      }),
      targets: Object.entries(p.targets).map(([g, mode]) => ({ groupId: this.groupIds.get(g), mode })),
    }
  }

  private async savePolicy(p: PolicySpec): Promise<void> {
    const r = await this.call<{ status: string; policy: Policy | null }>('policies/apply', {
      change: { kind: 'policy', draft: await this.draft(p) },
    })
    if (r.status !== 'applied')
      throw new SimViolation('held', `policies/apply held a change although the circuit breaker is off: ${p.name}`)
    if (r.policy) this.policyIds.set(p.key, r.policy.id)
  }

  private async importFile(mode: 'replace' | 'update', users: string[]): Promise<boolean> {
    const listed = users.map(k => this.fileTruth.get(k)).filter((u): u is ModelUser => u !== undefined)
    // A file without users is refused (and says nothing): not an import the world can make.
    if ((mode === 'replace' ? this.fileTruth.size : listed.length) === 0) return false
    const content = fileCsv(mode === 'replace' ? [...this.fileTruth.values()] : listed)
    await this.call<ImportResult>('directories/import', {
      directoryId: this.fileId,
      format: 'csv',
      content,
      [IMPORT_MODE_FIELD]: mode,
    })
    this.model.importFile(mode === 'replace' ? [...this.fileTruth.values()] : listed, mode)
    return true
  }

  /** Applies one op to both sides; false when the op does not apply to this world (skipped). */
  async apply(op: Op): Promise<boolean> {
    const m = this.model
    const data = this.graph.data
    switch (op.k) {
      case 'idpAttr':
      case 'idpEnabled':
      case 'idpMember':
      case 'idpDeleteUser': {
        const u = m.idp.get(op.user)
        const gid = this.graphIds.get(op.user)
        if (!u || !gid) return false
        if (op.k === 'idpAttr') {
          u.attributes.department = op.department
          u.attributes.jobTitle = op.jobTitle
          data.updateUser(gid, { department: op.department, jobTitle: op.jobTitle })
        } else if (op.k === 'idpEnabled') {
          u.attributes.accountEnabled = op.enabled
          data.updateUser(gid, { accountEnabled: op.enabled })
        } else if (op.k === 'idpMember') {
          const team = [...data.groups.values()].find(g => g.name === (op.group === 'team1' ? 'Team 1' : 'Team 2'))
          if (!team) throw new Error('no team group in the Graph fake')
          if (op.member) u.groups.add(op.group)
          else u.groups.delete(op.group)
          data.setMember(team.id, gid, op.member)
        } else {
          m.idp.delete(op.user)
          data.removeUser(gid)
        }
        return true
      }
      case 'idpAddUser': {
        const key = op.user
        if (this.graphIds.has(key)) return false
        const f = data.addUser()
        data.updateUser(f.id, { department: op.department, jobTitle: op.jobTitle })
        this.graphIds.set(key, f.id)
        m.idp.set(key, {
          key,
          directory: 'entra',
          upn: f.userPrincipalName,
          attributes: { department: op.department, jobTitle: op.jobTitle, accountEnabled: true },
          groups: new Set(),
        })
        return true
      }
      case 'fileEdit': {
        const u = this.fileTruth.get(op.user)
        if (!u) return false
        u.attributes.department = op.department
        u.attributes.jobTitle = op.jobTitle
        if (op.field) u.groups.add('field')
        else u.groups.delete('field')
        return true
      }
      case 'fileRemoveUser': {
        const u = this.fileTruth.get(op.user)
        if (!u) return false
        this.gone.set(op.user, u)
        return this.fileTruth.delete(op.user)
      }
      case 'fileAddUser': {
        const key = op.user
        if (this.fileTruth.has(key) || this.gone.has(key) || this.model.view.has(key)) return false
        this.fileTruth.set(key, {
          key,
          directory: 'file',
          upn: `field${key.slice(1)}@files.sim.test`,
          attributes: { department: op.department, jobTitle: op.jobTitle, accountEnabled: true },
          groups: new Set(op.field ? ['field'] : []),
        })
        return true
      }
      case 'sync':
        // Syncs run at distinct times: a withdrawal is confirmed by a sync that started after the
        // user left (withdrawals.ts compares the times), as on any real clock.
        this.clock.advance(60_000)
        // Killed during the sync (its redeploy pushes): the model follows what the history says after the restart.
        this.syncInFlight = true
        this.lastSyncRunId = (
          await this.call<SyncRun>('directories/sync', { directoryId: this.entraId, mode: op.mode })
        ).id
        this.syncInFlight = false
        m.sync()
        this.stats.syncs++
        return true
      case 'import':
        this.clock.advance(60_000)
        if (!(await this.importFile(op.mode, op.users))) return false
        this.stats.imports++
        return true
      case 'enroll':
      case 'enrollFile': {
        if (this.tainted.has(op.serial)) return false
        const user = m.idp.get(op.user) ?? m.view.get(op.user) ?? this.fileTruth.get(op.user) ?? this.gone.get(op.user)
        if (!user) return false
        const platform = platformOf(op.serial)
        const r = await this.app.invoke('devices/enroll', {
          serial: op.serial,
          platform,
          userPrincipalName: user.upn,
          move: true,
        })
        const accepted = m.enroll(op.serial, platform, op.user)
        // A user a replacing import left out is still known to the app: that defect, not a new one.
        const kept = r.ok && !accepted && this.gone.has(op.user) && !this.fileTruth.has(op.user)
        if (r.ok !== accepted && !(kept && disabled.has('import-replace-keeps-users')))
          throw new SimViolation(
            kept ? 'import-replace-keeps-users' : 'enroll',
            `devices/enroll for ${op.user} ${r.ok ? 'succeeded' : `failed (${r.error.code} ${r.error.message})`}, the model says it should ${accepted ? 'succeed' : 'fail'}`,
          )
        if (kept) {
          // The device is now bound where the model has no user: it leaves the simulation.
          m.devices.delete(op.serial)
          this.devices.delete(op.serial)
          this.tainted.add(op.serial)
          return true
        }
        if (r.ok) {
          this.stats.enrollments++
          const deviceId = (r.value as { device: { id: string } }).device.id
          const known = this.devices.get(op.serial)
          if (!known)
            this.devices.set(op.serial, {
              deviceId,
              apps: new Map(),
              profiles: new Map(),
              restrictions: {},
              done: new Set(),
            })
        }
        return true
      }
      case 'checkin':
        return this.checkin(op.serial, op.max, op.fail)
      case 'push':
        this.push.up = op.up
        // Time passes, so backed-off pushes come due; re-push so the pump runs through the contract.
        this.clock.advance(10 * 60_000)
        for (const d of this.devices.values()) await this.call('devices/repush', { deviceId: d.deviceId })
        return true
      case 'rule': {
        const g = RULE_GROUPS.find(x => x.key === op.group)
        const text = g?.variants[op.variant]?.text
        const id = this.groupIds.get(op.group)
        if (!text || !id || m.rules.get(op.group) === op.variant) return false
        // The model first: a kill while the edit pushes comes after its commit.
        m.setRule(op.group, op.variant)
        const r = await this.call<{ status: string }>('policies/apply', {
          change: { kind: 'rule', groupId: id, rule: text, dialect: 'entra' },
        })
        if (r.status !== 'applied') throw new SimViolation('held', 'a rule edit was held with the circuit breaker off')
        return true
      }
      case 'target': {
        const p = m.policy(op.policy)
        if ((p.targets[op.group] ?? null) === op.mode) return false
        m.editPolicy(op.policy, x => {
          if (op.mode) x.targets[op.group] = op.mode
          else delete x.targets[op.group]
        })
        const r = await this.call<{ status: string }>('policies/apply', {
          change: {
            kind: 'target',
            policyId: this.policyIds.get(op.policy),
            groupId: this.groupIds.get(op.group),
            mode: op.mode,
          },
        })
        if (r.status !== 'applied')
          throw new SimViolation('held', 'a target edit was held with the circuit breaker off')
        return true
      }
      case 'flag':
      case 'value':
      case 'optItem': {
        const p = m.policy(op.policy)
        if (op.k === 'optItem') {
          const opt = OPTIONAL_ITEMS[op.policy]
          if (!opt || p.items.some(i => i.key === opt.key) === op.present) return false
        } else if (!p.items.some(i => i.key === op.item)) return false
        m.editPolicy(op.policy, x => {
          if (op.k === 'optItem') {
            const opt = OPTIONAL_ITEMS[op.policy] as ItemSpec
            x.items = op.present ? [...x.items, { ...opt }] : x.items.filter(i => i.key !== opt.key)
            return
          }
          x.items = x.items.map(i => {
            if (i.key !== op.item) return i
            if (op.k === 'flag' && i.kind === 'app') return { ...i, remove: op.value }
            if (op.k === 'value' && i.kind === 'profile') return { ...i, ssid: String(op.value) }
            if (op.k === 'value' && i.kind === 'restriction') return { ...i, value: op.value as boolean | number }
            return i
          })
        })
        await this.savePolicy(p)
        return true
      }
      case 'crash': {
        this.armed = op.point
        try {
          return await this.apply(op.inner)
        } catch (e) {
          if (!(e instanceof Killed) && !this.killed()) throw e
          return true
        } finally {
          this.armed = null
          if (this.killed()) await this.restart()
        }
      }
    }
  }

  /** Whether the fault fired (the app's database is closed). */
  private killed(): boolean {
    try {
      this.app.services.store.devices.count()
      return false
    } catch {
      return true
    }
  }

  private async restart(): Promise<void> {
    this.stats.kills++
    this.open()
    if (this.syncInFlight) {
      this.syncInFlight = false
      const d = await this.call<DirectoryDetail>('directories/get', { directoryId: this.entraId })
      if (d.directory.lastSync?.status === 'succeeded' && d.directory.lastSync.id !== this.lastSyncRunId)
        this.model.sync()
    }
    // An enrollment killed while it pushed committed its device but never answered: find it.
    const listed = await this.call<{ id: string; serial: string }[]>('devices/list', {})
    for (const serial of this.model.devices.keys())
      if (!this.devices.has(serial)) {
        const found = listed.find(x => x.serial === serial)
        if (found)
          this.devices.set(serial, {
            deviceId: found.id,
            apps: new Map(),
            profiles: new Map(),
            restrictions: {},
            done: new Set(),
          })
      }
    // What a starting app does: push what is due (the desktop app's pump, `serve`'s first pump).
    await this.app.services.devices.pump()
  }

  private async checkin(serial: string, max: number, fail: boolean): Promise<boolean> {
    const dev = this.devices.get(serial)
    if (!dev) return false
    for (let n = 0; n < max; n++) {
      const c = this.app.services.devices.outbox.next(dev.deviceId)
      if (!c) break
      this.onHandedOut(serial, c)
      const refuse = fail && n === 0
      // The device carries a command out once (ids are idempotency keys), then answers.
      if (!refuse && !dev.done.has(c.id)) {
        carryOut(dev, c)
        dev.done.add(c.id)
      }
      const r = await this.app.invoke('devices/acknowledge', {
        deviceId: dev.deviceId,
        commandId: c.id,
        status: refuse ? 'error' : 'acknowledged',
        ...(refuse ? { error: 'sim: the device refused' } : {}),
      })
      if (!r.ok) {
        if (this.killed()) throw new Killed('ack')
        throw new SimViolation('call-failed', `devices/acknowledge failed: ${r.error.code} ${r.error.message}`)
      }
      if (refuse) this.stats.refused++
      else this.stats.answered++
    }
    return true
  }

  /** A command handed to the device must still be open: never one already answered or cancelled. */
  private onHandedOut(serial: string, c: Command): void {
    const seen = this.ledger.states.get(c.id)
    if (seen === 'acknowledged' || seen === 'failed' || seen === 'cancelled')
      throw new SimViolation(
        'duplicate-delivery',
        `${serial} was handed command ${c.type} ${c.id} again, which was already ${seen}`,
      )
  }

  async snapshot(serial: string): Promise<{ detail: DeviceDetail; why: PolicyWhy[] } | null> {
    const dev = this.devices.get(serial)
    if (!dev) return null
    const detail = await this.call<DeviceDetail>('devices/get', { deviceId: dev.deviceId })
    // A device whose user the directory deleted is unbound: no policy applies, nothing to explain.
    if (detail.device.userId === null) return { detail, why: [] }
    const why = await this.call<PolicyWhy[]>('policies/effective', { deviceId: dev.deviceId })
    return { detail, why }
  }

  /** Every invariant, for every device. */
  async check(): Promise<void> {
    for (const serial of this.model.devices.keys()) {
      const snap = await this.snapshot(serial)
      if (!snap) throw new SimViolation('device-missing', `${serial} is enrolled in the model but not in the app`)
      checkDevice({
        model: this.model,
        serial,
        detail: snap.detail,
        why: snap.why,
        ledger: this.ledger,
        policyId: key => this.policyIds.get(key) ?? '',
      })
    }
  }

  /** The end of a run: pushes work, every device checks in until it has nothing left; nothing may be lost. */
  async drain(): Promise<void> {
    this.push.up = true
    for (const serial of this.devices.keys()) await this.checkin(serial, 200, false)
    for (const [serial, dev] of this.devices) {
      const snap = await this.snapshot(serial)
      if (snap) checkDrained({ model: this.model, serial, detail: snap.detail, device: dev })
    }
  }

  async close(): Promise<void> {
    try {
      this.app.close()
    } catch {
      // Already closed by a kill at the last step.
    }
    await this.graph.close()
    this.dir.remove()
  }
}

/** What a device does with a command it carries out. */
function carryOut(dev: FakeDevice, c: Command): void {
  const id = String(c.payload['identifier'] ?? '')
  switch (c.type) {
    case 'install_app':
      dev.apps.set(id, c.payload)
      break
    case 'remove_app':
      dev.apps.delete(id)
      break
    case 'install_profile':
      dev.profiles.set(id, c.payload)
      break
    case 'remove_profile':
      dev.profiles.delete(id)
      break
    case 'apply_restrictions':
      dev.restrictions = { ...((c.payload['settings'] as Record<string, unknown>) ?? {}) }
      break
    default:
      break
  }
}

/** Runs a sequence from a fresh world; stops at the first violation. */
export async function runOps(seed: number, ops: readonly Op[], opts: { drain?: boolean } = {}): Promise<RunResult> {
  const sim = new Simulation(seed)
  let applied = 0
  let skipped = 0
  const result = (violation: SimViolation | null): RunResult => ({
    applied,
    skipped,
    violation,
    stats: { ...sim.stats, keptByGrace: sim.model.kept.grace, keptWhileUnknown: sim.model.kept.unknown },
  })
  const violation = (e: unknown, step: number, op: Op | null): RunResult => {
    if (e instanceof SimViolation) return result(e.at(step, op))
    return result(new SimViolation('exception', String(e instanceof Error ? e.stack : e)).at(step, op))
  }
  try {
    await sim.start()
    await sim.check()
    for (const op of ops) {
      let ran: boolean
      try {
        ran = await sim.apply(op)
      } catch (e) {
        return violation(e, applied, op)
      }
      applied++
      if (!ran) {
        skipped++
        continue
      }
      try {
        await sim.check()
      } catch (e) {
        return violation(e, applied - 1, op)
      }
    }
    if (opts.drain !== false) {
      try {
        await sim.drain()
      } catch (e) {
        return violation(e, ops.length, null)
      }
    }
    return result(null)
  } finally {
    await sim.close()
  }
}
