// Payload validation (every field gets its own message) and user-attribute variables.
// Profiles may write `{{user.mail}}`; the value is filled per device from its user's
// attributes, and a missing attribute is reported, never sent as an empty string.
import type { AttributeValue, Attributes, Platform } from '../../shared/domain'
import { PLATFORMS } from '../../shared/domain'
import {
  APP_INTENTS,
  MACOS_APPS,
  PROFILE_TYPES,
  type PayloadDraft,
  type PolicyDraft,
  type ProfileType,
} from '../../shared/policy'
import {
  type ApplePlatform,
  hasSchema,
  isApplePlatform,
  itemProfile,
  PLATFORM_NAME,
  payloadTypes,
  restrictionProfile,
  WIFI_EAP_TYPES,
} from './apple'
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
/** networkusagerules AppIdentifierMatches: a bundle id, or a prefix with one trailing `.*` (Apple's schema). */
const APP_MATCH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*|(\.[A-Za-z0-9_-]+))$/
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

/** The settings each profile type takes (besides `type`); `supervised` confirms supervised-only keys. */
const PROFILE_FIELDS: Record<Exclude<ProfileType, 'custom'>, string[]> = {
  wifi: [
    'ssid',
    'security',
    'password',
    'username',
    'eapType',
    'caCertificate',
    'identityPkcs12',
    'identityPassword',
    'autoJoin',
    'hidden',
  ],
  vpn: [
    'vpnType',
    'server',
    'account',
    'password',
    'authentication',
    'sharedSecret',
    'remoteIdentifier',
    'localIdentifier',
    'caCertificate',
    'identityPkcs12',
    'identityPassword',
    'perApp',
    'apps',
    MACOS_APPS,
    'onDemand',
    // Android Enterprise: the always-on VPN app (package name) and whether it blocks traffic while down.
    'androidApp',
    'lockdown',
  ],
  email: ['accountType', 'emailAddress', 'username', 'password', 'host', 'outgoingHost', 'useSSL'],
  cellular: ['apps', 'allowCellularData', 'allowRoamingCellularData'],
}
const VPN_AUTH = ['sharedSecret', 'certificate', 'password']
/** Profile types that are Apple payloads only: Android cannot take them. */
const APPLE_ONLY: Partial<Record<ProfileType, string>> = {
  cellular: 'Cellular data rules are an iOS payload (com.apple.networkusagerules)',
  custom: "A custom profile is an Apple payload written with Apple's keys",
}

/** The Apple platforms an item reaches: its own platform, else the policy's. */
const applePlatforms = (item: PayloadDraft, platforms: readonly Platform[]): ApplePlatform[] =>
  (item.platform ? [item.platform] : platforms).filter(isApplePlatform)

/**
 * Renders the item for each Apple platform it reaches and reports what Apple's schema refuses, on
 * our field (`base.<setting>`), naming the platforms; one problem per field and message.
 */
function checkAgainstApple(
  problems: Map<string, string[]>,
  base: string,
  problem: Check,
  taken: ReadonlySet<string>,
): void {
  for (const [key, on] of problems) {
    const [path, message] = JSON.parse(key) as [string, string]
    if (taken.has(path)) continue
    problem(path || base, `${message} (on ${on.join(' and ')})`)
  }
}

function collect(into: Map<string, string[]>, path: string, message: string, platform: ApplePlatform): void {
  const key = JSON.stringify([path, message])
  const list = into.get(key)
  if (list) {
    if (!list.includes(PLATFORM_NAME[platform])) list.push(PLATFORM_NAME[platform])
  } else into.set(key, [PLATFORM_NAME[platform]])
}

