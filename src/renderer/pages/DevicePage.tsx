import { useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { call, deviceCommandsQuery, deviceQuery } from '../api'
import { Pager } from '../components/Pager'
import { Link, paths } from '../router'
import { Badge, Empty, ErrorNote, Loaded, PageHeader, Section, Time, platformLabel, type Tone } from '../components/ui'
import { AssignmentHistory, EffectivePolicies } from '../components/DevicePolicies'
import { DeviceReport } from '../components/DeviceFacts'
import { DeviceActions } from '../components/DeviceActions'
import type { Command, CommandState, DeviceAssignment, DeviceDetail } from '../../shared/domain'
import { Table } from '../components/Table'

export function DevicePage({ deviceId }: { deviceId: string }) {
  const device = useQuery(deviceQuery(deviceId))
  return (
    <Loaded query={device} label="Loading device…">
      {detail => <DeviceView detail={detail} />}
    </Loaded>
  )
}

function DeviceView({ detail }: { detail: DeviceDetail }) {
  const { device } = detail
  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.devices()}>Devices</Link> / {device.name}
      </p>
      <PageHeader
        title={device.name}
        subtitle={
          <>
            {platformLabel(device.platform)} · serial <span className="mono">{device.serial}</span>
          </>
        }
        actions={
          device.pendingCommands > 0 ? (
            <Badge tone="warn">{device.pendingCommands} pending</Badge>
          ) : (
            <Badge tone="good">Up to date</Badge>
          )
        }
      />
      <Section title="Device">
        <dl className="facts">
          <div>
            <dt>User</dt>
            <dd>
              {device.userId ? (
                <Link to={paths.user(device.userId)} className="mono">
                  {device.userPrincipalName ?? device.userId}
                </Link>
              ) : (
                <span className="muted">not bound</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Enrolled</dt>
            <dd>
              <Time iso={device.enrolledAt} />
            </dd>
          </div>
          <div>
            <dt>Last check-in</dt>
            <dd>
              <Time iso={device.lastSeenAt} />
            </dd>
          </div>
          <div>
            <dt>Pending commands</dt>
            <dd>{device.pendingCommands}</dd>
          </div>
        </dl>
      </Section>
      <DeviceReport detail={detail} />
      <DeviceActions device={device} />
      {detail.rebinds.length > 0 && (
        <Section title="Re-enrollments by another user">
          <Rebinds detail={detail} />
        </Section>
      )}
      <Section title="Policy assignments">
        <Assignments assignments={detail.assignments} />
      </Section>
      {device.userId && <EffectivePolicies deviceId={device.id} />}
      {device.userId && <AssignmentHistory deviceId={device.id} />}
      <Section title="Commands">
        <Commands detail={detail} />
      </Section>
    </>
  )
}

/** Held re-enrollments: the device stays with its user until an admin approves the move. */
function Rebinds({ detail }: { detail: DeviceDetail }) {
  const decide = useMutation({
    mutationFn: (d: { heldRebindId: string; approve: boolean }) => call('devices/decideRebind', d),
  })
  return (
    <>
      <p className="muted small">
        Someone signed in on this device as another user without proof from the device's current identity. Approving
        moves the device to them and cancels its open commands; rejecting leaves it with its user.
      </p>
      {decide.isError && <ErrorNote error={decide.error} title="Not decided" />}
      <table aria-label="Re-enrollments">
        <thead>
          <tr>
            <th scope="col">Requested</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {detail.rebinds.map(r => (
            <tr key={r.id}>
              <td>
                <Time iso={r.requestedAt} />
              </td>
              <td className="mono">
                <bdi>{r.fromUserPrincipalName ?? 'not bound'}</bdi>
              </td>
              <td className="mono">
                <bdi>{r.toUserPrincipalName}</bdi>
              </td>
              <td>
                <Badge tone={r.status === 'held' ? 'warn' : r.status === 'approved' ? 'good' : 'neutral'}>
                  {r.status}
                </Badge>
              </td>
              <td>
                {r.status === 'held' && (
                  <>
                    <button
                      type="button"
                      disabled={decide.isPending}
                      onClick={() => decide.mutate({ heldRebindId: r.id, approve: true })}
                    >
                      Approve
                    </button>{' '}
                    <button
                      type="button"
                      disabled={decide.isPending}
                      onClick={() => decide.mutate({ heldRebindId: r.id, approve: false })}
                    >
                      Reject
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

function Assignments({ assignments }: { assignments: DeviceAssignment[] }) {
  if (assignments.length === 0) return <Empty>No policy applies to this device's user.</Empty>
  return (
    <Table
      label="Policy assignments"
      columns={['Policy', 'Kind', 'Item', 'Identifier']}
      items={assignments}
      itemKey={a => `${a.policyId}/${a.itemId}`}
    >
      {a => (
        <tr>
          <td>{a.policyName}</td>
          <td>
            <Badge tone={a.kind === 'app' ? 'info' : 'neutral'}>{a.kind}</Badge>
          </td>
          <td>{a.name}</td>
          <td className="mono small">{a.identifier}</td>
        </tr>
      )}
    </Table>
  )
}

const STATE_TONE: Record<CommandState, Tone> = {
  queued: 'warn',
  pushed: 'info',
  sent: 'info',
  acknowledged: 'good',
  failed: 'bad',
  cancelled: 'neutral',
  dead: 'bad',
}

const OPEN_STATES: readonly CommandState[] = ['queued', 'pushed', 'sent']
/** Commands per page of the device's queue. */
const COMMANDS_PAGE = 50

function Commands({ detail }: { detail: DeviceDetail }) {
  const deviceId = detail.device.id
  const acknowledge = useMutation({
    mutationFn: (commandId: string) => call('devices/acknowledge', { deviceId, commandId, status: 'acknowledged' }),
  })
  const remedy = useMutation({
    mutationFn: (
      action: { channel: 'devices/scan' | 'devices/repush' } | { channel: 'devices/cancel'; commandId?: string },
    ) =>
      action.channel === 'devices/cancel'
        ? call('devices/cancel', { deviceId, commandId: action.commandId })
        : call(action.channel, { deviceId }),
  })
  // The queue is paged on the server: a device that checked in for a year has thousands of commands.
  const [offset, setOffset] = useState(0)
  const page = useQuery(deviceCommandsQuery({ deviceId, offset, limit: COMMANDS_PAGE }))
  const commands = page.data?.rows ?? []
  const stuck = detail.commands.some(c => OPEN_STATES.includes(c.state) || c.state === 'dead')
  return (
    <>
      <div className="toolbar" role="toolbar" aria-label="Device actions">
        <button type="button" onClick={() => remedy.mutate({ channel: 'devices/scan' })} disabled={remedy.isPending}>
          Scan Device
        </button>
        <button
          type="button"
          onClick={() => remedy.mutate({ channel: 'devices/repush' })}
          disabled={remedy.isPending || !stuck}
        >
          Re-push
        </button>
        <button
          type="button"
          onClick={() => remedy.mutate({ channel: 'devices/cancel' })}
          disabled={remedy.isPending || !stuck}
        >
          Cancel open commands
        </button>
      </div>
      <p className="muted small">Acknowledge stands in for the device answering a command at its next check-in.</p>
      {acknowledge.isError && <ErrorNote error={acknowledge.error} title="Not acknowledged" />}
      {remedy.isError && <ErrorNote error={remedy.error} title="Not done" />}
      <div className="table-scroll">
        <Table
          label="Commands"
          columns={[
            { header: '#', numeric: true },
            'Type',
            'Item',
            'State',
            'Timeline',
            'Deadline',
            'Reason',
            { header: <span className="visually-hidden">Actions</span> },
          ]}
          items={commands}
          itemKey={c => c.id}
          busy={page.isPlaceholderData}
          empty={page.isPending ? 'Loading…' : 'The outbox for this device is empty.'}
        >
          {c => (
            <CommandRow
              command={c}
              item={commandItem(c, detail.assignments)}
              busy={(acknowledge.isPending && acknowledge.variables === c.id) || remedy.isPending}
              onAcknowledge={() => acknowledge.mutate(c.id)}
              onCancel={() => remedy.mutate({ channel: 'devices/cancel', commandId: c.id })}
            />
          )}
        </Table>
      </div>
      <Pager
        label="Pages of commands"
        offset={offset}
        limit={COMMANDS_PAGE}
        total={page.data?.total ?? 0}
        onOffset={setOffset}
      />
    </>
  )
}

function CommandRow({
  command,
  item,
  busy,
  onAcknowledge,
  onCancel,
}: {
  command: Command
  item: string
  busy: boolean
  onAcknowledge: () => void
  onCancel: () => void
}) {
  const open = OPEN_STATES.includes(command.state)
  const overdue = open && Date.parse(command.deadlineAt) < Date.now()
  const steps: [string, string | null][] = [
    ['queued', command.createdAt],
    ['pushed', command.pushedAt],
    ['fetched', command.sentAt],
    [command.state === 'acknowledged' ? 'acknowledged' : command.state, command.finishedAt],
  ]
  return (
    <tr>
      <td className="num muted">{command.seq}</td>
      <td>
        <code>{command.type}</code>
        {command.channel && <div className="small muted">user channel {command.channel}</div>}
      </td>
      <td>{item}</td>
      <td>
        <Badge tone={STATE_TONE[command.state]}>{command.state}</Badge>
        {overdue && (
          <>
            {' '}
            <Badge tone="bad" title="Past its deadline: see PAYLOAD_LATENCY in Diagnostics">
              overdue
            </Badge>
          </>
        )}
        {command.error && <div className="small error-text">{command.error}</div>}
      </td>
      <td className="nowrap small">
        {steps
          .filter(([, at]) => at !== null)
          .map(([label, at]) => (
            <div key={label}>
              {label} <Time iso={at} short />
            </div>
          ))}
        {command.attempts > 0 && (
          <div className="muted">
            {command.attempts} push{command.attempts === 1 ? '' : 'es'}
          </div>
        )}
      </td>
      <td className="nowrap">
        <Time iso={command.deadlineAt} short />
      </td>
      <td className="reason">{command.reason.summary}</td>
      <td className="actions">
        {open && (
          <button type="button" className="small" onClick={onAcknowledge} disabled={busy}>
            {busy ? 'Working…' : 'Acknowledge'}
          </button>
        )}
        {(open || command.state === 'dead') && (
          <button type="button" className="small" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        )}
      </td>
    </tr>
  )
}

/** The payload item a command is about, by name where the payload or the assignments tell it. */
export function commandItem(command: Command, assignments: DeviceAssignment[]): string {
  const p = command.payload
  const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined)
  const name = str('name')
  if (name) return name
  const itemId = str('itemId')
  const identifier = str('identifier')
  const match = assignments.find(a => (itemId && a.itemId === itemId) || (identifier && a.identifier === identifier))
  if (match) return match.name
  if (identifier) return identifier
  const settings = p['settings']
  if (command.type === 'apply_restrictions' && typeof settings === 'object' && settings !== null) {
    const keys = Object.keys(settings)
    return keys.length === 0 ? 'No restrictions' : `Restrictions: ${keys.join(', ')}`
  }
  return '—'
}
