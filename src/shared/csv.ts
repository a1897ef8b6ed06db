// CSV as RFC 4180 writes it (https://www.rfc-editor.org/rfc/rfc4180 §2): fields with a comma,
// a double quote or a line break are quoted, quotes doubled, lines end in CRLF. A text field
// that starts like a spreadsheet formula (= + - @, tab, CR) gets a leading apostrophe, as
// OWASP's "CSV Injection" page advises, so opening an export never runs a directory value.
import type { AuditRecord } from './admin'

export type CsvValue = string | number | boolean | null | undefined

const FORMULA = /^[=+\-@\t\r]/

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  let s = typeof value === 'string' ? value : String(value)
  if (typeof value === 'string' && FORMULA.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map(r => r.map(csvField).join(',')).join('\r\n') + '\r\n'
}

/** The audit log's columns, the same from the app's Audit page and `jit-mapper audit --csv`. */
export const AUDIT_CSV_HEADER = ['id', 'at', 'actor', 'action', 'subject', 'details'] as const
export const auditCsvRow = (r: AuditRecord): CsvValue[] => [
  r.id,
  r.at,
  r.actor,
  r.action,
  r.subject,
  JSON.stringify(r.details),
]
