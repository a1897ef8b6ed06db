// What a change does: the what-if preview, the conflicts it resolves, and the held changes
// (circuit breaker) waiting for an admin to approve or reject them.
import { useState } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { call, heldChangesQuery } from '../api'
import { Link, paths } from '../router'
import { Badge, Empty, ErrorNote, Time, formatCount, PlatformOptions, platformLabel, plural } from './ui'
import type { Platform } from '../../shared/domain'
import type { Conflict, DeviceDelta, HeldChange, WhatIf } from '../../shared/policy'
import { Table } from './Table'

const RULE_LABEL: Record<Conflict['rule'], string> = {
  'most-restrictive': 'most restrictive wins',
  union: 'merged',
  priority: 'higher priority wins',
}

export function ConflictList({ conflicts, label = 'Conflicts' }: { conflicts: Conflict[]; label?: string }) {
  if (conflicts.length === 0) return <p className="muted small">No setting conflicts with another policy.</p>
  return (
    <Table
      label={label}
      columns={['Setting', 'Platform', 'Rule', 'Winner', 'Why']}
      items={conflicts}
      itemKey={c => `${c.key}|${c.platform}|${c.winner.policyId}`}
    >
      {c => (
        <tr>
          <td>
            {c.name} <span className="mono muted small">{c.identifier}</span>
          </td>
          <td>{platformLabel(c.platform)}</td>
          <td>
            <Badge tone={c.tie ? 'warn' : 'neutral'}>{RULE_LABEL[c.rule]}</Badge>
          </td>
          <td>{c.winner.policyName}</td>
          <td className="reason">
            {c.reason}
            {c.reach !== undefined && c.reach > 0 && <span className="muted small"> ({plural(c.reach, 'user')})</span>}
          </td>
        </tr>
      )}
    </Table>
  )
}

const items = (refs: DeviceDelta['install']) =>
  refs.length === 0 ? <span className="muted">—</span> : refs.map(r => r.name).join(', ')

export function DeltaTable({ devices, label }: { devices: DeviceDelta[]; label: string }) {
  return (
    <div className="table-scroll">
      <Table
        label={label}
        columns={['Device', 'Groups', 'Install', 'Remove', 'Left installed, unmanaged', 'Restrictions']}
        items={devices}
        itemKey={d => d.deviceId ?? d.deviceName}
        empty="No device changes."
      >
        {d => (
          <tr>
            <td>
              {d.deviceId ? <Link to={paths.device(d.deviceId)}>{d.deviceName}</Link> : d.deviceName}
              <div className="muted small">
                {d.userPrincipalName ?? ''} · {platformLabel(d.platform)}
              </div>
            </td>
            <td className="small">
              {d.groupsGained.map(g => (
                <Badge key={`+${g}`} tone="good">
                  +{g}
                </Badge>
              ))}{' '}
              {d.groupsLost.map(g => (
                <Badge key={`-${g}`} tone="bad">
                  −{g}
                </Badge>
              ))}
            </td>
            <td>{items(d.install)}</td>
            <td>{items(d.remove)}</td>
            <td>{items(d.unmanage)}</td>
            <td>
              {d.restrictions ? 'resent' : <span className="muted">—</span>}
              {d.unresolved.length > 0 && (
                <div className="small error-text">
                  Not sent: {d.unresolved.map(u => `${u.item} lacks ${u.variable}`).join('; ')}
                </div>
              )}
            </td>
          </tr>
        )}
      </Table>
    </div>
  )
}

export function WhatIfView({ whatIf }: { whatIf: WhatIf }) {
  const conflicts = whatIf.devices.flatMap(d => d.conflicts)
  const unique = conflicts.filter(
    (c, i) =>
      conflicts.findIndex(
        x => x.key === c.key && x.platform === c.platform && x.winner.policyId === c.winner.policyId,
      ) === i,
  )
  return (
    <section className="what-if" aria-label="What-if preview">
      <h3>What-if preview</h3>
      <p role="status">
        {whatIf.wouldHold && (
          <>
            <Badge tone="warn">would be held</Badge>{' '}
          </>
        )}
        {whatIf.summary}
      </p>
      {whatIf.users.length > 0 && (
        <p className="small">
          Groups change for:{' '}
          {whatIf.users
            .slice(0, 20)
            .map(
              u =>
                `${u.userPrincipalName} (${[...u.groupsGained.map(g => `+${g}`), ...u.groupsLost.map(g => `−${g}`)].join(' ')})`,
            )
            .join(', ')}
          {whatIf.users.length > 20 && ` and ${formatCount(whatIf.totals.usersAffected - 20)} more`}
        </p>
      )}
      <DeltaTable devices={whatIf.devices} label="Device changes" />
      {whatIf.truncated && (
        <p className="muted small">
          Showing the first {formatCount(whatIf.devices.length)} devices of {formatCount(whatIf.totals.devicesAffected)}
          .
        </p>
      )}
      {unique.length > 0 && (
        <>
          <h4>Conflicts on these devices</h4>
          <ConflictList conflicts={unique} label="Conflicts on these devices" />
        </>
      )}
    </section>
  )
}

