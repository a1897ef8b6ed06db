// What-if: the effect of a proposed change — groups gained and lost per user, and per device
// the apps and profiles installed or removed and the conflicts — computed from the store
// without writing anything. It runs the same planner as a real recompute, so what it shows
// is what applying the change then produces.
import type { Dialect, Platform, Policy, PolicyTarget } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type {
  DeviceDelta,
  PolicyDraft,
  PolicySettings,
  ProposedChange,
  UserGroupDelta,
  WhatIf,
} from '../../shared/policy'
import { decideMembership, ruleGroupApplies, type UserInput } from '../groups'
import { GROUP_IDS, GROUP_NAMES, type CompiledRule, type RuleInput } from '../rules'
import type { BoundDevice, SentItem, Store } from '../store'
import { desiredState, indexPolicies, type PolicyIndex } from './desired'
import { deviceDelta, queueView, withdraws } from './delta'
import { graceState, type KeepOnly, keepsNothing } from './grace'
import { planDevice } from './diff'
import { tripsBreaker } from './settings'

export interface WhatIfContext {
  store: Store
  index: PolicyIndex
  settings: PolicySettings
  /** Groups whose policies apply per user now (memberships plus pending withdrawals). */
  effectiveGroups(): Map<string, Set<string>>
  /** Per user, the effective groups that only keep (grace.ts): left within the grace period, or unknown. */
  keepOnly(): { grace: Map<string, Set<string>>; unknown: Map<string, Set<string>> }
  /** One user's effective groups (as effectiveGroups() has them): for the few a rule edit shifts. */
  effectiveGroupsOf(userId: string): Set<string>
  /** One user's keep-only groups (as keepOnly() has them). */
  keepOnlyOf(userId: string): KeepOnly
  /** Per user, the groups left within the grace period (keepOnly().grace, without reading unknowns). */
  graceGroups(): Map<string, Set<string>>
  /** What rules read per user (attributes, identity fields, synced groups): at least these attributes. */
  inputs(attributes: readonly string[]): Iterable<[string, UserInput]>
  /** The users with a bound device: only theirs need their whole group sets (the devices' plans read them). */
  boundUserIds(): ReadonlySet<string>
  now: Date
  compile(dialect: Dialect, rule: string): CompiledRule
  /** Flags of payload items the change removes (a deleted policy's apps), by item id. */
  removedFlags: ReadonlyMap<string, boolean>
}

const PLATFORM_NAMES: Record<Platform, string> = { ios: 'iOS', macos: 'macOS', android: 'Android' }

/** A draft as the policy it would become (new items get stable placeholder ids). */
export function draftPolicy(draft: PolicyDraft, groupName: (id: string) => string): Policy {
  const id = draft.id ?? 'draft:new'
  return {
    id,
    name: draft.name,
    description: draft.description,
    priority: draft.priority,
    platforms: draft.platforms,
    items: draft.items.map((i, n) => ({ ...i, id: i.id ?? `${id}:item:${n}` })),
    targets: draft.targets.map(
      (t): PolicyTarget => ({ groupId: t.groupId, groupName: groupName(t.groupId), mode: t.mode }),
    ),
  }
}

/** The policies as they would be after a change to policies or targets. */
export function proposedPolicies(
  current: readonly Policy[],
  change: ProposedChange,
  groupName: (id: string) => string,
  /** Whether the app inventory lists this app on a platform other than the one being removed. */
  listedElsewhere: (identifier: string) => boolean = () => false,
): Policy[] | null {
  switch (change.kind) {
    case 'policy': {
      const next = draftPolicy(change.draft, groupName)
      return change.draft.id ? current.map(p => (p.id === change.draft.id ? next : p)) : [...current, next]
    }
    case 'deletePolicy':
      return current.filter(p => p.id !== change.policyId)
    case 'renamePolicy':
      return current.map(p => (p.id === change.policyId ? { ...p, name: change.name.trim() } : p))
    case 'deleteGroup':
      return current.map(p =>
        p.targets.some(t => t.groupId === change.groupId)
          ? { ...p, targets: p.targets.filter(t => t.groupId !== change.groupId) }
          : p,
      )
    case 'renameGroup':
      return current.map(p => ({
        ...p,
        targets: p.targets.map(t => (t.groupId === change.groupId ? { ...t, groupName: change.name.trim() } : t)),
      }))
    case 'deleteApp': {
      const gone = new Set(appItemsRemoved(current, change, listedElsewhere).map(r => r.itemId))
      return current.map(p =>
        p.items.some(i => gone.has(i.id)) ? { ...p, items: p.items.filter(i => !gone.has(i.id)) } : p,
      )
    }
    case 'target':
      return current.map(p => {
        if (p.id !== change.policyId) return p
        const others = p.targets.filter(t => t.groupId !== change.groupId)
        return {
          ...p,
          targets:
            change.mode === null
              ? others
              : [...others, { groupId: change.groupId, groupName: groupName(change.groupId), mode: change.mode }],
        }
      })
    default:
      return null
  }
}

