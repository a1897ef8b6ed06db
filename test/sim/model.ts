// The reference model: the plainest code that says what every device should have after each
// step, written from the documented rules (issue #13), not from src/:
// - desired state = the items of every policy that applies to the user's current groups on the
//   device's platform (applies: an include target is among the groups and no exclude target is);
// - current groups = rule groups of the user's own directory, evaluated on the synced attributes,
//   and synced groups as the IdP lists them; a rule reading an attribute the user lacks leaves the
//   membership unknown: the device keeps what it had from it and gets nothing new;
// - a user who leaves a group through a directory read keeps that group's items on the devices
//   that already have them until the first succeeded sync (or import) of the directory that
//   started after the leave (graceSyncs = 1, graceMinutes = 0); that sync withdraws in its own
//   run; coming back first cancels it; a device enrolled meanwhile gets only the current state;
// - a user the directory no longer has (deleted in the IdP, or left out of a file that replaces
//   the directory) loses everything at the read that sees it, without grace: a removal is
//   deliberate (the removal guard holds one that removes too much), and a removed person's devices
//   must not keep access for another sync;
// - admin edits (rule text, targets, items, the remove flag) apply at once, without grace;
// - an app leaves a device only when its item says "remove app when policy is removed" at the
//   moment it leaves; otherwise it stays, unmanaged, and no remove_app is ever sent for it.
import {
  type DirectoryKey,
  type ItemSpec,
  type Platform,
  type PolicySpec,
  RULE_GROUPS,
  type SimAttributes,
  SYNCED_GROUPS,
  initialPolicies,
} from './scenario'

export type Tri = 'in' | 'out' | 'unknown'

export interface ModelUser {
  key: string
  directory: DirectoryKey
  upn: string
  attributes: SimAttributes
  /** Keys of the synced groups the IdP lists the user in. */
  groups: Set<string>
}

/** Why the model keeps an item on a device. */
export type Because = 'granted' | 'grace' | 'unknown'

export interface DesiredItem {
  item: ItemSpec
  policy: string
  because: Because
}

export interface ModelDevice {
  serial: string
  platform: Platform
  user: string
  desired: Map<string, DesiredItem>
  /** Apps that left the desired state: 'remove' (flagged then) or 'keep' (stays, unmanaged). */
  appFate: Map<string, 'remove' | 'keep'>
}

export type PolicyStanding = 'assigned' | 'kept' | 'none'

/**
 * Why an item is not on a device, when the policy has it for the device's platform:
 * - grace-not-withdrawn: the confirming sync of a leaver's grace withdrawal withdrew it;
 * - new-device-got-left-items: the device came after its user left the group (grace is for devices that had it);
 * - nothing-new-from-unknown: the membership is unknown and the device did not have it;
 * - rule-group-scope: only a rule group of another directory would grant it;
 * - not-granted: anything else.
 */
export type AbsentBecause =
  | 'grace-not-withdrawn'
  | 'new-device-got-left-items'
  | 'nothing-new-from-unknown'
  | 'rule-group-scope'
  | 'not-granted'

const cloneUser = (u: ModelUser): ModelUser => ({
  ...u,
  attributes: { ...u.attributes },
  groups: new Set(u.groups),
})

export class Model {
  /** What the IdPs hold now (the Entra tenant; the file directory's "truth" is the next file). */
  readonly idp = new Map<string, ModelUser>()
  /** What the app last read from its directories. */
  readonly view = new Map<string, ModelUser>()
  /** Rule group key → the variant index in force. */
  readonly rules = new Map<string, number>(RULE_GROUPS.map(g => [g.key, 0]))
  policies: PolicySpec[] = initialPolicies()
  readonly devices = new Map<string, ModelDevice>()
  /** user → groups the user left through a directory read and still keeps (grace). */
  readonly pending = new Map<string, Set<string>>()
  /** How often the model started keeping an item through grace or an unknown membership (coverage). */
  readonly kept = { grace: 0, unknown: 0 }
  /** serial → item key → why the model leaves an item off the device (names the defect when the app has it). */
  readonly absent = new Map<string, Map<string, AbsentBecause>>()
  /** During a read: user → grace withdrawals that matured in it. */
  private matured = new Map<string, Set<string>>()
  /** user → groups the user ever left through a directory read (a new device gets nothing from them). */
  private readonly leftEver = new Map<string, Set<string>>()
  /**
   * Devices whose user another device's enrollment re-read (JIT) and whose desired state changed
   * by it: a mismatch there is the app not following the JIT read on the user's other devices.
   */
  readonly jitFollowers = new Set<string>()
  /** user → group → whether the user was last definitely in (for "left"). */
  private readonly wasIn = new Map<string, Map<string, boolean>>()

