// The invariants, checked after every step against the reference model. Each violation has a
// stable kind (so a shrink keeps chasing the same defect, and a run can set known ones aside)
// and a message that names the device, the item and what the model expected.
import type { Command, CommandState, DeviceDetail } from '../../src/shared/domain'
import type { PolicyWhy } from '../../src/shared/policy'
import type { FakeDevice } from './driver'
import type { AbsentBecause, Model } from './model'
import type { ItemSpec } from './scenario'
import type { Op } from './ops'

export const INVARIANTS = {
  /** Delivered + queued commands add up to the model's desired state (profiles, restrictions, managed apps). */
  converges: 'the device’s delivered + queued state is the model’s desired state',
  'withdrawn-while-unknown': 'no policy is withdrawn while the membership is unknown',
  'withdrawn-during-grace': 'a leaver keeps the items until the confirming sync',
  'granted-too-much': 'a device gets nothing the model does not grant',
  'grace-not-withdrawn': 'the confirming sync (the first succeeded one that started after the user left) withdraws',
  'new-device-got-left-items': 'a device enrolled after its user left a group gets nothing from that group',
  'nothing-new-from-unknown': 'an unknown membership gives a device nothing it did not have',
  'rule-group-scope': 'a rule group grants only to users of its own directory',
  'grace-delays-grant':
    'leaving an excluded group grants the policy at once (grace only keeps items, it never holds back a grant)',
  'why-grace-shadows-grant':
    'a policy that one include target grants firmly is "assigned", even while the user is in grace for another',
  'import-replace-keeps-users':
    'a file import that replaces the directory removes the users the file leaves out, and their devices lose everything at once',
  'deleted-user':
    'a user deleted in the IdP is removed at the sync that sees it, and their devices lose everything at once (no grace)',
  'jit-other-devices':
    'when an enrollment re-reads a user (JIT), the user’s other devices follow the new attributes too',
  'unflagged-app-removed': 'no app without "remove app when policy is removed" is ever removed',
  'available-app-forced': 'an app that is only available is never installed on an Apple device by a command',
  'flagged-app-kept': 'a flagged app leaves the device when its policy does',
  'stale-command-not-cancelled': 'a queued, undelivered command that no longer serves the desired state is cancelled',
  'removal-of-undelivered': 'a removal is never sent for something that was never delivered',
  'command-lost': 'no command disappears, changes after it finished, or stays open after the device drained',
  'duplicate-command': 'no change is queued twice',
  'duplicate-delivery': 'no finished command is handed out again',
  'why-disagrees': 'policies/effective agrees with the model (assigned / pending withdrawal / not assigned)',
  'device-state': 'after draining, the device has what the model says (except items whose command it refused)',
} as const

export type InvariantKind =
  | keyof typeof INVARIANTS
  | 'not-granted'
  | 'call-failed'
  | 'held'
  | 'enroll'
  | 'exception'
  | 'device-missing'