/**
 * The app assignments that removing an app from the inventory takes with it: those for its
 * platform, and those for any platform (platform null) once no other platform lists the app.
 */
export function appItemsRemoved(
  policies: readonly Policy[],
  app: { platform: Platform; identifier: string },
  listedElsewhere: (identifier: string) => boolean,
): { policyId: string; itemId: string; removeOnUnassign: boolean }[] {
  const anyPlatform = !listedElsewhere(app.identifier)
  return policies.flatMap(p =>
    p.items
      .filter(
        i =>
          i.kind === 'app' &&
          i.identifier === app.identifier &&
          (i.platform === app.platform || (i.platform === null && anyPlatform)),
      )
      .map(i => ({ policyId: p.id, itemId: i.id, removeOnUnassign: i.removeOnUnassign })),
  )
}

interface MembershipShift {
  userPrincipalName?: string
  before: Set<string>
  after: Set<string>
  /** Of `after`, the groups that only keep what a device has. */
  keep: KeepOnly
}

const NONE: ReadonlySet<string> = new Set()
const keepOf = (k: ReturnType<WhatIfContext['keepOnly']>, userId: string): KeepOnly => ({
  grace: k.grace.get(userId) ?? NONE,
  unknown: k.unknown.get(userId) ?? NONE,
})

/** How re-evaluating one rule group changes a user's standing in it. */
interface GroupShift {
  groupId: string
  /** Whether the group's policies applied to the user before. */
  was: boolean
  /** Whether the group's policies apply to the user afterwards. */
  keeps: boolean
  /** Whether it is then an unknown membership that only keeps. */
  unknown: boolean
  /** Whether a grace period in it ends (the user is back in). */
  graceEnds: boolean
}

/** Above this many shifted users with devices their groups are read in bulk rather than one user at a time. */
const PER_USER_READS = 5_000

/**
 * Re-evaluates the given rule groups for every user with (possibly changed) attributes. Only the
 * given groups' standing can change, so it is decided from their members and the pending
 * withdrawals alone; the full group sets are read only for the users that shift and have a device
 * (a rule edit at 100,000 users shifts a few thousand, a tenth of them with a device). For the others
 * `before` and `after` hold only the groups re-evaluated: all that differ, which is all the user
 * list shows.
 */
