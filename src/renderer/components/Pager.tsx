// Previous / Next over a server-paged list, saying which rows of how many are shown.
export function Pager({
  label,
  offset,
  limit,
  total,
  onOffset,
}: {
  /** The navigation's name, e.g. "Pages of users". */
  label: string
  offset: number
  limit: number
  total: number
  onOffset: (offset: number) => void
}) {
  if (total <= limit && offset === 0) return null
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>
        Previous
      </button>
      <span>
        {(offset + 1).toLocaleString()}–{Math.min(offset + limit, total).toLocaleString()} of {total.toLocaleString()}
      </span>
      <button type="button" disabled={offset + limit >= total} onClick={() => onOffset(offset + limit)}>
        Next
      </button>
    </nav>
  )
}
