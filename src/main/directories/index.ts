// The directories room: where users, attributes and groups come from — the IdP connectors
// (Entra ID, Okta, Google Workspace, a file), the sync engine, attribute mapping, the JIT
// single-user fetch and the sync schedule. Credentials live behind the secrets port only.
import { z } from 'zod'
import type {
  AttributeMapping,
  DirectoryKind,
  DirectorySummary,
  MappingCoverage,
  SyncProgress,
} from '../../shared/domain'
import { AppError, errorMessage } from '../../shared/errors'
import type { GroupService } from '../groups'
import {
  realSleep,
  silentLog,
  systemHttp,
  type Clock,
  type Faults,
  type HttpPort,
  type IdSource,
  type Log,
  type Secrets,
  type Sleep,
} from '../ports'
import type { Store } from '../store'
import type { Connector } from './connector'
import { createEntraConnector } from './entra'
import { createSyncEngine } from './engine'
import { parseUserFile } from './file'
import { createFileConnector } from './file-connector'
import { createGoogleConnector } from './google'
import { createIdpHttp, type IdpHttpOptions } from './http'
import { DEFAULT_MAPPINGS, validateMapping } from './mapping'
import { createOktaConnector, oktaOrgUrlProblem } from './okta'
import { importUsers } from './import-users'
import { DEFAULT_REMOVAL_LIMITS, type RemovalLimits } from './removal-guard'

export { parseUserFile, type DirectoryUserRecord, type FileImportError } from './file'
export type { AttributeSource, ConnectRequest, DirectoryService, ImportOutcome, JitRefresh } from './service'
export { directoryHandlers } from './handlers'
export type { IdpHttpOptions } from './http'
import type { DirectoryService } from './service'
export { createSyncScheduler, type SyncScheduler } from './scheduler'
export {
  createNotificationService,
  notificationRoutes,
  type NotificationReceiver,
  type NotificationService,
} from './notifications'
export { notificationHandlers } from './notifications/handlers'
export { DEFAULT_MAPPINGS } from './mapping'
export type { ImportMode } from './file-import'
export {
  importOnThread,
  importReply,
  type ImportJob,
  type ImportProgressMessage,
  type ImportReply,
  type ImportRunner,
} from './import-thread'
export { importUsers, type ImportText } from './import-users'
export type { ImportDeps } from './file-import'
export { DEFAULT_REMOVAL_LIMITS, type RemovalLimits } from './removal-guard'

export interface DirectoryDeps {
  store: Store
  groups: GroupService
  clock: Clock
  ids: IdSource
  log?: Log
  http?: HttpPort
  secrets?: Secrets
  sleep?: Sleep
  /** Recomputes devices of users whose memberships a sync changed (the devices room, bound late). */
  redeployUsers?: (userIds: string[]) => Promise<unknown>
  emitProgress?: (p: SyncProgress) => void
  /** Retry tuning for the IdP HTTP client (tests shorten the waits through `sleep`). */
  httpOptions?: Partial<Pick<IdpHttpOptions, 'maxAttempts' | 'timeoutMs' | 'random' | 'baseDelayMs'>>
  /** Users per write transaction of a first sync written as it is pulled (other syncs apply in one). */
  chunkSize?: number
  /** A first sync's users from which it writes them from a worker thread as they arrive. */
  bulkFrom?: number
  /** Users per write transaction of that worker. */
  bulkBatch?: number
  /** When a sync is held for removing too much (the policy settings; read at each sync). */
  removalLimits?: () => RemovalLimits
  /** Crash points for the kill -9 test; production passes none. */
  faults?: Faults
}

interface DirectoryConfig {
  settings?: Record<string, string>
  mapping?: AttributeMapping[]
  groupFilter?: string[]
  scheduleMinutes?: number | null
}

