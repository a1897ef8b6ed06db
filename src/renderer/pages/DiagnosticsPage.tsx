import { useState } from 'react'
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query'
import {
  call,
  diagnosticsPageQuery,
  diagnosticsSummaryQuery,
  directoriesQuery,
  groupNamesQuery,
  userQuery,
} from '../api'
import { Link, paths } from '../router'
import { Badge, Empty, ErrorNote, Loaded, Loading, PageHeader, Section, plural } from '../components/ui'
import { DiagnosticsByDevice } from '../components/DiagnosticsByDevice'
import { RelativeTime } from '../components/RelativeTime'
import { saveFile } from '../components/ExportButton'
import { ExplainMembership } from '../components/ExplainMembership'
import { Pager } from '../components/Pager'
import type { Diagnostic, DiagnosticCause, DiagnosticCode, DiagnosticFilter } from '../../shared/domain'

const CODES: { code: DiagnosticCode; title: string; meaning: string; remediation: string }[] = [
  {
    code: 'SYNC_ATTR_MISSING',
    title: 'Attribute missing from the directory',
    meaning:
      'A rule needs an attribute that the directory did not deliver for the user (unmapped, not selected, or empty).',
    remediation: 'Map the attribute in the directory settings, then sync again.',
  },
  {
    code: 'GROUP_RULE_FAIL',
    title: 'Rule does not place the user as expected',
    meaning: "The user's attributes exist, but the rule does not put the user in the group the admin expected.",
    remediation: 'Look at the failing clause and the values it compared: case, whitespace, AND/OR precedence.',
  },
  {
    code: 'PAYLOAD_LATENCY',
    title: 'Device has not acknowledged its commands',
    meaning: "The user is in the group, but the device has not acknowledged the policy's commands in time.",
    remediation:
      'Check the device is online, then re-push, send Scan Device, or cancel stale commands — one click on each diagnostic.',
  },
]

/** Diagnostics shown per page of an expanded cause. */
const PAGE_SIZE = 50

export function DiagnosticsPage({ userId, groupId }: { userId?: string | undefined; groupId?: string | undefined }) {
  const [filter, setFilter] = useState<DiagnosticFilter>({})
  const [view, setView] = useState<'cause' | 'device'>('cause')
  const summary = useQuery({ ...diagnosticsSummaryQuery(filter), placeholderData: keepPreviousData })
  const all = useQuery(diagnosticsSummaryQuery({}))
  // Sync Now is offered for the directories whose attributes rules or profiles are missing.
  const syncDirectoryIds = [
    ...new Set(
      (all.data?.causes ?? [])
        .filter(c => c.code === 'SYNC_ATTR_MISSING' && c.directoryId !== undefined)
        .map(c => c.directoryId as string),
    ),
  ]
  return (
    <>
      <PageHeader
        title="Diagnostics"
        subtitle="Computed from the local cache, so they work offline. Each one says what is wrong and what to do."
        actions={<BundleButton />}
      />
      <HeldSyncs />
      <ExplainPanel userId={userId} groupId={groupId} />
      <fieldset className="toolbar">
        <legend className="visually-hidden">Group diagnostics</legend>
        <label className="checkbox">
          <input type="radio" name="diag-view" checked={view === 'cause'} onChange={() => setView('cause')} /> By cause
        </label>
        <label className="checkbox">
          <input type="radio" name="diag-view" checked={view === 'device'} onChange={() => setView('device')} /> By
          device
        </label>
      </fieldset>
      {view === 'device' && <DiagnosticsByDevice syncDirectoryIds={syncDirectoryIds} />}
      {view === 'cause' && <Filters filter={filter} onChange={setFilter} />}
      {view === 'cause' && (
        <Loaded query={summary} label="Loading diagnostics…">
          {s => (
            <div className="stack" aria-busy={summary.isPlaceholderData || undefined}>
              {CODES.filter(c => filter.code === undefined || c.code === filter.code).map(c => (
                <CodeSection
                  key={c.code}
                  info={c}
                  count={s.counts[c.code]}
                  causes={s.causes.filter(k => k.code === c.code)}
                  filter={filter}
                />
              ))}
            </div>
          )}
        </Loaded>
      )}
    </>
  )
}

/** The field tech's diagnostic bundle: one JSON file, no secrets (README, "Diagnostic bundle"). */
function BundleButton() {
  const run = useMutation({
    mutationFn: () => call('exports/bundle', {}),
    onSuccess: f => saveFile(f.fileName, f.mimeType, f.content),
  })
  return (
    <>
      <button type="button" className="small" onClick={() => run.mutate()} disabled={run.isPending}>
        Diagnostic bundle
      </button>
      {run.isError && <ErrorNote error={run.error} title="Bundle not written" />}
    </>
  )
}