  policy(key: string): PolicySpec {
    const p = this.policies.find(x => x.key === key)
    if (!p) throw new Error(`model: no policy ${key}`)
    return p
  }

  /** The user's membership in a group, from the app's view. */
  membership(userKey: string, groupKey: string): Tri {
    const u = this.view.get(userKey)
    if (!u) return 'out'
    const rule = RULE_GROUPS.find(g => g.key === groupKey)
    if (rule) {
      if (u.directory !== rule.directory) return 'out'
      const variant = rule.variants[this.rules.get(groupKey) ?? 0]
      if (!variant) throw new Error(`model: no variant for ${groupKey}`)
      const value = u.attributes[variant.reads]
      if (value === null || value === '') return 'unknown'
      return variant.test(value) ? 'in' : 'out'
    }
    const synced = SYNCED_GROUPS.find(g => g.key === groupKey)
    if (!synced) throw new Error(`model: no group ${groupKey}`)
    return u.directory === synced.directory && u.groups.has(groupKey) ? 'in' : 'out'
  }

  private allGroupKeys(): string[] {
    return [...RULE_GROUPS.map(g => g.key), ...SYNCED_GROUPS.map(g => g.key)]
  }

  /** Kleene: include (any) and not exclude (any). */
  private applies(p: PolicySpec, tri: (g: string) => Tri): Tri {
    const any = (mode: 'include' | 'exclude'): Tri => {
      let r: Tri = 'out'
      for (const [g, m] of Object.entries(p.targets)) {
        if (m !== mode) continue
        const t = tri(g)
        if (t === 'in') return 'in'
        if (t === 'unknown') r = 'unknown'
      }
      return r
    }
    const inc = any('include')
    const exc = any('exclude')
    if (inc === 'out' || exc === 'in') return 'out'
    if (inc === 'in' && exc === 'out') return 'in'
    return 'unknown'
  }

  /**
   * The membership a policy decision uses: an unknown one keeps what the user had from the group,
   * so it counts (as unknown: keep, grant nothing new) only if the user was last known to be in.
   */
  private strict = (user: string) => (g: string) => {
    const t = this.membership(user, g)
    return t === 'unknown' && this.wasIn.get(user)?.get(g) !== true ? 'out' : t
  }
  private lenient = (user: string) => (g: string) => {
    const t = this.strict(user)(g)
    return t === 'out' && this.pending.get(user)?.has(g) ? 'in' : t
  }

  /** Recomputes one device; `had` is what it may keep (empty for a new or re-enrolled device). */
  private recompute(d: ModelDevice, had: Map<string, DesiredItem>): void {
    const before = d.desired
    const next = new Map<string, DesiredItem>()
    const absent = new Map<string, AbsentBecause>()
    const earlier = this.absent.get(d.serial)
    this.absent.set(d.serial, absent)
    for (const p of this.policies) {
      if (!p.platforms.includes(d.platform)) continue
      const s = this.applies(p, this.strict(d.user))
      const l = this.applies(p, this.lenient(d.user))
      for (const item of p.items) {
        if (item.kind === 'app' && item.platform !== d.platform) continue
        if (s === 'in') next.set(item.key, { item, policy: p.key, because: 'granted' })
        else if (l !== 'out' && had.get(item.key)?.policy === p.key) {
          const because = s === 'unknown' ? 'unknown' : 'grace'
          next.set(item.key, { item, policy: p.key, because })
          if (!d.desired.has(item.key) || d.desired.get(item.key)?.because !== because) this.kept[because]++
        } else {
          // A reason sticks while the item stays off the device, so a later step still names the first cause.
          const now = this.absentBecause(d, p, had.get(item.key)?.policy === p.key, s, l)
          const before = earlier?.get(item.key)
          absent.set(item.key, now === 'not-granted' && before && !d.desired.has(item.key) ? before : now)
        }
      }
    }
    for (const [key, was] of before) {
      if (next.has(key) || was.item.kind !== 'app') continue
      const now = this.currentItem(was.policy, key)
      // The flag as it is when the app leaves (an item edited away keeps its last flag).
      const flag = now?.kind === 'app' ? now.remove : was.item.kind === 'app' && was.item.remove
      d.appFate.set(key, flag ? 'remove' : 'keep')
    }
    for (const key of next.keys()) d.appFate.delete(key)
    d.desired = next
  }

