// Only React: the renderer's pages use it, and the unit tests render it to markup under Node.
import { Fragment, type ReactNode } from 'react'

/** A column heading; numeric columns are right-aligned (the `num` class) in the heading and cells. */
export type Column = string | { header: ReactNode; numeric?: boolean }

/**
 * The list table of every page: a table named for assistive technology (and the tests), one
 * heading per column, then one row per item, or one row that says why there are none. The empty
 * row spans every column, counted from `columns`.
 */
export function Table<T>({
  label,
  columns,
  items,
  itemKey,
  empty,
  busy,
  className,
  children,
}: {
  label: string
  columns: readonly Column[]
  items: readonly T[]
  itemKey: (item: T) => string
  /** What the table says when there are no items (nothing: an empty body, for lists never empty). */
  empty?: ReactNode
  /** A newer answer is on its way (the rows shown are the previous ones). */
  busy?: boolean
  className?: string
  /** The item's row: a <tr> with one cell per column. */
  children: (item: T) => ReactNode
}) {
  return (
    <table aria-label={label} aria-busy={busy || undefined} className={className}>
      <thead>
        <tr>
          {columns.map((c, i) => {
            const { header, numeric } = typeof c === 'string' ? { header: c, numeric: false } : c
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed for the table's lifetime
              <th key={i} scope="col" className={numeric ? 'num' : undefined}>
                {header}
              </th>
            )
          })}
        </tr>
      </thead>
      <tbody>
        {items.length === 0 && empty !== undefined && (
          <tr>
            <td colSpan={columns.length} className="empty">
              {empty}
            </td>
          </tr>
        )}
        {items.map(item => (
          <Fragment key={itemKey(item)}>{children(item)}</Fragment>
        ))}
      </tbody>
    </table>
  )
}
