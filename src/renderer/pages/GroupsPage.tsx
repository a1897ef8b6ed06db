import { useDisclosure } from '../components/disclosure'
import { useQuery } from '@tanstack/react-query'
import { groupsQuery } from '../api'
import { Link, paths } from '../router'
import { RuleEditor } from '../components/RuleEditor'
import { Badge, Loaded, PageHeader, Section, formatCount } from '../components/ui'
import type { GroupSummary } from '../../shared/domain'
import { Table } from '../components/Table'

export function GroupsPage() {
  const groups = useQuery(groupsQuery())
  const creating = useDisclosure<HTMLDivElement>()
  return (
    <>
      <PageHeader
        title="Groups"
        subtitle="Rule-based groups are evaluated here, at once; synced groups come from the directory as they are."
        actions={
          <button
            type="button"
            className="primary"
            ref={creating.trigger}
            onClick={creating.open ? creating.hide : creating.show}
            aria-expanded={creating.open}
          >
            New rule group
          </button>
        }
      />
      {creating.open && (
        <div {...creating.panel} role="group" aria-label="New rule group">
          <Section title="New rule group">
            <RuleEditor initialDialect="entra" initialRule="" />
          </Section>
        </div>
      )}
      <Loaded query={groups} label="Loading groups…">
        {list => (
          <div className="card flush">
            <Table
              label="Groups"
              columns={[
                'Group',
                'Kind',
                'Directory',
                'Rule',
                { header: 'Members', numeric: true },
                { header: 'Unknown', numeric: true },
              ]}
              items={list}
              itemKey={g => g.id}
              empty="No groups yet."
            >
              {g => (
                <tr>
                  <td>
                    <Link to={paths.group(g.id)}>{g.name}</Link>
                    {g.description && <div className="muted small">{g.description}</div>}
                  </td>
                  <td>
                    <GroupKindBadge group={g} />
                  </td>
                  <td>
                    {g.directoryName ?? (
                      <span className="muted" title="The rule reads the users of every directory">
                        Every directory
                      </span>
                    )}
                  </td>
                  <td className="rule-cell">
                    {g.rule ? <code className="rule">{g.rule}</code> : <span className="muted">—</span>}
                  </td>
                  <td className="num">{g.memberCount.toLocaleString()}</td>
                  <td className="num">
                    {g.unknownCount > 0 ? (
                      <Badge tone="warn">{formatCount(g.unknownCount)}</Badge>
                    ) : (
                      <span className="muted">0</span>
                    )}
                  </td>
                </tr>
              )}
            </Table>
          </div>
        )}
      </Loaded>
    </>
  )
}

const DIALECT_LABEL = { entra: 'Entra', okta: 'Okta EL', google: 'Google CEL' } as const

export function GroupKindBadge({ group }: { group: GroupSummary }) {
  if (group.kind === 'synced') return <Badge>Synced</Badge>
  return <Badge tone="info">Rule · {group.dialect ? DIALECT_LABEL[group.dialect] : 'rule'}</Badge>
}
