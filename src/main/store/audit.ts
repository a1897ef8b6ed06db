import type { AuditFilter, AuditRecord } from '../../shared/admin'
import type { Db } from './db'

export interface AuditEntry {
  at: string
  actor: string
  action: string
  subject: string
  details: Record<string, unknown>
}

interface AuditRow {
  id: number
  at: string
  actor: string
  action: string
  subject: string
  details: string
}

const toRecord = (r: AuditRow): AuditRecord => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> })

/** LIKE's wildcards in a value the admin typed, escaped (with ESCAPE '\'). */
const literal = (s: string): string => s.replace(/[\\%_]/g, c => `\\${c}`)

export function auditQueries(db: Db) {
  const insert = db.prepare('INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)')
  const recent = db.prepare('SELECT at, actor, action, subject, details FROM audit_log ORDER BY id DESC LIMIT ?')
  // Every filter is optional: a NULL parameter matches everything. An action ending in "/" is a
  // domain prefix. Times are ISO strings in UTC, so text order is time order.
  const filtered = db.prepare(`SELECT id, at, actor, action, subject, details FROM audit_log
    WHERE (@since IS NULL OR at >= @since) AND (@until IS NULL OR at < @until)
      AND (@actor IS NULL OR actor = @actor)
      AND (@action IS NULL OR action = @action OR (substr(@action, -1) = '/' AND action LIKE @actionPrefix ESCAPE '\\'))
      AND (@text IS NULL OR subject LIKE @text ESCAPE '\\' OR details LIKE @text ESCAPE '\\')
    ORDER BY id DESC LIMIT @limit`)
  return {
    append(e: AuditEntry): void {
      insert.run(e.at, e.actor, e.action, e.subject, JSON.stringify(e.details))
    },
    recent(limit: number): AuditEntry[] {
      return (recent.all(limit) as Omit<AuditRow, 'id'>[]).map(r => ({
        ...r,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }))
    },
    /** Newest first. */
    list(f: AuditFilter): AuditRecord[] {
      const action = f.action?.trim() || null
      const text = f.text?.trim() || null
      return (
        filtered.all({
          since: f.since ?? null,
          until: f.until ?? null,
          actor: f.actor?.trim() || null,
          action,
          actionPrefix: action ? `${literal(action)}%` : null,
          text: text ? `%${literal(text)}%` : null,
          limit: f.limit ?? 1000,
        }) as AuditRow[]
      ).map(toRecord)
    },
  }
}
