// Bulk reads over other rooms' tables that a recompute and a what-if need at once: bound devices,
// every device's sent items, every user's effective groups and rule inputs. Rows come as arrays
// (raw) where it counts: at 50,000 devices, building keyed objects was most of the cost.
import type {
  Attributes,
  AttributeValue,
  Dialect,
  GroupKind,
  MembershipState,
  PayloadKind,
  Platform,
} from '../../shared/domain'
import type { Db } from './db'
import type { SentItem } from './devices'
import { groupIdsForRules } from './groups'
import { ruleMembershipQueries } from './rule-memberships'
import { plainSealer, type PayloadSealer } from './sealed'
import { identityFields } from './users'

export interface BoundDevice {
  id: string
  name: string
  platform: Platform
  userId: string
  userPrincipalName: string
}

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

export function bulkReadQueries(db: Db, sealer: PayloadSealer = plainSealer) {
  // A sealed value's JSON differs at every write (a random IV); the plan compares plain JSON.
  const plainJson = (json: string) =>
    json.includes('"$sealed"') ? JSON.stringify(sealer.open(JSON.parse(json))) : json
  const boundOfUser = db.prepare(
    `SELECT d.id, d.name, d.platform, d.user_id, u.user_principal_name FROM devices d JOIN users u ON u.id = d.user_id WHERE d.user_id = ?`,
  )
  const boundById = db.prepare(
    `SELECT d.id, d.name, d.platform, d.user_id, u.user_principal_name FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = ?`,
  )
  const boundCount = db.prepare('SELECT COUNT(*) AS n FROM devices WHERE user_id IS NOT NULL')
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
  const boundPairs = db.prepare('SELECT id, user_id FROM devices WHERE user_id IS NOT NULL').raw(true)
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

  return {
    boundDevices: (): BoundDevice[] =>
      (boundRaw.all() as [string, string, Platform, string, string][]).map(
        ([id, name, platform, userId, userPrincipalName]) => ({ id, name, platform, userId, userPrincipalName }),
      ),
    /** Every bound device's id with its user's: what a redeploy of many users looks its devices up in. */
    boundDeviceUsers: (): [deviceId: string, userId: string][] => boundPairs.all() as [string, string][],
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
    /** Every user's unknown rule-group memberships that are still effective (the user was last in). */
    keptUnknown(): Map<string, Set<string>> {
      const out = new Map<string, Set<string>>()
      for (const [userId, list] of rm.notPlain()) {
        const ids = list.filter(m => m.state === 'unknown' && m.effective).map(m => m.groupId)
        if (ids.length > 0) out.set(userId, new Set(ids))
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
