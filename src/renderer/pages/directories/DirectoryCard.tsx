// One connected IdP directory: connection test, Sync Now with live progress (and Cancel),
// schedule, attribute mapping with coverage, groups to sync, and the sync history, where a sync
// held for removing too much waits for "Confirm and apply".
import { CredentialsForm } from './CredentialsForm'
import { RemoveDirectory } from './RemoveDirectory'
import { useEffect, useState } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { call, directoryHistoryQuery, directoryQuery, onSyncProgress } from '../../api'
import { Pager } from '../../components/Pager'
import { useDisclosure } from '../../components/disclosure'
import { Badge, ErrorNote, formatCount, Loaded, Time } from '../../components/ui'
import type { AttributeMapping, DirectoryDetail, SyncProgress, SyncRun } from '../../../shared/domain'
import { mappingEdits } from '../../../shared/mapping'
import { WhatIfView } from '../../components/PolicyImpact'
import { Table } from '../../components/Table'

const SCHEDULES: { label: string; minutes: number | null }[] = [
  { label: 'Off', minutes: null },
  { label: 'Every 15 minutes', minutes: 15 },
  { label: 'Every hour', minutes: 60 },
  { label: 'Every 6 hours', minutes: 360 },
  { label: 'Daily', minutes: 1440 },
]

export function DirectoryCard({
  directoryId,
  name,
  onRemoved,
}: {
  directoryId: string
  name: string
  onRemoved?: (message: string) => void
}) {
  const detail = useQuery(directoryQuery(directoryId))
  return (
    <article className="card" aria-label={name}>
      <div className="card-header">
        <h2>{name}</h2>
        <RemoveDirectory directoryId={directoryId} name={name} onRemoved={onRemoved} />
      </div>
      <Loaded query={detail} label={`Loading ${name}…`}>
        {d => <DirectoryBody detail={d} />}
      </Loaded>
    </article>
  )
}

function useProgress(directoryId: string): SyncProgress | null {
  const [progress, setProgress] = useState<SyncProgress | null>(null)
  useEffect(() => onSyncProgress(p => p.directoryId === directoryId && setProgress(p)), [directoryId])
  return progress
}

