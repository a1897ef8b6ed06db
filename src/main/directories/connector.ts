// What every IdP connector delivers to the sync engine, in one shape whatever the IdP:
// users with their raw IdP properties (nested objects flattened to dotted paths), groups
// (synced, or rule-based with the IdP's own rule and dialect) and membership changes.
import type { AttributeValue, Dialect, DirectoryKind } from '../../shared/domain'

/** IdP properties by dotted path, e.g. `department`, `onPremisesExtensionAttributes.extensionAttribute1`, `profile.title`. */
export type Properties = Record<string, AttributeValue>

export interface PulledUser {
  externalId: string
  /** Absent only in a partial record. */
  userPrincipalName?: string
  displayName?: string
  properties: Properties
  /**
   * Graph delta sends changed users "with at least the properties that have been updated"
   * (delta-query-overview.md): such a record patches the stored user (absent properties are
   * kept, null ones cleared) instead of replacing it.
   */
  partial?: boolean
  /**
   * What a partial record leaves unsaid means for a user not stored yet: Graph announces a new
   * user's manager only when there is one (manager@delta), so silence means none for a new user
   * and "unchanged" for a known one.
   */
  newUserDefaults?: Properties
}

export interface PulledGroup {
  externalId: string
  /** Absent when an incremental record did not carry it: the stored value stays. */
  name?: string
  description?: string
  /**
   * Rule-based groups come with their rule so it can be evaluated locally (Entra
   * membershipRule, Okta group rule expression, Google dynamic query); null for a synced
   * group; absent when an incremental record did not say.
   */
  rule?: { dialect: Dialect; text: string } | null
  /**
   * The listed members are people put in the group directly, kept whatever the group's kind: Okta
   * lists a rule's target group with the members an admin assigned by hand besides the rule's
   * (help.okta.com "Group rules": "It is possible to manually add or remove users to a
   * rule-managed group"). Such a group's members are the listed ones and whoever its rule puts in.
   * Absent: a rule group's listed members are the IdP's evaluation of its rule, which the app
   * does itself (Entra, Google); they are kept only to compare with the app's (GROUP_RULE_FAIL).
   */
  assignedMembers?: boolean
}

/**
 * A full pull lists every member (each once); an incremental one says who joined and who left.
 * A full listing need not be a set: Entra's dynamic groups list 1.6 million members for 100,000
 * users, held as lists of shared ids (entra.ts).
 */
export type MemberChange = { replace: Iterable<string> } | { add: Set<string>; remove: Set<string> }

export interface Pull {
  mode: 'full' | 'incremental'
  users: PulledUser[]
  /** External ids of users the IdP deleted (incremental pulls only; a full pull implies it). */
  removedUserIds: string[]
  groups: PulledGroup[]
  removedGroupIds: string[]
  /**
   * By group external id (users by external id). A rule-based group's listed members are the IdP's
   * own evaluation of its rule (Entra, Google dynamic groups), kept to compare with ours
   * (GROUP_RULE_FAIL) and never made memberships, unless the group keeps assigned members (Okta).
   */
  members: Map<string, MemberChange>
  /** Opaque state for the next incremental pull (Graph delta links, Okta timestamp); null if the IdP has none. */
  cursor: string | null
}

/**
 * A pull with nothing in it yet, and where each pulled user goes: to the caller's `onUser` when it
 * streams them, else into the pull's own list.
 */
export function startPull(
  mode: Pull['mode'],
  onUser?: (user: PulledUser) => void,
): { pull: Pull; take: (user: PulledUser) => void } {
  const pull: Pull = {
    mode,
    users: [],
    removedUserIds: [],
    groups: [],
    removedGroupIds: [],
    members: new Map(),
    cursor: null,
  }
  return { pull, take: onUser ?? (u => void pull.users.push(u)) }
}

export interface PullProgress {
  pages: number
  users: number
  groups: number
}

export interface PullOptions {
  /** The last successful pull's cursor; null asks for a full pull. */
  cursor: string | null
  /** IdP properties the attribute mapping reads (connectors fetch at least these). */
  properties: string[]
  /** After each page; a connector waits for what it returns before asking for the next one. */
  onPage(progress: PullProgress): void | Promise<void>
  /**
   * When given, each user is handed over as it arrives (the engine plans it while the next page
   * is on its way) and `Pull.users` stays empty. What it throws ends the pull.
   */
  onUser?(user: PulledUser): void
  /**
   * When given, a connector that lists groups before users hands them over (as in Pull.groups,
   * which still lists them) before the first user: the engine can then decide each user's
   * rule-group memberships as the user arrives, and send the IdP's listings of its rule groups to
   * be written with them (`members`, as in Pull.members; the engine takes those it writes out of
   * it). Connectors that list users first ignore it.
   */
  onGroups?(groups: PulledGroup[], members: Map<string, MemberChange>): void
  signal?: AbortSignal
}

export interface FetchedUser {
  user: PulledUser
  /** External ids of the groups the user is a direct member of. */
  groupIds: string[]
}

export interface Connector {
  readonly kind: DirectoryKind
  /** Gets a token and reads one page; resolves to a short description of what it reached. */
  test(): Promise<string>
  pull(opts: PullOptions): Promise<Pull>
  /** One user's current properties and groups, straight from the IdP (the JIT path); null when the IdP does not know the user. */
  fetchUser(userPrincipalName: string, properties: string[]): Promise<FetchedUser | null>
  /**
   * The Authorization header for a call to the IdP's API beyond the sync (change-notification
   * subscriptions); `scope`: the OAuth scope such a call needs, where the IdP grants by scope (Okta).
   */
  authorization?(scope?: string): Promise<string>
}

/** Thrown by a connector when its incremental cursor is no longer valid: the engine starts a full pull. */
export class CursorExpired extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CursorExpired'
  }
}

// Dotted paths by prefix and key, joined once: the same few dozen recur in every user of a pull
// (Entra's 15 onPremisesExtensionAttributes), and joining them afresh for each user was about a
// quarter of flatten's time (measured over 50,000 Graph users). Kept up to a bound, so property
// names an IdP invents cannot grow it without end.
const PATHS_KEPT = 10_000
const paths = new Map<string, Map<string, string>>()
let pathsKept = 0

function pathOf(prefix: string, key: string): string {
  let byKey = paths.get(prefix)
  const known = byKey?.get(key)
  if (known !== undefined) return known
  const path = `${prefix}.${key}`
  if (pathsKept < PATHS_KEPT) {
    if (!byKey) {
      byKey = new Map()
      paths.set(prefix, byKey)
    }
    byKey.set(key, path)
    pathsKept++
  }
  return path
}

/**
 * Flattens an IdP object into dotted paths. Objects nest (`name.givenName`); a list of strings
 * stays a list; a list of objects (Google organizations, addresses) contributes its primary
 * element, else its first, under the list's name (`organizations.department`).
 */
export function flatten(value: Record<string, unknown>, prefix = '', out: Properties = {}): Properties {
  // A loop over keys, not Object.entries: this runs for every property of every pulled user.
  for (const key in value) {
    if (key.startsWith('@') || key.includes('@odata')) continue
    const v = value[key]
    const path = prefix ? pathOf(prefix, key) : key
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[path] = v
    else if (Array.isArray(v)) {
      if (v.every(x => typeof x === 'string')) out[path] = v as string[]
      else {
        const objects = v.filter(
          (x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x),
        )
        const chosen = objects.find(x => x['primary'] === true) ?? objects[0]
        if (chosen) flatten(chosen, path, out)
      }
    } else if (typeof v === 'object') flatten(v as Record<string, unknown>, path, out)
  }
  return out
}
