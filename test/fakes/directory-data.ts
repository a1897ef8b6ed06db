// A seeded organisation shared by the Graph, Okta and Google fakes: N users, M groups (static
// ones with members, rule-based ones with a rule in each IdP's dialect), and a change log so
// the fakes can answer incremental queries (Graph delta tokens, Okta lastUpdated filters and
// System Log events).
// The same seed always gives the same organisation.

export interface FakeUser {
  id: string
  userPrincipalName: string
  displayName: string
  givenName: string
  surname: string
  department: string | null
  jobTitle: string
  country: string
  city: string
  employeeType: string
  accountEnabled: boolean
  /** Entra onPremisesExtensionAttributes.extensionAttribute1 / Okta costCenter / Google custom schema. */
  costCenter: string | null
  /** Entra's manager relationship: the manager's user id, or null. */
  managerId: string | null
  /** Version of the last change (for lastUpdated and delta). */
  version: number
  updatedAt: string
}

export interface FakeGroup {
  id: string
  name: string
  description: string
  /** Rule-based groups carry their rule in each dialect; their members are the IdP's evaluation. */
  rule: { entra: string; okta: string; google: string } | null
  /**
   * Users the rule never adds (Okta's `conditions.people.users.exclude`); a test that sets it keeps
   * `members` (the IdP's listing: the rule's members but these, and any assigned by hand) in step.
   */
  excludedUsers?: string[]
  members: Set<string>
  version: number
  updatedAt: string
}

export type Change =
  /** `manager` when the user's manager changed: who it was before. */
  | { version: number; kind: 'user'; userId: string; manager?: { previous: string | null } }
  | { version: number; kind: 'userRemoved'; userId: string }
  /** A removed user deleted for good (Okta: no longer listed, not even as DEPROVISIONED). */
  | { version: number; kind: 'userDeleted'; userId: string; userPrincipalName: string; displayName: string }
  | { version: number; kind: 'group'; groupId: string }
  | { version: number; kind: 'groupRemoved'; groupId: string }
  | { version: number; kind: 'member'; groupId: string; userId: string; added: boolean }