  private absentBecause(d: ModelDevice, p: PolicySpec, had: boolean, s: Tri, l: Tri): AbsentBecause {
    const includes = Object.entries(p.targets).filter(([, m]) => m === 'include')
    if (had && includes.some(([g]) => this.matured.get(d.user)?.has(g))) return 'grace-not-withdrawn'
    // A later edit withdraws what a leaver kept: if the app still keeps it, the leave was never settled.
    if (had && includes.some(([g]) => this.leftEver.get(d.user)?.has(g) && !this.pending.get(d.user)?.has(g)))
      return 'grace-not-withdrawn'
    if (!had && l !== 'out') return s === 'unknown' ? 'nothing-new-from-unknown' : 'new-device-got-left-items'
    if (!had && includes.some(([g]) => this.leftEver.get(d.user)?.has(g))) return 'new-device-got-left-items'
    // Only a rule group of another directory could grant it: what an unscoped rule group leaks
    // (its value may also have gone unknown since, which an unscoped membership keeps).
    const u = this.view.get(d.user)
    const leaks = includes.some(([g]) => {
      const rule = RULE_GROUPS.find(x => x.key === g)
      return rule !== undefined && u !== undefined && rule.directory !== u.directory
    })
    return leaks ? 'rule-group-scope' : 'not-granted'
  }

  private currentItem(policy: string, key: string): ItemSpec | undefined {
    return this.policies.find(p => p.key === policy)?.items.find(i => i.key === key)
  }

  recomputeAll(): void {
    for (const d of this.devices.values()) this.recompute(d, d.desired)
  }

  /** Which policies a device has, and how: what `policies/effective` should say. */
  standing(serial: string, policy: string): PolicyStanding {
    const d = this.devices.get(serial)
    if (!d) throw new Error(`model: no device ${serial}`)
    const p = this.policy(policy)
    if (p.platforms.includes(d.platform) && this.applies(p, this.strict(d.user)) === 'in') return 'assigned'
    for (const it of d.desired.values()) if (it.policy === policy) return 'kept'
    return 'none'
  }

  /**
   * Whether the user left one of the policy's exclude targets through a directory read (leaving
   * an exclusion grants at once; a grant missing since then is that defect, or the confirming
   * sync not recomputing).
   */
  leftAnExclusion(serial: string, policy: string): boolean {
    const d = this.devices.get(serial)
    const pending = d ? this.pending.get(d.user) : undefined
    const left = d ? this.leftEver.get(d.user) : undefined
    return Object.entries(this.policy(policy).targets).some(
      ([g, m]) => m === 'exclude' && (pending?.has(g) || left?.has(g)),
    )
  }

  private remember(userKey: string): void {
    const m = this.wasIn.get(userKey) ?? new Map<string, boolean>()
    this.wasIn.set(userKey, m)
    for (const g of this.allGroupKeys()) {
      const t = this.membership(userKey, g)
      if (t !== 'unknown') m.set(g, t === 'in')
    }
  }

  /**
   * The app read these users from their directory: leaving a group starts a grace withdrawal,
   * coming back cancels it; admin edits call `remember` without starting any.
   */
  private observe(userKeys: Iterable<string>): void {
    for (const u of userKeys) {
      const was = this.wasIn.get(u)
      for (const g of this.allGroupKeys()) {
        const t = this.membership(u, g)
        if (t === 'in') this.pending.get(u)?.delete(g)
        else if (t === 'out' && was?.get(g) === true) {
          const set = this.pending.get(u) ?? new Set<string>()
          set.add(g)
          this.pending.set(u, set)
          const left = this.leftEver.get(u) ?? new Set<string>()
          left.add(g)
          this.leftEver.set(u, left)
        }
      }
      this.remember(u)
    }
  }

