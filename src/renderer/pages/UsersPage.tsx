import { useDeferredValue, useState } from 'react'
import { ExportButton } from '../components/ExportButton'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { type UsersListArgs, usersQuery } from '../api'
import { Link, paths } from '../router'
import { ErrorNote, Loading, PageHeader } from '../components/ui'
import { Pager } from '../components/Pager'
import { Table } from '../components/Table'

/** Users fetched per page; the table renders the ones in view. */
const PAGE_SIZE = 200
const VIRTUAL = { height: 560, rowHeight: 41 }

type UserSort = NonNullable<UsersListArgs['sort']>

export function UsersPage() {
  const [search, setSearch] = useState('')
  const [offset, setOffset] = useState(0)
  const [sort, setSort] = useState<{ key: UserSort; dir: 'asc' | 'desc' }>({ key: 'name', dir: 'asc' })
  const query = useDeferredValue(search.trim())
  const args: UsersListArgs = {
    ...(query === '' ? {} : { query }),
    sort: sort.key,
    dir: sort.dir,
    limit: PAGE_SIZE,
    offset,
  }
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
            columns={[
              { header: 'Name', sort: 'name' },
              { header: 'User principal name', sort: 'userPrincipalName' },
              'Department',
              'Job title',
              'Country',
            ]}
            items={rows}
            itemKey={u => u.id}
            empty={query === '' ? 'No users yet: import a directory first.' : `No users match “${query}”.`}
            busy={users.isPlaceholderData}
            sort={{
              key: sort.key,
              dir: sort.dir,
              onSort: (key, dir) => {
                setSort({ key: key as UserSort, dir })
                setOffset(0)
              },
            }}
            virtual={VIRTUAL}
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
          <Pager label="Pages of users" offset={offset} limit={PAGE_SIZE} total={total} onOffset={setOffset} />
        </div>
      )}
    </>
  )
}
