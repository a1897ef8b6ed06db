// `npm run bench -- rules`: how fast compiled rules evaluate (issue 3's performance goals).
// - rules.evals_per_s: 100,000 users × 500 rules across the three dialects, on one core;
// - rules.jit_all_rules_ms: one user through all 500 rules (the median over many users), which
//   is what a sign-in costs before policies are chosen;
// - rules.vs_celjs_ratio: our Google evaluator's throughput over @marcbachmann/cel-js's on the
//   same standard-CEL queries and users, measured side by side in this run.
// Users and rules are generated from a fixed seed, so runs compare.

import { parse as parseCel } from '@marcbachmann/cel-js'
import { performance } from 'node:perf_hooks'
import {
  type CompiledRule,
  GROUP_IDS,
  GROUP_NAMES,
  INTERNAL_STATUS,
  type RuleInput,
  compileRule,
} from '../src/main/rules'
import type { Dialect } from '../src/shared/domain'

interface Figure {
  name: string
  value: number
  unit: string
}

const USERS = 100_000
const RULES = 500
const NOW = new Date('2026-03-10T12:00:00Z')

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const next = random(42)
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T

const DEPARTMENTS = ['Sales', 'Marketing', 'Engineering', 'Finance', 'HR', 'Legal', 'Support', 'Operations']
const COUNTRIES = ['US', 'DE', 'GB', 'FR', 'NG', 'IN', 'BR', 'JP']
const CITIES = ['Lagos', 'Berlin', 'London', 'Paris', 'Austin', 'Pune', 'Osaka', 'Recife']
const TITLES = ['Engineer', 'Manager', 'Director', 'Analyst', 'SDE II', 'Account Executive']

/** One user object that every dialect's rules can read: flat attributes plus Google's nested fields. */
function user(i: number): RuleInput {
  const department = pick(DEPARTMENTS)
  return {
    department,
    country: pick(COUNTRIES),
    city: pick(CITIES),
    jobTitle: pick(TITLES),
    employeeId: next() < 0.9 ? `E${i}` : null,
    mail: `user${i}@contoso.com`,
    otherMails: next() < 0.5 ? [`alias${i}@contoso.com`] : [],
    proxyAddresses: [`SMTP:user${i}@contoso.com`, `smtp:u${i}@fabrikam.com`],
    accountEnabled: next() < 0.95,
    employeeHireDate: new Date(Date.UTC(2015 + Math.floor(next() * 12), Math.floor(next() * 12), 1)).toISOString(),
    level: Math.floor(next() * 10),
    hasBadge: next() < 0.7,
    [INTERNAL_STATUS]: next() < 0.9 ? 'ACTIVE' : 'SUSPENDED',
    [GROUP_NAMES]: [pick(DEPARTMENTS), 'Everyone'],
    [GROUP_IDS]: [`00g${Math.floor(next() * 50)}`],
    name: { value: `User ${i}`, given_name: `Given${i % 100}`, family_name: 'Family' },
    suspended: next() < 0.05,
    organizations: [{ department: department.toLowerCase(), title: pick(TITLES), primary: true, type: 1 }],
    locations: [{ area: pick(CITIES), building_id: `B${Math.floor(next() * 5)}`, type: 'desk' }],
  }
}

const ENTRA = [
  () => `user.department -eq "${pick(DEPARTMENTS)}"`,
  () => `user.department -eq "${pick(DEPARTMENTS)}" -and user.country -eq "${pick(COUNTRIES)}"`,
  () => `user.city -in ["${pick(CITIES)}", "${pick(CITIES)}", "${pick(CITIES)}"]`,
  () => `(user.department -eq "${pick(DEPARTMENTS)}") -and -not (user.jobTitle -startsWith "SDE")`,
  () => `user.mail -endsWith "@contoso.com" -and user.accountEnabled -eq true`,
  () => `user.proxyAddresses -any (_ -startsWith "smtp:u")`,
  () => `user.employeeId -ne null -and user.country -notIn ["${pick(COUNTRIES)}", "${pick(COUNTRIES)}"]`,
  () => `user.jobTitle -contains "${pick(['Eng', 'Man', 'Dir'])}" -or user.department -eq "${pick(DEPARTMENTS)}"`,
  () => `user.city -match "^${pick(CITIES).slice(0, 3)}"`,
  () => `user.employeeHireDate -ge system.now -minus p${1 + Math.floor(next() * 5)}y`,
]
const OKTA = [
  () => `user.department == "${pick(DEPARTMENTS)}"`,
  () => `user.department == "${pick(DEPARTMENTS)}" AND user.country == "${pick(COUNTRIES)}"`,
  () => `String.stringContains(user.mail, "@contoso") && user.level >= ${Math.floor(next() * 10)}`,
  () => `isMemberOfGroupName("${pick(DEPARTMENTS)}") OR isMemberOfAnyGroup("00g1", "00g2", "00g3")`,
  () => `user.getInternalProperty("status") == "ACTIVE" AND user.hasBadge`,
  () => `String.startsWith(user.jobTitle, "${pick(['Eng', 'Man', 'Dir'])}") || !(user.city == "${pick(CITIES)}")`,
  () => `Arrays.contains(user.otherMails, "alias7@contoso.com") OR user.level < 2`,
]
/** Standard CEL only, so @marcbachmann/cel-js evaluates the very same text. */
const GOOGLE = [
  () => `user.organizations.exists(org, org.department == '${pick(DEPARTMENTS).toLowerCase()}')`,
  () => `user.locations.exists(loc, loc.area == '${pick(CITIES)}' && loc.building_id == 'B${Math.floor(next() * 5)}')`,
  () => `user.name.given_name in ['Given1', 'Given2', 'Given${Math.floor(next() * 100)}']`,
  () => `!user.suspended && user.name.value.startsWith('User 1')`,
  () =>
    `user.organizations.exists(org, org.title.contains('${pick(['Eng', 'Man', 'Dir'])}')) || user.name.family_name == 'Other'`,
  () => `user.name.value.endsWith('${Math.floor(next() * 10)}') && user.organizations.all(org, org.primary == true)`,
  () => `user.name.value.matches('^User 9')`,
]

