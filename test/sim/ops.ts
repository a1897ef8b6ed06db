// The operations a simulation step can be, as plain data (so a failing sequence prints, replays
// and shrinks), and the seeded generator that picks them. Every random choice is made here and
// stored in the op: replaying a list of ops needs no random numbers.
import {
  DEPARTMENTS,
  PLATFORMS,
  type Platform,
  RULE_GROUPS,
  TARGET_CHOICES,
  TITLES,
  VALUE_CHOICES,
  OPTIONAL_ITEMS,
  initialPolicies,
} from './scenario'

/** Named crash points of src/main (grep `faults.hit(`). */
export const FAULT_POINTS = [
  'push:before-record',
  'fetch:after-commit',
  'ack:before-commit',
  'ack:after-commit',
] as const
export type FaultPoint = (typeof FAULT_POINTS)[number]

export type Op =
  | { k: 'idpAttr'; user: string; department: string | null; jobTitle: string }
  | { k: 'idpEnabled'; user: string; enabled: boolean }
  | { k: 'idpMember'; group: 'team1' | 'team2'; user: string; member: boolean }
  /** A new user; the key is in the op, so a shrunk sequence without earlier additions still names it. */
  | { k: 'idpAddUser'; user: string; department: string | null; jobTitle: string }
  | { k: 'idpDeleteUser'; user: string }
  | { k: 'fileEdit'; user: string; department: string | null; jobTitle: string; field: boolean }
  /** The next file leaves a user out (a replace import removes them; an update import cannot). */
  | { k: 'fileRemoveUser'; user: string }
  | { k: 'fileAddUser'; user: string; department: string | null; jobTitle: string; field: boolean }
  | { k: 'sync'; mode: 'full' | 'incremental' }
  /** A file import; `update` lists only `users` (the others stay as they are). */
  | { k: 'import'; mode: 'replace' | 'update'; users: string[] }
  | { k: 'enroll'; serial: string; user: string }
  /** An enrollment by a user of the file directory (its own kind, so a run can leave it out). */
  | { k: 'enrollFile'; serial: string; user: string }
  /** The device checks in up to `max` times, taking and answering one command each time; `fail`: it refuses the first. */
  | { k: 'checkin'; serial: string; max: number; fail: boolean }
  | { k: 'push'; up: boolean }
  | { k: 'rule'; group: string; variant: number }
  | { k: 'target'; policy: string; group: string; mode: 'include' | 'exclude' | null }
  | { k: 'flag'; policy: string; item: string; value: boolean }
  | { k: 'value'; policy: string; item: string; value: string | number | boolean }
  | { k: 'optItem'; policy: string; present: boolean }
  /** Kill the app the first time `inner` reaches `point`, then start it again on the same data. */
  | { k: 'crash'; point: FaultPoint; inner: Op }

export type OpKind = Op['k']

/** Relative weights of each kind; 0 leaves a kind out. */
export type OpMix = Partial<Record<OpKind, number>>

export const DEFAULT_MIX: Required<OpMix> = {
  idpAttr: 8,
  idpEnabled: 1,
  idpMember: 6,
  idpAddUser: 1,
  idpDeleteUser: 1,
  fileEdit: 3,
  fileRemoveUser: 1,
  fileAddUser: 1,
  sync: 8,
  import: 3,
  enroll: 5,
  enrollFile: 1,
  checkin: 14,
  push: 2,
  rule: 2,
  target: 3,
  flag: 2,
  value: 2,
  optItem: 1,
  crash: 3,
}

/** Serials: SIM-<n>; the platform follows the number so a re-enrollment keeps it. */
export const SERIALS = 8
export const platformOf = (serial: string): Platform =>
  PLATFORMS[Number(serial.slice(4)) % PLATFORMS.length] as Platform

/** mulberry32: small, fast, seedable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Picker {
  int(n: number): number
  pick<T>(list: readonly T[]): T
  bool(p?: number): boolean
}

export function picker(random: () => number): Picker {
  const int = (n: number) => Math.floor(random() * n)
  return { int, pick: list => list[int(list.length)] as never, bool: (p = 0.5) => random() < p }
}

/** What the generator needs to know about the world so far (users that exist). */
export interface GenState {
  entraUsers: string[]
  fileUsers: string[]
  nextEntra: number
  nextFile: number
}

function pickKind(r: Picker, mix: Required<OpMix>): OpKind {
  const entries = Object.entries(mix).filter(([, w]) => w > 0) as [OpKind, number][]
  const total = entries.reduce((s, [, w]) => s + w, 0)
  let x = r.int(total)
  for (const [k, w] of entries) {
    if (x < w) return k
    x -= w
  }
  throw new Error('unreachable: empty op mix')
}

