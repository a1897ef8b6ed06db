// The policies room: what each device must have, and why. Pure functions compute the desired
// state (desired.ts, with the one conflict rule), the diff (diff.ts), what-if (whatif.ts) and
// the "why" (why.ts); the service validates and saves policies, guards admin changes and
// recomputes with the circuit breaker, and records every assignment change with its chain.
import { createHash } from 'node:crypto'
import type { Command, Dialect, Platform, Policy } from '../../shared/domain'
import { PLATFORMS } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type {
  ChangeOutcome,
  Conflict,
  HeldChange,
  HeldChangeCause,
  PolicyDraft,
  PolicyWhy,
  ProposedChange,
  WhyStep,
} from '../../shared/policy'
import type { GroupService } from '../groups'
import type { Clock, IdSource } from '../ports'
import { compileOrFail, type CompiledRule } from '../rules'
import type { BoundDevice, SentItem, Store } from '../store'
import { desiredState, indexPolicies, type DesiredState, type PolicyIndex } from './desired'
import { graceState, type KeepOnly, keepsNothing } from './grace'
import { type DevicePlan, planDevice } from './diff'
import { createChangeCheck } from './check-change'
import { createProfileViews } from './profile-views'
import { RESTRICTIONS } from './registry'
import { readPolicySettings, writePolicySettings } from './settings'
import { createBreakerHold, HELD_DIFF_LIMIT } from './breaker-hold'
import { appItemsRemoved, computeWhatIf, draftPolicy, proposedPolicies } from './whatif'
import { explainPolicy } from './why'

export {
  desiredState,
  applicablePolicies,
  indexPolicies,
  itemKey,
  type DesiredItem,
  type DesiredState,
  type PolicyIndex,
} from './desired'
export {
  compileAndroidPolicy,
  androidProblems,
  type AmapiPolicy,
  type AndroidItem,
  type Refusal,
} from './android/compile'
export { planDevice, type DevicePlan, type PlannedCommand } from './diff'
export { reconcileQueue, type LastDelivered, type QueueDecision, type WaitingCommand } from './queue'
export { unverified, verificationQueries, type Unverified, type VerifiedList } from './verify'
export { validatePolicy, resolveVariables, variablesIn } from './payloads'
export { RESTRICTIONS, restrictionDefinition, compareStrictness } from './registry'
export { readPolicySettings, tripsBreaker } from './settings'
export { withdraws } from './delta'
export type { DevicePlanResult, PolicyService, Redeploy } from './service'
export { policyHandlers } from './handlers'
export {
  availableOn,
  commandSchema,
  type OsSupport,
  appleProfileFor,
  isApplePlatform,
  itemProfile,
  payloadUuid,
  profileIdentifier,
  profileProblems,
  profileXml,
  restrictionProfile,
  RESTRICTIONS_PROFILE,
  signProfile,
  SCHEMA_SOURCE,
  type AppleOptions,
  type AppleProfile,
  type ApplePlatform,
} from './apple'
import type { DevicePlanResult, PolicyService, Redeploy } from './service'

const digests = new WeakMap<DesiredState, string | null>()
/** A digest of everything the diff compares; null where sent items may legitimately differ from it. */
function digestOf(state: DesiredState): string | null {
  let d = digests.get(state)
  if (d === undefined) {
    d =
      state.personal || state.blocked.size > 0
        ? null
        : createHash('sha1')
            .update(
              [...state.items.values()]
                .map(i => `${i.key}\u0000${i.policy.id}\u0000${i.item.id}\u0000${i.json}`)
                .sort()
                .join('\u0001'),
            )
            .digest('base64')
    digests.set(state, d)
  }
  return d
}

/** A queued command as a step of a device's assignment history. */
const commandStep = (c: Command): WhyStep => ({
  step: 'command',
  outcome: 'info',
  text: `${`${c.type.replace(/_/g, ' ')} ${String(c.payload['name'] ?? '')}`.trim()} (command ${c.seq})`,
})

const WHAT_IF_LIMIT = 500
/** A change that reaches no device (a new name). */
const NOTHING: Redeploy = { kind: 'devices', deviceIds: [] }