function shiftMemberships(
  ctx: WhatIfContext,
  groups: { id: string; directoryId: string | null; rule: CompiledRule }[],
  inputOf: (input: RuleInput) => RuleInput,
  extraAttributes: readonly string[] = [],
): Map<string, MembershipShift> {
  const grace = ctx.graceGroups()
  const pending = new Map<string, Set<string>>()
  for (const w of ctx.store.withdrawals.all()) {
    const set = pending.get(w.userId)
    if (set) set.add(w.groupId)
    else pending.set(w.userId, new Set([w.groupId]))
  }
  const members = new Map(groups.map(g => [g.id, ctx.store.bulkReads.membersOfGroup(g.id)]))
  const shifted = new Map<string, { userPrincipalName: string; changes: GroupShift[] }>()
  for (const [userId, u] of ctx.inputs([...groups.flatMap(g => g.rule.attributes), ...extraAttributes])) {
    const input = inputOf(u.input)
    const inGrace = grace.get(userId)
    let changes: GroupShift[] | null = null
    for (const g of groups) {
      const prior = members.get(g.id)?.get(userId)
      const decided = ruleGroupApplies(g, u.directoryId)
        ? decideMembership(g.id, g.rule.evaluate(input, ctx.now), prior)
        : null
      const graceBefore = inGrace?.has(g.id) ?? false
      const before = (prior?.effective ?? false) || graceBefore
      const unknownBefore = prior?.state === 'unknown' && prior.effective
      // As applying it would: an unknown membership keeps, coming back in ends a grace period.
      const unknown = decided?.state === 'unknown' && decided.effective
      const graceEnds = graceBefore && decided?.state === 'in'
      // A deliberate edit withdraws at once (no grace); a withdrawal already pending stays pending.
      const keeps = (decided?.effective ?? false) || (pending.get(userId)?.has(g.id) ?? false)
      if (keeps !== before || unknown !== unknownBefore || graceEnds) {
        changes ??= []
        changes.push({ groupId: g.id, was: before, keeps, unknown, graceEnds })
      }
    }
    if (changes) shifted.set(userId, { userPrincipalName: u.userPrincipalName, changes })
  }
  const bound = ctx.boundUserIds()
  let withDevices = 0
  for (const userId of shifted.keys()) if (bound.has(userId)) withDevices++
  const bulk = withDevices > PER_USER_READS ? { effective: ctx.effectiveGroups(), keep: ctx.keepOnly() } : null
  const shifts = new Map<string, MembershipShift>()
  for (const [userId, { userPrincipalName, changes }] of shifted) {
    if (!bound.has(userId)) {
      shifts.set(userId, {
        userPrincipalName,
        before: new Set(changes.filter(c => c.was).map(c => c.groupId)),
        after: new Set(changes.filter(c => c.keeps).map(c => c.groupId)),
        keep: { grace: new Set(), unknown: new Set() },
      })
      continue
    }
    const before = bulk ? (bulk.effective.get(userId) ?? new Set<string>()) : ctx.effectiveGroupsOf(userId)
    const keepBefore = bulk ? keepOf(bulk.keep, userId) : ctx.keepOnlyOf(userId)
    const after = new Set(before)
    const keep = { grace: new Set(keepBefore.grace), unknown: new Set(keepBefore.unknown) }
    for (const c of changes) {
      if (c.keeps) after.add(c.groupId)
      else after.delete(c.groupId)
      if (c.unknown) keep.unknown.add(c.groupId)
      else keep.unknown.delete(c.groupId)
      if (c.graceEnds) keep.grace.delete(c.groupId)
    }
    shifts.set(userId, { userPrincipalName, before, after, keep })
  }
  return shifts
}

/** The bound devices of the users whose groups shift: one bulk read when there are many. */
const devicesOf = (ctx: WhatIfContext, shifts: Map<string, MembershipShift>): BoundDevice[] =>
  shifts.size > 500
    ? ctx.store.bulkReads.boundDevices().filter(d => shifts.has(d.userId))
    : [...shifts.keys()].flatMap(u => ctx.store.bulkReads.boundDevicesOf(u))

const names = (ids: Iterable<string>, groupName: (id: string) => string): string[] =>
  [...ids].map(groupName).sort((a, b) => a.localeCompare(b))

type PolicySideChange = Exclude<ProposedChange, { kind: 'rule' | 'attributeMapping' | 'user' }>

/** The groups whose members' devices a change to policies, targets, groups or apps can reach. */
function touchedGroups(current: PolicyIndex, proposed: PolicyIndex, change: PolicySideChange): Set<string> {
  const touched = new Set<string>()
  const targetsOf = (policyId: string) =>
    [current.byId.get(policyId), proposed.byId.get(policyId)].flatMap(p => p?.targets ?? [])
  switch (change.kind) {
    case 'deleteGroup':
      touched.add(change.groupId)
      break
    case 'renameGroup':
    case 'renamePolicy':
      // A name reaches no device.
      break
    case 'deleteApp':
      for (const p of current.policies)
        if (p.items.some(i => i.kind === 'app' && i.identifier === change.identifier))
          for (const t of p.targets) touched.add(t.groupId)
      break
    default: {
      const policyId = change.kind === 'policy' ? (change.draft.id ?? 'draft:new') : change.policyId
      for (const t of targetsOf(policyId)) touched.add(t.groupId)
    }
  }
  return touched
}

function policyChangeSummary(
  change: PolicySideChange,
  groupName: (id: string) => string,
  policyName: (id: string) => string,
): string {
  switch (change.kind) {
    case 'target':
      return `${change.mode === null ? 'Removing' : `Setting ${change.mode} for`} ${groupName(change.groupId)} on ${policyName(change.policyId)}`
    case 'deletePolicy':
      return `Deleting ${policyName(change.policyId)}`
    case 'renamePolicy':
      return `Renaming ${policyName(change.policyId)} to ${change.name.trim()}`
    case 'deleteGroup':
      return `Deleting the group ${groupName(change.groupId)}`
    case 'renameGroup':
      return `Renaming the group ${groupName(change.groupId)} to ${change.name.trim()}`
    case 'deleteApp':
      return `Removing ${change.identifier} (${PLATFORM_NAMES[change.platform]}) from the app inventory and every policy`
    case 'policy':
      return `Saving ${change.draft.name}`
  }
}

