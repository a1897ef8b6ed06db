// Workspace settings (workspace_settings): one JSON value per key, for rooms whose settings are a
// handful of fields rather than rows (the device ingress). Never secrets: those go to the secrets port.
import type { Db } from './db'

export function workspaceSettingQueries(db: Db) {
  const get = db.prepare('SELECT value FROM workspace_settings WHERE key = ?')
  const put = db.prepare(
    'INSERT INTO workspace_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  )
  return {
    /** The stored value, or null when the key was never set. */
    get(key: string): unknown {
      const row = get.get(key) as { value: string } | undefined
      return row === undefined ? null : (JSON.parse(row.value) as unknown)
    },
    put(key: string, value: unknown): void {
      put.run(key, JSON.stringify(value))
    },
  }
}
