import { useDeferredValue, useState, type FormEvent } from 'react'
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query'
import { call, devicesPageQuery, latencyQuery } from '../api'
import { AdeDevicesPanel } from '../components/AdeDevicesPanel'
import { ExportButton } from '../components/ExportButton'
import { LatencyChart } from '../components/LatencyChart'
import { useDisclosure } from '../components/disclosure'
import { UserPrincipalNameField } from '../components/UserPrincipalNameField'
import { Link, paths } from '../router'
import { Badge, ErrorNote, Loaded, PageHeader, Section, Time, PlatformOptions, platformLabel } from '../components/ui'
import type { DeviceListArgs, EnrollResult, Platform } from '../../shared/domain'
import { Pager } from '../components/Pager'
import { Table } from '../components/Table'

/** Devices fetched per page; the table renders the ones in view. */
const PAGE_SIZE = 200
const VIRTUAL = { height: 560, rowHeight: 53 }

type DeviceSort = NonNullable<DeviceListArgs['sort']>
type DeviceStatus = NonNullable<DeviceListArgs['status']>

const STATUSES: { value: DeviceStatus; label: string }[] = [
  { value: 'delivered', label: 'Policies delivered' },
  { value: 'waiting', label: 'Commands waiting' },
  { value: 'late', label: 'Commands late' },
]

export function DevicesPage() {
  const latency = useQuery(latencyQuery())
  // Enrolling by hand is occasional: the form opens from the header and takes focus.
  const enrolling = useDisclosure<HTMLElement>()
  return (
    <>
      <PageHeader
        title="Devices"
        subtitle="Each device is bound to its user; the user's groups decide its policies and the commands in its outbox."
        actions={
          <>
            <ExportButton kind="devices" label="Export devices (CSV)" />
            <ExportButton kind="policy-status" label="Export policy status (CSV)" />
            <button
              type="button"
              className="primary"
              ref={enrolling.trigger}
              onClick={enrolling.show}
              disabled={enrolling.open}
            >
              Enroll a device
            </button>
          </>
        }
      />
      {enrolling.open && (
        <section {...enrolling.panel} className="card" aria-labelledby="enroll-device">
          <div className="card-header">
            <h2 id="enroll-device">Enroll device</h2>
            <button type="button" className="small" onClick={enrolling.hide}>
              Close
            </button>
          </div>
          <EnrollForm />
        </section>
      )}
      <p className="muted small">
        Push credentials (APNs, FCM) that wake devices are on the <Link to={paths.settings()}>Settings</Link> page.
      </p>
      <Section title="Enrolled devices">
        <DeviceList />
      </Section>
      <AdeDevicesPanel />
      <Section title="Delivery latency">
        <Loaded query={latency} label="Loading latency…">
          {list => <LatencyChart latencies={list} />}
        </Loaded>
      </Section>
    </>
  )
}

/** Searched, filtered, sorted and paged on the server: the page holds one page of the fleet. */
function DeviceList() {
  const [search, setSearch] = useState('')
  const [platform, setPlatform] = useState<Platform | ''>('')
  const [status, setStatus] = useState<DeviceStatus | ''>('')
  const [sort, setSort] = useState<{ key: DeviceSort; dir: 'asc' | 'desc' }>({ key: 'name', dir: 'asc' })
  const [offset, setOffset] = useState(0)
  const query = useDeferredValue(search.trim())
  const args: DeviceListArgs = {
    ...(query ? { query } : {}),
    ...(platform ? { platform } : {}),
    ...(status ? { status } : {}),
    sort: sort.key,
    dir: sort.dir,
    offset,
    limit: PAGE_SIZE,
  }
  const devices = useQuery({ ...devicesPageQuery(args), placeholderData: keepPreviousData })
  const total = devices.data?.total ?? 0
  const filtered = query !== '' || platform !== '' || status !== ''
  return (
    <>
      <div className="toolbar" role="search" aria-label="Find devices">
        <label className="search">
          <span className="visually-hidden">Search devices</span>
          <input
            type="search"
            placeholder="Search by name, serial, platform or user"
            value={search}
            onChange={e => {
              setSearch(e.target.value)
              setOffset(0)
            }}
          />
        </label>
        <label>
          <span className="visually-hidden">Platform</span>
          <select
            aria-label="Platform"
            value={platform}
            onChange={e => {
              setPlatform(e.target.value as Platform | '')
              setOffset(0)
            }}
          >
            <option value="">Every platform</option>
            <PlatformOptions />
          </select>
        </label>
        <label>
          <span className="visually-hidden">Policy status</span>
          <select
            aria-label="Policy status"
            value={status}
            onChange={e => {
              setStatus(e.target.value as DeviceStatus | '')
              setOffset(0)
            }}
          >
            <option value="">Any policy status</option>
            {STATUSES.map(s => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" aria-live="polite">
          {devices.data ? `${total.toLocaleString()} ${total === 1 ? 'device' : 'devices'}` : ''}
        </span>
      </div>
      {devices.isError && <ErrorNote error={devices.error} title="Could not load devices" />}
      <Table
        label="Devices"
        columns={[
          { header: 'Device', sort: 'name' },
          { header: 'Platform', sort: 'platform' },
          { header: 'User', sort: 'user' },
          { header: 'Pending commands', numeric: true, sort: 'pending' },
          { header: 'Enrolled', sort: 'enrolledAt' },
          { header: 'Last check-in', sort: 'lastSeenAt' },
        ]}
        items={devices.data?.rows ?? []}
        itemKey={d => d.id}
        empty={
          devices.isPending
            ? 'Loading devices…'
            : filtered
              ? 'No device matches the search.'
              : 'No devices yet: enroll one below.'
        }
        busy={devices.isPlaceholderData}
        sort={{
          key: sort.key,
          dir: sort.dir,
          onSort: (key, dir) => {
            setSort({ key: key as DeviceSort, dir })
            setOffset(0)
          },
        }}
        virtual={VIRTUAL}
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
      <Pager label="Pages of devices" offset={offset} limit={PAGE_SIZE} total={total} onOffset={setOffset} />
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
            <PlatformOptions />
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
