// The Diagnostics page by device: one row per device with its root cause (APNs not configured,
// token stale, offline since …) and its diagnostics; select devices and Re-push or Scan them in
// one go, or Sync Now the directories whose attributes are missing. Each bulk action answers with
// what was queued and what was refused, and why.
import { useState } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { call } from '../api'
import { Link, paths } from '../router'
import type { BulkOutcome } from '../../shared/device-actions'
import type { DeviceDiagnostics, RootCauseKind } from '../../shared/triage'
import { RelativeTime } from './RelativeTime'
import { Badge, Empty, ErrorNote, Loaded, platformLabel, plural } from './ui'

const CAUSE_LABEL: Record<RootCauseKind, string> = {
  'checked-out': 'checked out',
  'push-not-configured': 'push not configured',
  'stale-token': 'stale push token',
  'no-token': 'never registered for push',
  'push-failed': 'push failed',
  offline: 'offline',
  'awaiting-answer': 'awaiting its answer',
  'not-delivery': 'directory data',
}

type Feedback = { title: string; outcome?: BulkOutcome; lines?: string[] }

export function DiagnosticsByDevice({ syncDirectoryIds }: { syncDirectoryIds: string[] }) {
  const devices = useQuery({ queryKey: ['diagnostics', 'byDevice'], queryFn: () => call('diagnostics/byDevice', {}) })
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [feedback, setFeedback] = useState<Feedback | null>(null)
  const bulk = useMutation({
    mutationFn: (action: 'repush' | 'scan') => call('devices/bulk', { action, deviceIds: [...selected] }),
    onSuccess: outcome => setFeedback({ title: outcome.action === 'repush' ? 'Re-push' : 'Scan Device', outcome }),
  })
  const sync = useMutation({
    mutationFn: async () => {
      const lines: string[] = []
      for (const directoryId of syncDirectoryIds) {
        const r = await call('directories/sync', { directoryId }).then(
          run => `${run.status === 'succeeded' ? 'Synced' : `Sync ${run.status}`}: ${run.error ?? 'done'}`,
          (e: unknown) => `Not synced: ${e instanceof Error ? e.message : String(e)}`,
        )
        lines.push(r)
      }
      return lines
    },
    onSuccess: lines => setFeedback({ title: 'Sync Now', lines }),
  })
  const toggle = (id: string) => {
    const next = new Set(selected)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setSelected(next)
  }
  return (
    <Loaded query={devices} label="Loading diagnostics by device…">
      {rows => (
        <section className="card" aria-labelledby="by-device-heading">
          <div className="card-header">
            <h2 id="by-device-heading">Devices with diagnostics</h2>
            <Badge tone={rows.length > 0 ? 'warn' : 'good'}>{plural(rows.length, 'device')}</Badge>
          </div>
          <div className="toolbar" role="toolbar" aria-label="Bulk remediation">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={rows.length > 0 && selected.size === rows.length}
                onChange={e => setSelected(e.target.checked ? new Set(rows.map(r => r.deviceId)) : new Set())}
              />{' '}
              Select all
            </label>
            <button
              type="button"
              className="small"
              disabled={selected.size === 0 || bulk.isPending}
              onClick={() => bulk.mutate('repush')}
            >
              Re-push {selected.size > 0 ? plural(selected.size, 'device') : 'selected'}
            </button>
            <button
              type="button"
              className="small"
              disabled={selected.size === 0 || bulk.isPending}
              onClick={() => bulk.mutate('scan')}
            >
              Scan {selected.size > 0 ? plural(selected.size, 'device') : 'selected'}
            </button>
            <button
              type="button"
              className="small"
              disabled={syncDirectoryIds.length === 0 || sync.isPending}
              onClick={() => sync.mutate()}
              title="Sync the directories that have missing attributes"
            >
              Sync Now
              {syncDirectoryIds.length > 0 ? ` (${plural(syncDirectoryIds.length, 'directory', 'directories')})` : ''}
            </button>
          </div>
          {bulk.isError && <ErrorNote error={bulk.error} title="Not done" />}
          {sync.isError && <ErrorNote error={sync.error} title="Not synced" />}
          {feedback && <BulkFeedback feedback={feedback} />}
          {rows.length === 0 ? (
            <Empty>No device has an open diagnostic.</Empty>
          ) : (
            <ul className="diagnostic-causes" aria-label="Devices with diagnostics">
              {rows.map(r => (
                <DeviceRow
                  key={r.deviceId}
                  row={r}
                  checked={selected.has(r.deviceId)}
                  onToggle={() => toggle(r.deviceId)}
                />
              ))}
            </ul>
          )}
        </section>
      )}
    </Loaded>
  )
}

