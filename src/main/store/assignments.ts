// The policy engine's tables: app inventory, pending withdrawals, held changes, assignment
// history, payload problems, settings; plus the bulk reads that recompute and what-if need.
import type {
  Attributes,
  AttributeValue,
  Dialect,
  GroupKind,
  MembershipState,
  PayloadKind,
  Platform,
} from '../../shared/domain'
import type {
  AppInventoryEntry,
  AssignmentAction,
  AssignmentEvent,
  HeldChange,
  HeldChangeStatus,
  WhyStep,
} from '../../shared/policy'
import type { Db } from './db'
import { plainSealer, type PayloadSealer } from './sealed'
import type { SentItem } from './devices'
import { ruleMembershipQueries } from './rule-memberships'
import { groupIdsForRules } from './groups'
import { identityFields } from './users'

export interface PendingWithdrawal {
  userId: string
  groupId: string
  leftAt: string
  /** Succeeded syncs of the user's directory that started after the user left. */
  confirmations: number
}

export interface BoundDevice {
  id: string
  name: string
  platform: Platform
  userId: string
  userPrincipalName: string
}

export interface NewAssignmentEvent {
  deviceId: string
  at: string
  policyId: string
  policyName: string
  action: AssignmentAction
  summary: string
  steps: WhyStep[]
  commands: { type: string; item: string }[]
}

export interface PayloadProblem {
  deviceId: string
  deviceName: string
  userId: string | null
  itemKey: string
  policyId: string
  policyName: string
  itemName: string
  variables: string[]
  detectedAt: string
}

interface HeldRow {
  id: string
  created_at: string
  cause: HeldChange['cause']
  summary: string
  status: HeldChangeStatus
  decided_at: string | null
  change: string | null
  devices_affected: number
  devices_total: number
  threshold: string
  diff: string
}

const toHeld = (r: HeldRow): HeldChange => ({
  id: r.id,
  createdAt: r.created_at,
  cause: r.cause,
  summary: r.summary,
  status: r.status,
  decidedAt: r.decided_at,
  change: r.change === null ? null : (JSON.parse(r.change) as HeldChange['change']),
  devicesAffected: r.devices_affected,
  devicesTotal: r.devices_total,
  threshold: JSON.parse(r.threshold) as HeldChange['threshold'],
  diff: JSON.parse(r.diff) as HeldChange['diff'],
})

const WITHDRAWAL_COLUMNS = `w.user_id, w.group_id, w.left_at,
  (SELECT COUNT(*) FROM sync_runs r WHERE r.directory_id = u.directory_id AND r.status = 'succeeded' AND r.started_at > w.left_at) AS confirmations`

interface WithdrawalRow {
  user_id: string
  group_id: string
  left_at: string
  confirmations: number
}
const toWithdrawal = (r: WithdrawalRow): PendingWithdrawal => ({
  userId: r.user_id,
  groupId: r.group_id,
  leftAt: r.left_at,
  confirmations: r.confirmations,
})

type SentRow = [
  deviceId: string,
  key: string,
  kind: PayloadKind,
  identifier: string,
  name: string,
  json: string,
  policyId: string,
  itemId: string,
]

class StoredSentItem implements SentItem {
  constructor(
    readonly key: string,
    readonly kind: PayloadKind,
    readonly identifier: string,
    readonly name: string,
    readonly json: string,
    readonly policyId: string,
    readonly itemId: string,
  ) {}

  get value(): unknown {
    return JSON.parse(this.json) as unknown
  }
}

