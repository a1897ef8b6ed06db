import { useState, type FormEvent } from 'react'
import { ExportButton } from '../components/ExportButton'
import { useMutation, useQuery } from '@tanstack/react-query'
import { call, devicesQuery, latencyQuery } from '../api'
import { LatencyChart } from '../components/LatencyChart'
import { PushCredentialsPanel } from '../components/PushCredentialsPanel'
import { UserPrincipalNameField } from '../components/UserPrincipalNameField'
import { Link, paths } from '../router'
import { Badge, ErrorNote, Loaded, PageHeader, Section, Time, platformLabel } from '../components/ui'
import { PLATFORMS, type EnrollResult, type Platform } from '../../shared/domain'
import { Table } from '../components/Table'

export function DevicesPage() {
  const devices = useQuery(devicesQuery())
  const latency = useQuery(latencyQuery())
  return (
    <>
      <PageHeader
        title="Devices"
        subtitle="Each device is bound to its user; the user's groups decide its policies and the commands in its outbox."
        actions={
          <>
            <ExportButton kind="devices" label="Export devices (CSV)" />
            <ExportButton kind="policy-status" label="Export policy status (CSV)" />
          </>
        }
      />
      <Section title="Enrolled devices">
        <Loaded query={devices} label="Loading devices…">
          {list => (
            <Table
              label="Devices"
              columns={[
                'Device',
                'Platform',
                'User',
                { header: 'Pending commands', numeric: true },
                'Enrolled',
                'Last check-in',
              ]}
              items={list}
              itemKey={d => d.id}
              empty="No devices yet: enroll one below."
            >
              {d => (
                <tr>
                  <td>
                    <Link to={paths.device(d.id)}>{d.name}</Link>
                    <div className="mono muted small">{d.serial}</div>
                  </td>
                  <td>{platformLabel(d.platform)}</td>
                  <td>
                    {d.userId ? (
                      <Link to={paths.user(d.userId)} className="mono">
                        {d.userPrincipalName ?? d.userId}
                      </Link>
                    ) : (
                      <span className="muted">unbound</span>
                    )}
                  </td>
                  <td className="num">
                    {d.pendingCommands > 0 ? (
                      <Badge tone="warn">{d.pendingCommands}</Badge>
                    ) : (
                      <span className="muted">0</span>
                    )}
                  </td>
                  <td>
                    <Time iso={d.enrolledAt} />
                  </td>
                  <td>
                    <Time iso={d.lastSeenAt} />
                  </td>
                </tr>
              )}
            </Table>
          )}
        </Loaded>
      </Section>
      <Section title="Delivery latency">
        <Loaded query={latency} label="Loading latency…">
          {list => <LatencyChart latencies={list} />}
        </Loaded>
      </Section>
      <Section title="Push credentials">
        <PushCredentialsPanel />
      </Section>
      <Section title="Enroll device">
        <EnrollForm />
      </Section>
    </>
  )
}

function EnrollForm() {
  const [serial, setSerial] = useState('')
  const [platform, setPlatform] = useState<Platform>('ios')
  const [upn, setUpn] = useState('')
  const [name, setName] = useState('')
  const enroll = useMutation({
    mutationFn: () =>
      call('devices/enroll', {
        serial,
        platform,
        userPrincipalName: upn,
        ...(name.trim() ? { name: name.trim() } : {}),
      }),
    onSuccess: () => {
      setSerial('')
      setName('')
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    enroll.mutate()
  }
  return (
    <form aria-label="Enroll device" onSubmit={submit}>
      <p className="muted">
        Simulates a device enrolling and its user signing in: the user's attributes are evaluated at once and the
        device's commands are queued.
      </p>
      <div className="form-row">
        <label>
          <span className="field-label">Serial number</span>
          <input value={serial} onChange={e => setSerial(e.target.value)} required autoComplete="off" />
        </label>
        <label>
          <span className="field-label">Platform</span>
          <select value={platform} onChange={e => setPlatform(e.target.value as Platform)}>
            {PLATFORMS.map(p => (
              <option key={p} value={p}>
                {platformLabel(p)}
              </option>
            ))}
          </select>
        </label>
        <UserPrincipalNameField value={upn} onChange={setUpn} />
        <label>
          <span className="field-label">Device name</span>
          <input value={name} onChange={e => setName(e.target.value)} placeholder="optional" autoComplete="off" />
        </label>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={enroll.isPending}>
          {enroll.isPending ? 'Enrolling…' : 'Enroll device'}
        </button>
      </div>
      {enroll.isError && <ErrorNote error={enroll.error} title="Enrollment failed" />}
      {enroll.isSuccess && <EnrollSummary result={enroll.data} />}
    </form>
  )
}

function EnrollSummary({ result }: { result: EnrollResult }) {
  const { device } = result
  return (
    <div className="success-note" role="status">
      <p>
        <strong>
          Enrolled <Link to={paths.device(device.id)}>{device.name}</Link>
        </strong>{' '}
        for <span className="mono">{device.userPrincipalName ?? 'no user'}</span>.{' '}
        {result.commands.length === 1 ? '1 command' : `${result.commands.length} commands`} queued.
      </p>
      <dl className="facts">
        <div>
          <dt>Groups</dt>
          <dd>{result.groups.length ? result.groups.join(', ') : 'none'}</dd>
        </div>
        <div>
          <dt>Policies</dt>
          <dd>{result.policies.length ? result.policies.join(', ') : 'none'}</dd>
        </div>
      </dl>
    </div>
  )
}
