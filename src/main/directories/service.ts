// The directories room's service as other rooms and its channels see it (index.ts builds it).
import type {
  AttributeMapping,
  DirectoryDetail,
  DirectoryKind,
  DirectorySummary,
  MappingCoverage,
  SyncRun,
} from '../../shared/domain'
import type { ImportMode } from './file-import'
import type { IdpHttp } from './http'

export interface ImportOutcome {
  run: SyncRun
  /** Users whose effective group memberships changed: their devices need redeploying. */
  changedUserIds: string[]
}

export interface ConnectRequest {
  kind: DirectoryKind
  name: string
  settings: Record<string, string>
  secrets: Record<string, string>
}

export interface JitRefresh {
  /** Set when the IdP could not be asked and the cached attributes were used. */
  warning: string | null
  /** Users whose effective memberships changed. */
  changedUserIds: string[]
  /**
   * The pending-redeploy journal entry that owes the changed users' devices a redeploy (null
   * when nothing was read): clear it with store.syncJournal.redeployed once they are redeployed.
   */
  journal: string | null
}

export interface DirectoryService {
  list(): DirectorySummary[]
  createFileDirectory(name: string): string
  /**
   * Imports a file into a file directory: `update` adds and updates the users it gives, `replace`
   * makes it the whole directory (file-import.ts). A held import (too many removals) is returned,
   * not thrown; `confirmRemovals` applies it.
   */
  importUsers(
    directoryId: string,
    format: 'csv' | 'json',
    content: string,
    mode?: ImportMode,
    opts?: { confirmRemovals?: boolean },
  ): ImportOutcome
  /** Stores a directory's settings, and its credentials in the secrets port only. */
  connect(req: ConnectRequest): Promise<string>
  /** Replaces settings and credentials (empty secrets are left as they are). */
  setCredentials(directoryId: string, settings: Record<string, string>, secrets: Record<string, string>): Promise<void>
  /**
   * Deletes the directory with its users, groups, sync history and stored credentials; refused
   * while it syncs. Its users' devices must be released first (admin/directory-removal.ts).
   */
  remove(directoryId: string): Promise<void>
  detail(directoryId: string): Promise<DirectoryDetail>
  test(directoryId: string): Promise<string>
  /** A held run (too many removals) is returned, not thrown; `confirmRemovals` applies it. */
  sync(directoryId: string, mode?: 'full' | 'incremental', opts?: { confirmRemovals?: boolean }): Promise<ImportOutcome>
  /** Cancels the directory's running sync and waits for it to stop; NOT_FOUND when none runs. */
  cancelSync(directoryId: string): Promise<SyncRun>
  setMapping(directoryId: string, mapping: AttributeMapping[]): MappingCoverage[]
  setGroupFilter(directoryId: string, names: string[]): void
  setSchedule(directoryId: string, minutes: number | null): void
  /** Directories with a schedule: id → minutes. */
  schedules(): Map<string, number>
  /** Resolves once what syncs left running in the background is done (a writer's checkpoint, the start-up undo of an interrupted first sync). */
  settled(): Promise<void>
  coverage(directoryId: string): MappingCoverage[]
  /** The JIT path: asks the IdP for this user now; falls back to the cache with a warning. */
  refreshUser(userPrincipalName: string): Promise<JitRefresh>
  /**
   * The notification path: reads one user by IdP id from this directory and applies it as the JIT
   * read does. `found: false` when the IdP does not know the user; `journal` as in JitRefresh.
   */
  refreshFromIdp(directoryId: string, userKey: string): Promise<Omit<JitRefresh, 'warning'> & { found: boolean }>
  /** What calls to the directory's IdP API beyond the sync need (notification subscriptions). */
  idpSession(directoryId: string): Promise<IdpSession>
  /** Where an attribute comes from in a directory: the mapped IdP property, or null when unmapped. */
  attributeSource(directoryId: string, attribute: string): AttributeSource | undefined
  /** Name → id, for the CLI. */
  idByName(name: string): string | undefined
}

export interface IdpSession {
  kind: Exclude<DirectoryKind, 'file'>
  /** The directory's settings (tenant, org URL, customer). */
  settings: Record<string, string>
  /** The IdP HTTP client with its retries. */
  http: IdpHttp
  /** The Authorization header value; `scope` where the IdP grants by scope (Okta). */
  authorization(scope?: string): Promise<string>
}

export interface AttributeSource {
  directoryId: string
  directoryName: string
  kind: DirectoryKind
  /** The IdP property mapped to the attribute; null when nothing maps to it. */
  property: string | null
}
