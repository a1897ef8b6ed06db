// Payload validation (every field gets its own message) and user-attribute variables.
// Profiles may write `{{user.mail}}`; the value is filled per device from its user's
// attributes, and a missing attribute is reported, never sent as an empty string.
import type { AttributeValue, Attributes, Platform } from '../../shared/domain'
import { PLATFORMS } from '../../shared/domain'
import { APP_INTENTS, PROFILE_TYPES, type PayloadDraft, type PolicyDraft } from '../../shared/policy'
import { restrictionDefinition, RESTRICTIONS } from './registry'

export interface FieldProblem {
  path: string
  message: string
}

export interface ValidationContext {
  appInInventory(platform: Platform, identifier: string): boolean
  anyPlatformHasApp(identifier: string): boolean
  groupExists(groupId: string): boolean
  /** Another policy already uses this name. */
  nameTaken(name: string, exceptId: string | undefined): boolean
}

const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g
const VARIABLE_NAME = /^user\.([A-Za-z_][A-Za-z0-9_.-]*)$/
const HOST = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/
const BUNDLE_ID = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/
const WIFI_SECURITY = ['none', 'WPA2', 'WPA3', 'WPA2-Enterprise', 'WPA3-Enterprise']
const VPN_TYPES = ['IKEv2', 'IPSec', 'WireGuard', 'SSL']
const EMAIL_TYPES = ['exchange', 'imap']

