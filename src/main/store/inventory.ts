// The app inventory (app_inventory): the apps a policy may install, one bundle or package id per
// platform, with its App Store (adam) id where it has one.
import type { Platform } from '../../shared/domain'
import type { AppInventoryEntry } from '../../shared/policy'
import type { Db } from './db'

export function inventoryQueries(db: Db) {
  const all = db.prepare(
    'SELECT id, platform, identifier, name, store_id AS storeId FROM app_inventory ORDER BY name COLLATE NOCASE, platform',
  )
  const put = db.prepare(`INSERT INTO app_inventory (id, platform, identifier, name, store_id)
    VALUES (@id, @platform, @identifier, @name, @storeId)
    ON CONFLICT (platform, identifier) DO UPDATE SET name = excluded.name, store_id = excluded.store_id`)
  const storeIdOf = db.prepare('SELECT store_id AS storeId FROM app_inventory WHERE platform = ? AND identifier = ?')
  const appOn = db.prepare('SELECT 1 FROM app_inventory WHERE platform = ? AND identifier = ?')
  const appAny = db.prepare('SELECT 1 FROM app_inventory WHERE identifier = ? LIMIT 1')
  const remove = db.prepare('DELETE FROM app_inventory WHERE platform = ? AND identifier = ?')

  return {
    list: (): AppInventoryEntry[] => all.all() as AppInventoryEntry[],
    put(entry: AppInventoryEntry): void {
      put.run({ ...entry, storeId: entry.storeId ?? null })
    },
    remove: (platform: Platform, identifier: string): boolean => remove.run(platform, identifier).changes > 0,
    /** The App Store (adam) id of an Apple app, if the inventory has one. */
    storeId: (platform: Platform, identifier: string): number | null =>
      (storeIdOf.get(platform, identifier) as { storeId: number | null } | undefined)?.storeId ?? null,
    appOn: (platform: Platform, identifier: string): boolean => appOn.get(platform, identifier) !== undefined,
    appAnywhere: (identifier: string): boolean => appAny.get(identifier) !== undefined,
  }
}
