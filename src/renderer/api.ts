// The renderer's only way to main: `call()` over `window.api`, query factories keyed by
// domain, and invalidation driven by main's `db/changed` events (Bruno-style: the first
// key segment is the domain, so a list of changed domains picks the stale queries).
import { keepPreviousData, QueryClient, queryOptions, type Query } from '@tanstack/react-query'
import { touches, type Domain, DOMAINS } from '../shared/changes'
import type { ArgsOf, Channel, ResultOf } from '../shared/contract'
import type { ErrorCode, ErrorInfo } from '../shared/errors'
import type { DiagnosticFilter, SyncProgress } from '../shared/domain'
import type { Dialect } from '../shared/domain'

export type { Domain }

declare module '@tanstack/react-query' {
  interface Register {
    /** `reads`: other domains a query's result is built from, so their changes refresh it too. */
    queryMeta: { reads?: readonly Domain[] }
  }
}

/** An expected failure from main, carrying its stable code and details (row, column, fields…). */
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined
  readonly info: ErrorInfo

  constructor(info: ErrorInfo) {
    super(info.message)
    this.name = 'ApiError'
    this.code = info.code
    this.details = info.details
    this.info = info
  }
}

/** Set by createQueryClient: refreshes the queries that read what a mutation touched. */
let refresh: ((domains: readonly Domain[]) => void) | null = null

export async function call<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
  const result = await window.api.invoke(channel, args)
  if (!result.ok) throw new ApiError(result.error)
  // Refresh what is on screen at once rather than wait for the db/changed round trip: only the
  // queries reading what this channel touches (shared/changes.ts).
  const domains = touches(channel)
  if (domains.length > 0) refresh?.(domains)
  return result.value
}

export type UsersListArgs = ArgsOf<'users/list'>

const ALL_DOMAINS = DOMAINS

export const workspaceSummaryQuery = () =>
  queryOptions({
    queryKey: ['workspace', 'summary'],
    queryFn: () => call('workspace/summary', {}),
    meta: { reads: ALL_DOMAINS },
  })

export const directoriesQuery = () =>
  queryOptions({
    queryKey: ['directories', 'list'],
    queryFn: () => call('directories/list', {}),
    meta: { reads: ['users'] },
  })

export const directoryQuery = (directoryId: string) =>
  queryOptions({
    queryKey: ['directories', 'detail', directoryId],
    queryFn: () => call('directories/get', { directoryId }),
    meta: { reads: ['users'] },
  })

/** Progress of running directory syncs (pages, users, %, ETA), straight from main. */
export function onSyncProgress(listener: (p: SyncProgress) => void): () => void {
  if (typeof window.api?.on !== 'function') return () => {}
  return window.api.on('directories/syncProgress', listener)
}

export const usersQuery = (args: UsersListArgs) =>
  queryOptions({ queryKey: ['users', 'list', args], queryFn: () => call('users/list', args) })

export const groupMembersQuery = (args: ArgsOf<'groups/members'>) =>
  queryOptions({
    queryKey: ['groups', 'members', args],
    queryFn: () => call('groups/members', args),
    meta: { reads: ['users'] },
  })

/** One page of a device's commands, newest first (the device page's command queue). */
export const deviceCommandsQuery = (args: ArgsOf<'devices/commands'>) =>
  queryOptions({
    queryKey: ['devices', 'commands', args],
    queryFn: () => call('devices/commands', args),
    placeholderData: keepPreviousData,
  })

/** One page of a directory's sync runs, newest first. */
export const directoryHistoryQuery = (args: ArgsOf<'directories/history'>) =>
  queryOptions({
    queryKey: ['directories', 'history', args],
    queryFn: () => call('directories/history', args),
    meta: { reads: ['users'] },
    placeholderData: keepPreviousData,
  })

export const devicesPageQuery = (args: ArgsOf<'devices/page'>) =>
  queryOptions({
    queryKey: ['devices', 'page', args],
    queryFn: () => call('devices/page', args),
    meta: { reads: ['users', 'groups'] },
  })

export const userQuery = (userId: string) =>
  queryOptions({
    queryKey: ['users', 'detail', userId],
    queryFn: () => call('users/get', { userId }),
    meta: { reads: ['groups', 'devices', 'directories'] },
  })

/** Group names only: what a filter or picker needs, cheap at any number of members. */
export const groupNamesQuery = () =>
  queryOptions({
    queryKey: ['groups', 'names'],
    queryFn: () => call('groups/names', {}),
    meta: { reads: ['users'] },
  })

export const groupsQuery = () =>
  queryOptions({
    queryKey: ['groups', 'list'],
    queryFn: () => call('groups/list', {}),
    meta: { reads: ['users'] },
  })

export const groupQuery = (groupId: string) =>
  queryOptions({
    queryKey: ['groups', 'detail', groupId],
    queryFn: () => call('groups/get', { groupId }),
    meta: { reads: ['users'] },
  })

export const explainQuery = (groupId: string, userId: string) =>
  queryOptions({
    queryKey: ['groups', 'explain', groupId, userId],
    queryFn: () => call('groups/explain', { groupId, userId }),
    meta: { reads: ['users'] },
  })

export const policiesQuery = () =>
  queryOptions({
    queryKey: ['policies', 'list'],
    queryFn: () => call('policies/list', {}),
    meta: { reads: ['groups'] },
  })

export const heldChangesQuery = () =>
  queryOptions({
    queryKey: ['policies', 'held'],
    queryFn: () => call('policies/held', {}),
    meta: { reads: ['devices'] },
  })

