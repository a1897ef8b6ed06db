import { useDisclosure } from '../components/disclosure'
import { useQuery } from '@tanstack/react-query'
import { userQuery } from '../api'
import { Link, paths } from '../router'
import { Badge, Empty, Loaded, PageHeader, Section, Time, Value, platformLabel } from '../components/ui'
import { EditAttributesForm } from '../components/EditAttributesForm'
import type { UserDetail } from '../../shared/domain'
import { Table } from '../components/Table'

export function UserPage({ userId }: { userId: string }) {
  const user = useQuery(userQuery(userId))
  return (
    <Loaded query={user} label="Loading user…">
      {detail => <UserView detail={detail} />}
    </Loaded>
  )
}

function UserView({ detail }: { detail: UserDetail }) {
  // The attribute form takes focus when it opens; Escape closes it and focus returns to its button.
  const editing = useDisclosure<HTMLDivElement>()
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
          detail.editable && !editing.open ? (
            <button type="button" className="primary" ref={editing.trigger} onClick={editing.show}>
              Edit attributes
            </button>
          ) : undefined
        }
      />

      <Section title="Attributes">
        {editing.open ? (
          <div
            {...editing.panel}
            role="group"
            aria-label={`Editing the attributes of ${user.displayName || user.userPrincipalName}`}
          >
            <EditAttributesForm key={user.id} detail={detail} onDone={editing.hide} />
          </div>
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
        <Table
          label="Group memberships"
          columns={['Group', 'Kind', 'Membership', 'Missing attributes', 'Policies apply']}
          items={detail.memberships}
          itemKey={m => m.groupId}
          empty="Not a member of any group."
        >
          {m => (
            <tr>
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
          )}
        </Table>
      </Section>

      <Section title="Devices">
        {detail.devices.length === 0 ? (
          <Empty>No devices are bound to this user.</Empty>
        ) : (
          <Table
            label="Devices of this user"
            columns={['Device', 'Platform', 'Serial', { header: 'Pending commands', numeric: true }, 'Enrolled']}
            items={detail.devices}
            itemKey={d => d.id}
          >
            {d => (
              <tr>
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
            )}
          </Table>
        )}
      </Section>
    </>
  )
}

function AttributesTable({ attributes }: { attributes: UserDetail['attributes'] }) {
  const keys = Object.keys(attributes).sort((a, b) => a.localeCompare(b))
  if (keys.length === 0) return <Empty>The directory delivered no attributes for this user.</Empty>
  return (
    <Table label="Attributes" columns={['Attribute', 'Value']} items={keys} itemKey={k => k} className="kv">
      {k => (
        <tr>
          <th scope="row" className="mono">
            {k}
          </th>
          <td>
            <Value value={attributes[k]} />
          </td>
        </tr>
      )}
    </Table>
  )
}