export class SimViolation extends Error {
  step = -1
  op: Op | null = null
  constructor(
    readonly kind: InvariantKind,
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`)
  }
  at(step: number, op: Op | null): this {
    this.step = step
    this.op = op
    return this
  }
}

/** Invariants a run sets aside (known defects being fixed), so it can look past them. */
export const disabled = new Set<string>()

/** Set while checking a device whose user another device's enrollment re-read (see Model.jitFollowers). */
let jitFollower = false
/** Set while checking a device whose user the directory no longer has (deleted in Entra, left out of a replacing file). */
let goneUser: 'entra' | 'file' | null = null

/**
 * Cascades: once a set-aside defect shows on a device's item (or policy), what follows from it
 * on that item (a removal of what it wrongly installed, a why-chain that explains it) is that
 * same defect, until the item agrees with the model again. Keys: `${serial}|${item}`.
 */
const taint = new Map<string, string>()
const touched = new Set<string>()
let currentSerial = ''

/** A new run starts with nothing set aside. */
export function resetTaint(): void {
  taint.clear()
  touched.clear()
}

/** The item key checks use: `app:<identifier>`, `profile:<identifier>`, `restriction:<identifier>`. */
const itemKey = (i: ItemSpec): string => `${i.kind}:${i.identifier}`

function fail(kind: InvariantKind, detail: string, item?: string): void {
  if (item) {
    const key = `${currentSerial}|${item}`
    touched.add(key)
    const prior = taint.get(key)
    if (prior && disabled.has(prior)) return
    if (disabled.has(kind)) {
      taint.set(key, kind)
      return
    }
  }
  const mismatch =
    kind === 'converges' || kind === 'granted-too-much' || kind === 'why-disagrees' || kind === 'device-state'
  if (goneUser && mismatch) {
    kind = goneUser === 'file' ? 'import-replace-keeps-users' : 'deleted-user'
    detail += ` (its user is no longer in the ${goneUser === 'file' ? 'file the directory was replaced with' : 'directory'})`
  }
  if (
    jitFollower &&
    (kind === 'converges' || kind === 'granted-too-much' || kind === 'why-disagrees' || kind === 'device-state')
  ) {
    kind = 'jit-other-devices'
    detail += ' (its user was re-read by another device’s enrollment)'
  }
  if (!disabled.has(kind)) throw new SimViolation(kind, detail)
}

export interface Ledger {
  states: Map<string, CommandState>
  owner: Map<string, string>
}
export const newLedger = (): Ledger => ({ states: new Map(), owner: new Map() })

const FINISHED: ReadonlySet<CommandState> = new Set(['acknowledged', 'failed', 'cancelled'])
const UNDELIVERED: ReadonlySet<CommandState> = new Set(['queued', 'pushed'])

/** A restriction's value as the command carries it (the raw value, or the item's { value }). */
const plain = (v: unknown): unknown =>
  v && typeof v === 'object' && !Array.isArray(v) && 'value' in v ? (v as { value: unknown }).value : v

const keyOf = (c: Command): string | null => {
  const id = String(c.payload['identifier'] ?? '')
  if (c.type === 'install_app' || c.type === 'remove_app') return `app:${id}`
  if (c.type === 'install_profile' || c.type === 'remove_profile') return `profile:${id}`
  if (c.type === 'apply_restrictions') return 'restrictions'
  return null
}

const effect = (c: Command): string => JSON.stringify([c.type, c.payload])

interface Fold {
  apps: Map<string, Record<string, unknown>>
  profiles: Map<string, Record<string, unknown>>
  restrictions: Record<string, unknown>
}

/** What the commands that were not cancelled add up to, in the device's order. */
export function fold(commands: readonly Command[], only?: (c: Command) => boolean): Fold {
  const f: Fold = { apps: new Map(), profiles: new Map(), restrictions: {} }
  for (const c of [...commands].sort((a, b) => a.seq - b.seq)) {
    if (c.state === 'cancelled' || (only && !only(c))) continue
    const id = String(c.payload['identifier'] ?? '')
    if (c.type === 'install_app') f.apps.set(id, c.payload)
    else if (c.type === 'remove_app') f.apps.delete(id)
    else if (c.type === 'install_profile') f.profiles.set(id, c.payload)
    else if (c.type === 'remove_profile') f.profiles.delete(id)
    else if (c.type === 'apply_restrictions')
      f.restrictions = Object.fromEntries(
        Object.entries((c.payload['settings'] as Record<string, unknown>) ?? {}).map(([k, v]) => [k, plain(v)]),
      )
  }
  return f
}

const ssidOf = (payload: Record<string, unknown> | undefined): unknown =>
  (payload?.['settings'] as Record<string, unknown> | undefined)?.['ssid']

interface DeviceCheck {
  model: Model
  serial: string
  detail: DeviceDetail
  why: PolicyWhy[]
  ledger: Ledger
  policyId(key: string): string
}

export function checkDevice({ model, serial, detail, why, ledger, policyId }: DeviceCheck): void {
  const d = model.devices.get(serial)
  if (!d) return
  jitFollower = model.jitFollowers.has(serial)
  currentSerial = serial
  goneUser = model.view.has(d.user) ? null : d.user.startsWith('f') ? 'file' : 'entra'
  const commands = detail.commands.filter(c => keyOf(c) !== null).sort((a, b) => a.seq - b.seq)
  const deviceId = detail.device.id

  // The ledger: commands never vanish and never change once finished.
  const present = new Set(commands.map(c => c.id))
  for (const [id, owner] of ledger.owner)
    if (owner === deviceId && !present.has(id))
      fail('command-lost', `${serial}: command ${id} (${ledger.states.get(id)}) is gone from the outbox`)
  const fresh: Command[] = []
  for (const c of commands) {
    const was = ledger.states.get(c.id)
    if (was === undefined) fresh.push(c)
    else if (FINISHED.has(was) && was !== c.state)
      fail('command-lost', `${serial}: command ${c.type} ${c.id} was ${was} and is now ${c.state}`)
    ledger.states.set(c.id, c.state)
    ledger.owner.set(c.id, deviceId)
  }

  // A refused (failed) command changed nothing on the device: the fold skips it, and an item whose
  // last command the device refused counts as delivered intent (it is not retried).
  const f = fold(commands, c => c.state !== 'failed')
  const refusedLast = new Set<string>()
  for (const c of commands) {
    if (c.state === 'cancelled') continue
    const key = keyOf(c) as string
    if (c.state === 'failed') refusedLast.add(key)
    else refusedLast.delete(key)
  }
  const desiredApps = new Map<string, typeof d.desired extends Map<string, infer V> ? V : never>()
  for (const [key, it] of d.desired) {
    const because = it.because === 'granted' ? '' : ` (kept: ${it.because})`
    const missingKind =
      it.because === 'unknown'
        ? 'withdrawn-while-unknown'
        : it.because === 'grace'
          ? 'withdrawn-during-grace'
          : model.leftAnExclusion(serial, it.policy)
            ? 'grace-delays-grant'
            : 'converges'
    const refusedKey = it.item.kind === 'restriction' ? 'restrictions' : `${it.item.kind}:${it.item.identifier}`
    if (it.item.kind === 'app') desiredApps.set(it.item.identifier, it)
    if (refusedLast.has(refusedKey)) continue
    // Apple has no "offer": an available app waits for the user, and nothing is sent (diff.ts).
    if (it.item.kind === 'app' && it.item.intent === 'available' && d.platform !== 'android') continue
    if (it.item.kind === 'app') {
      const got = f.apps.get(it.item.identifier)
      if (!got)
        fail(
          missingKind,
          `${serial}: ${key} of ${it.policy} should be on the device${because}, but no command puts it there`,
          itemKey(it.item),
        )
      else if (got['intent'] !== it.item.intent)
        fail(
          'converges',
          `${serial}: ${key} is queued as ${String(got['intent'])}, the model says ${it.item.intent}`,
          itemKey(it.item),
        )
    } else if (it.item.kind === 'profile') {
      const got = f.profiles.get(it.item.identifier)
      if (!got)
        fail(
          missingKind,
          `${serial}: ${key} of ${it.policy} should be on the device${because}, but no command puts it there`,
          itemKey(it.item),
        )
      else if (ssidOf(got) !== it.item.ssid)
        fail(
          'converges',
          `${serial}: ${key} carries ssid ${String(ssidOf(got))}, the model says ${it.item.ssid}`,
          itemKey(it.item),
        )
    } else {
      const got = f.restrictions[it.item.identifier]
      if (got === undefined)
        fail(
          missingKind,
          `${serial}: ${key} of ${it.policy} should be in the restriction set${because}, but it is not`,
          itemKey(it.item),
        )
      else if (got !== it.item.value)
        fail(
          'converges',
          `${serial}: ${key} is ${String(got)} in the restriction set, the model says ${String(it.item.value)}`,
          itemKey(it.item),
        )
    }
  }
  const extra = (key: string, what: string, item: string) => {
    const because = model.absent.get(serial)?.get(key) ?? 'not-granted'
    fail(
      because === 'not-granted' ? 'granted-too-much' : because,
      `${serial}: ${what}, the model says it should not be (${because})`,
      item,
    )
  }
  // What the device refused to take back it still holds; the refusal is not retried.
  for (const id of f.profiles.keys())
    if (!d.desired.has(`profile:${id}`) && !refusedLast.has(`profile:${id}`))
      extra(`profile:${id}`, `profile ${id} is on the device (or queued)`, `profile:${id}`)
  for (const id of Object.keys(f.restrictions))
    if (!d.desired.has(`restriction:${id}`) && !refusedLast.has('restrictions'))
      extra(`restriction:${id}`, `restriction ${id} is in the restriction set`, `restriction:${id}`)
  for (const id of f.apps.keys()) {
    if (desiredApps.has(id) || refusedLast.has(`app:${id}`)) continue
    const fate = d.appFate.get(`app:${d.platform}:${id}`)
    const because = model.absent.get(serial)?.get(`app:${d.platform}:${id}`)
    if (fate === 'remove')
      fail(
        because && because !== 'not-granted' ? because : 'flagged-app-kept',
        `${serial}: app ${id} left with its remove flag set, but no remove_app follows it`,
        `app:${id}`,
      )
    else if (fate === undefined) extra(`app:${d.platform}:${id}`, `app ${id} is installed (or queued)`, `app:${id}`)
  }

  // Fresh removals: only flagged apps, only of something delivered.
  for (const c of fresh) {
    if (c.type === 'install_app' && c.payload['intent'] === 'available' && d.platform !== 'android')
      fail('available-app-forced', `${serial}: install_app ${String(c.payload['identifier'])} forces an available app`)
    const key = keyOf(c)
    if (c.type === 'remove_app') {
      const id = String(c.payload['identifier'])
      const fate = d.appFate.get(`app:${d.platform}:${id}`)
      const because = model.absent.get(serial)?.get(`app:${d.platform}:${id}`)
      // Removing an app the model never granted follows from the defect that installed it.
      if (fate !== 'remove' && because && because !== 'not-granted')
        fail(
          because,
          `${serial}: remove_app ${id} withdraws an app the device should never have had (${because})`,
          `app:${id}`,
        )
      else if (fate !== 'remove')
        fail(
          'unflagged-app-removed',
          `${serial}: remove_app ${id} was queued, but the model says the app ${desiredApps.has(id) ? 'is still wanted' : 'stays (no remove flag)'}`,
          `app:${id}`,
        )
    }
    if (c.type === 'remove_app' || c.type === 'remove_profile') {
      const install = commands
        .filter(x => x.seq < c.seq && keyOf(x) === key && x.type.startsWith('install') && x.state !== 'cancelled')
        .at(-1)
      if (!install) fail('removal-of-undelivered', `${serial}: ${c.type} ${key} was queued, but nothing installed it`)
      else if (UNDELIVERED.has(install.state))
        fail(
          'removal-of-undelivered',
          `${serial}: ${c.type} ${key} was queued while its install ${install.id} was still ${install.state} (cancel it instead)`,
        )
    }
  }
  // Two installs of the same thing queued in one step.
  const freshEffects = new Set<string>()
  for (const c of fresh) {
    const e = effect(c)
    if (freshEffects.has(e)) fail('duplicate-command', `${serial}: ${c.type} ${keyOf(c)} was queued twice in one step`)
    freshEffects.add(e)
  }
  // Profiles and restriction sets: the same effect twice in a row, the first not refused.
  const last = new Map<string, Command>()
  for (const c of commands) {
    if (c.state === 'cancelled' || c.type.endsWith('_app')) continue
    const key = keyOf(c) as string
    const prev = last.get(key)
    if (prev && prev.state !== 'failed' && effect(prev) === effect(c) && fresh.includes(c))
      fail('duplicate-command', `${serial}: ${c.type} ${key} repeats ${prev.id} (${prev.state}) with the same content`)
    last.set(key, c)
  }

  // Undelivered commands that no longer serve the desired state.
  const lastRestrictions = commands.filter(c => c.type === 'apply_restrictions' && c.state !== 'cancelled').at(-1)
  for (const c of commands) {
    if (!UNDELIVERED.has(c.state)) continue
    const id = String(c.payload['identifier'] ?? '')
    const stale =
      (c.type === 'install_app' && desiredApps.get(id)?.item.kind !== 'app') ||
      (c.type === 'install_profile' && !d.desired.has(`profile:${id}`)) ||
      (c.type === 'remove_profile' && d.desired.has(`profile:${id}`)) ||
      (c.type === 'remove_app' && desiredApps.has(id)) ||
      (c.type === 'apply_restrictions' && c !== lastRestrictions)
    if (stale)
      fail(
        'stale-command-not-cancelled',
        `${serial}: ${c.type} ${keyOf(c)} (${c.state}) no longer serves the desired state but is still queued`,
      )
  }

  // The why-chain.
  for (const p of model.policies) {
    const standing = model.standing(serial, p.key)
    const w = why.find(x => x.policyId === policyId(p.key))
    const status = w?.status ?? 'not-assigned'
    const kept = [...d.desired.values()].filter(x => x.policy === p.key).map(x => x.because)
    // Grace and an unknown membership at once (a rule edit made a leaver's membership unknown):
    // the rules do not say which the why-chain names, so either answer passes.
    const unknownInclude = Object.entries(p.targets).some(
      ([g, mode]) => mode === 'include' && model.membership(d.user, g) === 'unknown',
    )
    const ok =
      standing === 'assigned'
        ? status === 'assigned'
        : standing === 'kept'
          ? kept.includes('grace') && !unknownInclude
            ? status === 'pending-withdrawal'
            : status === 'assigned' || status === 'pending-withdrawal'
          : status === 'not-assigned' || status === 'withdrawn-kept'
    // A policy the app explains as assigned for one of the named reasons is that defect, seen in the why-chain.
    const named = p.items
      .map(i => model.absent.get(serial)?.get(i.key))
      .find((b): b is Exclude<AbsentBecause, 'not-granted'> => b !== undefined && b !== 'not-granted')
    const cascade = p.items.some(i => {
      const t = taint.get(`${serial}|${itemKey(i)}`)
      return t !== undefined && disabled.has(t)
    })
    if (!ok && !cascade)
      fail(
        standing === 'none' && named
          ? named
          : standing === 'assigned' && status === 'pending-withdrawal'
            ? 'why-grace-shadows-grant'
            : standing === 'assigned' && model.leftAnExclusion(serial, p.key)
              ? 'grace-delays-grant'
              : 'why-disagrees',
        `${serial}: policies/effective says ${p.name} is ${status}; the model says ${standing}${kept.length ? ` (${kept.join(', ')})` : ''}${w ? ` — "${w.summary}"` : ''}`,
      )
  }
  forgetAgreed(serial)
}

/** Items of this device that showed no defect this time agree with the model again: no longer a cascade. */
function forgetAgreed(serial: string): void {
  for (const key of [...taint.keys()]) if (key.startsWith(`${serial}|`) && !touched.has(key)) taint.delete(key)
  for (const key of [...touched]) if (key.startsWith(`${serial}|`)) touched.delete(key)
}

interface DrainCheck {
  model: Model
  serial: string
  detail: DeviceDetail
  device: FakeDevice
}

/** After every device checked in until nothing was left: nothing open, and the device holds the model's state. */
export function checkDrained({ model, serial, detail, device }: DrainCheck): void {
  const d = model.devices.get(serial)
  if (!d) return
  jitFollower = model.jitFollowers.has(serial)
  currentSerial = serial
  goneUser = model.view.has(d.user) ? null : d.user.startsWith('f') ? 'file' : 'entra'
  const commands = detail.commands.filter(c => keyOf(c) !== null)
  for (const c of commands)
    if (!FINISHED.has(c.state))
      fail(
        'command-lost',
        `${serial}: ${c.type} ${keyOf(c)} is still ${c.state} after the device checked in until nothing was left`,
      )
  const refused = new Set<string>()
  for (const c of [...commands].sort((a, b) => a.seq - b.seq)) {
    const key = keyOf(c) as string
    if (c.state === 'failed') refused.add(key)
    else if (c.state === 'acknowledged') refused.delete(key)
  }
  for (const [key, it] of d.desired) {
    if (it.item.kind === 'app') {
      // An available app on an Apple device waits for the user: it may or may not be there.
      if (it.item.intent === 'available' && d.platform !== 'android') continue
      if (!refused.has(`app:${it.item.identifier}`) && !device.apps.has(it.item.identifier))
        fail('device-state', `${serial}: ${key} is not on the device after draining`, itemKey(it.item))
    } else if (it.item.kind === 'profile') {
      if (
        !refused.has(`profile:${it.item.identifier}`) &&
        ssidOf(device.profiles.get(it.item.identifier)) !== it.item.ssid
      )
        fail(
          'device-state',
          `${serial}: ${key} is not on the device (as the model says) after draining`,
          itemKey(it.item),
        )
    } else if (!refused.has('restrictions') && plain(device.restrictions[it.item.identifier]) !== it.item.value)
      fail(
        'device-state',
        `${serial}: ${key} is ${String(device.restrictions[it.item.identifier])} on the device, the model says ${String(it.item.value)}`,
      )
  }
  // An item left over because of a named defect is reported as that defect.
  const leftover = (key: string, detail: string, item = key) => {
    const because = model.absent.get(serial)?.get(key)
    fail(
      because && because !== 'not-granted' ? because : 'device-state',
      `${detail} (${because ?? 'never granted'})`,
      item,
    )
  }
  for (const id of device.profiles.keys())
    if (!d.desired.has(`profile:${id}`) && !refused.has(`profile:${id}`))
      leftover(`profile:${id}`, `${serial}: profile ${id} is still on the device after draining`)
  for (const id of Object.keys(device.restrictions))
    if (!d.desired.has(`restriction:${id}`) && !refused.has('restrictions'))
      leftover(`restriction:${id}`, `${serial}: restriction ${id} is still set on the device after draining`)
  for (const id of device.apps.keys()) {
    const key = `app:${d.platform}:${id}`
    const fate = d.appFate.get(key)
    if (fate === 'remove' && !refused.has(`app:${id}`))
      leftover(key, `${serial}: app ${id} (remove flag set) is still on the device after draining`, `app:${id}`)
  }
}