function validateProfile(
  item: PayloadDraft,
  base: string,
  platforms: readonly Platform[],
  ctx: ValidationContext,
  problem: Check,
): void {
  const s = item.settings
  if (!oneOf(s['type'], PROFILE_TYPES)) {
    problem(`${base}.type`, `must be one of ${PROFILE_TYPES.join(', ')}`)
    return
  }
  const type = s['type'] as ProfileType
  const taken = new Set<string>()
  const mark: Check = (path, message) => {
    taken.add(path)
    problem(path, message)
  }
  const appleOnly = APPLE_ONLY[type]
  const reach = item.platform ? [item.platform] : platforms
  if (appleOnly && reach.includes('android'))
    mark(
      item.platform ? base.replace(/\.settings$/, '.platform') : `${base}.type`,
      `${appleOnly}; Android devices can't take it: set the item's platform to iOS or macOS`,
    )
  if (type !== 'custom') {
    const known = PROFILE_FIELDS[type]
    for (const k of Object.keys(s))
      if (k !== 'type' && k !== 'supervised' && !known.includes(k))
        mark(`${base}.${k}`, `is not a ${type} setting; known settings: ${known.join(', ')}`)
  }
  bool(s, 'supervised', base, mark)
  if (type === 'wifi') {
    text(s, 'ssid', base, mark, { required: true, min: 1, max: 32 })
    const security = s['security']
    if (!oneOf(security, WIFI_SECURITY)) mark(`${base}.security`, `must be one of ${WIFI_SECURITY.join(', ')}`)
    const personal = security === 'WPA2' || security === 'WPA3'
    const password = text(s, 'password', base, mark, { required: personal, min: personal ? 8 : 0, max: 63 })
    if (security === 'none' && password !== undefined) mark(`${base}.password`, 'must be empty for an open network')
    const enterprise = typeof security === 'string' && security.endsWith('Enterprise')
    if (enterprise) {
      text(s, 'username', base, mark, { required: true })
      if (s['eapType'] !== undefined && !oneOf(s['eapType'], WIFI_EAP_TYPES))
        mark(`${base}.eapType`, `must be one of ${WIFI_EAP_TYPES.join(', ')}`)
    } else
      for (const k of ['eapType', 'caCertificate', 'identityPkcs12', 'identityPassword'])
        if (s[k] !== undefined) mark(`${base}.${k}`, 'is for WPA2/WPA3-Enterprise networks only')
    bool(s, 'autoJoin', base, mark)
    bool(s, 'hidden', base, mark)
  } else if (type === 'vpn') {
    if (!oneOf(s['vpnType'], VPN_TYPES)) mark(`${base}.vpnType`, `must be one of ${VPN_TYPES.join(', ')}`)
    const server = text(s, 'server', base, mark, { required: true })
    if (server !== undefined && !hasVariable(server) && !HOST.test(server))
      mark(`${base}.server`, `"${server}" is not a host name (e.g. vpn.example.com)`)
    text(s, 'account', base, mark)
    if (s['authentication'] !== undefined && !oneOf(s['authentication'], VPN_AUTH))
      mark(`${base}.authentication`, `must be one of ${VPN_AUTH.join(', ')}`)
    if ((s['authentication'] ?? 'sharedSecret') === 'sharedSecret' && s['identityPkcs12'] === undefined)
      text(s, 'sharedSecret', base, mark, { required: true })
    if (s['authentication'] === 'password') text(s, 'account', base, mark, { required: true })
    bool(s, 'perApp', base, mark)
    bool(s, 'onDemand', base, mark)
    bool(s, 'lockdown', base, mark)
    const androidApp = text(s, 'androidApp', base, mark)
    if (androidApp !== undefined && !BUNDLE_ID.test(androidApp))
      mark(`${base}.androidApp`, `"${androidApp}" is not a package name (e.g. com.example.vpn)`)
    const apps = s['apps']
    if (apps !== undefined && (!Array.isArray(apps) || apps.some(a => typeof a !== 'string')))
      mark(`${base}.apps`, 'must be a list of app identifiers')
    else if (s['perApp'] === true && (!Array.isArray(apps) || apps.length === 0))
      mark(`${base}.apps`, 'a per-app VPN needs at least one app')
    else if (Array.isArray(apps)) {
      apps.forEach((a, i) => {
        if (typeof a === 'string' && !ctx.anyPlatformHasApp(a))
          mark(`${base}.apps.${i}`, `${a} is not in the app inventory`)
      })
      if (s['perApp'] !== true && apps.length > 0)
        mark(`${base}.apps`, 'apps are only used by a per-app VPN; set perApp to true')
    }
    macAppSignatures(s, base, item.platform ? [item.platform] : platforms, mark)
  } else if (type === 'email') {
    if (!oneOf(s['accountType'], EMAIL_TYPES)) mark(`${base}.accountType`, `must be one of ${EMAIL_TYPES.join(', ')}`)
    const address = text(s, 'emailAddress', base, mark, { required: true })
    if (address !== undefined && !hasVariable(address) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) {
      mark(`${base}.emailAddress`, `"${address}" is not an email address; use {{user.mail}} to fill it per user`)
    }
    const host = text(s, 'host', base, mark, { required: true })
    if (host !== undefined && !hasVariable(host) && !HOST.test(host))
      mark(`${base}.host`, `"${host}" is not a host name (e.g. outlook.office365.com)`)
    const imap = s['accountType'] === 'imap'
    const outgoing = text(s, 'outgoingHost', base, mark, { required: imap })
    if (!imap && outgoing !== undefined) mark(`${base}.outgoingHost`, 'is for IMAP accounts (Exchange has one host)')
    else if (outgoing !== undefined && !hasVariable(outgoing) && !HOST.test(outgoing))
      mark(`${base}.outgoingHost`, `"${outgoing}" is not a host name (e.g. smtp.example.com)`)
    text(s, 'username', base, mark)
    text(s, 'password', base, mark)
    bool(s, 'useSSL', base, mark)
  } else if (type === 'cellular') {
    const apps = s['apps']
    if (apps !== undefined && (!Array.isArray(apps) || apps.some(a => typeof a !== 'string' || !APP_MATCH.test(a))))
      mark(
        `${base}.apps`,
        'must be a list of bundle ids, or prefixes ending in .* (e.g. com.example.*); empty means every managed app',
      )
    bool(s, 'allowCellularData', base, mark)
    bool(s, 'allowRoamingCellularData', base, mark)
    if (s['allowCellularData'] === undefined && s['allowRoamingCellularData'] === undefined)
      mark(`${base}.allowCellularData`, 'set cellular data or roaming data (or both) to off or on')
  } else if (typeof s['payloadType'] !== 'string' || !hasSchema(s['payloadType'])) {
    mark(`${base}.payloadType`, `must be an Apple payload type we have the schema of: ${payloadTypes().join(', ')}`)
  }
  for (const { path, text: t } of strings(s, base)) for (const p of variablesIn(t).problems) mark(path, p)
  const apple = applePlatforms(item, platforms)
  if (apple.length === 0 || taken.has(`${base}.payloadType`)) return
  const found = new Map<string, string[]>()
  for (const platform of apple) {
    const { problems } = itemProfile(item, { platform }, s['supervised'] === true)
    for (const p of problems) collect(found, p.field ? `${base}.${p.field}` : base, p.message, platform)
  }
  checkAgainstApple(found, base, problem, taken)
}