export function assignmentQueries(db: Db, sealer: PayloadSealer = plainSealer) {
  // A sealed value's JSON differs at every write (a random IV); the plan compares plain JSON.
  const plainJson = (json: string) =>
    json.includes('"$sealed"') ? JSON.stringify(sealer.open(JSON.parse(json))) : json
  const inventory = db.prepare(
    'SELECT id, platform, identifier, name FROM app_inventory ORDER BY name COLLATE NOCASE, platform',
  )
  const putApp =
    db.prepare(`INSERT INTO app_inventory (id, platform, identifier, name) VALUES (@id, @platform, @identifier, @name)
    ON CONFLICT (platform, identifier) DO UPDATE SET name = excluded.name`)
  const appOn = db.prepare('SELECT 1 FROM app_inventory WHERE platform = ? AND identifier = ?')
  const appAny = db.prepare('SELECT 1 FROM app_inventory WHERE identifier = ? LIMIT 1')

  const putWithdrawal = db.prepare(
    'INSERT INTO membership_withdrawals (group_id, user_id, left_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  )
  const dropWithdrawal = db.prepare('DELETE FROM membership_withdrawals WHERE group_id = ? AND user_id = ?')
  const withdrawalsOf = db.prepare(
    `SELECT ${WITHDRAWAL_COLUMNS} FROM membership_withdrawals w JOIN users u ON u.id = w.user_id WHERE w.user_id = ?`,
  )
  const withdrawalsAll = db.prepare(
    `SELECT ${WITHDRAWAL_COLUMNS} FROM membership_withdrawals w JOIN users u ON u.id = w.user_id`,
  )

  const insertHeld =
    db.prepare(`INSERT INTO held_changes (id, created_at, cause, summary, status, decided_at, change, devices_affected, devices_total, threshold, diff)
    VALUES (@id, @createdAt, @cause, @summary, 'held', NULL, @change, @devicesAffected, @devicesTotal, @threshold, @diff)`)
  const heldDevice = db.prepare('INSERT OR IGNORE INTO held_change_devices (held_change_id, device_id) VALUES (?, ?)')
  const heldById = db.prepare('SELECT * FROM held_changes WHERE id = ?')
  const heldAll = db.prepare(
    `SELECT * FROM held_changes ORDER BY status = 'held' DESC, created_at DESC, rowid DESC LIMIT 200`,
  )
  const decide = db.prepare(`UPDATE held_changes SET status = ?, decided_at = ? WHERE id = ? AND status = 'held'`)
  const devicesOfHeld = db.prepare('SELECT device_id FROM held_change_devices WHERE held_change_id = ?')
  const openHeldDevices = db.prepare(
    `SELECT hd.device_id FROM held_change_devices hd JOIN held_changes h ON h.id = hd.held_change_id WHERE h.status = 'held'`,
  )

  const insertEvent =
    db.prepare(`INSERT INTO assignment_events (device_id, at, policy_id, policy_name, action, summary, steps, commands)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
  const eventsOf = db.prepare('SELECT * FROM assignment_events WHERE device_id = ? ORDER BY id DESC LIMIT ?')
  const eventsOfPolicy = db.prepare(
    'SELECT * FROM assignment_events WHERE device_id = ? AND policy_id = ? ORDER BY id DESC LIMIT ?',
  )

  const dropProblems = db.prepare('DELETE FROM device_payload_problems WHERE device_id = ?')
  const putProblem =
    db.prepare(`INSERT OR REPLACE INTO device_payload_problems (device_id, item_key, policy_id, policy_name, item_name, variables, detected_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`)
  const problemsAll =
    db.prepare(`SELECT p.*, d.name AS device_name, d.user_id FROM device_payload_problems p JOIN devices d ON d.id = p.device_id
    ORDER BY d.name, p.item_name`)
  const problemsOf = db.prepare('SELECT item_key, detected_at FROM device_payload_problems WHERE device_id = ?')

  const digestsAll = db.prepare('SELECT device_id, digest FROM device_plan_digests').raw(true)
  const putDigest = db.prepare(
    'INSERT INTO device_plan_digests (device_id, digest) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET digest = excluded.digest',
  )
  const dropDigest = db.prepare('DELETE FROM device_plan_digests WHERE device_id = ?')
  const settingsAll = db.prepare('SELECT key, value FROM policy_settings')
  const putSetting = db.prepare(
    'INSERT INTO policy_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  )
  const revision = db.prepare('SELECT n FROM policy_revision WHERE id = 1')

  const boundOfUser = db.prepare(
    `SELECT d.id, d.name, d.platform, d.user_id, u.user_principal_name FROM devices d JOIN users u ON u.id = d.user_id WHERE d.user_id = ?`,
  )
  const boundById = db.prepare(
    `SELECT d.id, d.name, d.platform, d.user_id, u.user_principal_name FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = ?`,
  )
  const boundCount = db.prepare('SELECT COUNT(*) AS n FROM devices WHERE user_id IS NOT NULL')
  // Bulk reads return rows as arrays (raw): at 50,000 devices, building keyed objects was most of the cost.
  const sentAll = db
    .prepare('SELECT device_id, item_key, kind, identifier, name, value, policy_id, item_id FROM device_items')
    .raw(true)
  // Synced memberships only; rule-group memberships are read from their rows (rule-memberships.ts).
  const effectiveAll = db.prepare('SELECT user_id, group_id FROM memberships WHERE effective = 1').raw(true)
  const boundRaw = db
    .prepare(
      `SELECT d.id, d.name, d.platform, d.user_id, u.user_principal_name FROM devices d JOIN users u ON u.id = d.user_id`,
    )
    .raw(true)
  const membersOfGroup = db.prepare('SELECT user_id, state, effective, missing FROM memberships WHERE group_id = ?')
  const attributeNames = db.prepare('SELECT DISTINCT name FROM user_attributes').pluck()
  const attributeValues = db.prepare('SELECT user_id, value FROM user_attributes WHERE name = ?').raw(true)
  const attributesAll = db.prepare('SELECT user_id, name, value FROM user_attributes').raw(true)
  const identitiesAll = db.prepare('SELECT id, external_id, user_principal_name, display_name FROM users').raw(true)
  const syncedAll = db
    .prepare(`SELECT m.user_id, m.group_id, g.name, g.external_id FROM memberships m JOIN groups g ON g.id = m.group_id
    WHERE g.kind = 'synced' AND m.effective = 1`)
    .raw(true)
  const groupBrief = db.prepare('SELECT id, name, kind, dialect, rule FROM groups WHERE id = ?')
  const groupKind = db.prepare('SELECT kind FROM groups WHERE id = ?').pluck()
  const rm = ruleMembershipQueries(db)

  const toBound = (r: {
    id: string
    name: string
    platform: Platform
    user_id: string
    user_principal_name: string
  }): BoundDevice => ({
    id: r.id,
    name: r.name,
    platform: r.platform,
    userId: r.user_id,
    userPrincipalName: r.user_principal_name,
  })
  const toEvent = (r: {
    id: number
    device_id: string
    at: string
    policy_id: string
    policy_name: string
    action: AssignmentAction
    summary: string
    steps: string
    commands: string
  }): AssignmentEvent => ({
    id: r.id,
    deviceId: r.device_id,
    at: r.at,
    policyId: r.policy_id,
    policyName: r.policy_name,
    action: r.action,
    summary: r.summary,
    steps: JSON.parse(r.steps) as WhyStep[],
    commands: JSON.parse(r.commands) as AssignmentEvent['commands'],
  })

  return {
    inventory: (): AppInventoryEntry[] => inventory.all() as AppInventoryEntry[],
    putApp(entry: AppInventoryEntry): void {
      putApp.run(entry)
    },
    appOn: (platform: Platform, identifier: string): boolean => appOn.get(platform, identifier) !== undefined,
    appAnywhere: (identifier: string): boolean => appAny.get(identifier) !== undefined,

    /** Records that the user left the group; keeps the first time it was seen. */
    putWithdrawal(userId: string, groupId: string, at: string): void {
      putWithdrawal.run(groupId, userId, at)
    },
    dropWithdrawal(userId: string, groupId: string): boolean {
      return dropWithdrawal.run(groupId, userId).changes > 0
    },
    withdrawalsOf: (userId: string): PendingWithdrawal[] =>
      (withdrawalsOf.all(userId) as WithdrawalRow[]).map(toWithdrawal),
    withdrawals: (): PendingWithdrawal[] => (withdrawalsAll.all() as WithdrawalRow[]).map(toWithdrawal),

    hold(h: Omit<HeldChange, 'status' | 'decidedAt'>, deviceIds: readonly string[]): void {
      insertHeld.run({
        ...h,
        change: h.change === null ? null : JSON.stringify(h.change),
        threshold: JSON.stringify(h.threshold),
        diff: JSON.stringify(h.diff),
      })
      for (const d of deviceIds) heldDevice.run(h.id, d)
    },
    heldChange: (id: string): HeldChange | undefined => {
      const r = heldById.get(id) as HeldRow | undefined
      return r ? toHeld(r) : undefined
    },
    heldChanges: (): HeldChange[] => (heldAll.all() as HeldRow[]).map(toHeld),
    /** Returns false when the change was already decided. */
    decide(id: string, status: 'approved' | 'rejected', at: string): boolean {
      return decide.run(status, at, id).changes > 0
    },
    devicesOfHeld: (id: string): string[] => (devicesOfHeld.all(id) as { device_id: string }[]).map(r => r.device_id),
    heldDeviceIds: (): Set<string> => new Set((openHeldDevices.all() as { device_id: string }[]).map(r => r.device_id)),

    appendEvent(e: NewAssignmentEvent): void {
      insertEvent.run(
        e.deviceId,
        e.at,
        e.policyId,
        e.policyName,
        e.action,
        e.summary,
        JSON.stringify(e.steps),
        JSON.stringify(e.commands),
      )
    },
    events: (deviceId: string, limit: number): AssignmentEvent[] =>
      (eventsOf.all(deviceId, limit) as Parameters<typeof toEvent>[0][]).map(toEvent),
    policyEvents: (deviceId: string, policyId: string, limit: number): AssignmentEvent[] =>
      (eventsOfPolicy.all(deviceId, policyId, limit) as Parameters<typeof toEvent>[0][]).map(toEvent),

    /** Replaces a device's payload problems, keeping when each was first seen. */
    setProblems(
      deviceId: string,
      problems: { itemKey: string; policyId: string; policyName: string; itemName: string; variables: string[] }[],
      at: string,
    ): void {
      const since = new Map(
        (problemsOf.all(deviceId) as { item_key: string; detected_at: string }[]).map(r => [r.item_key, r.detected_at]),
      )
      dropProblems.run(deviceId)
      for (const p of problems)
        putProblem.run(
          deviceId,
          p.itemKey,
          p.policyId,
          p.policyName,
          p.itemName,
          JSON.stringify(p.variables),
          since.get(p.itemKey) ?? at,
        )
    },
    problems: (): PayloadProblem[] =>
      (
        problemsAll.all() as {
          device_id: string
          device_name: string
          user_id: string | null
          item_key: string
          policy_id: string
          policy_name: string
          item_name: string
          variables: string
          detected_at: string
        }[]
      ).map(r => ({
        deviceId: r.device_id,
        deviceName: r.device_name,
        userId: r.user_id,
        itemKey: r.item_key,
        policyId: r.policy_id,
        policyName: r.policy_name,
        itemName: r.item_name,
        variables: JSON.parse(r.variables) as string[],
        detectedAt: r.detected_at,
      })),

    planDigests: (): Map<string, string> => new Map(digestsAll.all() as [string, string][]),
    /** null forgets the digest (the next recompute reads what was sent). */
    setPlanDigest(deviceId: string, digest: string | null): void {
      if (digest === null) dropDigest.run(deviceId)
      else putDigest.run(deviceId, digest)
    },
    settings: (): Record<string, unknown> =>
      Object.fromEntries(
        (settingsAll.all() as { key: string; value: string }[]).map(r => [r.key, JSON.parse(r.value) as unknown]),
      ),
    putSetting(key: string, value: unknown): void {
      putSetting.run(key, JSON.stringify(value))
    },
    policyRevision: (): number => (revision.get() as { n: number }).n,

    boundDevices: (): BoundDevice[] =>
      (boundRaw.all() as [string, string, Platform, string, string][]).map(
        ([id, name, platform, userId, userPrincipalName]) => ({ id, name, platform, userId, userPrincipalName }),
      ),
    boundDevicesOf: (userId: string): BoundDevice[] =>
      (boundOfUser.all(userId) as Parameters<typeof toBound>[0][]).map(toBound),
    boundDevice: (deviceId: string): BoundDevice | undefined => {
      const r = boundById.get(deviceId) as Parameters<typeof toBound>[0] | undefined
      return r ? toBound(r) : undefined
    },
    boundDeviceCount: (): number => (boundCount.get() as { n: number }).n,
    /** Every device's last-sent items, keyed by device, each with its value's JSON text (parsed only when read). */
    allSentItems(): Map<string, (SentItem & { json: string })[]> {
      const out = new Map<string, (SentItem & { json: string })[]>()
      let device = ''
      let list: (SentItem & { json: string })[] = []
      for (const r of sentAll.all() as SentRow[]) {
        // Rows usually arrive grouped by device; the lookup is repeated only when the device changes.
        if (r[0] !== device) {
          device = r[0]
          list = out.get(device) ?? []
          out.set(device, list)
        }
        list.push(new StoredSentItem(r[1], r[2], r[3], r[4], plainJson(r[5]), r[6], r[7]))
      }
      return out
    },
    /** Every user's effective memberships (group ids), keyed by user. */
    allEffectiveGroups(): Map<string, Set<string>> {
      const out = new Map<string, Set<string>>()
      for (const [userId, groupIds] of rm.effective()) if (groupIds.length > 0) out.set(userId, new Set(groupIds))
      for (const [userId, groupId] of effectiveAll.all() as [string, string][]) {
        const set = out.get(userId)
        if (set) set.add(groupId)
        else out.set(userId, new Set([groupId]))
      }
      return out
    },
    /** A group's members with their state; `missing` as JSON text (compared, rarely parsed). */
    membersOfGroup: (groupId: string): Map<string, { state: MembershipState; effective: boolean; missing: string }> =>
      groupKind.get(groupId) === 'rule'
        ? new Map(
            [...rm.ofGroup(groupId)].map(([userId, m]) => [
              userId,
              { state: m.state, effective: m.effective, missing: JSON.stringify(m.missing) },
            ]),
          )
        : new Map(
            (
              membersOfGroup.all(groupId) as {
                user_id: string
                state: MembershipState
                effective: number
                missing: string
              }[]
            ).map(r => [r.user_id, { state: r.state, effective: r.effective === 1, missing: r.missing }]),
          ),
    /** What rules read for every user: attributes plus the identity fields (see users.ruleInput). */
    allRuleInputs(): Map<string, { userPrincipalName: string; attributes: Attributes }> {
      const out = new Map<string, { userPrincipalName: string; attributes: Attributes }>()
      const identities = identitiesAll.all() as [id: string, externalId: string, upn: string, displayName: string][]
      for (const [id, , upn] of identities) out.set(id, { userPrincipalName: upn, attributes: {} })
      let current = ''
      let attrs: Attributes | undefined
      // Rows usually arrive grouped by user; the lookup is repeated only when the user changes.
      for (const [userId, name, value] of attributesAll.all() as [string, string, string][]) {
        if (userId !== current) {
          current = userId
          attrs = out.get(userId)?.attributes
        }
        if (attrs) attrs[name] = JSON.parse(value) as AttributeValue
      }
      for (const [id, externalId, upn, displayName] of identities) {
        const u = out.get(id)
        if (u) Object.assign(u.attributes, identityFields(externalId, upn, displayName))
      }
      return out
    },
    /** What rules read for every user, limited to these attributes (matched ignoring case) and the identity fields. */
    ruleInputsOf(attributes: readonly string[]): Map<string, { userPrincipalName: string; attributes: Attributes }> {
      const wanted = new Set(attributes.map(a => a.toLowerCase()))
      const out = new Map<string, { userPrincipalName: string; attributes: Attributes }>()
      const identities = identitiesAll.all() as [id: string, externalId: string, upn: string, displayName: string][]
      for (const [id, , upn] of identities) out.set(id, { userPrincipalName: upn, attributes: {} })
      for (const name of attributeNames.all() as string[]) {
        if (!wanted.has(name.toLowerCase())) continue
        for (const [userId, value] of attributeValues.all(name) as [string, string][]) {
          const u = out.get(userId)
          if (u) u.attributes[name] = JSON.parse(value) as AttributeValue
        }
      }
      for (const [id, externalId, upn, displayName] of identities) {
        const u = out.get(id)
        if (u) Object.assign(u.attributes, identityFields(externalId, upn, displayName))
      }
      return out
    },
    /** Every user's effective synced-group memberships (ids and names), which rules may read. */
    allSyncedMemberships(): Map<string, { ids: string[]; names: string[] }> {
      const out = new Map<string, { ids: string[]; names: string[] }>()
      for (const [userId, groupId, name, externalId] of syncedAll.all() as [string, string, string, string | null][]) {
        const m = out.get(userId)
        if (m) {
          m.ids.push(...groupIdsForRules(groupId, externalId))
          m.names.push(name)
        } else out.set(userId, { ids: groupIdsForRules(groupId, externalId), names: [name] })
      }
      return out
    },
    /** A group's definition without its member counts (which cost a scan of its memberships). */
    groupBrief: (
      groupId: string,
    ): { id: string; name: string; kind: GroupKind; dialect: Dialect | null; rule: string | null } | undefined =>
      groupBrief.get(groupId) as
        | { id: string; name: string; kind: GroupKind; dialect: Dialect | null; rule: string | null }
        | undefined,
  }
}
