// The rows a directory sync reads and writes, shared by the sync queries (sync.ts) and the bulk
// writer's worker thread (bulk-writer.ts), so neither imports the other for its types.
import type { Attributes, Dialect, GroupKind } from '../../shared/domain'

export interface SyncedUserRow {
  id: string
  externalId: string
  userPrincipalName: string
  displayName: string
  fingerprint: string
}

export interface DirectoryGroupRow {
  id: string
  externalId: string
  name: string
  kind: GroupKind
  dialect: Dialect | null
  rule: string | null
  description: string
}

export interface SyncUserWrite {
  id: string
  externalId: string
  userPrincipalName: string
  displayName: string
  fingerprint: string
  attributes: Attributes
}
