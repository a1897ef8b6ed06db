// Only React (and TanStack Virtual): the renderer's pages use it, and the unit tests render it to
// markup under Node.
import { useVirtualizer } from '@tanstack/react-virtual'
import { Fragment, type ReactNode, useRef } from 'react'

/**
 * A column heading; numeric columns are right-aligned (the `num` class) in the heading and cells.
 * A column with `sort` is sorted on the server by that key when its heading is pressed.
 */
export type Column = string | { header: ReactNode; numeric?: boolean; sort?: string }

/** The order a server-sorted table shows, and how to change it. */
export interface TableSort {
  key: string
  dir: 'asc' | 'desc'
  onSort(key: string, dir: 'asc' | 'desc'): void
}

/** A long table renders only the rows in view (and a few either side) inside a scrolling box. */
export interface TableVirtual {
  /** The scrolling box's height in pixels. */
  height: number
  /** A row's expected height in pixels. */
  rowHeight: number
}

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
  sort,
  virtual,
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
  sort?: TableSort
  virtual?: TableVirtual
  /** The item's row: a <tr> with one cell per column. */
  children: (item: T) => ReactNode
}) {
  const scroller = useRef<HTMLDivElement>(null)
  const table = (
    <table
      aria-label={label}
      aria-busy={busy || undefined}
      aria-rowcount={virtual ? items.length + 1 : undefined}
      className={className}
    >
      <thead>
        <tr>
          {columns.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed for the table's lifetime
            <Heading key={i} column={c} sort={sort} />
          ))}
        </tr>
      </thead>
      {items.length === 0 ? (
        <tbody>
          {empty !== undefined && (
            <tr>
              <td colSpan={columns.length} className="empty">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      ) : virtual ? (
        <VirtualBody items={items} itemKey={itemKey} virtual={virtual} scroller={scroller} columns={columns.length}>
          {children}
        </VirtualBody>
      ) : (
        <tbody>
          {items.map(item => (
            <Fragment key={itemKey(item)}>{children(item)}</Fragment>
          ))}
        </tbody>
      )}
    </table>
  )
  if (!virtual) return table
  return (
    <div className="table-scroll" ref={scroller} style={{ maxHeight: virtual.height }}>
      {table}
    </div>
  )
}

function Heading({ column, sort }: { column: Column; sort: TableSort | undefined }) {
  const { header, numeric, sort: key } = typeof column === 'string' ? { header: column } : column
  const className = numeric ? 'num' : undefined
  if (key === undefined || sort === undefined)
    return (
      <th scope="col" className={className}>
        {header}
      </th>
    )
  const active = sort.key === key
  const next = active && sort.dir === 'asc' ? 'desc' : 'asc'
  return (
    <th
      scope="col"
      className={className}
      aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button type="button" className="sort-button" onClick={() => sort.onSort(key, next)}>
        {header}
        <span aria-hidden="true">{active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  )
}

/**
 * The rows in view between two spacer rows that keep the scroll height: the table stays one table
 * (headings and cells aligned, rows named for assistive technology) however many rows it has.
 */
function VirtualBody<T>({
  items,
  itemKey,
  virtual,
  scroller,
  columns,
  children,
}: {
  items: readonly T[]
  itemKey: (item: T) => string
  virtual: TableVirtual
  scroller: { current: HTMLDivElement | null }
  columns: number
  children: (item: T) => ReactNode
}) {
  const v = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => virtual.rowHeight,
    overscan: 8,
    // Before the box is measured (and when rendered to markup) the first screenful is shown.
    initialRect: { width: 0, height: virtual.height },
  })
  const rows = v.getVirtualItems()
  const top = rows[0]?.start ?? 0
  const bottom = v.getTotalSize() - (rows.at(-1)?.end ?? 0)
  return (
    <tbody>
      {top > 0 && (
        <tr className="spacer">
          <td colSpan={columns} style={{ height: top }} />
        </tr>
      )}
      {rows.map(r => {
        const item = items[r.index] as T
        return <Fragment key={itemKey(item)}>{children(item)}</Fragment>
      })}
      {bottom > 0 && (
        <tr className="spacer">
          <td colSpan={columns} style={{ height: bottom }} />
        </tr>
      )}
    </tbody>
  )
}
