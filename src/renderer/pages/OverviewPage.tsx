import { useQuery } from '@tanstack/react-query'
import { directoriesQuery, workspaceSummaryQuery } from '../api'
import { Link, paths } from '../router'
import { Badge, Loaded, PageHeader, Section, Time } from '../components/ui'
import type { WorkspaceSummary } from '../../shared/domain'
import { Table } from '../components/Table'

const TILES: { key: keyof WorkspaceSummary; label: string; href: string; hint: string }[] = [
  { key: 'users', label: 'Users', href: paths.users(), hint: 'from every directory' },
  { key: 'groups', label: 'Groups', href: paths.groups(), hint: 'synced and rule-based' },
  { key: 'policies', label: 'Policies', href: paths.policies(), hint: 'targeted at groups' },
  { key: 'devices', label: 'Devices', href: paths.devices(), hint: 'enrolled' },
  { key: 'queuedCommands', label: 'Queued commands', href: paths.devices(), hint: 'waiting in the outbox' },
  { key: 'openDiagnostics', label: 'Open diagnostics', href: paths.diagnostics(), hint: 'to look at' },
]

export function OverviewPage() {
  const summary = useQuery(workspaceSummaryQuery())
  const directories = useQuery(directoriesQuery())
  return (
    <>
      <PageHeader
        title="Overview"
        subtitle="The workspace at a glance: who is known, what is targeted, what is pending."
      />
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
      <Section title="Directories">
        <Loaded query={directories}>
          {list => (
            <Table
              label="Directories"
              columns={['Directory', 'Kind', { header: 'Users', numeric: true }, 'Last sync']}
              items={list}
              itemKey={d => d.id}
            >
              {d => (
                <tr>
                  <td>{d.name}</td>
                  <td>{d.kind}</td>
                  <td className="num">{d.userCount.toLocaleString()}</td>
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
                </tr>
              )}
            </Table>
          )}
        </Loaded>
      </Section>
    </>
  )
}
