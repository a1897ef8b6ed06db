// GROUP_RULE_FAIL raised, not only asked for: the user's attributes are there (nothing the rule
// reads is missing, else it is SYNC_ATTR_MISSING), but the rule does not decide the membership the
// way the admin can rely on. Three triggers:
// (a) idp-disagrees: the IdP's own evaluation of a rule group (the members it lists in an Entra or
//     Google dynamic group, or in an Okta rule's target group, as synced) disagrees with ours. JIT
//     Mapper trusts its own: it evaluates the same rule on the attributes it synced, the moment they
//     change, which is the point of the product; the IdP's listing lags ("typically within a few
//     hours … can take more than 24 hours", Entra manage-dynamic-group.md) and is only as fresh as
//     the last sync. A disagreement that lasts means the two read different values (an attribute
//     mapped from another property than the rule names) or evaluate differently, so it is shown
//     with the values compared. Okta lists members assigned by hand with the rule's (and keeps
//     them, connector.ts), so only "ours in, Okta's out" is a disagreement there.
// (b) evaluation-error: a clause could not be evaluated for the user (a type mismatch, a value too
//     long for a regular expression, an Okta evaluation error: rules' Evaluation.error) and the
//     user is out.
// (c) mixed-logic: the rule mixes AND and OR without parentheses, and the other grouping
//     (rules' regroupings) would give this user the other answer.
//
// Computed from the local store like every diagnostic, and only when the store's rule-fail
// revision moved (migration 11's triggers: rules, IdP listings, sync runs, user records): a page
// load or a count between two syncs costs one read of a counter.
import type { ClauseExplanation, Diagnostic, DirectoryKind } from '../../shared/domain'
import { type CompiledRule, compileRule, regroupings } from '../rules'
import type { Clock } from '../ports'
import type { RuleGroup, Store } from '../store'

/** What rules read for each user (the groups room's allInputs): attributes and synced groups. */
export type RuleInputs = (
  attributes: readonly string[],
) => Map<string, { userPrincipalName: string; directoryId: string | null; input: Readonly<Record<string, unknown>> }>

export type RuleFailTrigger = 'idp-disagrees' | 'evaluation-error' | 'mixed-logic'

const IDP_NAME: Record<DirectoryKind, string> = {
  entra: 'Entra ID',
  okta: 'Okta',
  google: 'Google Workspace',
  file: 'the directory file',
}

/** Up to three leaf clauses with this result, with the values compared: what decided the answer. */
export function decidingClauses(root: ClauseExplanation, result: boolean): string[] {
  const out: string[] = []
  const visit = (c: ClauseExplanation): void => {
    if (out.length >= 3) return
    if (c.children && c.children.length > 0) {
      for (const child of c.children) if (child.result === c.result || c.operator === 'not') visit(child)
      return
    }
    if (c.result !== result) return
    const actual = c.actual === undefined ? 'no value' : JSON.stringify(c.actual)
    out.push(`${c.text} is ${c.result} (the user has ${actual})`)
  }
  visit(root)
  return out
}

interface Candidate {
  group: RuleGroup
  rule: CompiledRule
  alternatives: { rule: CompiledRule; asRead: string; alternative: string }[]
  /** The IdP's listing, and whose it is; null when the IdP lists none for this group. */
  listing: { members: Set<string>; kind: DirectoryKind; assigned: boolean } | null
}

