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

/** A user's row (the caller knows the user has none yet). */
export const INSERT_RULE_MEMBERSHIPS =
  'INSERT INTO rule_memberships (user_id, plain, other, updated_at) VALUES (?, ?, ?, ?)'

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
  if (plain !== '')
    for (const groupId of plain.split(',')) out.push({ groupId, state: 'in', effective: true, missing: [], updatedAt })
  if (other !== '[]') {
    for (const [groupId, state, effective, missing, at] of JSON.parse(other) as OtherEntry[])
      out.push({ groupId, state, effective: effective === 1, missing, updatedAt: at })
  }
  return out
}

export function ruleMembershipQueries(db: Db) {
  const one = db.prepare('SELECT plain, other, updated_at FROM rule_memberships WHERE user_id = ?')
  const put = db.prepare(`INSERT INTO rule_memberships (user_id, plain, other, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET plain = excluded.plain, other = excluded.other, updated_at = excluded.updated_at`)
  const insert = db.prepare(INSERT_RULE_MEMBERSHIPS)
  const drop = db.prepare('DELETE FROM rule_memberships WHERE user_id = ?')
  // instr narrows the scan to rows naming the group; decoding then matches the id exactly. Bulk
  // reads return rows as arrays (raw): at 100,000 users, keyed row objects were most of the cost.
  const naming = db
    .prepare(
      'SELECT user_id, plain, other, updated_at FROM rule_memberships WHERE instr(plain, ?) > 0 OR instr(other, ?) > 0',
    )
    .raw(true)
  const all = db.prepare('SELECT user_id, plain, other FROM rule_memberships').raw(true)
  const withOther = db
    .prepare(`SELECT user_id, plain, other, updated_at FROM rule_memberships WHERE other <> '[]'`)
    .raw(true)

  return {
    of(userId: string): RuleMembership[] {
      const r = one.get(userId) as { plain: string; other: string; updated_at: string } | undefined
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
      for (const [userId, plain, other, updatedAt] of naming.all(groupId, groupId) as [
        string,
        string,
        string,
        string,
      ][]) {
        if (plain.split(',').includes(groupId))
          out.set(userId, { groupId, state: 'in', effective: true, missing: [], updatedAt })
        else if (other !== '[]') {
          const e = (JSON.parse(other) as OtherEntry[]).find(x => x[0] === groupId)
          if (e) out.set(userId, { groupId, state: e[1], effective: e[2] === 1, missing: e[3], updatedAt: e[4] })
        }
      }
      return out
    },
    /** Every user's effective rule groups. */
    effective(): Map<string, string[]> {
      const out = new Map<string, string[]>()
      for (const [userId, plain, other] of all.all() as [string, string, string][]) {
        const ids = plain === '' ? [] : plain.split(',')
        if (other !== '[]') for (const e of JSON.parse(other) as OtherEntry[]) if (e[2] === 1) ids.push(e[0])
        out.set(userId, ids)
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
      for (const [, plain, other] of all.all() as [string, string, string][]) {
        if (plain !== '') for (const id of plain.split(',')) count(id, 'in')
        if (other !== '[]') for (const e of JSON.parse(other) as OtherEntry[]) count(e[0], e[1])
      }
      return out
    },
    /** Users with a membership that is not plain (unknown, or in with an attribute missing). */
    notPlain: (): [userId: string, list: RuleMembership[]][] =>
      (withOther.all() as [string, string, string, string][]).map(([userId, plain, other, updatedAt]) => [
        userId,
        decodeRuleMemberships(plain, other, updatedAt),
      ]),
  }
}