const SETTINGS: Record<DirectoryKind, z.ZodType<Record<string, string>>> = {
  entra: z
    .object({
      tenantId: z.string().trim().min(1).max(100),
      clientId: z.string().trim().min(1).max(100),
      certificateThumbprint: z
        .string()
        .trim()
        .regex(/^[0-9A-Fa-f]{64}$/, 'a SHA-256 thumbprint is 64 hex digits')
        .optional(),
    })
    .strict(),
  okta: z
    .object({
      orgUrl: z
        .string()
        .trim()
        .max(2000)
        .superRefine((url, ctx) => {
          const problem = oktaOrgUrlProblem(url)
          if (problem) ctx.addIssue({ code: 'custom', message: problem })
        }),
      clientId: z.string().trim().min(1).max(100).optional(),
    })
    .strict(),
  google: z
    .object({
      serviceAccountEmail: z.string().trim().email(),
      subject: z.string().trim().email(),
      customer: z.string().trim().max(100).optional(),
    })
    .strict(),
  file: z.object({ path: z.string().trim().min(1).max(4096) }).strict(),
}

/** Credentials each kind may store; everything else is refused so a secret never lands in settings. */
export const SECRET_NAMES: Record<DirectoryKind, readonly string[]> = {
  entra: ['clientSecret', 'privateKey'],
  okta: ['apiToken', 'privateKey'],
  google: ['privateKey'],
  file: [],
}

const IDP_LABEL: Record<DirectoryKind, string> = {
  entra: 'Entra ID',
  okta: 'Okta',
  google: 'Google Workspace',
  file: 'the directory file',
}