function DirectoryBody({ detail }: { detail: DirectoryDetail }) {
  const id = detail.directory.id
  const progress = useProgress(id)
  const test = useMutation({ mutationFn: () => call('directories/test', { directoryId: id }) })
  const sync = useMutation({
    mutationFn: ({ mode, confirmRemovals }: { mode?: 'full' | 'incremental'; confirmRemovals?: boolean }) =>
      call('directories/sync', { directoryId: id, mode, confirmRemovals }),
  })
  const cancel = useMutation({ mutationFn: () => call('directories/cancelSync', { directoryId: id }) })
  const schedule = useMutation({
    mutationFn: (minutes: number | null) => call('directories/setSchedule', { directoryId: id, minutes }),
  })
  // Keyboard users land in the credential editor; Escape closes it and focus goes back to its button.
  const credentials = useDisclosure<HTMLFormElement>()
  const [credentialsNote, setCredentialsNote] = useState<string | null>(null)
  const active = sync.isPending || (progress !== null && !FINISHED.has(progress.phase))
  // Until the apply begins a cancel changes nothing; once the sync is writing it finishes.
  const cancellable = active && (progress === null || progress.phase === 'pulling')
  return (
    <>
      <dl className="facts">
        {Object.entries(detail.settings).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        <div>
          <dt>Credentials</dt>
          <dd>
            {detail.secretsStored.length > 0 ? (
              `${detail.secretsStored.join(', ')} stored`
            ) : (
              <Badge tone="bad">none stored</Badge>
            )}
          </dd>
        </div>
      </dl>
      {detail.secretsWarning && <p className="muted small">{detail.secretsWarning}</p>}
      {credentialsNote && (
        <p className="notice" role="status">
          {credentialsNote}
        </p>
      )}
      {detail.directory.kind !== 'file' &&
        (credentials.open ? (
          <CredentialsForm
            detail={detail}
            panel={credentials.panel}
            onCancel={credentials.hide}
            onDone={m => {
              credentials.hide()
              setCredentialsNote(m)
            }}
          />
        ) : (
          <button
            type="button"
            className="small"
            ref={credentials.trigger}
            onClick={() => {
              setCredentialsNote(null)
              credentials.show()
            }}
          >
            Edit credentials
          </button>
        ))}
      <div className="form-actions">
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" className="primary" onClick={() => sync.mutate({})} disabled={active}>
          Sync Now
        </button>
        <button type="button" onClick={() => sync.mutate({ mode: 'full' })} disabled={active}>
          Full sync
        </button>
        <label>
          <span className="field-label">Schedule</span>
          <select
            aria-label="Schedule"
            value={String(detail.scheduleMinutes)}
            onChange={e => schedule.mutate(e.target.value === 'null' ? null : Number(e.target.value))}
          >
            {SCHEDULES.map(s => (
              <option key={s.label} value={String(s.minutes)}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {test.isSuccess && (
        <div className="success-note" role="status">
          {test.data.message}
        </div>
      )}
      {test.isError && <ErrorNote error={test.error} title="Connection failed" />}
      {(progress || active) && (
        <div className="sync-progress-row">
          {progress && <ProgressBar progress={progress} />}
          {cancellable && (
            <button type="button" className="small" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
              {cancel.isPending ? 'Cancelling…' : 'Cancel sync'}
            </button>
          )}
        </div>
      )}
      {sync.isError && <ErrorNote error={sync.error} title="Sync failed" />}
      {cancel.isError && <ErrorNote error={cancel.error} title="Not cancelled" />}
      <MappingEditor directoryId={id} mapping={detail.mapping} editable={detail.directory.kind !== 'file'} />
      <GroupFilter directoryId={id} groups={detail.groupFilter} />
      <History detail={detail} confirm={active ? null : () => sync.mutate({ confirmRemovals: true })} />
    </>
  )
}

/** Phases after which a sync is no longer running. */
const FINISHED = new Set<SyncProgress['phase']>(['done', 'failed', 'held', 'cancelled'])

function ProgressBar({ progress }: { progress: SyncProgress }) {
  const label = `${progress.phase} · ${formatCount(progress.users)} users · ${formatCount(progress.pages)} pages${progress.etaSeconds !== null && progress.phase !== 'done' ? ` · about ${progress.etaSeconds}s left` : ''}`
  return (
    <div className="sync-progress">
      <progress
        aria-label="Sync progress"
        max={100}
        value={progress.percent}
        aria-valuetext={`${progress.percent}% ${progress.phase}`}
      />
      <span className="small" role="status">
        {progress.percent}% · {label}
      </span>
      {progress.message && (
        <p
          className={
            progress.phase === 'failed'
              ? 'small error-text'
              : progress.phase === 'held'
                ? 'small warn-text'
                : 'small muted'
          }
        >
          {progress.message}
        </p>
      )}
    </div>
  )
}

function MappingEditor({
  directoryId,
  mapping,
  editable,
}: {
  directoryId: string
  mapping: DirectoryDetail['mapping']
  editable: boolean
}) {
  const [rows, setRows] = useState<AttributeMapping[]>(
    mapping.map(({ property, attribute }) => ({ property, attribute })),
  )
  const save = useMutation({
    mutationFn: () =>
      call('directories/setMapping', {
        directoryId,
        mapping: rows.filter(r => r.property.trim() && r.attribute.trim()),
      }),
  })
  const coverage = new Map(mapping.map(m => [m.attribute, m]))
  // What the edit would do to groups and devices, previewed from the synced values before saving.
  const impact = useMutation({
    mutationFn: async () => {
      const edits = mappingEdits(mapping, rows)
      const previews = []
      for (const shift of edits.shifts)
        previews.push(await call('policies/whatIf', { change: { kind: 'attributeMapping', ...shift } }))
      return { previews, notSynced: edits.notSynced }
    },
  })
  const set = (i: number, patch: Partial<AttributeMapping>) => {
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))
    impact.reset()
  }
  return (
    <section aria-label="Attribute mapping">
      <h3>Attribute mapping</h3>
      <table aria-label="Attribute mapping">
        <thead>
          <tr>
            <th scope="col">IdP property</th>
            <th scope="col">Attribute (rules read)</th>
            <th scope="col" className="num">
              Coverage
            </th>
            {editable && <th scope="col" aria-label="Remove" />}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const c = coverage.get(r.attribute)
            return (
              <tr key={i}>
                <td>
                  {editable ? (
                    <input
                      aria-label="IdP property"
                      value={r.property}
                      onChange={e => set(i, { property: e.target.value })}
                    />
                  ) : (
                    <code>{r.property}</code>
                  )}
                </td>
                <td>
                  {editable ? (
                    <input
                      aria-label="Attribute"
                      value={r.attribute}
                      onChange={e => set(i, { attribute: e.target.value })}
                    />
                  ) : (
                    <code>{r.attribute}</code>
                  )}
                </td>
                <td className="num">
                  {c ? `${Math.round(c.share * 100)}% (${formatCount(c.users)}/${formatCount(c.total)})` : '—'}
                </td>
                {editable && (
                  <td>
                    <button
                      type="button"
                      className="small"
                      onClick={() => {
                        setRows(rows.filter((_, j) => j !== i))
                        impact.reset()
                      }}
                    >
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            )
          })}
        </tbody>
      </table>
      {editable && (
        <div className="form-actions">
          <button type="button" className="small" onClick={() => setRows([...rows, { property: '', attribute: '' }])}>
            Add mapping
          </button>
          <button type="button" className="small" onClick={() => impact.mutate()} disabled={impact.isPending}>
            Preview impact
          </button>
          <button type="button" className="small primary" onClick={() => save.mutate()} disabled={save.isPending}>
            Save mapping
          </button>
          <span className="muted small">Takes effect at the next sync.</span>
        </div>
      )}
      {save.isError && <ErrorNote error={save.error} title="Mapping not saved" />}
      {impact.isError && <ErrorNote error={impact.error} title="No preview" />}
      {impact.data && (
        <section aria-label="Mapping impact">
          {impact.data.previews.length === 0 && impact.data.notSynced.length === 0 && (
            <p className="muted small">This edit changes no attribute that rules read.</p>
          )}
          {impact.data.previews.map((w, i) => (
            <WhatIfView key={i} whatIf={w} />
          ))}
          {impact.data.notSynced.map(n => (
            <p key={n.attribute} className="muted small">
              {n.attribute} would come from {n.property}, which is not synced yet: its effect shows after the next sync.
            </p>
          ))}
        </section>
      )}
    </section>
  )
}

function GroupFilter({ directoryId, groups }: { directoryId: string; groups: string[] }) {
  const [text, setText] = useState(groups.join('\n'))
  const save = useMutation({
    mutationFn: () => call('directories/setGroupFilter', { directoryId, groups: text.split('\n') }),
  })
  return (
    <section aria-label="Groups to sync">
      <h3>Groups to sync</h3>
      <label className="block">
        <span className="field-label">Group names, one per line (empty: every group)</span>
        <textarea rows={3} value={text} onChange={e => setText(e.target.value)} />
      </label>
      <div className="form-actions">
        <button type="button" className="small" onClick={() => save.mutate()} disabled={save.isPending}>
          Save groups
        </button>
      </div>
      {save.isError && <ErrorNote error={save.error} title="Groups not saved" />}
    </section>
  )
}

const STATUS: Record<SyncRun['status'], { tone: 'good' | 'bad' | 'warn' | 'neutral'; label: string }> = {
  succeeded: { tone: 'good', label: 'succeeded' },
  failed: { tone: 'bad', label: 'failed' },
  held: { tone: 'warn', label: 'held' },
  cancelled: { tone: 'neutral', label: 'cancelled' },
}

/** `confirm`: runs the sync again with the removals confirmed; null while a sync runs. */
/** Sync runs per page of the history. */
const HISTORY_PAGE = 20

function History({ detail, confirm }: { detail: DirectoryDetail; confirm: (() => void) | null }) {
  // Paged on the server: a directory synced every few minutes has thousands of runs.
  const [offset, setOffset] = useState(0)
  const page = useQuery(directoryHistoryQuery({ directoryId: detail.directory.id, offset, limit: HISTORY_PAGE }))
  const runs = page.data?.rows ?? detail.history.slice(0, HISTORY_PAGE)
  return (
    <section aria-label="Sync history">
      <h3>Sync history</h3>
      <Table
        label="Sync history"
        columns={[
          'Started',
          'Mode',
          'Result',
          { header: 'Added', numeric: true },
          { header: 'Changed', numeric: true },
          { header: 'Removed', numeric: true },
          { header: 'Duration', numeric: true },
        ]}
        items={runs}
        itemKey={run => run.id}
        busy={page.isPlaceholderData}
        empty="Never synced."
      >
        {run => (
          <tr>
            <td>
              <Time iso={run.startedAt} />
            </td>
            <td>{run.mode}</td>
            <td>
              <Badge tone={STATUS[run.status].tone}>{STATUS[run.status].label}</Badge>
              {run.error && (
                <span className={run.status === 'failed' ? 'small error-text' : 'small muted'}> {run.error}</span>
              )}
              {run.status === 'succeeded' && run.removals && (
                <span className="small muted">
                  {' '}
                  Removals confirmed by the admin: {formatCount(run.removals.usersRemoved)} of{' '}
                  {formatCount(run.removals.usersTotal)} users, {formatCount(run.removals.membershipsRemoved)} of{' '}
                  {formatCount(run.removals.membershipsTotal)} memberships.
                </span>
              )}
              {run.notes?.map(note => (
                <span key={note} className="small warn-text">
                  {' '}
                  {note}
                </span>
              ))}
              {/* Only the latest run can be confirmed: a later sync has pulled since an older hold. */}
              {run.id === detail.history[0]?.id && run.status === 'held' && (
                <div className="form-actions">
                  <button
                    type="button"
                    className="small primary"
                    onClick={() => confirm?.()}
                    disabled={confirm === null}
                  >
                    Confirm and apply
                  </button>
                </div>
              )}
            </td>
            {/* A held run changed nothing: its counts are what confirming would do. */}
            {[run.added, run.changed, run.removed].map((n, k) => (
              <td
                key={k}
                className={run.status === 'held' ? 'num muted' : 'num'}
                title={run.status === 'held' ? 'would be, once confirmed' : undefined}
              >
                {run.status === 'held' ? `(${formatCount(n)})` : formatCount(n)}
              </td>
            ))}
            <td className="num">{((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s</td>
          </tr>
        )}
      </Table>
      <Pager
        label="Pages of sync runs"
        offset={offset}
        limit={HISTORY_PAGE}
        total={page.data?.total ?? detail.history.length}
        onOffset={setOffset}
      />
    </section>
  )
}
