// The overview as a health board: what needs attention first (push, syncs, held changes,
// withdrawals, overdue commands, devices not seen, diagnostics), each linked to where it is
// fixed; then the counts, the directories' syncs and a chart of enrollments and deliveries.
import { useQuery } from '@tanstack/react-query'
import { healthQuery, workspaceSummaryQuery } from '../api'
import { Link, paths } from '../router'
import { Badge, Loaded, PageHeader, Section, Time, type Tone } from '../components/ui'
import type { WorkspaceSummary } from '../../shared/domain'
import type { HealthBoard, HealthItem, HealthTone } from '../../shared/admin'
import { Table } from '../components/Table'
import { ActivityChart } from '../components/ActivityChart'

const TILES: { key: keyof WorkspaceSummary; label: string; href: string; hint: string }[] = [
  { key: 'users', label: 'Users', href: paths.users(), hint: 'from every directory' },
  { key: 'groups', label: 'Groups', href: paths.groups(), hint: 'synced and rule-based' },
  { key: 'policies', label: 'Policies', href: paths.policies(), hint: 'targeted at groups' },
  { key: 'devices', label: 'Devices', href: paths.devices(), hint: 'enrolled' },
  { key: 'queuedCommands', label: 'Queued commands', href: paths.devices(), hint: 'waiting in the outbox' },
  { key: 'openDiagnostics', label: 'Open diagnostics', href: paths.diagnostics(), hint: 'to look at' },
]

const TONE: Record<HealthTone, Tone> = { good: 'good', warn: 'warn', bad: 'bad', neutral: 'neutral' }
const TONE_WORD: Record<HealthTone, string> = { good: 'OK', warn: 'attention', bad: 'action needed', neutral: 'info' }
const ORDER: Record<HealthTone, number> = { bad: 0, warn: 1, neutral: 2, good: 3 }

export function OverviewPage() {
  const summary = useQuery(workspaceSummaryQuery())
  const health = useQuery(healthQuery())
  return (
    <>
      <PageHeader title="Overview" subtitle="What needs attention first, then the workspace at a glance." />
      <Loaded query={health} label="Checking the workspace's health…">
        {h => <Attention items={h.items} />}
      </Loaded>
      <Loaded query={summary} label="Loading the workspace summary…">
        {s => (
          <ul className="tiles" aria-label="Workspace summary">
            {TILES.map(t => (
              <li key={t.key}>
                <Link to={t.href} className={`tile${t.key === 'openDiagnostics' && s[t.key] > 0 ? ' tile-warn' : ''}`}>
                  <span className="tile-value">{s[t.key].toLocaleString()}</span>
                  <span className="tile-label">{t.label}</span>
                  <span className="tile-hint">{t.hint}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      {health.data && <Board board={health.data} />}
    </>
  )
}

function Attention({ items }: { items: HealthItem[] }) {
  const sorted = [...items].sort((a, b) => ORDER[a.tone] - ORDER[b.tone])
  const open = sorted.filter(i => i.tone === 'bad' || i.tone === 'warn').length
  return (
    <Section title={open > 0 ? `Needs attention (${open})` : 'Health'}>
      <ul className="health-list" aria-label="Health">
        {sorted.map(i => (
          <li key={i.key} className={`health-${i.tone}`}>
            <Badge tone={TONE[i.tone]}>{TONE_WORD[i.tone]}</Badge>{' '}
            <Link to={i.href}>
              <strong>{i.title}</strong>
            </Link>
            {i.detail && <div className="small muted">{i.detail}</div>}
          </li>
        ))}
        {sorted.length === 0 && <li>Nothing needs attention.</li>}
      </ul>
    </Section>
  )
}

function Board({ board }: { board: HealthBoard }) {
  return (
    <>
      <Section title="Directories">
        <Table
          label="Directories"
          columns={['Directory', 'Kind', 'Last sync', 'Last success', { header: 'Failures since', numeric: true }]}
          items={board.directories}
          itemKey={d => d.id}
          empty="No directory is connected."
        >
          {d => (
            <tr>
              <td>
                <Link to={paths.directories()}>{d.name}</Link>
              </td>
              <td>{d.kind}</td>
              <td>
                {d.lastSync ? (
                  <>
                    <Badge
                      tone={
                        d.lastSync.status === 'succeeded'
                          ? 'good'
                          : d.lastSync.status === 'failed'
                            ? 'bad'
                            : d.lastSync.status === 'held'
                              ? 'warn'
                              : 'neutral'
                      }
                    >
                      {d.lastSync.status}
                    </Badge>{' '}
                    <Time iso={d.lastSync.finishedAt} />
                  </>
                ) : (
                  <span className="muted">never</span>
                )}
              </td>
              <td>{d.lastSucceededAt ? <Time iso={d.lastSucceededAt} /> : <span className="muted">never</span>}</td>
              <td className="num">{d.failuresSinceSuccess}</td>
            </tr>
          )}
        </Table>
      </Section>
      <Section title="Diagnostics by code">
        {board.diagnostics.length === 0 ? (
          <p className="muted">No open diagnostics.</p>
        ) : (
          <ul className="chips" aria-label="Diagnostics by code">
            {board.diagnostics.map(d => (
              <li key={d.code}>
                <Link to={paths.diagnostics()}>
                  <Badge tone="warn">{d.code}</Badge> {d.count.toLocaleString()}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Enrollments and deliveries">
        <ActivityChart days={board.activity} />
      </Section>
    </>
  )
}