export function createDirectoryService(deps: DirectoryDeps): DirectoryService {
  const { store, groups, clock, ids } = deps
  const log = deps.log ?? silentLog
  const http = deps.http ?? systemHttp
  const sleep = deps.sleep ?? realSleep
  const engine = createSyncEngine({
    store,
    groups,
    clock,
    ids,
    log,
    chunkSize: deps.chunkSize,
    bulkFrom: deps.bulkFrom,
    bulkBatch: deps.bulkBatch,
    removalLimits: deps.removalLimits,
    faults: deps.faults,
    redeployUsers: userIds => deps.redeployUsers?.(userIds) ?? Promise.resolve(),
    emit: p => deps.emitProgress?.(p),
  })

  /** Running syncs started here: their cancel switch, and the promise that settles when they stop. */
  const running = new Map<string, { controller: AbortController; done: Promise<unknown> }>()

  const directoryOf = (directoryId: string) => {
    const d = store.directories.get(directoryId)
    if (!d) throw new AppError('NOT_FOUND', `No directory with id ${directoryId}.`, { directoryId })
    return d
  }
  const configOf = (directoryId: string): DirectoryConfig => store.sync.config(directoryId) as DirectoryConfig
  const secretKey = (directoryId: string, name: string) => `directory:${directoryId}:${name}`
  const secretsOf = async (directoryId: string, kind: DirectoryKind): Promise<Record<string, string>> => {
    const out: Record<string, string> = {}
    for (const name of SECRET_NAMES[kind]) {
      const v = await deps.secrets?.get(secretKey(directoryId, name))
      if (v) out[name] = v
    }
    return out
  }
  const mappingOf = (directoryId: string, kind: DirectoryKind): AttributeMapping[] | 'all' => {
    const configured = configOf(directoryId).mapping
    if (configured) return configured
    return kind === 'file' ? 'all' : DEFAULT_MAPPINGS[kind]
  }

  const parseSettings = (kind: DirectoryKind, settings: Record<string, string>): Record<string, string> => {
    const parsed = SETTINGS[kind].safeParse(settings)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const field = issue?.path.join('.') || '(settings)'
      const message = issue?.message ?? 'invalid'
      // `fields` lets the form mark the field and list it by its own label (renderer field-errors.ts).
      throw new AppError('BAD_INPUT', `${IDP_LABEL[kind]} setting ${field}: ${message}.`, {
        field,
        fields: [{ path: field, message }],
      })
    }
    return parsed.data
  }
  const checkSecrets = (kind: DirectoryKind, secrets: Record<string, string>) => {
    const unknown = Object.keys(secrets).filter(k => !SECRET_NAMES[kind].includes(k))
    if (unknown.length > 0)
      throw new AppError('BAD_INPUT', `${IDP_LABEL[kind]} takes no credential named ${unknown.join(', ')}.`, {
        fields: unknown.map(path => ({ path, message: `is not a credential ${IDP_LABEL[kind]} takes` })),
      })
  }

  const idpHttpFor = (directoryId: string, kind: DirectoryKind, tuning: Partial<IdpHttpOptions> = {}) =>
    createIdpHttp({
      http,
      sleep,
      idp: kind === 'entra' ? 'Microsoft Graph' : IDP_LABEL[kind],
      onRetry: r => log.warn('IdP request retried', { directoryId, ...r }),
      ...deps.httpOptions,
      ...tuning,
    })

  const connectorFor = async (
    directoryId: string,
    tuning: Partial<IdpHttpOptions> = {},
    idpHttp = idpHttpFor(directoryId, directoryOf(directoryId).kind, tuning),
  ): Promise<Connector> => {
    const d = directoryOf(directoryId)
    const settings = configOf(directoryId).settings ?? {}
    const secrets = await secretsOf(directoryId, d.kind)
    switch (d.kind) {
      case 'entra':
        return createEntraConnector({
          settings: {
            tenantId: settings['tenantId'] ?? '',
            clientId: settings['clientId'] ?? '',
            certificateThumbprint: settings['certificateThumbprint'],
          },
          secrets,
          http: idpHttp,
        })
      case 'okta':
        return createOktaConnector({
          settings: { orgUrl: settings['orgUrl'] ?? '', clientId: settings['clientId'] },
          secrets,
          http: idpHttp,
          sleep,
          now: () => clock.now().getTime(),
          warn: message => log.warn(message, { directoryId }),
        })
      case 'google':
        return createGoogleConnector({
          settings: {
            serviceAccountEmail: settings['serviceAccountEmail'] ?? '',
            subject: settings['subject'] ?? '',
            customer: settings['customer'],
          },
          secrets,
          http: idpHttp,
          warn: message => log.warn(message, { directoryId }),
        })
      case 'file':
        if (!settings['path'])
          throw new AppError('NOT_EDITABLE', `${d.name} takes imported files; it has no file path to sync from.`, {
            directoryId,
          })
        return createFileConnector({ settings: { path: settings['path'] } })
    }
  }

  const coverage = (directoryId: string): MappingCoverage[] => {
    const d = directoryOf(directoryId)
    const total = store.sync.userCount(directoryId)
    const counts = store.sync.attributeCounts(directoryId)
    const mapping = mappingOf(directoryId, d.kind)
    const rows =
      mapping === 'all' ? [...counts.keys()].sort().map(name => ({ property: name, attribute: name })) : mapping
    return rows.map(m => {
      const users = counts.get(m.attribute) ?? 0
      return { ...m, users, total, share: total === 0 ? 0 : users / total }
    })
  }

  return {
    list: () => store.directories.list(),
    async connect({ kind, name, settings, secrets }) {
      const clean = parseSettings(kind, settings)
      checkSecrets(kind, secrets)
      if (store.directories.list().some(d => d.name.toLowerCase() === name.trim().toLowerCase())) {
        throw new AppError('CONFLICT', `A directory named ${name.trim()} already exists; choose another name.`, {
          field: 'name',
        })
      }
      const id = ids.next()
      store.transaction(() => {
        store.directories.create({ id, kind, name: name.trim() }, clock.now().toISOString())
        store.sync.setConfig(id, { settings: clean } satisfies DirectoryConfig)
      })
      for (const [k, v] of Object.entries(secrets)) if (v) await deps.secrets?.set(secretKey(id, k), v)
      if (Object.keys(secrets).length > 0 && !deps.secrets)
        log.warn('no secrets store: credentials were not kept', { directoryId: id })
      return id
    },
    async setCredentials(directoryId, settings, secrets) {
      const d = directoryOf(directoryId)
      const config = configOf(directoryId)
      const clean = parseSettings(d.kind, { ...(config.settings ?? {}), ...settings })
      checkSecrets(d.kind, secrets)
      store.sync.setConfig(directoryId, { ...config, settings: clean })
      for (const [k, v] of Object.entries(secrets)) if (v) await deps.secrets?.set(secretKey(directoryId, k), v)
    },
    async remove(directoryId) {
      const d = directoryOf(directoryId)
      if (engine.isRunning(directoryId) || running.has(directoryId))
        throw new AppError('CONFLICT', `${d.name} is syncing; cancel the sync or wait for it, then remove it.`, {
          directoryId,
        })
      // Users, groups, memberships, sync runs and state go by ON DELETE CASCADE.
      store.transaction(() => store.directories.delete(directoryId))
      for (const name of SECRET_NAMES[d.kind]) await deps.secrets?.delete(secretKey(directoryId, name))
    },
    async detail(directoryId) {
      const d = directoryOf(directoryId)
      const config = configOf(directoryId)
      const summary = store.directories.list().find(x => x.id === directoryId) as DirectorySummary
      return {
        directory: summary,
        settings: config.settings ?? {},
        secretsStored: Object.keys(await secretsOf(directoryId, d.kind)),
        mapping: coverage(directoryId),
        groupFilter: config.groupFilter ?? [],
        scheduleMinutes: config.scheduleMinutes ?? null,
        history: store.sync.runs(directoryId, 20),
        running: engine.isRunning(directoryId),
        secretsWarning: deps.secrets?.warning ?? null,
      }
    },
    test: async directoryId => (await connectorFor(directoryId, { maxAttempts: 2 })).test(),
    async sync(directoryId, mode, opts = {}) {
      const d = directoryOf(directoryId)
      const connector = await connectorFor(directoryId)
      const config = configOf(directoryId)
      const controller = new AbortController()
      const pending = engine.sync({
        directoryId,
        directoryName: d.name,
        connector,
        mapping: mappingOf(directoryId, d.kind),
        groupFilter: config.groupFilter ?? [],
        mode,
        signal: controller.signal,
        confirmRemovals: opts.confirmRemovals === true,
      })
      // A second sync of the same directory is refused by the engine; keep the first one's switch.
      const mine = !running.has(directoryId)
      if (mine) running.set(directoryId, { controller, done: pending.catch(() => undefined) })
      try {
        const outcome = await pending
        return { run: outcome.run, changedUserIds: outcome.changedUserIds }
      } finally {
        if (mine) running.delete(directoryId)
      }
    },
    async cancelSync(directoryId) {
      const d = directoryOf(directoryId)
      const entry = running.get(directoryId)
      if (!entry)
        throw new AppError('NOT_FOUND', `No sync of ${d.name} is running; there is nothing to cancel.`, { directoryId })
      entry.controller.abort(
        new AppError('DIRECTORY_UNAVAILABLE', `The sync of ${d.name} was cancelled by the admin.`, { directoryId }),
      )
      await entry.done
      const last = store.sync.runs(directoryId, 1)[0]
      if (!last)
        throw new AppError('INTERNAL', `The cancelled sync of ${d.name} left no run in the history.`, { directoryId })
      return last
    },
    setMapping(directoryId, mapping) {
      const d = directoryOf(directoryId)
      if (d.kind === 'file')
        throw new AppError(
          'NOT_EDITABLE',
          'A file directory names its columns after attributes; rename the columns instead.',
          { directoryId },
        )
      store.sync.setConfig(directoryId, { ...configOf(directoryId), mapping: validateMapping(mapping) })
      return coverage(directoryId)
    },
    setGroupFilter(directoryId, names) {
      directoryOf(directoryId)
      store.sync.setConfig(directoryId, {
        ...configOf(directoryId),
        groupFilter: [...new Set(names.map(n => n.trim()).filter(Boolean))],
      })
    },
    setSchedule(directoryId, minutes) {
      directoryOf(directoryId)
      store.sync.setConfig(directoryId, { ...configOf(directoryId), scheduleMinutes: minutes })
    },
    settled: () => engine.settled(),
    schedules() {
      const out = new Map<string, number>()
      for (const d of store.directories.list()) {
        const minutes = configOf(d.id).scheduleMinutes
        if (minutes) out.set(d.id, minutes)
      }
      return out
    },
    coverage,
    async refreshUser(userPrincipalName) {
      const cachedId = store.users.idByPrincipalName(userPrincipalName)
      const cachedDirectory = cachedId ? store.users.summary(cachedId)?.directoryId : undefined
      const candidates = store.directories
        .list()
        .filter(d => (cachedDirectory ? d.id === cachedDirectory : true))
        .filter(d => d.kind !== 'file' || Boolean(configOf(d.id).settings?.['path']))
      const warnings: string[] = []
      for (const d of candidates) {
        try {
          // Enrollment waits on this: two quick attempts, then the cache.
          const connector = await connectorFor(d.id, { maxAttempts: 2, timeoutMs: 10_000 })
          const mapping = mappingOf(d.id, d.kind)
          const fetched = await connector.fetchUser(
            userPrincipalName,
            mapping === 'all' ? [] : mapping.map(m => m.property),
          )
          if (!fetched) {
            if (cachedDirectory)
              warnings.push(
                `${IDP_LABEL[d.kind]} (${d.name}) does not know ${userPrincipalName} any more; the attributes from the last sync were used.`,
              )
            continue
          }
          const applied = await engine.applyUser({ directoryId: d.id, directoryName: d.name, mapping }, fetched)
          return { warning: null, changedUserIds: applied.changedUserIds, journal: applied.source }
        } catch (e) {
          const message = errorMessage(e)
          warnings.push(
            `Could not ask ${IDP_LABEL[d.kind]} (${d.name}) for ${userPrincipalName}: ${message} The attributes from the last sync were used.`,
          )
        }
      }
      const warning = warnings.length > 0 ? warnings.join(' ') : null
      if (warning) {
        log.warn('JIT user fetch fell back to the cache', { userPrincipalName, warning })
        store.audit.append({
          at: clock.now().toISOString(),
          actor: 'enrollment',
          action: 'directories/jitFallback',
          subject: userPrincipalName,
          details: { warning },
        })
      }
      return { warning, changedUserIds: [], journal: null }
    },
    async refreshFromIdp(directoryId, userKey) {
      const d = directoryOf(directoryId)
      const connector = await connectorFor(directoryId, { maxAttempts: 2, timeoutMs: 10_000 })
      const mapping = mappingOf(directoryId, d.kind)
      // Every connector reads a user by its IdP id as well as by its sign-in name (Graph users/{id |
      // userPrincipalName}, Okta users/{id | login}, Google users.get userKey: email or id).
      const fetched = await connector.fetchUser(userKey, mapping === 'all' ? [] : mapping.map(m => m.property))
      if (!fetched) return { found: false, changedUserIds: [], journal: null }
      const applied = await engine.applyUser({ directoryId, directoryName: d.name, mapping }, fetched)
      return { found: true, changedUserIds: applied.changedUserIds, journal: applied.source }
    },
    async idpSession(directoryId) {
      const d = directoryOf(directoryId)
      if (d.kind === 'file')
        throw new AppError('NOT_EDITABLE', `${d.name} is a file directory; it sends no change notifications.`, {
          directoryId,
        })
      const idpHttp = idpHttpFor(directoryId, d.kind, { maxAttempts: 3 })
      const connector = await connectorFor(directoryId, {}, idpHttp)
      const authorization = connector.authorization
      if (!authorization)
        throw new AppError('INTERNAL', `The ${IDP_LABEL[d.kind]} connector cannot authorize API calls.`, {
          directoryId,
        })
      return {
        kind: d.kind,
        settings: configOf(directoryId).settings ?? {},
        http: idpHttp,
        authorization: scope => authorization.call(connector, scope),
      }
    },
    attributeSource(directoryId, attribute) {
      const d = store.directories.get(directoryId)
      if (!d) return undefined
      const mapping = mappingOf(directoryId, d.kind)
      const property =
        mapping === 'all'
          ? attribute
          : (mapping.find(m => m.attribute.toLowerCase() === attribute.toLowerCase())?.property ?? null)
      return { directoryId, directoryName: d.name, kind: d.kind, property }
    },
    idByName(name) {
      return store.directories.list().find(d => d.name.toLowerCase() === name.trim().toLowerCase())?.id
    },
    createFileDirectory(name) {
      const id = ids.next()
      store.directories.create({ id, kind: 'file', name }, clock.now().toISOString())
      return id
    },
    importUsers(directoryId, format, content, mode = 'update', opts = {}) {
      return importUsers(
        { store, groups, ids, clock, removalLimits: deps.removalLimits?.() ?? DEFAULT_REMOVAL_LIMITS },
        { directoryId, format, content, mode, confirmRemovals: opts.confirmRemovals === true },
      )
    },
  }
}