  private usersOf(dir: DirectoryKey): string[] {
    const keys = new Set<string>()
    for (const m of [this.view, this.idp, this.pending as Map<string, unknown>])
      for (const k of m.keys()) if (k.startsWith(dir === 'entra' ? 'e' : 'f')) keys.add(k)
    return [...keys]
  }

  /** A succeeded sync of the Entra directory (full or incremental: the same result). */
  sync(): void {
    this.read(
      'entra',
      [...this.idp.values()].filter(u => u.directory === 'entra'),
      true,
    )
  }

  /**
   * A succeeded file import: `replace` makes the file the whole directory, `update` changes only
   * the users it lists.
   */
  importFile(users: ModelUser[], mode: 'replace' | 'update'): void {
    this.read('file', users, mode === 'replace')
  }

  private read(dir: DirectoryKey, users: ModelUser[], whole: boolean): void {
    const touched = this.usersOf(dir)
    // The confirming sync: every grace withdrawal of this directory from before it matures now.
    this.matured = new Map()
    for (const u of touched) {
      const set = this.pending.get(u)
      if (set) this.matured.set(u, set)
      this.pending.delete(u)
    }
    const removed = whole ? touched.filter(u => this.view.has(u) && !users.some(x => x.key === u)) : []
    for (const u of removed) this.view.delete(u)
    for (const u of users) this.view.set(u.key, cloneUser(u))
    this.observe(new Set([...touched, ...users.map(u => u.key)]))
    // A user the directory no longer has keeps nothing: grace is for users who leave a group.
    for (const u of removed) {
      this.pending.delete(u)
      this.wasIn.delete(u)
      this.leftEver.delete(u)
      this.matured.delete(u)
    }
    this.recomputeAll()
    this.matured = new Map()
  }

  /**
   * Enrollment: the JIT step reads the user from the IdP (Entra; a file directory has nothing
   * to ask), then the device gets exactly the current desired state. Returns false when the
   * user is unknown everywhere (the app refuses the enrollment).
   */
  enroll(serial: string, platform: Platform, userKey: string): boolean {
    const fresh = this.idp.get(userKey)
    if (fresh && fresh.directory === 'entra') {
      this.view.set(userKey, cloneUser(fresh))
      this.observe([userKey])
    }
    if (!this.view.has(userKey)) return false
    const existing = this.devices.get(serial)
    const d: ModelDevice = existing ?? { serial, platform, user: userKey, desired: new Map(), appFate: new Map() }
    d.user = userKey
    this.devices.set(serial, d)
    this.recompute(d, new Map())
    // The user's other devices follow their new attributes at once.
    for (const other of this.devices.values()) {
      if (other === d) continue
      const before = JSON.stringify([...other.desired])
      this.recompute(other, other.desired)
      if (other.user === userKey && JSON.stringify([...other.desired]) !== before) this.jitFollowers.add(other.serial)
    }
    this.jitFollowers.delete(serial)
    return true
  }

  setRule(group: string, variant: number): void {
    this.rules.set(group, variant)
    // Admin edits apply at once: whoever the new rule leaves out loses the group's items now (no
    // grace). A grace withdrawal a sync started goes on (the edit did not cause it), unless the
    // new rule takes the user back in.
    for (const [u, set] of this.pending) if (this.membership(u, group) === 'in') set.delete(group)
    for (const u of this.view.keys()) this.remember(u)
    this.recomputeAll()
  }

  /** Any edit of the policies (targets, items, values, flags): applies at once. */
  editPolicy(key: string, edit: (p: PolicySpec) => void): void {
    edit(this.policy(key))
    this.recomputeAll()
  }

  /** IdP-side changes: the app sees them at the next sync (or the user's next enrollment). */
  idpUser(key: string): ModelUser | undefined {
    return this.idp.get(key)
  }
}
