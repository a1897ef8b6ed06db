// Small building blocks shared by the pages: headers, status, errors, badges, formatting.
import type { ReactNode } from 'react'
import type { UseQueryResult } from '@tanstack/react-query'
import { type AttributeValue, PLATFORMS } from '../../shared/domain'
import { ApiError, errorMessage } from '../api'
import { fieldName, fieldProblems } from './field-errors'

export { fieldProblems } from './field-errors'

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

/** A loading state shaped like what comes: grey lines (`lines` of them) while the label is announced. */
export function Loading({ label = 'Loading…', lines = 2 }: { label?: string; lines?: number }) {
  return (
    <div className="skeleton" role="status" aria-busy="true">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton-line" aria-hidden="true" />
      ))}
    </div>
  )
}

/**
 * An error as the admin should read it. A refused save that names its fields lists them in words
 * (`labels` maps a field key to the form's own label) rather than the message's internal paths;
 * the form marks each field beside it as well.
 */
export function ErrorNote({
  error,
  title,
  labels,
}: {
  error: unknown
  title?: string
  labels?: Readonly<Record<string, string>>
}) {
  const fields = error instanceof ApiError ? fieldProblems(error.details) : []
  return (
    <div className="error-note" role="alert">
      {title !== undefined && <strong>{title}: </strong>}
      {fields.length === 0 ? (
        <span>{errorMessage(error)}</span>
      ) : (
        <>
          <span>{fields.length === 1 ? 'one field needs' : `${fields.length} fields need`} a change.</span>
          <ul>
            {fields.map((f, i) => (
              <li key={i}>
                <strong>{fieldName(f.path, labels)}</strong>: {f.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  )
}

/** Render a query's data, or its loading state, or its error. */
export function Loaded<T>({
  query,
  children,
  label,
  skeleton,
}: {
  query: UseQueryResult<T>
  children: (data: T) => ReactNode
  label?: string
  /** How many lines the loading skeleton has. */
  skeleton?: number
}) {
  if (query.isPending) return <Loading label={label ?? 'Loading…'} lines={skeleton} />
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

const PLATFORM_NAMES: Record<string, string> = { ios: 'iOS', macos: 'macOS', android: 'Android' }

/** The one spelling of each platform's name, wherever the UI shows one. */
export function platformLabel(p: string): string {
  return PLATFORM_NAMES[p.toLowerCase()] ?? p
}

/** A select's option for each platform, each by its one spelling. */
export function PlatformOptions() {
  return PLATFORMS.map(p => (
    <option key={p} value={p}>
      {platformLabel(p)}
    </option>
  ))
}

/** A count with the admin's thousands separators (12,345). */
export function formatCount(n: number): string {
  return n.toLocaleString()
}