function compileAll(
  dialect: Dialect,
  templates: readonly (() => string)[],
  count: number,
): { rule: CompiledRule; text: string }[] {
  return Array.from({ length: count }, () => {
    const text = pick(templates)()
    const compiled = compileRule(dialect, text)
    if (!compiled.ok) throw new Error(`Benchmark rule ${text} didn't compile: ${compiled.error.message}`)
    return { rule: compiled.rule, text }
  })
}

export async function rules(): Promise<Figure[]> {
  const users = Array.from({ length: USERS }, (_, i) => user(i))
  const perDialect = Math.floor(RULES / 3)
  const google = compileAll('google', GOOGLE, RULES - 2 * perDialect)
  const all = [...compileAll('entra', ENTRA, perDialect), ...compileAll('okta', OKTA, perDialect), ...google].map(
    r => r.rule,
  )

  // Warm up every closure before timing.
  for (const rule of all) for (let i = 0; i < 2_000; i++) rule.evaluate(users[i] as RuleInput, NOW)

  // Users in blocks that stay in the CPU cache while every rule runs over them, as a sync
  // re-evaluating changed users does; rule-by-rule over 100,000 users would mostly measure
  // memory latency.
  const BLOCK = 512
  let members = 0
  const started = performance.now()
  for (let from = 0; from < users.length; from += BLOCK) {
    const to = Math.min(users.length, from + BLOCK)
    for (const rule of all) {
      for (let i = from; i < to; i++) if (rule.evaluate(users[i] as RuleInput, NOW).result) members++
    }
  }
  const seconds = (performance.now() - started) / 1000
  const evalsPerSecond = (all.length * users.length) / seconds
  if (members === 0) throw new Error('No rule matched any user; the benchmark measures nothing')

  const times: number[] = []
  for (let u = 0; u < 5_000; u++) {
    const someone = users[(u * 7919) % users.length] as RuleInput
    const t0 = performance.now()
    for (const rule of all) rule.evaluate(someone, NOW)
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)

  return [
    { name: 'rules.evals_per_s', value: Math.round(evalsPerSecond), unit: 'evals/s' },
    { name: 'rules.jit_all_rules_ms', value: round(times[Math.floor(times.length / 2)] as number), unit: 'ms' },
    { name: 'rules.vs_celjs_ratio', value: round(versusCelJs(google, users.slice(0, 10_000))), unit: 'x' },
  ]
}

/** Same queries, same users, same loop; each side checked against the other so the race is fair. */
function versusCelJs(queries: { rule: CompiledRule; text: string }[], users: RuleInput[]): number {
  const cel = queries.map(({ text }) => parseCel(text))
  const contexts = users.map(u => ({ user: u }))
  for (let q = 0; q < queries.length; q++) {
    for (let i = 0; i < 200; i++) {
      const ours = (queries[q] as { rule: CompiledRule }).rule.evaluate(users[i] as RuleInput).result
      const theirs = (cel[q] as (c: object) => unknown)(contexts[i] as object)
      if (ours !== theirs)
        throw new Error(
          `Our evaluator and cel-js disagree on ${(queries[q] as { text: string }).text}: ${ours} vs ${String(theirs)}`,
        )
    }
  }
  let sink = 0
  const t0 = performance.now()
  for (const q of queries) for (const u of users) if (q.rule.evaluate(u).result) sink++
  const ours = performance.now() - t0
  const t1 = performance.now()
  for (const evaluate of cel) for (const c of contexts) if (evaluate(c) === true) sink--
  const theirs = performance.now() - t1
  if (sink !== 0) throw new Error('Our evaluator and cel-js counted different members')
  return theirs / ours
}

const round = (n: number): number => Math.round(n * 1000) / 1000
