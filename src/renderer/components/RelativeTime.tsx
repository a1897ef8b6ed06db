// A time as people read it at a glance ("3 hours ago"), with the local date and time beside it.
import { Time } from './ui'

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
]

/** "in 5 minutes", "3 hours ago": the largest unit that fits, counted from now. */
export function fromNow(iso: string, now = Date.now()): string {
  let value = (Date.parse(iso) - now) / 1000
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit)
    value /= size
  }
  return relative.format(Math.round(value), 'year')
}

export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  if (!iso || Number.isNaN(Date.parse(iso))) return <Time iso={iso} />
  return (
    <span className="relative-time">
      {fromNow(iso)}{' '}
      <span className="muted small">
        (<Time iso={iso} short />)
      </span>
    </span>
  )
}