/** The two code-signature facts a Mac needs of each per-app VPN app (com.apple.vpn.managed.appmapping). */
const MAC_SIGNATURE: Record<string, string> = {
  designatedRequirement: 'its designated requirement (codesign -d -r- <app> prints it)',
  signingIdentifier: 'its signing identifier (the Identifier= line of codesign -dv <app>)',
}

/**
 * A per-app VPN reaching macOS needs every app's code signature in `macosApps`
 * ([{identifier, designatedRequirement, signingIdentifier}], render.ts macAppMapping); the
 * setting exists for macOS only and names the VPN's own apps only, each once.
 */
function macAppSignatures(s: Record<string, unknown>, base: string, reach: readonly Platform[], mark: Check): void {
  const path = `${base}.${MACOS_APPS}`
  const raw = s[MACOS_APPS]
  if (raw !== undefined && !Array.isArray(raw))
    mark(path, 'must be a list of {identifier, designatedRequirement, signingIdentifier}, one per app')
  const given = Array.isArray(raw) ? raw : []
  const apps = Array.isArray(s['apps']) ? s['apps'].filter((a): a is string => typeof a === 'string') : []
  if (!reach.includes('macos')) {
    if (raw !== undefined)
      mark(path, "is for macOS only (a per-app VPN's app signatures); the item does not reach macOS")
    return
  }
  const perApp = s['perApp'] === true
  const seen = new Set<string>()
  given.forEach((entry, j) => {
    const at = `${path}.${j}`
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      mark(at, 'must have an identifier, a designatedRequirement and a signingIdentifier')
      return
    }
    const e = entry as Record<string, unknown>
    for (const k of Object.keys(e))
      if (k !== 'identifier' && !(k in MAC_SIGNATURE))
        mark(`${at}.${k}`, 'is not a code-signature setting (identifier, designatedRequirement, signingIdentifier)')
    const app = e['identifier']
    if (typeof app !== 'string' || !perApp || !apps.includes(app)) {
      mark(`${at}.identifier`, `${String(app)} is not one of the apps using this per-app VPN; remove its signature`)
      return
    }
    if (seen.has(app)) {
      mark(`${at}.identifier`, `${app} has a signature already`)
      return
    }
    seen.add(app)
    for (const [k, what] of Object.entries(MAC_SIGNATURE)) {
      const v = e[k]
      if (v !== undefined && typeof v !== 'string') mark(`${at}.${k}`, 'must be text')
      else if ((v ?? '').trim() === '')
        mark(`${at}.${k}`, `is required: a Mac maps ${app} to the per-app VPN by ${what}`)
    }
  })
  if (!perApp) return
  apps.forEach((app, i) => {
    if (!seen.has(app))
      mark(
        `${base}.apps.${i}`,
        `a Mac maps ${app} to the per-app VPN by its code signature: give its designated requirement and signing identifier`,
      )
  })
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
  const extra = Object.keys(item.settings).filter(k => k !== 'value' && k !== 'supervised')
  for (const k of extra) problem(`${base}.settings.${k}`, 'a restriction has only a value (and supervised)')
  const v = item.settings['value']
  const path = `${base}.settings.value`
  let valid = true
  const bad = (message: string) => {
    valid = false
    problem(path, message)
  }
  if (def.type === 'boolean' && typeof v !== 'boolean') bad(`${def.name} must be true or false`)
  if (def.type === 'integer') {
    if (typeof v !== 'number' || !Number.isInteger(v)) bad(`${def.name} must be a whole number`)
    else if ((def.min !== undefined && v < def.min) || (def.max !== undefined && v > def.max))
      bad(`${def.name} must be between ${def.min} and ${def.max}`)
  }
  if (def.type === 'enum' && !oneOf(v, def.options ?? []))
    bad(`${def.name} must be one of ${(def.options ?? []).join(', ')}`)
  const on = item.platform ? [item.platform] : platforms
  const unsupported = on.filter(p => !def.platforms.includes(p))
  if (unsupported.length > 0) {
    problem(
      `${base}.platform`,
      `${def.name} is not available on ${unsupported.join(', ')}; set the item's platform to ${def.platforms.join(' or ')}`,
    )
    return
  }
  const supervisedOk = item.settings['supervised'] === true
  if (item.settings['supervised'] !== undefined && typeof item.settings['supervised'] !== 'boolean')
    problem(`${base}.settings.supervised`, 'must be true or false')
  const needs = on.filter(p => def.supervised?.includes(p))
  if (needs.length > 0 && !supervisedOk)
    problem(
      `${base}.settings.supervised`,
      `${def.name} works only on supervised ${needs.map(p => (isApplePlatform(p) ? PLATFORM_NAME[p] : p)).join(', ')} devices: confirm that this policy is for supervised devices (supervised: true)`,
    )
  if (!valid) return
  // The restriction as Apple payloads on each Apple platform, checked against Apple's schema.
  const found = new Map<string, string[]>()
  const apple = on.filter(isApplePlatform)
  for (const platform of apple)
    for (const p of restrictionProfile({ [def.key]: v }, { platform }, supervisedOk).problems)
      collect(found, path, p.message, platform)
  checkAgainstApple(found, path, problem, new Set())
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
    else if (item.kind === 'profile') validateProfile(item, `${base}.settings`, draft.platforms, ctx, problem)
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
