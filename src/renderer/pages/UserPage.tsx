import { useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { userQuery } from '../api'
import { Link, paths } from '../router'
import { Badge, Empty, EmptyRow, Loaded, PageHeader, Section, Time, Value, platformLabel } from '../components/ui'
import { EditAttributesForm } from '../components/EditAttributesForm'
import type { UserDetail } from '../../shared/domain'

export function UserPage({ userId }: { userId: string }) {
  const user = useQuery(userQuery(userId))
  return (
    <Loaded query={user} label="Loading user…">
      {detail => <UserView detail={detail} />}
    </Loaded>
  )
}

function UserView({ detail }: { detail: UserDetail }) {
  const [editing, setEditing] = useState(false)
  const { user } = detail
  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.users()}>Users</Link> / {user.displayName}
      </p>
      <PageHeader
        title={user.displayName || user.userPrincipalName}
        subtitle={
          <>
            <span className="mono">{user.userPrincipalName}</span> · {detail.directoryKind} directory
            {!detail.editable && ' · read-only here: change it in the identity provider'}
          </>
        }
        actions={
          detail.editable && !editing ? (
            <button type="button" className="primary" onClick={() => setEditing(true)}>
              Edit attributes
            </button>
          ) : undefined
        }
      />

      <Section title="Attributes">
        {editing ? (
          <EditAttributesForm key={user.id} detail={detail} onDone={() => setEditing(false)} />
        ) : (
          <AttributesTable attributes={detail.attributes} />
        )}
      </Section>

      <Section
        title="Groups"
        actions={
          <Link to={paths.explain(user.id)} className="button-link">
            Why not in a group?
          </Link>
        }
      >
        <table aria-label="Group memberships">
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Kind</th>
              <th scope="col">Membership</th>
              <th scope="col">Missing attributes</th>
              <th scope="col">Policies apply</th>
            </tr>
          </thead>
          <tbody>
            {detail.memberships.length === 0 && <EmptyRow colSpan={5}>Not a member of any group.</EmptyRow>}
            {detail.memberships.map(m => (
              <tr key={m.groupId}>
                <td>
                  <Link to={paths.group(m.groupId)}>{m.groupName}</Link>
                </td>
                <td>{m.groupKind === 'rule' ? 'Rule-based' : 'Synced'}</td>
                <td>
                  {m.state === 'in' ? (
                    <Badge tone="good">in</Badge>
                  ) : (
                    <Badge tone="warn" title="A rule needs an attribute the directory did not deliver">
                      unknown
                    </Badge>
                  )}
                </td>
                <td>
                  {m.missing.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    m.missing.map(a => (
                      <code key={a} className="chip">
                        {a}
                      </code>
                    ))
                  )}
                </td>
                <td>
                  {m.effective ? 'Yes' : <span className="muted">No (keeps what the user had)</span>}
                  {m.state === 'unknown' && (
                    <>
                      {' '}
                      · <Link to={paths.explain(user.id, m.groupId)}>Explain</Link>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Devices">
        {detail.devices.length === 0 ? (
          <Empty>No devices are bound to this user.</Empty>
        ) : (
          <table aria-label="Devices of this user">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Platform</th>
                <th scope="col">Serial</th>
                <th scope="col" className="num">
                  Pending commands
                </th>
                <th scope="col">Enrolled</th>
              </tr>
            </thead>
            <tbody>
              {detail.devices.map(d => (
                <tr key={d.id}>
                  <td>
                    <Link to={paths.device(d.id)}>{d.name}</Link>
                  </td>
                  <td>{platformLabel(d.platform)}</td>
                  <td className="mono">{d.serial}</td>
                  <td className="num">{d.pendingCommands}</td>
                  <td>
                    <Time iso={d.enrolledAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  )
}

function AttributesTable({ attributes }: { attributes: UserDetail['attributes'] }) {
  const keys = Object.keys(attributes).sort((a, b) => a.localeCompare(b))
  if (keys.length === 0) return <Empty>The directory delivered no attributes for this user.</Empty>
  return (
    <table aria-label="Attributes" className="kv">
      <thead>
        <tr>
          <th scope="col">Attribute</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {keys.map(k => (
          <tr key={k}>
            <th scope="row" className="mono">
              {k}
            </th>
            <td>
              <Value value={attributes[k]} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
