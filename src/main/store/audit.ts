import type { Db } from './db'

export interface AuditEntry {
  at: string
  actor: string
  action: string
  subject: string
  details: Record<string, unknown>
}

export function auditQueries(db: Db) {
  const insert = db.prepare('INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)')
  const recent = db.prepare('SELECT at, actor, action, subject, details FROM audit_log ORDER BY id DESC LIMIT ?')
  return {
    append(e: AuditEntry): void {
      insert.run(e.at, e.actor, e.action, e.subject, JSON.stringify(e.details))
    },
    recent(limit: number): AuditEntry[] {
      return (
        recent.all(limit) as { at: string; actor: string; action: string; subject: string; details: string }[]
      ).map(r => ({
        ...r,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }))
    },
  }
}
