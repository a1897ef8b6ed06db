// Keys in a rule input that aren't directory attributes, for what Okta rules read about a user
// beyond the profile (Okta Expression Language, group functions): the user's group names and IDs (isMemberOfGroupName,
// isMemberOfAnyGroup, …) and user.getInternalProperty("id" | "status"). They start with "$",
// which no Okta profile attribute name can (variable names are letters, digits and "_").
// A user whose groups the caller doesn't know has no $groupNames key: the rule then reports it
// as missing, so a gap in data never takes the user out of a group.

export const GROUP_NAMES = '$groupNames'
export const GROUP_IDS = '$groupIds'
export const INTERNAL_ID = '$id'
export const INTERNAL_STATUS = '$status'

// Entra's `Direct Reports for "<manager object id>"` reads the user's manager (Graph's manager
// relationship): the manager's Entra object id as a list, [] when the directory says the user has
// no manager (so such a user is out, not missing), and absent when the manager wasn't synced
// (the rule then reports it as missing). MANAGER is the manager as people know them
// ("Ada Lovelace <ada@contoso.com>"), when the directory gave it, for explanations.
export const MANAGER_ID = '$managerId'
export const MANAGER = '$manager'

/** How MANAGER names a manager: "Ada Lovelace <ada@contoso.com>", or whichever of the two is known. */
export function managerLabel(displayName: unknown, userPrincipalName: unknown): string | null {
  const name = typeof displayName === 'string' && displayName.trim() !== '' ? displayName.trim() : null
  const upn = typeof userPrincipalName === 'string' && userPrincipalName.trim() !== '' ? userPrincipalName.trim() : null
  if (name !== null && upn !== null) return `${name} <${upn}>`
  return name ?? upn
}