const policyKeys = initialPolicies().map(p => p.key)
const appItems = initialPolicies().flatMap(p => p.items.filter(i => i.kind === 'app').map(i => [p.key, i.key] as const))
const valueItems = initialPolicies()
  .flatMap(p => p.items.map(i => [p.key, i.key] as const))
  .concat(Object.entries(OPTIONAL_ITEMS).map(([p, i]) => [p, i.key] as const))
  .filter(([, k]) => VALUE_CHOICES[k])

export function generate(r: Picker, mix: Required<OpMix>, s: GenState, kind = pickKind(r, mix)): Op {
  const entraUser = () => r.pick(s.entraUsers)
  switch (kind) {
    case 'idpAttr':
      return { k: 'idpAttr', user: entraUser(), department: r.pick(DEPARTMENTS), jobTitle: r.pick(TITLES) }
    case 'idpEnabled':
      return { k: 'idpEnabled', user: entraUser(), enabled: r.bool(0.6) }
    case 'idpMember':
      return { k: 'idpMember', group: r.pick(['team1', 'team2'] as const), user: entraUser(), member: r.bool() }
    case 'idpAddUser': {
      const user = `e${s.nextEntra++}`
      s.entraUsers.push(user)
      return { k: 'idpAddUser', user, department: r.pick(DEPARTMENTS), jobTitle: r.pick(TITLES) }
    }
    case 'idpDeleteUser':
      return { k: 'idpDeleteUser', user: entraUser() }
    case 'fileEdit':
      return {
        k: 'fileEdit',
        user: r.pick(s.fileUsers),
        department: r.pick(DEPARTMENTS),
        jobTitle: r.pick(TITLES),
        field: r.bool(),
      }
    case 'fileRemoveUser':
      return { k: 'fileRemoveUser', user: r.pick(s.fileUsers) }
    case 'fileAddUser': {
      const user = `f${s.nextFile++}`
      s.fileUsers.push(user)
      return { k: 'fileAddUser', user, department: r.pick(DEPARTMENTS), jobTitle: r.pick(TITLES), field: r.bool() }
    }
    case 'sync':
      return { k: 'sync', mode: r.bool(0.3) ? 'full' : 'incremental' }
    case 'import': {
      const mode = r.bool() ? 'replace' : 'update'
      const some = s.fileUsers.filter(() => mode === 'replace' || r.bool())
      // A file with no users is refused (and would say nothing): an update lists at least one.
      return { k: 'import', mode, users: some.length > 0 ? some : [r.pick(s.fileUsers)] }
    }
    case 'enroll':
      return { k: 'enroll', serial: `SIM-${r.int(SERIALS)}`, user: entraUser() }
    case 'enrollFile':
      return { k: 'enrollFile', serial: `SIM-${r.int(SERIALS)}`, user: r.pick(s.fileUsers) }
    case 'checkin':
      return { k: 'checkin', serial: `SIM-${r.int(SERIALS)}`, max: 1 + r.int(4), fail: r.bool(0.1) }
    case 'push':
      return { k: 'push', up: r.bool(0.6) }
    case 'rule': {
      const g = r.pick(RULE_GROUPS)
      return { k: 'rule', group: g.key, variant: r.int(g.variants.length) }
    }
    case 'target': {
      const [policy, group, mode] = r.pick(TARGET_CHOICES)
      return { k: 'target', policy, group, mode: r.bool() ? mode : null }
    }
    case 'flag': {
      const [policy, item] = r.pick(appItems)
      return { k: 'flag', policy, item, value: r.bool() }
    }
    case 'value': {
      const [policy, item] = r.pick(valueItems)
      return { k: 'value', policy, item, value: r.pick(VALUE_CHOICES[item] ?? []) }
    }
    case 'optItem':
      return { k: 'optItem', policy: r.pick(Object.keys(OPTIONAL_ITEMS)), present: r.bool() }
    case 'crash': {
      const point = r.pick(FAULT_POINTS)
      // An op that reaches the point: a check-in fetches and answers; the rest push.
      const inner =
        point === 'push:before-record'
          ? generate(r, mix, s, r.pick(['sync', 'enroll', 'target', 'value'] as const))
          : generate(r, mix, s, 'checkin')
      return { k: 'crash', point, inner }
    }
  }
}

export function generateSequence(seed: number, steps: number, mix: OpMix = {}, initial: GenState): Op[] {
  const r = picker(prng(seed))
  const full = { ...DEFAULT_MIX, ...mix }
  const s: GenState = { ...initial, entraUsers: [...initial.entraUsers], fileUsers: [...initial.fileUsers] }
  return Array.from({ length: steps }, () => generate(r, full, s))
}

export const describeOp = (op: Op): string => {
  if (op.k === 'crash') return `crash at ${op.point} during ${describeOp(op.inner)}`
  const { k, ...rest } = op
  return `${k} ${JSON.stringify(rest)}`
}

export const POLICY_KEYS = policyKeys
