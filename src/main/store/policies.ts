import type { PayloadItem, PayloadKind, Platform, Policy, PolicyTarget, TargetMode } from '../../shared/domain'
import type { Db } from './db'
import { plainSealer, type PayloadSealer } from './sealed'

interface PolicyRow {
  id: string
  name: string
  description: string
  priority: number
  platforms: string
}

interface ItemRow {
  id: string
  policy_id: string
  kind: PayloadKind
  identifier: string
  name: string
  platform: Platform | null
  settings: string
  remove_on_unassign: number
}

interface TargetRow {
  policy_id: string
  group_id: string
  group_name: string
  mode: TargetMode
}

const toItem = (r: ItemRow, sealer: PayloadSealer): PayloadItem => ({
  id: r.id,
  kind: r.kind,
  identifier: r.identifier,
  name: r.name,
  platform: r.platform,
  settings: sealer.open(JSON.parse(r.settings) as Record<string, unknown>),
  removeOnUnassign: r.remove_on_unassign === 1,
})

export function policyQueries(db: Db, sealer: PayloadSealer = plainSealer) {
  const insert = db.prepare(`INSERT INTO policies (id, name, description, priority, platforms, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`)
  const insertItem =
    db.prepare(`INSERT INTO payload_items (id, policy_id, position, kind, identifier, name, platform, settings, remove_on_unassign)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const putTarget = db.prepare(`INSERT INTO policy_targets (policy_id, group_id, mode) VALUES (?, ?, ?)
    ON CONFLICT (policy_id, group_id) DO UPDATE SET mode = excluded.mode`)
  const deleteTarget = db.prepare('DELETE FROM policy_targets WHERE policy_id = ? AND group_id = ?')
  const touch = db.prepare('UPDATE policies SET updated_at = ? WHERE id = ?')
  const all = db.prepare(
    'SELECT id, name, description, priority, platforms FROM policies ORDER BY priority DESC, name COLLATE NOCASE',
  )
  const byId = db.prepare('SELECT id, name, description, priority, platforms FROM policies WHERE id = ?')
  const items = db.prepare('SELECT * FROM payload_items ORDER BY policy_id, position')
  const itemsOf = db.prepare('SELECT * FROM payload_items WHERE policy_id = ? ORDER BY position')
  const targets = db.prepare(`SELECT t.policy_id, t.group_id, g.name AS group_name, t.mode
    FROM policy_targets t JOIN groups g ON g.id = t.group_id ORDER BY t.mode, g.name COLLATE NOCASE`)
  const targetsOf = db.prepare(`SELECT t.policy_id, t.group_id, g.name AS group_name, t.mode
    FROM policy_targets t JOIN groups g ON g.id = t.group_id WHERE t.policy_id = ? ORDER BY t.mode, g.name COLLATE NOCASE`)
  const itemPolicy = db.prepare('SELECT policy_id FROM payload_items WHERE id = ?')
  const setFlag = db.prepare('UPDATE payload_items SET remove_on_unassign = ? WHERE id = ?')
  const count = db.prepare('SELECT COUNT(*) AS n FROM policies')
  const update = db.prepare(
    'UPDATE policies SET name = ?, description = ?, priority = ?, platforms = ?, updated_at = ? WHERE id = ?',
  )
  const deleteItems = db.prepare('DELETE FROM payload_items WHERE policy_id = ?')
  const deleteTargets = db.prepare('DELETE FROM policy_targets WHERE policy_id = ?')
  const deletePolicy = db.prepare('DELETE FROM policies WHERE id = ?')
  const rename = db.prepare('UPDATE policies SET name = ?, updated_at = ? WHERE id = ?')

  const assemble = (p: PolicyRow, its: ItemRow[], tgs: TargetRow[]): Policy => ({
    id: p.id,
    name: p.name,
    description: p.description,
    priority: p.priority,
    platforms: JSON.parse(p.platforms) as Platform[],
    items: its.map(r => toItem(r, sealer)),
    targets: tgs.map((t): PolicyTarget => ({ groupId: t.group_id, groupName: t.group_name, mode: t.mode })),
  })

  const writeItemsAndTargets = (p: Policy): void => {
    p.items.forEach((i, position) =>
      insertItem.run(
        i.id,
        p.id,
        position,
        i.kind,
        i.identifier,
        i.name,
        i.platform,
        JSON.stringify(sealer.seal(i.settings)),
        i.removeOnUnassign ? 1 : 0,
      ),
    )
    for (const t of p.targets) putTarget.run(p.id, t.groupId, t.mode)
  }

  return {
    create(p: Policy, at: string): void {
      insert.run(p.id, p.name, p.description, p.priority, JSON.stringify(p.platforms), at, at)
      writeItemsAndTargets(p)
    },
    /** Replaces a policy's fields, payload items and targets. */
    update(p: Policy, at: string): void {
      update.run(p.name, p.description, p.priority, JSON.stringify(p.platforms), at, p.id)
      deleteItems.run(p.id)
      deleteTargets.run(p.id)
      writeItemsAndTargets(p)
    },
    delete(id: string): boolean {
      return deletePolicy.run(id).changes > 0
    },
    rename(id: string, name: string, at: string): boolean {
      return rename.run(name, at, id).changes > 0
    },
    list(): Policy[] {
      const byPolicyItems = new Map<string, ItemRow[]>()
      for (const r of items.all() as ItemRow[])
        byPolicyItems.set(r.policy_id, [...(byPolicyItems.get(r.policy_id) ?? []), r])
      const byPolicyTargets = new Map<string, TargetRow[]>()
      for (const r of targets.all() as TargetRow[])
        byPolicyTargets.set(r.policy_id, [...(byPolicyTargets.get(r.policy_id) ?? []), r])
      return (all.all() as PolicyRow[]).map(p =>
        assemble(p, byPolicyItems.get(p.id) ?? [], byPolicyTargets.get(p.id) ?? []),
      )
    },
    get(id: string): Policy | undefined {
      const p = byId.get(id) as PolicyRow | undefined
      return p ? assemble(p, itemsOf.all(id) as ItemRow[], targetsOf.all(id) as TargetRow[]) : undefined
    },
    count(): number {
      return (count.get() as { n: number }).n
    },
    setTarget(policyId: string, groupId: string, mode: TargetMode, at: string): void {
      putTarget.run(policyId, groupId, mode)
      touch.run(at, policyId)
    },
    /** Returns false when the policy had no target on that group. */
    removeTarget(policyId: string, groupId: string, at: string): boolean {
      const removed = deleteTarget.run(policyId, groupId).changes > 0
      if (removed) touch.run(at, policyId)
      return removed
    },
    policyOfItem(itemId: string): string | undefined {
      return (itemPolicy.get(itemId) as { policy_id: string } | undefined)?.policy_id
    },
    setRemoveOnUnassign(itemId: string, value: boolean, at: string): void {
      setFlag.run(value ? 1 : 0, itemId)
      const policyId = (itemPolicy.get(itemId) as { policy_id: string } | undefined)?.policy_id
      if (policyId) touch.run(at, policyId)
    },
  }
}