function BulkFeedback({ feedback }: { feedback: Feedback }) {
  const o = feedback.outcome
  return (
    <div className="notice" role="status" aria-label={`${feedback.title} result`}>
      <strong>{feedback.title}:</strong>{' '}
      {o && (
        <>
          {o.done.length > 0
            ? `queued for ${plural(o.done.length, 'device')} (${plural(
                o.done.reduce((n, d) => n + d.commands, 0),
                'command',
              )}).`
            : 'nothing queued.'}{' '}
          {o.refused.length > 0 && `${plural(o.refused.length, 'device')} refused:`}
          {o.refused.length > 0 && (
            <ul>
              {o.refused.map(r => (
                <li key={r.deviceId}>
                  <strong>{r.deviceName}</strong>: {r.reason}
                </li>
              ))}
            </ul>
          )}
          {o.done.length > 0 && (
            <ul>
              {o.done.map(d => (
                <li key={d.deviceId}>
                  <strong>{d.deviceName}</strong>: {plural(d.commands, 'command')}{' '}
                  {o.action === 'scan' ? 'queued' : 'due now'}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {feedback.lines && (
        <ul>
          {feedback.lines.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: one line per directory, in the order synced
            <li key={i}>{l}</li>
          ))}
        </ul>
      )}
    </div>
  )
}

function DeviceRow({ row, checked, onToggle }: { row: DeviceDiagnostics; checked: boolean; onToggle: () => void }) {
  const [open, setOpen] = useState(false)
  const id = `device-diags-${row.deviceId.replace(/[^A-Za-z0-9_-]/g, '_')}`
  return (
    <li className="diagnostic-cause">
      <div className="diagnostic-head">
        <label className="checkbox">
          <input type="checkbox" checked={checked} onChange={onToggle} aria-label={`Select ${row.deviceName}`} />{' '}
          <strong>{row.deviceName}</strong>
        </label>
        <span className="small muted">
          {platformLabel(row.platform)} · {row.serial} · {row.userPrincipalName ?? 'no user'}
        </span>
        <Badge tone="warn">{plural(row.count, 'diagnostic')}</Badge>
      </div>
      <p>
        <Badge tone={row.rootCause.kind === 'awaiting-answer' ? 'neutral' : 'bad'}>
          {CAUSE_LABEL[row.rootCause.kind]}
        </Badge>{' '}
        {row.rootCause.text}
        {row.rootCause.since && (
          <>
            {' '}
            Since <RelativeTime iso={row.rootCause.since} />.
          </>
        )}
      </p>
      <p className="small muted">
        Last check-in: <RelativeTime iso={row.lastSeenAt} /> · <Link to={paths.device(row.deviceId)}>Open device</Link>
      </p>
      <button
        type="button"
        className="link-button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        {open ? 'Hide' : 'Show'} its diagnostics
      </button>
      {open && (
        <ul id={id} className="diagnostics">
          {row.diagnostics.map((d, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a device's diagnostics have no id of their own
            <li key={i} className="diagnostic">
              <div className="diagnostic-head">
                <strong>{d.title}</strong>
                <span className="muted small">
                  <RelativeTime iso={d.detectedAt} />
                </span>
              </div>
              <p className="small">{d.explanation}</p>
            </li>
          ))}
        </ul>
      )}
    </li>
  )
}