export function HeldChanges() {
  const held = useQuery(heldChangesQuery())
  const open = (held.data ?? []).filter(h => h.status === 'held')
  if (held.isError) return <ErrorNote error={held.error} title="Could not load held changes" />
  if (open.length === 0) return null
  return (
    <section className="card held" aria-labelledby="held-changes">
      <div className="card-header">
        <h2 id="held-changes">Held changes</h2>
        <Badge tone="warn">{formatCount(open.length)} waiting</Badge>
      </div>
      <p className="muted small">
        These changes would withdraw policies from more devices than the circuit breaker allows. Nothing was sent;
        approve to send them, or reject.
      </p>
      {open.map(h => (
        <HeldChangeCard key={h.id} held={h} />
      ))}
    </section>
  )
}

function HeldChangeCard({ held }: { held: HeldChange }) {
  const approve = useMutation({ mutationFn: () => call('policies/approve', { heldChangeId: held.id }) })
  const reject = useMutation({ mutationFn: () => call('policies/reject', { heldChangeId: held.id }) })
  const busy = approve.isPending || reject.isPending
  return (
    <article className="held-change" aria-label={`Held change: ${held.summary}`}>
      <p>
        <Badge tone="neutral">{held.cause}</Badge> {held.summary}{' '}
        <span className="muted small">
          <Time iso={held.createdAt} short /> · {formatCount(held.devicesAffected)} of {formatCount(held.devicesTotal)}{' '}
          devices (threshold {held.threshold.devices} devices or {Math.round(held.threshold.share * 100)}%)
        </span>
      </p>
      {held.diff.length === 0 ? (
        <Empty>No device difference recorded.</Empty>
      ) : (
        <DeltaTable devices={held.diff} label="Held difference" />
      )}
      <div className="actions-row">
        <button type="button" className="primary" disabled={busy} onClick={() => approve.mutate()}>
          {approve.isPending ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" disabled={busy} onClick={() => reject.mutate()}>
          {reject.isPending ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
      {approve.isError && <ErrorNote error={approve.error} title="Not approved" />}
      {reject.isError && <ErrorNote error={reject.error} title="Not rejected" />}
    </article>
  )
}

/** What-if for a hypothetical user: which groups they would be in and what a new device would get. */
export function HypotheticalUser() {
  const [attrs, setAttrs] = useState({ department: '', jobTitle: '', country: '', usageLocation: '' })
  const [platform, setPlatform] = useState<Platform>('ios')
  const preview = useMutation({
    mutationFn: () =>
      call('policies/whatIf', {
        change: {
          kind: 'user',
          platform,
          attributes: Object.fromEntries(Object.entries(attrs).filter(([, v]) => v.trim() !== '')),
        },
      }),
  })
  return (
    <section className="card" aria-labelledby="try-a-user">
      <div className="card-header">
        <h2 id="try-a-user">Try a user</h2>
      </div>
      <form
        className="inline-form"
        aria-label="Hypothetical user"
        onSubmit={e => {
          e.preventDefault()
          preview.mutate()
        }}
      >
        {(Object.keys(attrs) as (keyof typeof attrs)[]).map(k => (
          <label key={k}>
            <span className="field-label">{k}</span>
            <input value={attrs[k]} onChange={e => setAttrs({ ...attrs, [k]: e.target.value })} />
          </label>
        ))}
        <label>
          <span className="field-label">Platform</span>
          <select value={platform} onChange={e => setPlatform(e.target.value as Platform)}>
            <PlatformOptions />
          </select>
        </label>
        <button type="submit" disabled={preview.isPending}>
          {preview.isPending ? 'Evaluating…' : 'What would they get?'}
        </button>
        {preview.isError && <ErrorNote error={preview.error} title="No preview" />}
      </form>
      {preview.data && <WhatIfView whatIf={preview.data} />}
    </section>
  )
}