export const restrictionsQuery = () =>
  queryOptions({
    queryKey: ['policies', 'restrictions'],
    queryFn: () => call('policies/restrictions', {}),
    staleTime: Infinity,
  })

export const appInventoryQuery = () =>
  queryOptions({ queryKey: ['policies', 'apps'], queryFn: () => call('apps/list', {}) })

export const policySettingsQuery = () =>
  queryOptions({ queryKey: ['policies', 'settings'], queryFn: () => call('policies/settings', {}) })

/** all: every policy, applied or not, each with its why. */
export const effectivePoliciesQuery = (deviceId: string, all = false) =>
  queryOptions({
    queryKey: ['devices', 'effective', deviceId, all],
    queryFn: () => call('policies/effective', { deviceId, all }),
    meta: { reads: ['users', 'policies', 'groups'] },
  })

export const deviceHistoryQuery = (deviceId: string) =>
  queryOptions({
    queryKey: ['devices', 'history', deviceId],
    queryFn: () => call('policies/history', { deviceId }),
    meta: { reads: ['policies'] },
  })

export const deviceQuery = (deviceId: string) =>
  queryOptions({
    queryKey: ['devices', 'detail', deviceId],
    queryFn: () => call('devices/get', { deviceId }),
    meta: { reads: ['users', 'policies', 'groups'] },
  })

export const healthQuery = () =>
  queryOptions({
    queryKey: ['workspace', 'health'],
    queryFn: () => call('overview/health', {}),
    meta: { reads: DOMAINS },
  })

export const auditQuery = (filter: ArgsOf<'audit/list'>) =>
  queryOptions({
    queryKey: ['workspace', 'audit', filter],
    queryFn: () => call('audit/list', filter),
    meta: { reads: DOMAINS },
  })

export const removalPreviewQuery = (directoryId: string, enabled: boolean) =>
  queryOptions({
    queryKey: ['directories', 'removal', directoryId],
    queryFn: () => call('directories/removalPreview', { directoryId }),
    meta: { reads: ['users', 'devices', 'policies', 'groups'] },
    enabled,
    staleTime: 0,
  })

export const latencyQuery = () =>
  queryOptions({ queryKey: ['devices', 'latency'], queryFn: () => call('devices/latency', {}) })

export const pushCredentialsQuery = () =>
  queryOptions({ queryKey: ['devices', 'pushCredentials'], queryFn: () => call('push/credentials', {}) })

export const ingressQuery = () =>
  queryOptions({ queryKey: ['ingress', 'info'], queryFn: () => call('ingress/get', {}) })

const DIAGNOSTIC_READS: readonly Domain[] = ['users', 'groups', 'devices', 'directories', 'policies']

export const diagnosticsSummaryQuery = (filter: DiagnosticFilter) =>
  queryOptions({
    queryKey: ['diagnostics', 'summary', filter],
    queryFn: () => call('diagnostics/summary', filter),
    meta: { reads: DIAGNOSTIC_READS },
  })

export const diagnosticsPageQuery = (args: ArgsOf<'diagnostics/page'>) =>
  queryOptions({
    queryKey: ['diagnostics', 'page', args],
    queryFn: () => call('diagnostics/page', args),
    meta: { reads: DIAGNOSTIC_READS },
  })

/** Whether a query reads any of the changed domains (its own first key segment or its meta.reads). */
export function readsAny(query: Query, changed: readonly string[]): boolean {
  const own = query.queryKey[0]
  if (typeof own === 'string' && changed.includes(own)) return true
  return (query.meta?.reads ?? []).some(d => changed.includes(d))
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    defaultOptions: {
      // IPC is local: TanStack's onlineManager must never pause it, and its errors are
      // deterministic, so retrying only delays the message the admin needs to see.
      queries: { networkMode: 'always', retry: 0, staleTime: 30_000, refetchOnWindowFocus: false },
      mutations: { networkMode: 'always', retry: 0 },
    },
  })
  refresh = domains => void client.invalidateQueries({ predicate: q => readsAny(q, domains) })
  return client
}

/** Invalidate queries when main reports the domains a change touched (any window, sync, CLI). */
export function subscribeToChanges(client: QueryClient): () => void {
  if (typeof window.api?.on !== 'function') return () => {}
  return window.api.on('db/changed', ({ domains }) => {
    void client.invalidateQueries({ predicate: q => readsAny(q, domains) })
  })
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

export const ruleCheckQuery = (dialect: Dialect, text: string) =>
  queryOptions({
    queryKey: ['groups', 'ruleCheck', dialect, text],
    queryFn: () => call('rules/check', { dialect, text }),
    meta: { reads: ['users'] },
  })

/** `editor`: the asking rule editor, whose newer preview cancels its older one still evaluating. */
export const rulePreviewQuery = (dialect: Dialect, text: string, offset: number, limit: number, editor: string) =>
  queryOptions({
    queryKey: ['groups', 'rulePreview', dialect, text, offset, limit, editor],
    queryFn: () => call('rules/preview', { dialect, text, offset, limit, editor }),
    meta: { reads: ['users'] },
  })

export const ruleExplainQuery = (dialect: Dialect, text: string, userId: string) =>
  queryOptions({
    queryKey: ['groups', 'ruleExplain', dialect, text, userId],
    queryFn: () => call('rules/explain', { dialect, text, userId }),
    meta: { reads: ['users'] },
  })