const hasVariable = (s: string): boolean => /\{\{/.test(s)

/** The variable names a string uses, and the problems with any that are not `{{user.<attribute>}}`. */
export function variablesIn(text: string): { names: string[]; problems: string[] } {
  const names: string[] = []
  const problems: string[] = []
  for (const m of text.matchAll(VARIABLE)) {
    const inner = m[1] ?? ''
    const name = VARIABLE_NAME.exec(inner)?.[1]
    if (name) names.push(name)
    else problems.push(`"${m[0]}" is not a variable we know; write {{user.<attribute>}}, e.g. {{user.mail}}`)
  }
  if (names.length === 0 && problems.length === 0 && /\{\{|\}\}/.test(text))
    problems.push('has an unclosed {{ … }} variable')
  return { names, problems }
}

const strings = (value: unknown, path: string): { path: string; text: string }[] => {
  if (typeof value === 'string') return [{ path, text: value }]
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}.${i}`))
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k))
  return []
}

/** Every variable a payload's settings use (attribute names). */
export const payloadVariables = (settings: Record<string, unknown>): string[] => [
  ...new Set(strings(settings, '').flatMap(s => variablesIn(s.text).names)),
]

const lookup = (attrs: Attributes, name: string): AttributeValue | undefined => {
  if (name in attrs) return attrs[name]
  const lower = name.toLowerCase()
  const key = Object.keys(attrs).find(k => k.toLowerCase() === lower)
  return key === undefined ? undefined : attrs[key]
}

const fill = (value: AttributeValue | undefined): string | null => {
  if (value === undefined || value === null || value === '') return null
  if (Array.isArray(value)) return value.length === 0 ? null : value.join(',')
  return String(value)
}

/** Fills `{{user.x}}` from the user's attributes; names every variable the user cannot fill. */
export function resolveVariables(
  settings: Record<string, unknown>,
  attrs: Attributes,
): { value: Record<string, unknown>; missing: string[] } {
  const missing = new Set<string>()
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return hasVariable(v)
        ? v.replace(VARIABLE, (whole, inner: string) => {
            const name = VARIABLE_NAME.exec(inner)?.[1]
            const filled = name === undefined ? null : fill(lookup(attrs, name))
            if (filled === null) {
              missing.add(name ?? inner)
              return whole
            }
            return filled
          })
        : v
    }
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return { value: walk(settings) as Record<string, unknown>, missing: [...missing] }
}

// --- validation -------------------------------------------------------------------------

type Check = (path: string, message: string) => void

const oneOf = (v: unknown, options: readonly string[]): v is string => typeof v === 'string' && options.includes(v)

function text(
  settings: Record<string, unknown>,
  key: string,
  base: string,
  problem: Check,
  opts: { required?: boolean; min?: number; max?: number; variables?: boolean } = {},
): string | undefined {
  const v = settings[key]
  if (v === undefined || v === '') {
    if (opts.required) problem(`${base}.${key}`, 'is required')
    return undefined
  }
  if (typeof v !== 'string') {
    problem(`${base}.${key}`, 'must be text')
    return undefined
  }
  if (opts.min !== undefined && v.length < opts.min && !hasVariable(v))
    problem(`${base}.${key}`, `must be at least ${opts.min} characters`)
  if (opts.max !== undefined && v.length > opts.max) problem(`${base}.${key}`, `must be at most ${opts.max} characters`)
  return v
}

function bool(settings: Record<string, unknown>, key: string, base: string, problem: Check): void {
  const v = settings[key]
  if (v !== undefined && typeof v !== 'boolean') problem(`${base}.${key}`, 'must be true or false')
}

function validateProfile(item: PayloadDraft, base: string, ctx: ValidationContext, problem: Check): void {
  const s = item.settings
  const type = s['type']
  if (!oneOf(type, PROFILE_TYPES)) {
    problem(`${base}.type`, `must be one of ${PROFILE_TYPES.join(', ')}`)
    return
  }
  const allowed: Record<string, string[]> = {
    wifi: ['type', 'ssid', 'security', 'password', 'username', 'autoJoin', 'hidden'],
    vpn: ['type', 'vpnType', 'server', 'account', 'perApp', 'apps', 'onDemand'],
    email: ['type', 'accountType', 'emailAddress', 'username', 'host', 'useSSL'],
  }
  const known = allowed[type]
  if (known)
    for (const k of Object.keys(s))
      if (!known.includes(k))
        problem(`${base}.${k}`, `is not a ${type} setting; known settings: ${known.slice(1).join(', ')}`)
  if (type === 'wifi') {
    text(s, 'ssid', base, problem, { required: true, min: 1, max: 32 })
    const security = s['security']
    if (!oneOf(security, WIFI_SECURITY)) problem(`${base}.security`, `must be one of ${WIFI_SECURITY.join(', ')}`)
    const personal = security === 'WPA2' || security === 'WPA3'
    const password = text(s, 'password', base, problem, { required: personal, min: 8, max: 63 })
    if (security === 'none' && password !== undefined) problem(`${base}.password`, 'must be empty for an open network')
    if (typeof security === 'string' && security.endsWith('Enterprise'))
      text(s, 'username', base, problem, { required: true })
    bool(s, 'autoJoin', base, problem)
    bool(s, 'hidden', base, problem)
  } else if (type === 'vpn') {
    if (!oneOf(s['vpnType'], VPN_TYPES)) problem(`${base}.vpnType`, `must be one of ${VPN_TYPES.join(', ')}`)
    const server = text(s, 'server', base, problem, { required: true })
    if (server !== undefined && !hasVariable(server) && !HOST.test(server))
      problem(`${base}.server`, `"${server}" is not a host name (e.g. vpn.example.com)`)
    text(s, 'account', base, problem)
    bool(s, 'perApp', base, problem)
    bool(s, 'onDemand', base, problem)
    const apps = s['apps']
    if (apps !== undefined && (!Array.isArray(apps) || apps.some(a => typeof a !== 'string')))
      problem(`${base}.apps`, 'must be a list of app identifiers')
    else if (s['perApp'] === true && (!Array.isArray(apps) || apps.length === 0))
      problem(`${base}.apps`, 'a per-app VPN needs at least one app')
    else if (Array.isArray(apps)) {
      apps.forEach((a, i) => {
        if (typeof a === 'string' && !ctx.anyPlatformHasApp(a))
          problem(`${base}.apps.${i}`, `${a} is not in the app inventory`)
      })
      if (s['perApp'] !== true && apps.length > 0)
        problem(`${base}.apps`, 'apps are only used by a per-app VPN; set perApp to true')
    }
  } else if (type === 'email') {
    if (!oneOf(s['accountType'], EMAIL_TYPES))
      problem(`${base}.accountType`, `must be one of ${EMAIL_TYPES.join(', ')}`)
    const address = text(s, 'emailAddress', base, problem, { required: true })
    if (address !== undefined && !hasVariable(address) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) {
      problem(`${base}.emailAddress`, `"${address}" is not an email address; use {{user.mail}} to fill it per user`)
    }
    const host = text(s, 'host', base, problem, { required: true })
    if (host !== undefined && !hasVariable(host) && !HOST.test(host))
      problem(`${base}.host`, `"${host}" is not a host name (e.g. outlook.office365.com)`)
    text(s, 'username', base, problem)
    bool(s, 'useSSL', base, problem)
  } else if (Object.keys(s).length < 2) {
    problem(`${base}.settings`, 'a custom profile needs at least one setting')
  }
  for (const { path, text: t } of strings(s, base)) for (const p of variablesIn(t).problems) problem(path, p)
}

function validateRestriction(item: PayloadDraft, base: string, platforms: readonly Platform[], problem: Check): void {
  const def = restrictionDefinition(item.identifier)
  if (!def) {
    problem(
      `${base}.identifier`,
      `"${item.identifier}" is not a known restriction; known: ${RESTRICTIONS.map(r => r.key).join(', ')}`,
    )
    return
  }
  const extra = Object.keys(item.settings).filter(k => k !== 'value')
  for (const k of extra) problem(`${base}.settings.${k}`, 'a restriction has only a value')
  const v = item.settings['value']
  const path = `${base}.settings.value`
  if (def.type === 'boolean' && typeof v !== 'boolean') problem(path, `${def.name} must be true or false`)
  if (def.type === 'integer') {
    if (typeof v !== 'number' || !Number.isInteger(v)) problem(path, `${def.name} must be a whole number`)
    else if ((def.min !== undefined && v < def.min) || (def.max !== undefined && v > def.max))
      problem(path, `${def.name} must be between ${def.min} and ${def.max}`)
  }
  if (def.type === 'enum' && !oneOf(v, def.options ?? []))
    problem(path, `${def.name} must be one of ${(def.options ?? []).join(', ')}`)
  const on = item.platform ? [item.platform] : platforms
  const unsupported = on.filter(p => !def.platforms.includes(p))
  if (unsupported.length > 0) {
    problem(
      `${base}.platform`,
      `${def.name} is not available on ${unsupported.join(', ')}; set the item's platform to ${def.platforms.join(' or ')}`,
    )
  }
}