export function createRuleFailDetector({ store, clock, inputs }: { store: Store; clock: Clock; inputs: RuleInputs }): {
  list(): Diagnostic[]
} {
  let cached: { revision: number; list: Diagnostic[] } | null = null
  const compiled = new Map<string, CompiledRule | null>()
  const compile = (dialect: RuleGroup['dialect'], text: string): CompiledRule | null => {
    const key = `${dialect}\u0000${text}`
    if (!compiled.has(key)) {
      const c = compileRule(dialect, text)
      compiled.set(key, c.ok ? c.rule : null)
    }
    return compiled.get(key) ?? null
  }

  const candidates = (): Candidate[] => {
    const listings = store.idpRuleMembers.all()
    const synced = new Map<string, Set<string>>()
    /** Local ids of the groups a directory's syncs brought (they have an IdP id). */
    const fromIdp = (directoryId: string): Set<string> => {
      const known = synced.get(directoryId)
      if (known) return known
      const ids = new Set([...store.sync.groups(directoryId).values()].map(g => g.id))
      synced.set(directoryId, ids)
      return ids
    }
    const kinds = new Map(store.directories.list().map(d => [d.id, d.kind]))
    return store.groups.ruleGroups().flatMap(group => {
      const rule = compile(group.dialect, group.rule)
      if (!rule) return []
      const alternatives = regroupings(group.dialect, group.rule, rule.parsed.mixedLogic).flatMap(r => {
        const alt = compile(group.dialect, r.text)
        return alt ? [{ rule: alt, asRead: r.asRead, alternative: r.alternative }] : []
      })
      const kind = group.directoryId ? kinds.get(group.directoryId) : undefined
      const listed = listings.get(group.id)
      let listing: Candidate['listing'] = null
      if (listed && kind) listing = { members: listed.members, kind, assigned: false }
      // Okta's rule groups keep the members Okta lists (by hand and by the rule) as memberships;
      // a rule group made here for an Okta directory has no listing.
      else if (kind === 'okta' && fromIdp(group.directoryId as string).has(group.id))
        listing = { members: store.sync.directMembers(group.id), kind, assigned: true }
      return [{ group, rule, alternatives, listing }]
    })
  }

  const detect = (): Diagnostic[] => {
    const groups = candidates()
    if (groups.length === 0) return []
    const attributes = [
      ...new Set(groups.flatMap(c => [c.rule, ...c.alternatives.map(a => a.rule)]).flatMap(r => r.attributes)),
    ]
    const users = inputs(attributes)
    const now = clock.now()
    const at = now.toISOString()
    const out: Diagnostic[] = []
    const raise = (
      c: Candidate,
      userId: string,
      trigger: RuleFailTrigger,
      title: string,
      explanation: string,
      remediation: string,
    ) =>
      out.push({
        code: 'GROUP_RULE_FAIL',
        trigger,
        title,
        explanation,
        remediation,
        userId,
        groupId: c.group.id,
        ...(c.group.directoryId ? { directoryId: c.group.directoryId } : {}),
        detectedAt: at,
      })
    for (const c of groups) {
      const name = c.group.name
      for (const [userId, u] of users) {
        if (c.group.directoryId !== null && c.group.directoryId !== u.directoryId) continue
        const e = c.rule.evaluate(u.input, now)
        if (e.missing.length > 0) continue
        const upn = u.userPrincipalName
        const why = (result: boolean): string => {
          const x = c.rule.explain(u.input, now)
          const clauses = decidingClauses(x.root, result)
          const hints = x.hints.length > 0 ? ` ${x.hints.join(' ')}` : ''
          return clauses.length > 0 ? ` Deciding: ${clauses.join('; ')}.${hints}` : hints
        }
        if (c.listing) {
          const idp = IDP_NAME[c.listing.kind]
          const listed = c.listing.members.has(userId)
          if (listed && !e.result && !c.listing.assigned) {
            raise(
              c,
              userId,
              'idp-disagrees',
              `${idp} lists ${upn} in ${name}, but its rule leaves ${upn} out here`,
              `${idp}'s own evaluation of the rule of ${name} (as of the last sync) has ${upn} as a member; JIT Mapper's evaluation of the same rule on ${upn}'s synced attributes is false, so ${upn} does not get ${name}'s policies.${why(false)} JIT Mapper trusts its own evaluation: it reads the attributes it synced the moment they change, while ${idp} updates dynamic groups later (Entra: often hours). If this lasts past the next sync, ${idp} reads another value than the one synced (check the attribute mapping) or evaluates the rule differently.`,
              `Compare ${upn}'s attributes in ${idp} with the synced ones (attribute mapping), then Sync Now; if they agree, explain the membership ("why isn't this user in this group") and adjust the rule.`,
            )
          } else if (!listed && e.result) {
            raise(
              c,
              userId,
              'idp-disagrees',
              `${upn} is in ${name} here, but ${idp} does not list ${upn}`,
              `JIT Mapper's evaluation of the rule of ${name} puts ${upn} in the group and deploys its policies; ${idp}'s own listing (as of the last sync) does not have ${upn}.${why(true)} JIT Mapper trusts its own evaluation: it reads the attributes it synced the moment they change, while ${idp} updates its groups later (Entra: often hours${c.listing.kind === 'okta' ? '; Okta does not apply group rules to users who are not active, and removing a user from a rule group by hand makes the rule exclude them' : ''}). If this lasts past the next sync, the two read different values or evaluate the rule differently.`,
              `Check ${upn}'s attributes and status in ${idp} against the synced ones, then Sync Now; if ${upn} should not have ${name}'s policies, change the rule or the attributes.`,
            )
          }
        }
        if (!e.result && e.error) {
          const clause = c.group.rule.slice(e.error.span.start, e.error.span.end)
          raise(
            c,
            userId,
            'evaluation-error',
            `The rule of ${name} could not be evaluated for ${upn}`,
            `${clause} could not be evaluated for ${upn}: ${e.error.message}. The clause counts as false, so ${upn} is not in ${name}.`,
            e.error.kind === 'regex-limit'
              ? `Shorten ${e.error.attribute} in the directory or compare it without a regular expression, then Sync Now.`
              : `Map ${e.error.attribute} so it has the type the rule compares with (or change the rule's value to that type), then Sync Now.`,
          )
        }
        for (const a of c.alternatives) {
          const other = a.rule.evaluate(u.input, now)
          if (other.missing.length > 0 || other.result === e.result) continue
          raise(
            c,
            userId,
            'mixed-logic',
            `Whether ${upn} is in ${name} depends on how its rule's AND and OR group`,
            `The rule of ${name} mixes AND and OR without parentheses: ${a.asRead} reads as AND first, which ${e.result ? 'puts' : 'leaves'} ${upn} ${e.result ? 'in' : 'out'}; read as ${a.alternative} it would ${other.result ? 'put' : 'leave'} ${upn} ${other.result ? 'in' : 'out'}.${why(e.result)}`,
            'Add parentheses to the rule to say which grouping you mean (Groups → the group → Edit rule).',
          )
        }
      }
    }
    return out
  }

  return {
    list(): Diagnostic[] {
      const revision = store.idpRuleMembers.revision()
      if (cached?.revision !== revision) cached = { revision, list: detect() }
      return cached.list
    },
  }
}