export function computeWhatIf(ctx: WhatIfContext, change: ProposedChange, limit: number): WhatIf {
  const { store } = ctx
  const groupNames = store.groups.names()
  const groupName = (id: string): string => groupNames.get(id) ?? id
  const proposed = proposedPolicies(ctx.index.policies, change, groupName, identifier =>
    change.kind === 'deleteApp'
      ? store.inventory.list().some(a => a.identifier === identifier && a.platform !== change.platform)
      : false,
  )
  const index = proposed ? indexPolicies(proposed) : ctx.index
  const policyName = (id: string): string =>
    index.byId.get(id)?.name ?? ctx.index.byId.get(id)?.name ?? 'A deleted policy'
  const removeOnUnassign = (itemId: string): boolean =>
    index.items.get(itemId)?.removeOnUnassign ??
    ctx.removedFlags.get(itemId) ??
    ctx.index.items.get(itemId)?.removeOnUnassign ??
    false

  if (change.kind === 'user') {
    const after = new Set(change.syncedGroupIds ?? [])
    const input: RuleInput = { ...change.attributes, [GROUP_IDS]: [...after], [GROUP_NAMES]: [...after].map(groupName) }
    for (const g of store.groups.ruleGroups()) {
      const decided = decideMembership(g.id, ctx.compile(g.dialect, g.rule).evaluate(input, ctx.now), undefined)
      if (decided?.effective) after.add(g.id)
    }
    const state = desiredState(index, after, change.platform, () => change.attributes)
    const plan = planDevice([], state, { removeOnUnassign, policyName })
    const upn =
      typeof change.attributes['userPrincipalName'] === 'string'
        ? change.attributes['userPrincipalName']
        : 'A hypothetical user'
    const delta = deviceDelta(
      {
        deviceId: null,
        deviceName: `A new ${PLATFORM_NAMES[change.platform]} device`,
        userId: null,
        userPrincipalName: upn,
        platform: change.platform,
      },
      [],
      state,
      plan,
      { gained: names(after, groupName), lost: [] },
      policyName,
    )
    return {
      summary: `A user with these attributes would be in ${delta.groupsGained.length === 0 ? 'no group' : delta.groupsGained.join(', ')} and get ${delta.install.length} app(s)/profile(s).`,
      users: [{ userId: null, userPrincipalName: upn, groupsGained: delta.groupsGained, groupsLost: [] }],
      devices: [delta],
      totals: {
        usersAffected: 1,
        devicesAffected: 1,
        devicesWithdrawn: 0,
        installs: delta.install.length,
        removals: 0,
        devicesTotal: store.bulkReads.boundDeviceCount(),
      },
      wouldHold: false,
      truncated: false,
    }
  }

  let shifts: Map<string, MembershipShift>
  let devices: BoundDevice[]
  let summary: string
  if (change.kind === 'rule') {
    const group = store.groups.ruleGroups().find(g => g.id === change.groupId)
    if (!group) throw new AppError('NOT_FOUND', `No rule group with id ${change.groupId}.`, { groupId: change.groupId })
    const rule = ctx.compile(change.dialect, change.rule)
    shifts = shiftMemberships(ctx, [{ id: group.id, directoryId: group.directoryId, rule }], a => a)
    devices = devicesOf(ctx, shifts)
    summary = `Changing the rule of ${group.name}`
  } else if (change.kind === 'attributeMapping') {
    const attribute = change.attribute.toLowerCase()
    const reading = store.groups.ruleGroups().flatMap(g => {
      const rule = ctx.compile(g.dialect, g.rule)
      return rule.attributes.some(a => a.toLowerCase() === attribute)
        ? [{ id: g.id, directoryId: g.directoryId, rule }]
        : []
    })
    const remap = (attrs: RuleInput): RuleInput => {
      const next: Record<string, unknown> = Object.fromEntries(
        Object.entries(attrs).filter(([k]) => k.toLowerCase() !== attribute),
      )
      if (change.source !== null) {
        const from = Object.keys(attrs).find(k => k.toLowerCase() === change.source?.toLowerCase())
        if (from !== undefined) next[change.attribute] = attrs[from] ?? null
      }
      return next
    }
    shifts = shiftMemberships(ctx, reading, remap, change.source === null ? [] : [change.source])
    devices = devicesOf(ctx, shifts)
    summary =
      change.source === null ? `Unmapping ${change.attribute}` : `Mapping ${change.attribute} from ${change.source}`
  } else {
    shifts = new Map()
    const touched = touchedGroups(ctx.index, index, change)
    const effective = ctx.effectiveGroups()
    devices = store.bulkReads.boundDevices().filter(d => [...(effective.get(d.userId) ?? [])].some(g => touched.has(g)))
    const before = new Map(devices.map(d => [d.userId, effective.get(d.userId) ?? new Set<string>()]))
    const keepNow = ctx.keepOnly()
    for (const [userId, groups] of before) {
      // A deleted group takes its memberships with it.
      const after = change.kind === 'deleteGroup' ? new Set([...groups].filter(g => g !== change.groupId)) : groups
      shifts.set(userId, { before: groups, after, keep: keepOf(keepNow, userId) })
    }
    summary = policyChangeSummary(change, groupName, policyName)
  }

  const users: UserGroupDelta[] = []
  const upnOf = new Map(devices.map(d => [d.userId, d.userPrincipalName]))
  for (const [userId, s] of shifts) {
    const gained = [...s.after].filter(g => !s.before.has(g))
    const lost = [...s.before].filter(g => !s.after.has(g))
    if (gained.length === 0 && lost.length === 0) continue
    users.push({
      userId,
      userPrincipalName: s.userPrincipalName ?? upnOf.get(userId) ?? userId,
      groupsGained: names(gained, groupName),
      groupsLost: names(lost, groupName),
    })
  }

  const deltas: DeviceDelta[] = []
  let affected = 0
  let withdrawn = 0
  let installs = 0
  let removals = 0
  for (const d of devices) {
    const shift = shifts.get(d.userId)
    if (!shift) continue
    const sent: SentItem[] = store.devices.sentItems(d.id)
    const attributes = () => store.users.ruleInput(d.userId)
    const full = desiredState(index, shift.after, d.platform, attributes)
    const state = keepsNothing(shift.keep)
      ? full
      : graceState(
          { index, platform: d.platform, groups: shift.after, keep: shift.keep, withGrace: full, sent },
          attributes,
        )
    const plan = planDevice(sent, state, { removeOnUnassign, policyName })
    // What the queue then does: a never-delivered install is cancelled, not removed (queue.ts).
    const queue = queueView(
      plan,
      sent,
      store.devices.waitingCommands(d.id),
      (types, id) => store.devices.lastDelivered(d.id, types, id),
      policyName,
    )
    const gained = [...shift.after].filter(g => !shift.before.has(g))
    const lost = [...shift.before].filter(g => !shift.after.has(g))
    if (plan.commands.length === 0 && plan.drop.length === 0 && gained.length === 0 && lost.length === 0) continue
    affected++
    if (withdraws(plan)) withdrawn++
    const delta = deviceDelta(
      {
        deviceId: d.id,
        deviceName: d.name,
        userId: d.userId,
        userPrincipalName: d.userPrincipalName,
        platform: d.platform as Platform,
      },
      sent,
      state,
      plan,
      { gained: names(gained, groupName), lost: names(lost, groupName) },
      policyName,
      queue,
    )
    installs += delta.install.length
    removals += delta.remove.length
    deltas.push(delta)
  }
  const total = store.bulkReads.boundDeviceCount()
  const wouldHold = tripsBreaker(withdrawn, total, ctx.settings)
  return {
    summary: `${summary}: ${users.length} user(s) change groups; ${affected} device(s) change, ${withdrawn} lose policies; ${installs} install(s), ${removals} removal(s).${wouldHold ? ' This would be held for approval (circuit breaker).' : ''}`,
    users: users.slice(0, limit),
    devices: deltas.slice(0, limit),
    totals: {
      usersAffected: users.length,
      devicesAffected: affected,
      devicesWithdrawn: withdrawn,
      installs,
      removals,
      devicesTotal: total,
    },
    wouldHold,
    truncated: users.length > limit || deltas.length > limit,
  }
}