function validateApp(item: PayloadDraft, base: string, ctx: ValidationContext, problem: Check): void {
  if (item.platform === null) {
    problem(
      `${base}.platform`,
      'an app is for one platform: choose iOS, macOS or Android (its bundle or package id differs per platform)',
    )
  } else if (!BUNDLE_ID.test(item.identifier)) {
    problem(`${base}.identifier`, `"${item.identifier}" is not a bundle or package id (e.g. com.example.app)`)
  } else if (!ctx.appInInventory(item.platform, item.identifier)) {
    problem(
      `${base}.identifier`,
      `${item.identifier} is not in the app inventory for ${item.platform}; add it to the inventory first`,
    )
  }
  const intent = item.settings['intent']
  if (!oneOf(intent, APP_INTENTS)) problem(`${base}.settings.intent`, `must be ${APP_INTENTS.join(' or ')}`)
  for (const k of Object.keys(item.settings))
    if (k !== 'intent') problem(`${base}.settings.${k}`, 'an app assignment has only an intent')
}

/** Every problem with a policy draft, each with the field it is about. Empty when it can be saved. */
export function validatePolicy(draft: PolicyDraft, ctx: ValidationContext): FieldProblem[] {
  const problems: FieldProblem[] = []
  const problem: Check = (path, message) => problems.push({ path, message })
  const name = draft.name.trim()
  if (name === '') problem('name', 'is required')
  else if (ctx.nameTaken(name, draft.id)) problem('name', `another policy is already called ${name}`)
  if (!Number.isInteger(draft.priority) || draft.priority < 0 || draft.priority > 1000)
    problem('priority', 'must be a whole number from 0 to 1000')
  if (draft.platforms.length === 0) problem('platforms', 'choose at least one platform')
  for (const p of draft.platforms) if (!PLATFORMS.includes(p)) problem('platforms', `${String(p)} is not a platform`)
  const keys = new Map<string, number>()
  draft.items.forEach((item, i) => {
    const base = `items.${i}`
    if (item.name.trim() === '') problem(`${base}.name`, 'is required')
    if (item.identifier.trim() === '') {
      problem(`${base}.identifier`, 'is required')
      return
    }
    if (item.platform !== null && !draft.platforms.includes(item.platform))
      problem(`${base}.platform`, `the policy does not target ${item.platform}`)
    if (item.kind !== 'app' && item.removeOnUnassign)
      problem(`${base}.removeOnUnassign`, '"Remove app when policy is removed" applies to apps only')
    const key = `${item.kind}:${item.identifier}:${item.platform ?? '*'}`
    const twin = keys.get(key)
    if (twin !== undefined)
      problem(`${base}.identifier`, `duplicates item ${twin + 1} (${item.kind} ${item.identifier})`)
    keys.set(key, i)
    if (item.kind === 'app') validateApp(item, base, ctx, problem)
    else if (item.kind === 'profile') validateProfile(item, `${base}.settings`, ctx, problem)
    else validateRestriction(item, base, draft.platforms, problem)
    if (item.kind !== 'profile')
      for (const { path, text: t } of strings(item.settings, `${base}.settings`))
        if (hasVariable(t)) problem(path, 'variables can be used in profile settings only')
  })
  const targets = new Set<string>()
  draft.targets.forEach((t, i) => {
    if (!ctx.groupExists(t.groupId)) problem(`targets.${i}.groupId`, `no group with id ${t.groupId}`)
    if (targets.has(t.groupId))
      problem(`targets.${i}.groupId`, 'the group is targeted twice; a group is either included or excluded')
    targets.add(t.groupId)
  })
  return problems
}