const DEPARTMENTS = ['Sales', 'Marketing', 'Engineering', 'Finance', 'Support', 'Operations', 'Legal', 'HR']
const TITLES = ['Account Executive', 'Software Developer', 'Analyst', 'Manager', 'Specialist', 'Director', 'Engineer']
const PLACES: [string, string][] = [
  ['US', 'Seattle'],
  ['DE', 'Berlin'],
  ['FR', 'Paris'],
  ['GB', 'London'],
  ['NL', 'Utrecht'],
  ['JP', 'Osaka'],
]
const GIVEN = ['Alex', 'Sam', 'Dee', 'Kim', 'Noor', 'Ravi', 'Lena', 'Tomas', 'Aiko', 'Omar', 'Fleur', 'Jonas']
const FAMILY = ['Morgan', 'Rivera', 'Kay', 'Lee', 'Haddad', 'Patel', 'Novak', 'Berg', 'Sato', 'Diaz', 'Obrien', 'Weber']

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0')
/** A GUID-shaped id, deterministic per kind and index. */
const guid = (kind: number, i: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(i, 12)}`

export interface DirectoryDataOptions {
  users: number
  groups: number
  seed?: number
  domain?: string
  start?: string
}

export class DirectoryData {
  readonly users = new Map<string, FakeUser>()
  readonly groups = new Map<string, FakeGroup>()
  readonly changes: Change[] = []
  /** Users removed, as they were, with the time they left (Okta keeps them as DEPROVISIONED). */
  readonly removedUsers = new Map<string, FakeUser>()
  readonly domain: string
  version = 1
  private nextUser: number
  private readonly random: () => number
  private readonly startMs: number

  constructor(opts: DirectoryDataOptions) {
    this.random = prng(opts.seed ?? 1)
    this.domain = opts.domain ?? 'contoso.example'
    this.startMs = Date.parse(opts.start ?? '2026-11-01T00:00:00.000Z')
    for (let i = 0; i < opts.users; i++) this.makeUser(i)
    // An org chart: user 0 reports to no one, and every user has up to 8 direct reports.
    for (let i = 1; i < opts.users; i++)
      (this.users.get(guid(1, i)) as FakeUser).managerId = guid(1, Math.floor((i - 1) / 8))
    this.nextUser = opts.users
    const userIds = [...this.users.keys()]
    for (let g = 0; g < opts.groups; g++) {
      // One group in five is rule-based on department up to 40, then one in twenty (a 2,000-group
      // tenant has 130 dynamic groups); the rest are static with a random slice of users.
      const ruleBased = g < 200 ? g % 5 === 0 : g % 20 === 0
      const department = DEPARTMENTS[Math.floor(g / 5) % DEPARTMENTS.length] as string
      const group: FakeGroup = {
        id: guid(2, g),
        name: ruleBased ? `Dynamic ${department} ${g}` : `Team ${g}`,
        description: ruleBased ? `Everyone in ${department}` : `Static team ${g}`,
        rule: ruleBased
          ? {
              entra: `user.department -eq "${department}"`,
              okta: `user.department == "${department}"`,
              google: `user.organizations.exists(org, org.department == '${department}')`,
            }
          : null,
        members: new Set(),
        version: 1,
        updatedAt: this.at(1),
      }
      if (ruleBased) {
        for (const u of this.users.values()) if (u.department === department) group.members.add(u.id)
      } else {
        const size = 1 + Math.floor(this.random() * Math.min(200, Math.max(1, userIds.length / 10)))
        for (let k = 0; k < size && userIds.length > 0; k++)
          group.members.add(userIds[Math.floor(this.random() * userIds.length)] as string)
      }
      this.groups.set(group.id, group)
    }
  }

  /** ISO time of a version: one second per version after the start. */
  at(version: number): string {
    return new Date(this.startMs + version * 1000).toISOString()
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)] as T
  }

  private makeUser(i: number): FakeUser {
    const given = this.pick(GIVEN)
    const family = this.pick(FAMILY)
    const [country, city] = this.pick(PLACES)
    const user: FakeUser = {
      id: guid(1, i),
      userPrincipalName: `${given.toLowerCase()}.${family.toLowerCase()}${i}@${this.domain}`,
      displayName: `${given} ${family}`,
      givenName: given,
      surname: family,
      // One user in 50 has no department: rules reading it get SYNC_ATTR_MISSING.
      department: i % 50 === 49 ? null : this.pick(DEPARTMENTS),
      jobTitle: this.pick(TITLES),
      country,
      city,
      employeeType: this.random() < 0.9 ? 'Employee' : 'Contractor',
      accountEnabled: true,
      costCenter: this.random() < 0.8 ? `CC-${100 + Math.floor(this.random() * 50)}` : null,
      managerId: null,
      version: this.version,
      updatedAt: this.at(this.version),
    }
    this.users.set(user.id, user)
    return user
  }

  private readonly listeners = new Set<(change: Change) => void>()

  /**
   * Calls `listener` after each change is recorded (the IdP fakes send change notifications from
   * it); returns what stops it.
   */
  onChange(listener: (change: Change) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private record(change: Change): void {
    this.changes.push(change)
    for (const l of this.listeners) l(change)
  }

  private bump(): number {
    this.version++
    return this.version
  }

  updateUser(userId: string, patch: Partial<Omit<FakeUser, 'id' | 'version' | 'updatedAt'>>): FakeUser {
    const user = this.users.get(userId)
    if (!user) throw new Error(`no fake user ${userId}`)
    const v = this.bump()
    const previous = user.managerId
    Object.assign(user, patch, { version: v, updatedAt: this.at(v) })
    this.record(
      'managerId' in patch && patch.managerId !== previous
        ? { version: v, kind: 'user', userId, manager: { previous } }
        : { version: v, kind: 'user', userId },
    )
    return user
  }

  /** A new user (a new id), optionally with a given sign-in name, e.g. one a deleted user had. */
  addUser(patch: Partial<Pick<FakeUser, 'userPrincipalName'>> = {}): FakeUser {
    const v = this.bump()
    const user = this.makeUser(this.nextUser++)
    Object.assign(user, patch)
    user.version = v
    user.updatedAt = this.at(v)
    this.record({ version: v, kind: 'user', userId: user.id })
    return user
  }

  removeUser(userId: string): void {
    const user = this.users.get(userId)
    if (!user) throw new Error(`no fake user ${userId}`)
    this.users.delete(userId)
    const v = this.bump()
    this.removedUsers.set(userId, { ...user, version: v, updatedAt: this.at(v) })
    this.record({ version: v, kind: 'userRemoved', userId })
    for (const g of this.groups.values()) {
      if (g.members.delete(userId)) this.record({ version: v, kind: 'member', groupId: g.id, userId, added: false })
    }
  }

  /**
   * Deletes a user for good: deactivated first if still active (as Okta's DELETE does), then
   * gone from every listing. Only a change-log consumer (Okta's System Log) still sees it.
   */
  deleteUser(userId: string): void {
    if (this.users.has(userId)) this.removeUser(userId)
    const user = this.removedUsers.get(userId)
    if (!user) throw new Error(`no removed fake user ${userId}`)
    this.removedUsers.delete(userId)
    this.record({
      version: this.bump(),
      kind: 'userDeleted',
      userId,
      userPrincipalName: user.userPrincipalName,
      displayName: user.displayName,
    })
  }

  setMember(groupId: string, userId: string, member: boolean): void {
    const group = this.groups.get(groupId)
    if (!group) throw new Error(`no fake group ${groupId}`)
    if (group.members.has(userId) === member) return
    const v = this.bump()
    if (member) group.members.add(userId)
    else group.members.delete(userId)
    group.version = v
    group.updatedAt = this.at(v)
    this.record({ version: v, kind: 'member', groupId, userId, added: member })
  }

  renameGroup(groupId: string, name: string): void {
    const group = this.groups.get(groupId)
    if (!group) throw new Error(`no fake group ${groupId}`)
    const v = this.bump()
    group.name = name
    group.version = v
    group.updatedAt = this.at(v)
    this.record({ version: v, kind: 'group', groupId })
  }

  removeGroup(groupId: string): void {
    if (!this.groups.delete(groupId)) throw new Error(`no fake group ${groupId}`)
    this.record({ version: this.bump(), kind: 'groupRemoved', groupId })
  }

  changesSince(version: number): Change[] {
    return this.changes.filter(c => c.version > version)
  }

  /** Groups a user belongs to, in id order. */
  groupsOf(userId: string): FakeGroup[] {
    return [...this.groups.values()].filter(g => g.members.has(userId))
  }

  /** A user's direct reports (Entra's manager relationship), in id order. */
  reportsOf(managerId: string): FakeUser[] {
    return [...this.users.values()].filter(u => u.managerId === managerId)
  }

  /** The first `count` users in id order, for tests that change a few. */
  someUsers(count: number): FakeUser[] {
    return [...this.users.values()].slice(0, count)
  }

  staticGroups(): FakeGroup[] {
    return [...this.groups.values()].filter(g => g.rule === null)
  }
}
