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
