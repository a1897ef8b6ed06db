// How the policies assign each app of the inventory: the Apps page's "Assigned by" column.
import type { Policy } from '../../shared/domain'

/** How one policy assigns an app. */
export interface AppAssignment {
  policyName: string
  intent: 'required' | 'available'
  removeOnUnassign: boolean
}

/** Every policy's assignment of each app, by `platform|identifier` (an item for all platforms counts for each). */
export function assignmentsByApp(policies: readonly Policy[]): Map<string, AppAssignment[]> {
  const out = new Map<string, AppAssignment[]>()
  for (const p of policies)
    for (const item of p.items) {
      if (item.kind !== 'app') continue
      const platforms = item.platform ? [item.platform] : p.platforms
      for (const platform of platforms) {
        const key = `${platform}|${item.identifier}`
        const list = out.get(key) ?? []
        list.push({
          policyName: p.name,
          intent: item.settings['intent'] === 'available' ? 'available' : 'required',
          removeOnUnassign: item.removeOnUnassign,
        })
        out.set(key, list)
      }
    }
  return out
}
