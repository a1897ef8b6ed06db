import { useState } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { call, diagnosticsQuery, directoriesQuery, userQuery } from '../api'
import { Link, paths } from '../router'
import { Badge, Empty, ErrorNote, Loaded, Loading, PageHeader, Section, Time } from '../components/ui'
import { ExplainMembership } from '../components/ExplainMembership'
import type { Diagnostic, DiagnosticCode } from '../../shared/domain'

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

const SHOWN = 50

export function DiagnosticsPage({ userId, groupId }: { userId?: string | undefined; groupId?: string | undefined }) {
  const diagnostics = useQuery(diagnosticsQuery())
  return (
    <>
      <PageHeader
        title="Diagnostics"
        subtitle="Computed from the local cache, so they work offline. Each one says what is wrong and what to do."
      />
      <HeldSyncs />
      <ExplainPanel userId={userId} groupId={groupId} />
      <Loaded query={diagnostics} label="Loading diagnostics…">
        {list => (
          <div className="stack">
            {CODES.map(c => (
              <CodeSection key={c.code} info={c} items={list.filter(d => d.code === c.code)} />
            ))}
          </div>
        )}
      </Loaded>
    </>
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

function CodeSection({ info, items }: { info: (typeof CODES)[number]; items: Diagnostic[] }) {
  const [all, setAll] = useState(false)
  const shown = all ? items : items.slice(0, SHOWN)
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
        <Badge tone={items.length > 0 ? 'warn' : 'good'}>{items.length === 0 ? 'none' : `${items.length} open`}</Badge>
      </div>
      {items.length === 0 ? (
        <Empty>Nothing detected.</Empty>
      ) : (
        <ul className="diagnostics" aria-label={`${info.code} diagnostics`}>
          {shown.map((d, i) => (
            <DiagnosticItem
              key={`${d.userId ?? ''}/${d.groupId ?? ''}/${d.commandId ?? ''}/${d.attribute ?? ''}/${i}`}
              d={d}
            />
          ))}
        </ul>
      )}
      {items.length > shown.length && (
        <button type="button" className="link-button" onClick={() => setAll(true)}>
          Show all {items.length}
        </button>
      )}
    </section>
  )
}

function DiagnosticItem({ d }: { d: Diagnostic }) {
  return (
    <li className="diagnostic">
      <div className="diagnostic-head">
        <strong>{d.title}</strong>
        <span className="muted small">
          <Time iso={d.detectedAt} />
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
    mutationFn: (channel: string) => {
      if (channel === 'devices/cancel')
        return call('devices/cancel', commandId ? { deviceId, commandId } : { deviceId })
      if (channel === 'devices/scan') return call('devices/scan', { deviceId })
      return call('devices/repush', { deviceId })
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
      {run.isError && <ErrorNote error={run.error} title="Not done" />}
    </div>
  )
}
