// Each IdP's own user shape → what rules read. Pure functions: the CLI reads users as the IdPs'
// APIs return them, and the directory connectors can use the same mapping.
// - Entra: a Microsoft Graph user. onPremisesExtensionAttributes.extensionAttributeN is read by
//   rules as user.extensionAttributeN (the Entra rules doc's property table), and an expanded memberOf gives the
//   group IDs that user.memberOf -any (group.objectId -in […]) reads. An expanded manager
//   ($expand=manager, Graph's "List manager" page) gives what Direct Reports for "…" reads: its id,
//   or no manager when Graph says null.
// - Okta: a user from /api/v1/users: the profile's attributes, with id and status under the
//   reserved keys user.getInternalProperty reads. Okta returns a user's groups from another
//   call (/api/v1/users/{id}/groups); a "groups" array next to the user (Okta group objects or
//   plain names) gives the group functions their input. Without it they report $groupNames
//   or $groupIds as missing.
// - Google: a Directory API user, renamed to the snake_case fields membership queries use
//   (dynamic-groups-attributes): name.fullName → name.value, customSchemas → custom_schemas
//   (schema and field names kept as written), and `type` names turned into the enum numbers
//   Google compares (Google Workspace Admin Help, "Dynamic group attributes"; types without a
//   documented number stay text).

import type { Dialect } from '../../shared/domain'
import { GROUP_IDS, GROUP_NAMES, INTERNAL_ID, INTERNAL_STATUS, MANAGER, MANAGER_ID, managerLabel } from './reserved'
import type { RuleInput } from './types'

export function ruleInputFrom(dialect: Dialect, user: unknown): RuleInput {
  const record = isRecord(user) ? user : {}
  switch (dialect) {
    case 'entra':
      return fromGraph(record)
    case 'okta':
      return fromOkta(record)
    case 'google':
      return fromDirectoryApi(record)
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fromGraph(user: Record<string, unknown>): RuleInput {
  const { onPremisesExtensionAttributes: extensions, memberOf, manager, ...rest } = user
  const input: Record<string, unknown> = { ...rest }
  if (manager === null) input[MANAGER_ID] = []
  else if (isRecord(manager) && typeof manager.id === 'string') {
    input[MANAGER_ID] = [manager.id]
    const label = managerLabel(manager.displayName, manager.userPrincipalName)
    if (label !== null) input[MANAGER] = label
  }
  if (isRecord(extensions)) Object.assign(input, extensions)
  if (Array.isArray(memberOf))
    input[GROUP_IDS] = memberOf.flatMap(group => (isRecord(group) && typeof group.id === 'string' ? [group.id] : []))
  return input
}

function fromOkta(user: Record<string, unknown>): RuleInput {
  const input: Record<string, unknown> = isRecord(user.profile) ? { ...user.profile } : {}
  if (typeof user.id === 'string') input[INTERNAL_ID] = user.id
  if (typeof user.status === 'string') input[INTERNAL_STATUS] = user.status
  if (Array.isArray(user.groups)) {
    input[GROUP_NAMES] = user.groups.flatMap(group =>
      typeof group === 'string'
        ? [group]
        : isRecord(group) && isRecord(group.profile) && typeof group.profile.name === 'string'
          ? [group.profile.name]
          : [],
    )
    input[GROUP_IDS] = user.groups.flatMap(group => (isRecord(group) && typeof group.id === 'string' ? [group.id] : []))
  }
  return input
}

/** Directory API type names → the numbers membership queries compare (Google, "Dynamic group attributes"). */
const ENUMS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  addresses: { unknown: 0, custom: 1, home: 2, work: 3, other: 4 },
  organizations: { unknown: 0, work: 1, school: 2, domain_only: 3 },
  relations: { manager: 12 },
}

function fromDirectoryApi(user: Record<string, unknown>): RuleInput {
  const input: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(user)) {
    if (key === 'customSchemas') {
      input.custom_schemas = value
      continue
    }
    const field = snake(key)
    if (field === 'name' && isRecord(value)) {
      const { fullName, ...rest } = value
      input.name = { ...snakeKeys(rest), ...(fullName !== undefined ? { value: fullName } : {}) }
      continue
    }
    const enums = ENUMS[field]
    input[field] = Array.isArray(value)
      ? value.map(item => (isRecord(item) ? withEnum(snakeKeys(item), enums) : item))
      : isRecord(value)
        ? snakeKeys(value)
        : value
  }
  return input
}

function withEnum(
  item: Record<string, unknown>,
  enums: Readonly<Record<string, number>> | undefined,
): Record<string, unknown> {
  if (enums === undefined || typeof item.type !== 'string') return item
  const number = enums[item.type]
  return number === undefined ? item : { ...item, type: number }
}

function snakeKeys(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) out[snake(key)] = value
  return out
}

/** Directory API names whose query field isn't their plain snake_case. */
const RENAMES: Readonly<Record<string, string>> = {
  isEnrolledIn2Sv: 'is_enrolled_in_2sv',
  isEnforcedIn2Sv: 'is_2sv_enforced',
}

function snake(name: string): string {
  const renamed = RENAMES[name]
  if (renamed !== undefined) return renamed
  return name.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`)
}
