import { useDeferredValue, useState } from 'react'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { groupMembersQuery, groupQuery } from '../api'
import { Link, paths } from '../router'
import { Badge, ErrorNote, Loaded, PageHeader, Section } from '../components/ui'
import { Pager } from '../components/Pager'
import { RuleEditor } from '../components/RuleEditor'
import { useDisclosure } from '../components/disclosure'
import { GroupKindBadge } from './GroupsPage'
import type { GroupDetail } from '../../shared/domain'
import { Table } from '../components/Table'
import { DeleteWithPreview, RenameControl } from '../components/AdminChange'
import { navigate } from '../router'

/** Members fetched per page; the table renders the ones in view. */
const PAGE_SIZE = 200
const VIRTUAL = { height: 560, rowHeight: 41 }

export function GroupPage({ groupId }: { groupId: string }) {
  const group = useQuery(groupQuery(groupId))
  return (
    <Loaded query={group} label="Loading group…">
      {detail => <GroupView detail={detail} />}
    </Loaded>
  )
}

function GroupView({ detail }: { detail: GroupDetail }) {
  const { group } = detail
  const [filter, setFilter] = useState('')
  const [offset, setOffset] = useState(0)
  // The rule editor takes focus when it opens; Escape closes it and focus returns to its button.
  const editing = useDisclosure<HTMLDivElement>()
  const [note, setNote] = useState<string | null>(null)
  const q = useDeferredValue(filter.trim())
  const members = useQuery({
    ...groupMembersQuery({ groupId: group.id, ...(q ? { query: q } : {}), offset, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  })
  const total = members.data?.total ?? 0
  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.groups()}>Groups</Link> / {group.name}
      </p>
      <PageHeader
        title={group.name}
        subtitle={group.description || (group.kind === 'synced' ? 'Synced from the directory' : 'Rule-based group')}
        actions={
          <>
            <GroupKindBadge group={group} />
            {group.kind === 'rule' && (
              <>
                <RenameControl
                  what="group"
                  current={group.name}
                  toChange={name => ({ kind: 'renameGroup', groupId: group.id, name })}
                  onDone={setNote}
                />
                <DeleteWithPreview
                  what="group"
                  name={group.name}
                  change={{ kind: 'deleteGroup', groupId: group.id }}
                  onDone={message => {
                    // A deletion that was held leaves the group in place: stay and say so.
                    if (message.startsWith('Held')) setNote(message)
                    else navigate(paths.groups())
                  }}
                >
                  Policies lose their targets on it, and its members' devices lose what only it gave them.
                </DeleteWithPreview>
              </>
            )}
          </>
        }
      />
      {note && (
        <p className="notice" role="status">
          {note}
        </p>
      )}
      <Section
        title="Rule"
        actions={
          group.kind === 'rule' && (
            <button
              type="button"
              className="small"
              ref={editing.trigger}
              onClick={editing.open ? editing.hide : editing.show}
              aria-expanded={editing.open}
            >
              {editing.open ? 'Close editor' : 'Edit rule'}
            </button>
          )
        }
      >
        {editing.open && group.dialect !== null && group.rule !== null ? (
          <div {...editing.panel} role="group" aria-label={`Edit the rule of ${group.name}`}>
            <RuleEditor groupId={group.id} initialDialect={group.dialect} initialRule={group.rule} />
          </div>
        ) : group.rule ? (
          <pre className="rule-block" aria-label="Rule text">
            {group.rule}
          </pre>
        ) : (
          <p className="muted">Membership is synced from the directory; there is no rule to evaluate.</p>
        )}
        <dl className="facts">
          <div>
            <dt>Members</dt>
            <dd>{group.memberCount.toLocaleString()}</dd>
          </div>
          <div>
            <dt>Unknown</dt>
            <dd>{group.unknownCount.toLocaleString()}</dd>
          </div>
          {group.dialect && (
            <div>
              <dt>Dialect</dt>
              <dd>{group.dialect}</dd>
            </div>
          )}
        </dl>
      </Section>
      <Section
        title="Members"
        actions={
          <label className="search compact">
            <span className="visually-hidden">Filter members</span>
            <input
              type="search"
              placeholder="Filter members"
              value={filter}
              onChange={e => {
                setFilter(e.target.value)
                setOffset(0)
              }}
            />
          </label>
        }
      >
        <p className="muted small" aria-live="polite">
          {members.data
            ? `${total.toLocaleString()} ${total === 1 ? 'member' : 'members'}${q ? ` match “${q}”` : ''}`
            : ''}
        </p>
        {members.isError && <ErrorNote error={members.error} title="Could not load members" />}
        <Table
          label="Members"
          columns={['Name', 'User principal name', 'Membership', 'Missing attributes']}
          items={members.data?.rows ?? []}
          itemKey={m => m.userId}
          empty={members.isPending ? 'Loading members…' : q ? 'No member matches the filter.' : 'No members.'}
          busy={members.isPlaceholderData}
          virtual={VIRTUAL}
        >
          {m => (
            <tr>
              <td>
                <Link to={paths.user(m.userId)}>{m.displayName || m.userPrincipalName}</Link>
              </td>
              <td className="mono">{m.userPrincipalName}</td>
              <td>{m.state === 'in' ? <Badge tone="good">in</Badge> : <Badge tone="warn">unknown</Badge>}</td>
              <td>
                {m.missing.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <>
                    {m.missing.map(a => (
                      <code key={a} className="chip">
                        {a}
                      </code>
                    ))}{' '}
                    <Link to={paths.explain(m.userId, group.id)}>Explain</Link>
                  </>
                )}
              </td>
            </tr>
          )}
        </Table>
        <Pager label="Pages of members" offset={offset} limit={PAGE_SIZE} total={total} onOffset={setOffset} />
      </Section>
    </>
  )
}