/** Narrow the diagnostics by code, directory and group (a device's diagnostics are on its page). */
function Filters({ filter, onChange }: { filter: DiagnosticFilter; onChange: (f: DiagnosticFilter) => void }) {
  const directories = useQuery(directoriesQuery())
  const groups = useQuery(groupNamesQuery())
  const set = (key: 'code' | 'directoryId' | 'groupId', value: string) => {
    const next: DiagnosticFilter = { ...filter }
    if (value === '') delete next[key]
    else if (key === 'code') next.code = value as DiagnosticCode
    else next[key] = value
    onChange(next)
  }
  return (
    <div className="toolbar" role="search" aria-label="Filter diagnostics">
      <label>
        <span className="field-label">Code</span>
        <select value={filter.code ?? ''} onChange={e => set('code', e.target.value)}>
          <option value="">Every code</option>
          {CODES.map(c => (
            <option key={c.code} value={c.code}>
              {c.code}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="field-label">Directory</span>
        <select value={filter.directoryId ?? ''} onChange={e => set('directoryId', e.target.value)}>
          <option value="">Every directory</option>
          {(directories.data ?? []).map(d => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="field-label">Group</span>
        <select value={filter.groupId ?? ''} onChange={e => set('groupId', e.target.value)}>
          <option value="">Every group</option>
          {(groups.data ?? []).map(g => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}

/** Directories whose last sync was held for removing too much: nothing syncs until an admin confirms. */
function HeldSyncs() {
  const directories = useQuery(directoriesQuery())
  const held = (directories.data ?? []).filter(d => d.lastSync?.status === 'held')
  if (held.length === 0) return null
  return (
    <Section title="Held directory syncs">
      <ul>
        {held.map(d => (
          <li key={d.id}>
            <strong>{d.name}</strong>: <span className="small">{d.lastSync?.error}</span>{' '}
            <Link to={paths.directories()}>Review on the Directories page</Link>
          </li>
        ))}
      </ul>
    </Section>
  )
}

function ExplainPanel({ userId, groupId }: { userId?: string | undefined; groupId?: string | undefined }) {
  const prefill = useQuery({ ...userQuery(userId ?? ''), enabled: userId !== undefined })
  return (
    <Section title="Why is this user not in this group?">
      {userId !== undefined && prefill.isPending ? (
        <Loading />
      ) : (
        <ExplainMembership
          key={`${userId ?? ''}/${groupId ?? ''}`}
          initialUserPrincipalName={prefill.data?.user.userPrincipalName ?? ''}
          initialUserId={prefill.data?.user.id}
          initialGroupId={groupId ?? ''}
        />
      )}
    </Section>
  )
}

function CodeSection({
  info,
  count,
  causes,
  filter,
}: {
  info: (typeof CODES)[number]
  count: number
  causes: DiagnosticCause[]
  filter: DiagnosticFilter
}) {
  const headingId = `diag-${info.code}`
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="card-header">
        <div>
          <h2 id={headingId}>
            <code>{info.code}</code> <span className="heading-sub">{info.title}</span>
          </h2>
          <p className="muted">{info.meaning}</p>
          <p className="muted">
            <strong>Remediation:</strong> {info.remediation}
          </p>
        </div>
        <Badge tone={count > 0 ? 'warn' : 'good'}>{count === 0 ? 'none' : `${count.toLocaleString()} open`}</Badge>
      </div>
      {causes.length === 0 ? (
        <Empty>Nothing detected.</Empty>
      ) : (
        <ul className="diagnostic-causes" aria-label={`${info.code} causes`}>
          {causes.map(c => (
            <CauseItem key={c.key} cause={c} filter={filter} />
          ))}
        </ul>
      )}
    </section>
  )
}

/** One cause: what it is, how many it concerns, its remediation, and its diagnostics on demand, a page at a time. */
function CauseItem({ cause, filter }: { cause: DiagnosticCause; filter: DiagnosticFilter }) {
  const [open, setOpen] = useState(false)
  const listId = `cause-${cause.key.replace(/[^A-Za-z0-9_-]/g, '_')}`
  return (
    <li className="diagnostic-cause">
      <div className="diagnostic-head">
        <strong>{cause.title}</strong>
        <Badge tone="warn">{cause.count.toLocaleString()}</Badge>
      </div>
      {cause.groups.length > 0 && (
        <p className="small muted">
          Groups:{' '}
          {cause.groups.map((g, i) => (
            <span key={g.id}>
              {i > 0 && ', '}
              <Link to={paths.group(g.id)}>{g.name}</Link> ({g.count.toLocaleString()})
            </span>
          ))}
        </p>
      )}
      <p className="remediation">
        <strong>Remediation:</strong> {cause.remediation}{' '}
        {cause.directoryId && <Link to={paths.directories()}>Open the directory's attribute mapping</Link>}
      </p>
      <button
        type="button"
        className="link-button"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen(!open)}
      >
        {open ? 'Hide' : 'Show'}{' '}
        {cause.count === 1 ? 'the diagnostic' : `the ${cause.count.toLocaleString()} diagnostics`}
      </button>
      {open && (
        <div id={listId}>
          <CauseDiagnostics cause={cause} filter={filter} />
        </div>
      )}
    </li>
  )
}

function CauseDiagnostics({ cause, filter }: { cause: DiagnosticCause; filter: DiagnosticFilter }) {
  const [offset, setOffset] = useState(0)
  const page = useQuery({
    ...diagnosticsPageQuery({ ...filter, cause: cause.key, offset, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  })
  return (
    <Loaded query={page} label="Loading diagnostics…">
      {p => (
        <>
          <ul
            className="diagnostics"
            aria-label={`${cause.code} diagnostics: ${cause.title}`}
            aria-busy={page.isPlaceholderData || undefined}
          >
            {p.rows.map((d, i) => (
              <DiagnosticItem
                key={`${d.userId ?? ''}/${d.groupId ?? ''}/${d.commandId ?? ''}/${d.deviceId ?? ''}/${d.attribute ?? ''}/${i}`}
                d={d}
              />
            ))}
          </ul>
          <Pager
            label={`Pages of ${cause.title}`}
            offset={offset}
            limit={PAGE_SIZE}
            total={p.total}
            onOffset={setOffset}
          />
        </>
      )}
    </Loaded>
  )
}

function DiagnosticItem({ d }: { d: Diagnostic }) {
  return (
    <li className="diagnostic">
      <div className="diagnostic-head">
        <strong>{d.title}</strong>
        <span className="muted small">
          <RelativeTime iso={d.detectedAt} />
        </span>
      </div>
      <div className="diagnostic-links small">
        {d.attribute && (
          <span>
            attribute <code className="chip">{d.attribute}</code>
          </span>
        )}
        {d.userId && <Link to={paths.user(d.userId)}>User</Link>}
        {d.groupId && <Link to={paths.group(d.groupId)}>Group</Link>}
        {d.deviceId && <Link to={paths.device(d.deviceId)}>Device</Link>}
        {d.userId && d.groupId && <Link to={paths.explain(d.userId, d.groupId)}>Explain</Link>}
      </div>
      <p>
        {d.cause && <Badge tone="warn">{CAUSES[d.cause]}</Badge>}
        {d.trigger && <Badge tone="warn">{TRIGGERS[d.trigger]}</Badge>} {d.explanation}
      </p>
      <p className="remediation">
        <strong>Remediation:</strong> {d.remediation}
      </p>
      {d.deviceId && d.remediations && d.remediations.length > 0 && (
        <Remedies deviceId={d.deviceId} commandId={d.commandId} channels={d.remediations} />
      )}
    </li>
  )
}

const CAUSES: Record<NonNullable<Diagnostic['cause']>, string> = {
  deadline: 'not acknowledged in time',
  'push-failed': 'push failed',
  'stale-token': 'stale push token',
  'dead-letter': 'dead-lettered',
  'not-verified': 'not verified by the device',
  'policy-not-applied': 'Android policy not applied',
}

const TRIGGERS: Record<NonNullable<Diagnostic['trigger']>, string> = {
  'idp-disagrees': 'the IdP disagrees',
  'evaluation-error': 'clause not evaluated',
  'mixed-logic': 'AND/OR grouping decides',
}

const REMEDY_LABELS: Record<string, string> = {
  'devices/repush': 'Re-push',
  'devices/scan': 'Scan Device',
  'devices/cancel': 'Cancel',
  'android/sync': 'Sync Android',
}

/** One click per remediation: the channels the diagnostic names, for its device (and command). */
function Remedies({
  deviceId,
  commandId,
  channels,
}: {
  deviceId: string
  commandId?: string | undefined
  channels: string[]
}) {
  const run = useMutation({
    /** What was done, in words: the commands now waiting, or what Google's answers changed. */
    mutationFn: async (channel: string): Promise<string> => {
      if (channel === 'android/sync') {
        const r = await call('android/sync', {})
        return `${plural(r.patched, 'policy', 'policies')} patched, ${plural(r.acknowledged, 'command')} acknowledged.`
      }
      const device =
        channel === 'devices/cancel'
          ? await call('devices/cancel', commandId ? { deviceId, commandId } : { deviceId })
          : channel === 'devices/scan'
            ? await call('devices/scan', { deviceId })
            : await call('devices/repush', { deviceId })
      const waiting = device.commands.filter(c => c.state === 'queued' || c.state === 'pushed' || c.state === 'sent')
      return `${plural(waiting.length, 'command')} waiting for the device.`
    },
  })
  return (
    <div className="toolbar" role="group" aria-label="Remediations">
      {channels
        .filter(c => c in REMEDY_LABELS)
        .map(c => (
          <button key={c} type="button" className="small" disabled={run.isPending} onClick={() => run.mutate(c)}>
            {REMEDY_LABELS[c]}
          </button>
        ))}
      {run.isSuccess && (
        <span className="small" role="status">
          {REMEDY_LABELS[run.variables]} done: {run.data}
        </span>
      )}
      {run.isError && <ErrorNote error={run.error} title="Not done" />}
    </div>
  )
}
