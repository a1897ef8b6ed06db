// Exports as CSV: devices, users with their groups, the status of every policy on every device,
// and the audit log. The same files from each list in the app and from `jit-mapper export`.
import type { AuditRecord, ExportFile, ExportKind } from '../../shared/admin'
import type { GroupService } from '../groups'
import type { PolicyService } from '../policies'
import type { Store } from '../store'
import { AUDIT_CSV_HEADER, auditCsvRow, toCsv, type CsvValue } from '../../shared/csv'

export interface ExportDeps {
  store: Store
  groups: GroupService
  policies: PolicyService
  now: Date
}

const file = (kind: ExportKind, now: Date, header: string[], rows: CsvValue[][]): ExportFile => ({
  fileName: `jit-mapper-${kind}-${now.toISOString().slice(0, 10)}.csv`,
  mimeType: 'text/csv',
  content: toCsv(header, rows),
  rows: rows.length,
})

function devices({ store, now }: ExportDeps): ExportFile {
  return file(
    'devices',
    now,
    ['id', 'name', 'serial', 'platform', 'userPrincipalName', 'enrolledAt', 'lastSeenAt', 'pendingCommands'],
    store.devices
      .list()
      .map(d => [
        d.id,
        d.name,
        d.serial,
        d.platform,
        d.userPrincipalName,
        d.enrolledAt,
        d.lastSeenAt,
        d.pendingCommands,
      ]),
  )
}

/** Every user with the groups whose policies apply to them (memberships and grace), by name. */
function users({ store, groups, now }: ExportDeps): ExportFile {
  const names = new Map(store.groups.list().map(g => [g.id, g.name]))
  const directories = new Map(store.directories.list().map(d => [d.id, d.name]))
  const effective = groups.allEffectiveGroupIds()
  const { rows } = store.users.list(undefined, Number.MAX_SAFE_INTEGER, 0)
  return file(
    'users',
    now,
    ['id', 'userPrincipalName', 'displayName', 'directory', 'department', 'jobTitle', 'country', 'groups'],
    rows.map(u => [
      u.id,
      u.userPrincipalName,
      u.displayName,
      directories.get(u.directoryId) ?? u.directoryId,
      u.department,
      u.jobTitle,
      u.country,
      [...(effective.get(u.id) ?? [])]
        .map(id => names.get(id) ?? id)
        .sort((a, b) => a.localeCompare(b))
        .join(';'),
    ]),
  )
}

/** One row per bound device and policy, applied or not, with the why's one-line summary. */
function policyStatus({ store, policies, now }: ExportDeps): ExportFile {
  const rows: CsvValue[][] = []
  for (const d of store.devices.list()) {
    if (!d.userId) continue
    for (const p of policies.effective(d.id, { all: true }))
      rows.push([d.name, d.serial, d.platform, d.userPrincipalName, p.policyName, p.status, p.summary])
  }
  return file(
    'policy-status',
    now,
    ['device', 'serial', 'platform', 'userPrincipalName', 'policy', 'status', 'why'],
    rows,
  )
}

export function auditCsv(records: readonly AuditRecord[], now: Date): ExportFile {
  return file('audit', now, [...AUDIT_CSV_HEADER], records.map(auditCsvRow))
}

export function exportCsv(kind: ExportKind, deps: ExportDeps): ExportFile {
  switch (kind) {
    case 'devices':
      return devices(deps)
    case 'users':
      return users(deps)
    case 'policy-status':
      return policyStatus(deps)
    case 'audit':
      return auditCsv(deps.store.audit.list({ limit: 1_000_000 }), deps.now)
  }
}
