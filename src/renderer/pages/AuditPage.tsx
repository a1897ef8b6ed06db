// The audit log: who changed what and when, before → after, for every admin change and every
// automatic action (enrollments, syncs), filterable, and exportable as CSV or JSON as filtered.
import { useDeferredValue, useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { auditQuery } from '../api'
import { Loaded, PageHeader, Section, Time } from '../components/ui'
import { Table } from '../components/Table'
import { saveFile } from '../components/ExportButton'
import { AUDIT_CSV_HEADER, auditCsvRow, toCsv } from '../../shared/csv'
import type { AuditRecord } from '../../shared/admin'

const PERIODS: { label: string; hours: number | null }[] = [
  { label: 'Last 24 hours', hours: 24 },
  { label: 'Last 7 days', hours: 24 * 7 },
  { label: 'Last 30 days', hours: 24 * 30 },
  { label: 'All time', hours: null },
]

const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v))

function Change({ details }: { details: Record<string, unknown> }) {
  const { before, after, ...rest } = details
  const changed = 'before' in details || 'after' in details
  const more = Object.keys(rest).length > 0 ? JSON.stringify(rest) : ''
  return (
    <>
      {changed && (
        <span>
          <del className="mono small">{show(before)}</del> → <ins className="mono small">{show(after)}</ins>
        </span>
      )}
      {more && <div className="mono small muted audit-details">{more}</div>}
    </>
  )
}

export function AuditPage() {
  const [period, setPeriod] = useState<number | null>(24 * 7)
  const [actor, setActor] = useState('')
  const [action, setAction] = useState('')
  const [text, setText] = useState('')
  const filter = {
    // Whole minutes, so the query key stays put while the page is open.
    since:
      period === null
        ? undefined
        : new Date(Math.floor(Date.now() / 60_000) * 60_000 - period * 3_600_000).toISOString(),
    actor: useDeferredValue(actor.trim()) || undefined,
    action: useDeferredValue(action.trim()) || undefined,
    text: useDeferredValue(text.trim()) || undefined,
    limit: 1000,
  }
  const audit = useQuery(auditQuery(filter))
  const stamp = new Date().toISOString().slice(0, 10)
  const exportAs = (rows: AuditRecord[], format: 'csv' | 'json') =>
    format === 'csv'
      ? saveFile(`jit-mapper-audit-${stamp}.csv`, 'text/csv', toCsv([...AUDIT_CSV_HEADER], rows.map(auditCsvRow)))
      : saveFile(`jit-mapper-audit-${stamp}.json`, 'application/json', JSON.stringify(rows, null, 2))
  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Who changed what and when, before → after: every admin change and every automatic action."
      />
      <form
        className="audit-filters"
        aria-label="Filter the audit log"
        role="search"
        onSubmit={e => e.preventDefault()}
      >
        <label>
          <span className="field-label">Period</span>
          <select
            value={String(period)}
            onChange={e => setPeriod(e.target.value === 'null' ? null : Number(e.target.value))}
          >
            {PERIODS.map(p => (
              <option key={p.label} value={String(p.hours)}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="field-label">Who</span>
          <input value={actor} onChange={e => setActor(e.target.value)} placeholder="admin, enrollment, sync…" />
        </label>
        <label>
          <span className="field-label">Action</span>
          <input value={action} onChange={e => setAction(e.target.value)} placeholder="policies/ or devices/rename" />
        </label>
        <label>
          <span className="field-label">Contains</span>
          <input type="search" value={text} onChange={e => setText(e.target.value)} />
        </label>
      </form>
      <Section
        title="Entries"
        actions={
          audit.data && (
            <>
              <button type="button" className="small" onClick={() => exportAs(audit.data, 'csv')}>
                Export CSV
              </button>
              <button type="button" className="small" onClick={() => exportAs(audit.data, 'json')}>
                Export JSON
              </button>
            </>
          )
        }
      >
        <Loaded query={audit} label="Loading the audit log…">
          {rows => (
            <>
              <p className="muted small" role="status">
                {rows.length === 1000 ? 'The newest 1,000 entries' : `${rows.length.toLocaleString()} entries`} match.
              </p>
              <div className="table-scroll">
                <Table
                  label="Audit log"
                  columns={['When', 'Who', 'What', 'Subject', 'Change']}
                  items={rows}
                  itemKey={r => String(r.id)}
                  empty="No entries match."
                >
                  {r => (
                    <tr>
                      <td>
                        <Time iso={r.at} />
                      </td>
                      <td>{r.actor}</td>
                      <td className="mono">{r.action}</td>
                      <td className="mono small">{r.subject}</td>
                      <td>
                        <Change details={r.details} />
                      </td>
                    </tr>
                  )}
                </Table>
              </div>
            </>
          )}
        </Loaded>
      </Section>
    </>
  )
}
