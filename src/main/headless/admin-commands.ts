// `jit-mapper audit` and `jit-mapper export`: the audit log and the CSV exports from the local
// workspace (no network), for a script or a field tech. Export files are written readable by
// their owner only: they hold people's names and devices.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { EXPORT_KINDS, type AuditRecord, type ExportKind } from '../../shared/admin'
import { errorMessage } from '../../shared/errors'
import { auditCsv, exportCsv } from '../admin'
import { createApp, type App } from '../app'
import { type CliIo, existingWorkspace, UsageError } from './cli-io'

export const AUDIT_USAGE = `  audit      Print the audit log: who changed what, when, before → after (newest first; offline)
               --since WHEN      from this time: ISO (2026-11-02, 2026-11-02T09:00Z) or ago (30m, 12h, 7d)
               --until WHEN      before this time (same forms)
               --actor NAME      only this actor (admin, enrollment, sync, …)
               --action NAME     only this action, or a domain with a slash (policies/)
               --text TEXT       only entries whose subject or details contain TEXT
               --limit N         at most N entries (default 1000)
               --json | --csv    print JSON or CSV instead of text`

export const EXPORT_USAGE = `  export     Write a CSV export from the local workspace (offline)
               devices | users | policy-status | audit   what to export (users come with their groups;
                                 policy-status is every policy on every device, applied or not, and why)
               --out FILE        the file to write (required; created readable by you only)`

const AGO = /^(\d+)([mhd])$/
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** An absolute ISO time, or a time ago ("7d") counted back from now. */
export function parseWhen(flag: string, value: string, now: Date): string {
  const ago = AGO.exec(value.trim())
  if (ago) return new Date(now.getTime() - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]).toISOString()
  const t = Date.parse(value)
  if (Number.isNaN(t))
    throw new UsageError(`--${flag} must be an ISO time (2026-11-02T09:00Z) or a time ago (30m, 12h, 7d), got ${value}`)
  return new Date(t).toISOString()
}

/** node:util's parseArgs, its errors as usage errors. */
function parse<T>(read: () => T): T {
  try {
    return read()
  } catch (e) {
    throw new UsageError(errorMessage(e))
  }
}

async function withWorkspace(
  dataDirFlag: string | undefined,
  io: CliIo,
  fn: (app: App) => Promise<number>,
): Promise<number> {
  const dataDir = existingWorkspace(dataDirFlag, io)
  if (!dataDir) return 1
  const app = createApp({ dataDir })
  try {
    return await fn(app)
  } finally {
    app.close()
  }
}

const line = (r: AuditRecord): string => {
  const { before, after, ...rest } = r.details
  const change =
    'before' in r.details || 'after' in r.details ? `  ${JSON.stringify(before)} → ${JSON.stringify(after)}` : ''
  const more = Object.keys(rest).length > 0 ? `  ${JSON.stringify(rest)}` : ''
  return `${r.at}  ${r.actor}  ${r.action}  ${r.subject}${change}${more}`
}

export async function auditCommand(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(() =>
    parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        actor: { type: 'string' },
        action: { type: 'string' },
        text: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        csv: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }),
  )
  if (v.json && v.csv) throw new UsageError('choose one of --json and --csv')
  const limit = v.limit === undefined ? 1000 : Number(v.limit)
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a whole number above 0, got ${v.limit}`)
  const now = new Date()
  const filter = {
    since: v.since === undefined ? undefined : parseWhen('since', v.since, now),
    until: v.until === undefined ? undefined : parseWhen('until', v.until, now),
    actor: v.actor,
    action: v.action,
    text: v.text,
    limit,
  }
  return withWorkspace(v['data-dir'], io, async app => {
    const records = app.services.store.audit.list(filter)
    if (v.json) io.out(JSON.stringify(records, null, 2))
    else if (v.csv) io.out(auditCsv(records, now).content.trimEnd())
    else if (records.length === 0) io.out('No audit entries match.')
    else records.forEach(r => io.out(line(r)))
    return 0
  })
}

export async function exportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(() =>
    parseArgs({
      args: argv,
      options: { 'data-dir': { type: 'string' }, out: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    }),
  )
  const [kind, ...extra] = positionals
  if (!kind || !(EXPORT_KINDS as readonly string[]).includes(kind))
    throw new UsageError(`export needs what to export: ${EXPORT_KINDS.join(', ')}${kind ? ` (got ${kind})` : ''}`)
  if (extra.length > 0) throw new UsageError(`export takes one kind, got ${positionals.join(' ')}`)
  if (!v.out) throw new UsageError('export needs --out FILE')
  const out = v.out
  return withWorkspace(v['data-dir'], io, async app => {
    const { store, groups, policies, clock } = app.services
    const file = exportCsv(kind as ExportKind, { store, groups, policies, now: clock.now() })
    try {
      writeFileSync(out, file.content, { mode: 0o600 })
    } catch (e) {
      io.err(`Cannot write ${out}: ${errorMessage(e)}`)
      return 1
    }
    io.out(`Wrote ${file.rows.toLocaleString('en')} ${kind} row(s) to ${out}`)
    return 0
  })
}
