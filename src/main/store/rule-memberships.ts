// Rule-group memberships, one row per user. They are derived (a rule evaluated on the user's
// attributes) and many: 100,000 users in a tenant with 130 dynamic groups have about 1.6 million,
// and a row per membership made a directory's first sync spend most of its time writing them.
// A user's row lists the groups the user is plainly in (effective, nothing missing) as ids, and
// keeps every other membership (unknown, or in while a rule read an absent attribute) in full.
// Synced-group memberships stay a row each in `memberships`: they come from the IdP as they are.
import type { MembershipState } from '../../shared/domain'
import type { Db } from './db'

export interface RuleMembership {
  groupId: string
  state: MembershipState
  effective: boolean
  missing: string[]
  updatedAt: string
}

export interface EncodedRuleMemberships {
  /** Ids of the groups the user is plainly in, comma-separated. */
  plain: string
  /** JSON [[group id, state, effective 0/1, [missing…], updated at]…] of every other membership. */
  other: string
}

type OtherEntry = [groupId: string, state: MembershipState, effective: 0 | 1, missing: string[], updatedAt: string]

const isPlain = (m: RuleMembership): boolean => m.state === 'in' && m.effective && m.missing.length === 0

export function encodeRuleMemberships(list: readonly RuleMembership[]): EncodedRuleMemberships {
  const plain: string[] = []
  const other: OtherEntry[] = []
  for (const m of list) {
    if (isPlain(m)) plain.push(m.groupId)
    else other.push([m.groupId, m.state, m.effective ? 1 : 0, m.missing, m.updatedAt])
  }
  return { plain: plain.join(','), other: JSON.stringify(other) }
}

/** Plain memberships carry the row's time: they were (re)written with it. */
export function decodeRuleMemberships(plain: string, other: string, updatedAt: string): RuleMembership[] {
  const out: RuleMembership[] = []
  if (plain !== '') for (const groupId of plain.split(',')) out.push({ groupId, state: 'in', effective: true, missing: [], updatedAt })
  if (other !== '[]') {
    for (const [groupId, state, effective, missing, at] of JSON.parse(other) as OtherEntry[]) out.push({ groupId, state, effective: effective === 1, missing, updatedAt: at })
  }
  return out
}

interface Row {
  user_id: string
  plain: string
  other: string
  updated_at: string
}

export function ruleMembershipQueries(db: Db) {
  const one = db.prepare('SELECT plain, other, updated_at FROM rule_memberships WHERE user_id = ?')
  const put = db.prepare(`INSERT INTO rule_memberships (user_id, plain, other, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET plain = excluded.plain, other = excluded.other, updated_at = excluded.updated_at`)
  const insert = db.prepare('INSERT INTO rule_memberships (user_id, plain, other, updated_at) VALUES (?, ?, ?, ?)')
  const drop = db.prepare('DELETE FROM rule_memberships WHERE user_id = ?')
  // instr narrows the scan to rows naming the group; decoding then matches the id exactly.
  const naming = db.prepare('SELECT user_id, plain, other, updated_at FROM rule_memberships WHERE instr(plain, ?) > 0 OR instr(other, ?) > 0')
  const all = db.prepare('SELECT user_id, plain, other, updated_at FROM rule_memberships')
  const withOther = db.prepare(`SELECT user_id, plain, other, updated_at FROM rule_memberships WHERE other <> '[]'`)

  const rows = function* (rs: Iterable<Row>): Generator<[userId: string, list: RuleMembership[]]> {
    for (const r of rs) yield [r.user_id, decodeRuleMemberships(r.plain, r.other, r.updated_at)]
  }

  return {
    of(userId: string): RuleMembership[] {
      const r = one.get(userId) as Omit<Row, 'user_id'> | undefined
      return r ? decodeRuleMemberships(r.plain, r.other, r.updated_at) : []
    },
    /** Replaces a user's rule-group memberships with this list. */
    set(userId: string, list: readonly RuleMembership[], at: string): void {
      if (list.length === 0) {
        drop.run(userId)
        return
      }
      const { plain, other } = encodeRuleMemberships(list)
      put.run(userId, plain, other, at)
    },
    /** A user just inserted, who has no row yet. */
    insert(userId: string, list: readonly RuleMembership[], at: string): void {
      if (list.length === 0) return
      const { plain, other } = encodeRuleMemberships(list)
      insert.run(userId, plain, other, at)
    },
    /** Every user's membership of one group. */
    ofGroup(groupId: string): Map<string, RuleMembership> {
      const out = new Map<string, RuleMembership>()
      for (const [userId, list] of rows(naming.iterate(groupId, groupId) as Iterable<Row>)) {
        const m = list.find((x) => x.groupId === groupId)
        if (m) out.set(userId, m)
      }
      return out
    },
    /** Every user's effective rule groups. */
    effective(): Map<string, string[]> {
      const out = new Map<string, string[]>()
      for (const r of all.iterate() as Iterable<Row>) {
        const ids = r.plain === '' ? [] : r.plain.split(',')
        if (r.other !== '[]') for (const e of JSON.parse(r.other) as OtherEntry[]) if (e[2] === 1) ids.push(e[0])
        out.set(r.user_id, ids)
      }
      return out
    },
    /** Members (in) and unknowns of every rule group. */
    counts(): Map<string, { in: number; unknown: number }> {
      const out = new Map<string, { in: number; unknown: number }>()
      const count = (groupId: string, state: MembershipState) => {
        let c = out.get(groupId)
        if (!c) out.set(groupId, (c = { in: 0, unknown: 0 }))
        c[state]++
      }
      for (const r of all.iterate() as Iterable<Row>) {
        if (r.plain !== '') for (const id of r.plain.split(',')) count(id, 'in')
        if (r.other !== '[]') for (const e of JSON.parse(r.other) as OtherEntry[]) count(e[0], e[1])
      }
      return out
    },
    /** Users with a membership that is not plain (unknown, or in with an attribute missing). */
    notPlain: (): Iterable<[userId: string, list: RuleMembership[]]> => rows(withOther.iterate() as Iterable<Row>),
  }
}

export type RuleMembershipQueries = ReturnType<typeof ruleMembershipQueries>
