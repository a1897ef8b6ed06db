import { useDeferredValue, useState } from 'react'
import { ExportButton } from '../components/ExportButton'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { usersQuery } from '../api'
import { Link, paths } from '../router'
import { ErrorNote, Loading, PageHeader } from '../components/ui'
import { Table } from '../components/Table'

const PAGE_SIZE = 50

export function UsersPage() {
  const [search, setSearch] = useState('')
  const [offset, setOffset] = useState(0)
  const query = useDeferredValue(search.trim())
  const args = query === '' ? { limit: PAGE_SIZE, offset } : { query, limit: PAGE_SIZE, offset }
  const users = useQuery({ ...usersQuery(args), placeholderData: keepPreviousData })
  const total = users.data?.total ?? 0
  const rows = users.data?.rows ?? []

  return (
    <>
      <PageHeader
        title="Users"
        subtitle="Everyone the directories deliver, with the attributes the rules read."
        actions={<ExportButton kind="users" label="Export users with groups (CSV)" />}
      />
      <div className="toolbar" role="search">
        <label className="search">
          <span className="visually-hidden">Search users</span>
          <input
            type="search"
            placeholder="Search by name, email, department, title or country"
            value={search}
            onChange={e => {
              setSearch(e.target.value)
              setOffset(0)
            }}
          />
        </label>
        <span className="muted" aria-live="polite">
          {users.data ? `${total.toLocaleString()} ${total === 1 ? 'user' : 'users'}` : ''}
        </span>
      </div>
      {users.isError && <ErrorNote error={users.error} title="Could not load users" />}
      {users.isPending ? (
        <Loading label="Loading users…" />
      ) : (
        <div className="card flush">
          <Table
            label="Users"
            columns={['Name', 'User principal name', 'Department', 'Job title', 'Country']}
            items={rows}
            itemKey={u => u.id}
            empty={query === '' ? 'No users yet: import a directory first.' : `No users match “${query}”.`}
            busy={users.isPlaceholderData}
          >
            {u => (
              <tr>
                <td>
                  <Link to={paths.user(u.id)}>{u.displayName || u.userPrincipalName}</Link>
                </td>
                <td className="mono">{u.userPrincipalName}</td>
                <td>{u.department ?? <span className="muted">—</span>}</td>
                <td>{u.jobTitle ?? <span className="muted">—</span>}</td>
                <td>{u.country ?? <span className="muted">—</span>}</td>
              </tr>
            )}
          </Table>
          {total > PAGE_SIZE && (
            <nav className="pager" aria-label="Pages of users">
              <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
                Previous
              </button>
              <span>
                {offset + 1}–{Math.min(offset + PAGE_SIZE, total)} of {total.toLocaleString()}
              </span>
              <button
                type="button"
                disabled={offset + PAGE_SIZE >= total}
                onClick={() => setOffset(offset + PAGE_SIZE)}
              >
                Next
              </button>
            </nav>
          )}
        </div>
      )}
    </>
  )
}