export function createPolicyService({
  store,
  clock,
  ids,
  groups,
}: {
  store: Store
  clock: Clock
  ids: IdSource
  groups: GroupService
}): PolicyService {
  let cached: { revision: number; index: PolicyIndex } | null = null
  // Loading every policy per device was the bottleneck: the index is rebuilt only when the
  // policy_revision counter (bumped by triggers on every policy write) moved.
  const index = (): PolicyIndex => {
    const revision = store.policySettings.revision()
    if (cached?.revision !== revision) cached = { revision, index: indexPolicies(store.policies.list()) }
    return cached.index
  }
  // Flags of the apps of policies deleted in this session: "remove app when policy is removed".
  const removedFlags = new Map<string, boolean>()
  const compiled = new Map<string, CompiledRule>()
  const compile = (dialect: Dialect, rule: string): CompiledRule => {
    const key = `${dialect}\u0000${rule}`
    let c = compiled.get(key)
    if (!c) {
      c = compileOrFail(dialect, rule)
      compiled.set(key, c)
    }
    return c
  }

  const get = (policyId: string): Policy => {
    const p = store.policies.get(policyId)
    if (!p) throw new AppError('NOT_FOUND', `No policy with id ${policyId}.`, { policyId })
    return p
  }
  const requireGroup = (groupId: string): string => {
    const g = store.groups.get(groupId)
    if (!g) throw new AppError('NOT_FOUND', `No group with id ${groupId}.`, { groupId })
    return g.name
  }
  const groupName = (id: string): string => store.bulkReads.groupBrief(id)?.name ?? id
  const audit = (action: string, subject: string, details: Record<string, unknown>): void =>
    store.audit.append({ at: clock.now().toISOString(), actor: 'admin', action, subject, details })
  const policyName = (id: string): string => index().byId.get(id)?.name ?? 'A deleted policy'
  const withdrawal = (idx: PolicyIndex) => ({
    removeOnUnassign: (itemId: string) => idx.items.get(itemId)?.removeOnUnassign ?? removedFlags.get(itemId) ?? false,
    policyName,
    appStoreId: (platform: Platform, identifier: string) => store.inventory.storeId(platform, identifier),
  })

  const { checkChange } = createChangeCheck({ store, index, get, requireGroup, compile })

  const toPolicy = (draft: PolicyDraft, id: string): Policy => ({
    id,
    name: draft.name.trim(),
    description: draft.description,
    priority: draft.priority,
    platforms: draft.platforms,
    items: draft.items.map(i => ({
      ...i,
      id: i.id ?? ids.next(),
      name: i.name.trim(),
      identifier: i.identifier.trim(),
    })),
    targets: draft.targets.map(t => ({ ...t, groupName: groupName(t.groupId) })),
  })

  /** Saves a validated change; returns the policy it touched and what to recompute. */
  const commit = (change: ProposedChange): { policy: Policy | null; redeploy: Redeploy } => {
    const at = clock.now().toISOString()
    switch (change.kind) {
      case 'policy': {
        const id = change.draft.id ?? ids.next()
        const record = toPolicy(change.draft, id)
        if (change.draft.id) store.policies.update(record, at)
        else store.policies.create(record, at)
        audit(change.draft.id ? 'policies/update' : 'policies/create', id, { name: record.name })
        return { policy: get(id), redeploy: { kind: 'all' } }
      }
      case 'deletePolicy': {
        for (const item of get(change.policyId).items) removedFlags.set(item.id, item.removeOnUnassign)
        store.policies.delete(change.policyId)
        audit('policies/delete', change.policyId, {})
        return { policy: null, redeploy: { kind: 'all' } }
      }
      case 'renamePolicy': {
        const before = get(change.policyId).name
        store.policies.rename(change.policyId, change.name.trim(), at)
        audit('policies/rename', change.policyId, { before, after: change.name.trim() })
        return { policy: get(change.policyId), redeploy: NOTHING }
      }
      case 'deleteGroup': {
        const group = store.groups.get(change.groupId)
        const members = [...groups.allEffectiveGroupIds()].flatMap(([userId, ids]) =>
          ids.has(change.groupId) ? [userId] : [],
        )
        store.groups.delete(change.groupId)
        audit('groups/delete', change.groupId, {
          before: { name: group?.name, dialect: group?.dialect, rule: group?.rule },
          after: null,
          members: members.length,
        })
        return { policy: null, redeploy: { kind: 'users', userIds: members } }
      }
      case 'renameGroup': {
        const before = store.groups.get(change.groupId)?.name
        store.groups.rename(change.groupId, change.name.trim())
        audit('groups/rename', change.groupId, { before, after: change.name.trim() })
        return { policy: null, redeploy: NOTHING }
      }
      case 'deleteApp': {
        const removed = appItemsRemoved(index().policies, change, id =>
          store.inventory.list().some(a => a.identifier === id && a.platform !== change.platform),
        )
        const gone = new Set(removed.map(r => r.itemId))
        for (const r of removed) removedFlags.set(r.itemId, r.removeOnUnassign)
        for (const policyId of new Set(removed.map(r => r.policyId))) {
          const p = get(policyId)
          store.policies.update({ ...p, items: p.items.filter(i => !gone.has(i.id)) }, at)
        }
        store.inventory.remove(change.platform, change.identifier)
        audit('apps/delete', change.identifier, {
          platform: change.platform,
          before: { identifier: change.identifier, platform: change.platform },
          after: null,
          policies: [...new Set(removed.map(r => r.policyId))],
        })
        return { policy: null, redeploy: removed.length > 0 ? { kind: 'all' } : NOTHING }
      }
      case 'target': {
        if (change.mode === null) store.policies.removeTarget(change.policyId, change.groupId, at)
        else store.policies.setTarget(change.policyId, change.groupId, change.mode, at)
        audit(change.mode === null ? 'policies/removeTarget' : 'policies/setTarget', change.policyId, {
          groupId: change.groupId,
          mode: change.mode,
        })
        return { policy: get(change.policyId), redeploy: { kind: 'all' } }
      }
      case 'rule': {
        audit('groups/setRule', change.groupId, { rule: change.rule, dialect: change.dialect })
        // The groups room saves and re-evaluates; a deliberate edit withdraws at once (no grace),
        // and the circuit breaker, checked before this commit, guards it.
        return {
          policy: null,
          redeploy: {
            kind: 'users',
            userIds: groups.replaceRule(change.groupId, change.dialect, change.rule),
          },
        }
      }
      default:
        throw new AppError('BAD_INPUT', 'This change can only be previewed.', { kind: change.kind })
    }
  }

  // Deleting a group reaches devices as a rule edit does: through memberships.
  const causeOf = (change: ProposedChange): HeldChangeCause =>
    change.kind === 'rule' || change.kind === 'deleteGroup' || change.kind === 'renameGroup'
      ? 'rule-edit'
      : change.kind === 'target'
        ? 'target-edit'
        : 'policy-edit'

  const whatIf = (change: ProposedChange, limit: number) =>
    computeWhatIf(
      {
        store,
        index: index(),
        settings: readPolicySettings(store),
        effectiveGroups: () => groups.allEffectiveGroupIds(),
        keepOnly: () => ({ grace: groups.allGraceGroupIds(), unknown: groups.allUnknownGroupIds() }),
        effectiveGroupsOf: userId => groups.effectiveGroupIds(userId),
        keepOnlyOf: userId => ({ grace: groups.graceGroupIds(userId), unknown: groups.unknownGroupIds(userId) }),
        graceGroups: () => groups.allGraceGroupIds(),
        // The rule editor's snapshot of every user (kept per store revision), as its preview reads.
        inputs: () => groups.rules.inputs(),
        boundUserIds: () => new Set(store.bulkReads.boundDevices().map(d => d.userId)),
        now: clock.now(),
        compile,
        removedFlags: new Map(
          change.kind === 'deletePolicy'
            ? (index().byId.get(change.policyId)?.items ?? []).map(i => [i.id, i.removeOnUnassign] as const)
            : [],
        ),
      },
      change,
      limit,
    )

  const apply = (change: ProposedChange): { outcome: ChangeOutcome; redeploy: Redeploy | null } =>
    store.transaction(() => {
      checkChange(change)
      const preview = whatIf(change, HELD_DIFF_LIMIT)
      if (preview.wouldHold) {
        const settings = readPolicySettings(store)
        const heldChange: HeldChange = {
          id: ids.next(),
          createdAt: clock.now().toISOString(),
          cause: causeOf(change),
          summary: preview.summary,
          status: 'held',
          decidedAt: null,
          change,
          devicesAffected: preview.totals.devicesWithdrawn,
          devicesTotal: preview.totals.devicesTotal,
          threshold: { devices: settings.breakerDevices, share: settings.breakerShare },
          diff: preview.devices,
        }
        store.heldChanges.hold(heldChange, [])
        audit('policies/hold', heldChange.id, { cause: heldChange.cause, devicesAffected: heldChange.devicesAffected })
        return { outcome: { status: 'held', heldChange }, redeploy: null }
      }
      const { policy, redeploy } = commit(change)
      return { outcome: { status: 'applied', policy, devicesUpdated: preview.totals.devicesAffected }, redeploy }
    })

  const withinGrace = (
    idx: PolicyIndex,
    device: BoundDevice,
    groups: ReadonlySet<string>,
    keep: KeepOnly,
    full: DesiredState,
    sent: readonly SentItem[],
    fresh = false,
  ): DesiredState =>
    graceState({ index: idx, platform: device.platform, groups, keep, withGrace: full, sent, fresh }, () =>
      store.users.ruleInput(device.userId),
    )

  const keepOnlyOf = (userId: string): KeepOnly => ({
    grace: groups.graceGroupIds(userId),
    unknown: groups.unknownGroupIds(userId),
  })

  const planDevices = (
    deviceIds: readonly string[],
    opts: { includeHeld?: boolean; fresh?: boolean } = {},
  ): DevicePlanResult[] => {
    const idx = index()
    const held = opts.includeHeld ? new Set<string>() : store.heldChanges.openDeviceIds()
    // Many devices: read memberships and sent items in bulk rather than per device.
    const bulk = deviceIds.length > 200
    const effective = bulk ? groups.allEffectiveGroupIds() : null
    const graceAll = bulk ? groups.allGraceGroupIds() : null
    const unknownAll = bulk ? groups.allUnknownGroupIds() : null
    const none = new Set<string>()
    const digests = bulk ? store.policySettings.planDigests() : null
    const wanted = new Set(deviceIds)
    const out: DevicePlanResult[] = []
    const devices = bulk
      ? store.bulkReads.boundDevices().filter(d => wanted.has(d.id))
      : deviceIds.flatMap(id => store.bulkReads.boundDevice(id) ?? [])
    const ctx = withdrawal(idx)
    // Devices with the same groups and platform share a desired state, unless it depends on
    // their user's attributes ({{user.x}} variables).
    const shared = new Map<string, DesiredState>()
    const pending: { device: BoundDevice; groups: Set<string>; state: DesiredState; keep: KeepOnly | null }[] = []
    for (const device of devices) {
      if (held.has(device.id)) continue
      let g: Set<string>
      let keep: KeepOnly
      if (effective && graceAll && unknownAll) {
        g = effective.get(device.userId) ?? new Set()
        keep = { grace: graceAll.get(device.userId) ?? none, unknown: unknownAll.get(device.userId) ?? none }
      } else {
        // One read of the user's pending withdrawals serves both.
        keep = keepOnlyOf(device.userId)
        g = groups.effectiveGroupIds(device.userId, keep.grace)
      }
      const signature = `${device.platform}|${[...g].sort().join(',')}`
      let state = shared.get(signature)
      if (!state) {
        state = desiredState(idx, g, device.platform, () => store.users.ruleInput(device.userId))
        if (!state.personal) shared.set(signature, state)
      }
      // A device with keep-only memberships keeps only what it has: decided once its sent items are read.
      if (!keepsNothing(keep)) {
        pending.push({ device, groups: g, state, keep })
        continue
      }
      const digest = digestOf(state)
      // The device was last brought to exactly this desired state: nothing to send.
      if (digest !== null && digests?.get(device.id) === digest)
        out.push({ device, groups: g, sent: null, state, plan: { commands: [], put: [], drop: [] }, digest })
      else pending.push({ device, groups: g, state, keep: null })
    }
    const sentAll = pending.length > 2000 ? store.bulkReads.allSentItems() : null
    for (const { device, groups: g, state: full, keep } of pending) {
      const sent = sentAll ? (sentAll.get(device.id) ?? []) : store.devices.sentItems(device.id)
      const state = keep ? withinGrace(idx, device, g, keep, full, sent, opts.fresh) : full
      out.push({ device, groups: g, sent, state, plan: planDevice(sent, state, ctx), digest: digestOf(state) })
    }
    return out
  }

  /** A device no policy applies to any more (its user was removed): everything it was sent goes. */
  const planWithdrawal = (deviceId: string): DevicePlan => {
    const idx = index()
    const platform = store.devices.get(deviceId)?.platform ?? 'ios'
    return planDevice(store.devices.sentItems(deviceId), desiredState(idx, new Set(), platform), withdrawal(idx))
  }

  const recordWithdrawal = (deviceId: string, sent: readonly SentItem[], commands: readonly Command[]): void => {
    const at = clock.now().toISOString()
    for (const policyId of new Set(sent.map(s => s.policyId))) {
      const own = commands.filter(c => c.reason.policyId === policyId)
      store.assignmentHistory.append({
        deviceId,
        at,
        policyId,
        policyName: policyName(policyId),
        action: 'withdrawn',
        summary: "Withdrawn: the device's user was removed from the directory.",
        steps: [
          {
            step: 'membership',
            outcome: 'fail',
            text: "The directory no longer has the device's user (deleted, or left out of a file that replaced the directory), so no policy applies.",
          },
          ...own.map(commandStep),
        ],
        commands: own.map(c => ({ type: c.type, item: String(c.payload['name'] ?? c.type) })),
      })
    }
  }

  const holdIfTripped = createBreakerHold({ store, ids, clock, policyName })

  const chainOf =
    (userId: string) =>
    (groupId: string): WhyStep[] =>
      groups.chain(userId, groupId)

  const explainFor = (
    r: Pick<DevicePlanResult, 'device' | 'groups' | 'state' | 'sent'>,
    policyId: string,
    held: boolean,
  ) =>
    explainPolicy({
      policyId,
      policy: index().byId.get(policyId),
      groups: r.groups,
      platform: r.device.platform,
      state: r.state,
      sent: r.sent ?? [],
      chain: chainOf(r.device.userId),
      held,
    })

  const record = (results: readonly DevicePlanResult[], queued: ReadonlyMap<string, Command[]>): void => {
    const at = clock.now().toISOString()
    for (const r of results) {
      if (r.sent === null) continue
      store.payloadProblems.set(
        r.device.id,
        r.state.unresolved.map(u => ({
          itemKey: u.key,
          policyId: u.policyId,
          policyName: u.policyName,
          itemName: u.itemName,
          variables: u.variables,
        })),
        at,
      )
      if (r.sent === null) continue
      // After the plan was applied the device holds exactly the desired state (when it has a digest).
      store.policySettings.setPlanDigest(r.device.id, r.digest)
      const commands = queued.get(r.device.id) ?? []
      if (commands.length === 0 && r.plan.drop.length === 0 && r.plan.put.length === 0) continue
      const before = new Set(r.sent.map(s => s.policyId))
      const after = new Set([...r.state.items.values()].map(d => d.policy.id))
      const byPolicy = new Map<string, Command[]>()
      for (const c of commands) byPolicy.set(c.reason.policyId, [...(byPolicy.get(c.reason.policyId) ?? []), c])
      for (const policyId of new Set([...byPolicy.keys(), ...before, ...after])) {
        const granted = after.has(policyId) && !before.has(policyId)
        const withdrawn = before.has(policyId) && !after.has(policyId)
        const own = byPolicy.get(policyId) ?? []
        if (!granted && !withdrawn && own.length === 0) continue
        const why = explainFor(r, policyId, false)
        const commandSteps = own.map(commandStep)
        store.assignmentHistory.append({
          deviceId: r.device.id,
          at,
          policyId,
          policyName: why.policyName,
          action: granted ? 'granted' : withdrawn ? 'withdrawn' : 'changed',
          summary: why.summary,
          steps: [...why.steps, ...commandSteps],
          commands: own.map(c => ({ type: c.type, item: String(c.payload['name'] ?? c.type) })),
        })
      }
    }
  }

  const deviceState = (deviceId: string) => {
    const device = store.bulkReads.boundDevice(deviceId)
    if (!device) {
      if (!store.devices.get(deviceId)) throw new AppError('NOT_FOUND', `No device with id ${deviceId}.`, { deviceId })
      throw new AppError('BAD_INPUT', 'This device is not bound to a user, so no policy applies to it.', { deviceId })
    }
    const groupIds = groups.effectiveGroupIds(device.userId)
    const keep = keepOnlyOf(device.userId)
    const sent = store.devices.sentItems(deviceId)
    const idx = index()
    const full = desiredState(idx, groupIds, device.platform, () => store.users.ruleInput(device.userId))
    const state = keepsNothing(keep) ? full : withinGrace(idx, device, groupIds, keep, full, sent)
    return { device, groups: groupIds, sent, state, held: store.heldChanges.openDeviceIds().has(deviceId) }
  }

  const why = (deviceId: string, policyId: string): PolicyWhy => {
    const r = deviceState(deviceId)
    if (!index().byId.has(policyId) && !r.sent.some(s => s.policyId === policyId)) get(policyId)
    return {
      deviceId,
      ...explainFor(r, policyId, r.held),
      history: store.assignmentHistory.ofPolicy(deviceId, policyId, 50),
    }
  }

  /** Rule changes held before the dialect was part of every rule change meant the group's own. */
  const withDialect = (change: ProposedChange): ProposedChange =>
    change.kind === 'rule' && change.dialect === undefined
      ? { ...change, dialect: store.groups.get(change.groupId)?.dialect ?? change.dialect }
      : change

  const decideHeld = (heldChangeId: string): HeldChange => {
    const h = store.heldChanges.get(heldChangeId)
    if (!h) throw new AppError('NOT_FOUND', `No held change with id ${heldChangeId}.`, { heldChangeId })
    if (h.status !== 'held')
      throw new AppError('CONFLICT', `This held change was already ${h.status} at ${h.decidedAt}.`, {
        heldChangeId,
        status: h.status,
      })
    return h
  }

  const { preview, profiles } = createProfileViews({
    store,
    index,
    groupName,
    effectiveGroupIds: userId => groups.effectiveGroupIds(userId),
  })

  return {
    list: () => store.policies.list(),
    get,
    restrictions: () => RESTRICTIONS,
    inventory: () => store.inventory.list(),
    saveApp({ platform, identifier, name, storeId = null }) {
      const fields: { path: string; message: string }[] = []
      if (!PLATFORMS.includes(platform)) fields.push({ path: 'platform', message: 'must be ios, macos or android' })
      if (storeId !== null && platform === 'android')
        fields.push({
          path: 'storeId',
          message: 'an App Store id is for iOS and macOS apps; an Android app is identified by its package name',
        })
      if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(identifier.trim()))
        fields.push({
          path: 'identifier',
          message: `"${identifier}" is not a bundle or package id (e.g. com.example.app)`,
        })
      if (name.trim() === '') fields.push({ path: 'name', message: 'is required' })
      if (fields.length > 0)
        throw new AppError(
          'BAD_INPUT',
          `The app was not added: ${fields.map(f => `${f.path} ${f.message}`).join('; ')}.`,
          { fields },
        )
      store.inventory.put({
        id: `app:${platform}:${identifier.trim()}`,
        platform,
        identifier: identifier.trim(),
        name: name.trim(),
        storeId,
      })
      audit('apps/save', identifier.trim(), { platform })
      return store.inventory.list()
    },
    setRemoveOnUnassign(itemId, value) {
      const policyId = store.policies.policyOfItem(itemId)
      if (!policyId) throw new AppError('NOT_FOUND', `No payload item with id ${itemId}.`, { itemId })
      const item = get(policyId).items.find(i => i.id === itemId)
      if (item?.kind !== 'app') {
        throw new AppError(
          'BAD_INPUT',
          `"Remove app when policy is removed" applies to apps only; ${item?.name ?? itemId} is a ${item?.kind}.`,
          { itemId },
        )
      }
      store.policies.setRemoveOnUnassign(itemId, value, clock.now().toISOString())
      audit('policies/setRemoveOnUnassign', policyId, { itemId, value })
      return get(policyId)
    },
    apply,
    whatIf: (change, limit = WHAT_IF_LIMIT) => {
      if (change.kind !== 'user' && change.kind !== 'attributeMapping') checkChange(change)
      return whatIf(change, limit)
    },
    preview,
    profiles,
    conflicts(draft) {
      const policy = draftPolicy(draft, groupName)
      const policies = proposedPolicies(index().policies, { kind: 'policy', draft }, groupName) ?? []
      const idx = indexPolicies(policies)
      const includes = policy.targets.filter(t => t.mode === 'include').map(t => t.groupId)
      // Every distinct set of groups among the users the policy reaches; a target nobody is in
      // yet is checked as a user in just that group.
      const signatures = new Map<string, { groups: Set<string>; users: number }>()
      for (const groupIds of groups.allEffectiveGroupIds().values()) {
        if (!includes.some(g => groupIds.has(g))) continue
        const key = [...groupIds].sort().join(',')
        const s = signatures.get(key)
        if (s) s.users++
        else signatures.set(key, { groups: groupIds, users: 1 })
      }
      if (signatures.size === 0) for (const g of includes) signatures.set(g, { groups: new Set([g]), users: 0 })
      const found = new Map<string, Conflict>()
      for (const { groups: groupIds, users } of signatures.values()) {
        for (const platform of policy.platforms) {
          for (const c of desiredState(idx, groupIds, platform).conflicts) {
            if (c.winner.policyId !== policy.id && !c.losers.some(l => l.policyId === policy.id)) continue
            const key = `${c.key}|${c.platform}|${c.winner.policyId}|${c.losers.map(l => l.policyId).join(',')}`
            const seen = found.get(key)
            if (seen) seen.reach = (seen.reach ?? 0) + users
            else found.set(key, { ...c, reach: users })
          }
        }
      }
      return [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.platform.localeCompare(b.platform))
    },
    heldChanges: () => store.heldChanges.list(),
    approve(heldChangeId) {
      return store.transaction(() => {
        const h = decideHeld(heldChangeId)
        store.heldChanges.decide(heldChangeId, 'approved', clock.now().toISOString())
        audit('policies/approve', heldChangeId, { cause: h.cause })
        const redeploy: Redeploy = h.change
          ? commit(withDialect(h.change)).redeploy
          : { kind: 'devices', deviceIds: store.heldChanges.devicesOf(heldChangeId) }
        return { heldChange: store.heldChanges.get(heldChangeId) as HeldChange, redeploy }
      })
    },
    reject(heldChangeId) {
      return store.transaction(() => {
        const h = decideHeld(heldChangeId)
        store.heldChanges.decide(heldChangeId, 'rejected', clock.now().toISOString())
        audit('policies/reject', heldChangeId, { cause: h.cause })
        const at = clock.now().toISOString()
        for (const deviceId of store.heldChanges.devicesOf(heldChangeId)) {
          store.assignmentHistory.append({
            deviceId,
            at,
            policyId: '',
            policyName: '',
            action: 'released',
            summary: `Held change rejected: nothing was sent. If the directory still says so, the next sync holds it again.`,
            steps: [],
            commands: [],
          })
        }
        return store.heldChanges.get(heldChangeId) as HeldChange
      })
    },
    settings: () => readPolicySettings(store),
    setSettings(patch) {
      const s = writePolicySettings(store, patch)
      audit('policies/setSettings', 'settings', { ...patch })
      return s
    },
    planDevices,
    planRelease(deviceIds) {
      const idx = index()
      const ctx = withdrawal(idx)
      return deviceIds.flatMap(id => {
        const device = store.bulkReads.boundDevice(id)
        if (!device) return []
        const state = desiredState(idx, new Set(), device.platform)
        const sent = store.devices.sentItems(id)
        return [{ device, groups: new Set<string>(), sent, state, plan: planDevice(sent, state, ctx), digest: null }]
      })
    },
    planWithdrawal,
    recordWithdrawal,
    holdIfTripped,
    record,
    why,
    effective(deviceId, opts = {}) {
      const r = deviceState(deviceId)
      const policyIds = new Set([
        ...r.state.applicable.map(a => a.policy.id),
        ...r.sent.map(s => s.policyId),
        ...(opts.all ? index().policies.map(p => p.id) : []),
      ])
      return [...policyIds]
        .map(policyId => ({ deviceId, ...explainFor(r, policyId, r.held), history: [] }))
        .sort((a, b) => a.policyName.localeCompare(b.policyName))
    },
    history: (deviceId, limit = 200) => {
      if (!store.devices.get(deviceId)) throw new AppError('NOT_FOUND', `No device with id ${deviceId}.`, { deviceId })
      return store.assignmentHistory.ofDevice(deviceId, limit)
    },
  }
}
