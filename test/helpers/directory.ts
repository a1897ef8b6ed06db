// Helpers for directory sync tests: a comparable picture of what a sync stored.
import type { App } from '../../src/main/app'

/**
 * Users with attributes, groups with kind and rule, memberships — by names, not local ids,
 * so two workspaces synced from the same IdP state compare equal.
 */
export function storeSnapshot(app: App): string {
  const { store } = app.services
  const users = store.users.list(undefined, 1000, 0).rows.map((u) => ({
    upn: u.userPrincipalName,
    name: u.displayName,
    attributes: store.users.attributes(u.id),
    groups: store.groups
      .membershipsOf(u.id)
      .map((m) => `${m.groupName}:${m.state}`)
      .sort(),
  }))
  users.sort((a, b) => a.upn.localeCompare(b.upn))
  const groups = store.groups
    .list()
    .map((g) => ({ name: g.name, kind: g.kind, dialect: g.dialect, rule: g.rule, members: g.memberCount, unknown: g.unknownCount }))
    .sort((a, b) => a.name.localeCompare(b.name))
  return JSON.stringify({ users, groups })
}
