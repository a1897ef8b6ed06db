// Small building blocks shared by the pages: headers, status, errors, badges, formatting.
import type { ReactNode } from 'react'
import type { UseQueryResult } from '@tanstack/react-query'
import type { AttributeValue } from '../../shared/domain'
import { ApiError, errorMessage } from '../api'

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ReactNode
  subtitle?: ReactNode
  actions?: ReactNode
}) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle !== undefined && <p className="subtitle">{subtitle}</p>}
      </div>
      {actions !== undefined && <div className="page-actions">{actions}</div>}
    </header>
  )
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-header">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  )
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted loading" role="status">
      {label}
    </p>
  )
}

/** An error as the admin should read it: the message, plus field problems when main named them. */
export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  const fields = error instanceof ApiError ? fieldProblems(error.details) : []
  return (
    <div className="error-note" role="alert">
      {title !== undefined && <strong>{title}: </strong>}
      <span>{errorMessage(error)}</span>
      {fields.length > 0 && (
        <ul>
          {fields.map((f, i) => (
            <li key={i}>
              <code>{f.path}</code> {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function fieldProblems(details: Record<string, unknown> | undefined): { path: string; message: string }[] {
  const fields = details?.['fields']
  if (!Array.isArray(fields)) return []
  return fields.flatMap((f: unknown) => {
    if (typeof f !== 'object' || f === null) return []
    const { path, message } = f as { path?: unknown; message?: unknown }
    return typeof message === 'string' ? [{ path: typeof path === 'string' ? path : '', message }] : []
  })
}

/** Render a query's data, or its loading state, or its error. */
export function Loaded<T>({
  query,
  children,
  label,
}: {
  query: UseQueryResult<T>
  children: (data: T) => ReactNode
  label?: string
}) {
  if (query.isPending) return <Loading label={label ?? 'Loading…'} />
  if (query.isError) return <ErrorNote error={query.error} title="Could not load" />
  return <>{children(query.data)}</>
}

export type Tone = 'neutral' | 'good' | 'warn' | 'bad' | 'info'

export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const shortDateTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
})

export function Time({ iso, short = false }: { iso: string | null | undefined; short?: boolean }) {
  if (!iso) return <span className="muted">—</span>
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return <time dateTime={iso}>{iso}</time>
  return (
    <time dateTime={iso} title={dateTime.format(d)}>
      {short ? shortDateTime.format(d) : dateTime.format(d)}
    </time>
  )
}

export function formatValue(value: AttributeValue | undefined): string {
  if (value === undefined) return '(absent)'
  if (value === null) return '(empty)'
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.join(', ')
  if (typeof value === 'string') return value === '' ? '""' : value
  return String(value)
}

export function Value({ value }: { value: AttributeValue | undefined }) {
  const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
  return <span className={empty ? 'value muted' : 'value'}>{formatValue(value)}</span>
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`
}

export function platformLabel(p: string): string {
  return p === 'ios' ? 'iOS' : p === 'macos' ? 'macOS' : p === 'android' ? 'Android' : p
}
