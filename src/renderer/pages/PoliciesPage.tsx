import { useId, useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query'
import { call, groupsQuery, policiesQuery } from '../api'
import { useDisclosure } from '../components/disclosure'
import { DeleteWithPreview, RenameControl } from '../components/AdminChange'
import { PolicyEditor, draftOf, emptyDraft } from '../components/PolicyEditor'
import { HeldChanges, HypotheticalUser } from '../components/PolicyImpact'
import type { ChangeOutcome } from '../../shared/policy'
import { Link, paths } from '../router'
import { Badge, Empty, ErrorNote, Loaded, PageHeader, formatCount, platformLabel } from '../components/ui'
import type { GroupSummary, PayloadItem, Policy, PolicyTarget, TargetMode } from '../../shared/domain'
import { Table } from '../components/Table'

export function PoliciesPage() {
  const policies = useQuery(policiesQuery())
  const groups = useQuery(groupsQuery())
  const creating = useDisclosure<HTMLElement>()
  const trying = useDisclosure<HTMLDivElement>()
  const [outcome, setOutcome] = useState<ChangeOutcome | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const done = (o: ChangeOutcome | null) => {
    creating.hide()
    if (o) setOutcome(o)
  }
  return (
    <>
      <PageHeader
        title="Policies"
        subtitle="What a device gets: the union of the policies targeted at its user's groups, minus exclusions."
        actions={
          <>
            <button type="button" ref={trying.trigger} onClick={trying.show} aria-expanded={trying.open}>
              Try a user
            </button>
            <button
              type="button"
              className="primary"
              ref={creating.trigger}
              onClick={creating.show}
              disabled={creating.open}
            >
              New policy
            </button>
          </>
        }
      />
      <p className="muted small">
        Apps come from the <Link to={paths.apps()}>app inventory</Link>; the grace rule and the circuit breaker are set
        under <Link to={paths.settings()}>Settings</Link>.
      </p>
      {outcome && <OutcomeNote outcome={outcome} />}
      {note && (
        <p className="notice" role="status">
          {note}
        </p>
      )}
      <HeldChanges />
      {trying.open && (
        <div {...trying.panel} role="group" aria-label="Try a user" className="panel-focus">
          <HypotheticalUser />
          <button type="button" className="small" onClick={trying.hide}>
            Close
          </button>
        </div>
      )}
      {creating.open && (
        <article {...creating.panel} className="card" aria-label="New policy">
          <PolicyEditor initial={emptyDraft()} groups={groups.data ?? []} onDone={done} />
        </article>
      )}
      <Loaded query={policies} label="Loading policies…" skeleton={3}>
        {list =>
          list.length === 0 ? (
            <Empty>No policies yet.</Empty>
          ) : (
            <div className="stack">
              {list.map(p => (
                <PolicyCard key={p.id} policy={p} groups={groups.data ?? []} onSaved={setOutcome} onNote={setNote} />
              ))}
            </div>
          )
        }
      </Loaded>
    </>
  )
}

function OutcomeNote({ outcome }: { outcome: ChangeOutcome }) {
  return (
    <p className="notice" role="status">
      {outcome.status === 'applied'
        ? `Saved${outcome.policy ? ` ${outcome.policy.name}` : ''}: ${formatCount(outcome.devicesUpdated)} device(s) got commands.`
        : `Held for approval: ${outcome.heldChange.summary}`}
    </p>
  )
}

/** Show a mutation's returned policy at once; the refetch that follows only confirms it. */
function replacePolicy(queryClient: QueryClient, policy: Policy): void {
  queryClient.setQueryData(policiesQuery().queryKey, list => list?.map(p => (p.id === policy.id ? policy : p)))
}

function PolicyCard({
  policy,
  groups,
  onSaved,
  onNote,
}: {
  policy: Policy
  groups: GroupSummary[]
  onSaved: (o: ChangeOutcome) => void
  onNote: (message: string) => void
}) {
  const headingId = useId()
  // The editor takes focus when it opens; Escape or Cancel closes it and focus returns to Edit.
  const editing = useDisclosure<HTMLElement>()
  if (editing.open) {
    return (
      <article {...editing.panel} className="card" aria-labelledby={headingId}>
        <h2 id={headingId}>{policy.name}</h2>
        <PolicyEditor
          initial={draftOf(policy)}
          groups={groups}
          onDone={o => {
            editing.hide()
            if (o) onSaved(o)
          }}
        />
      </article>
    )
  }
  return (
    <article className="card" aria-labelledby={headingId}>
      <div className="card-header">
        <div>
          <h2 id={headingId}>{policy.name}</h2>
          {policy.description && <p className="muted">{policy.description}</p>}
        </div>
        <div className="chips">
          {policy.platforms.map(p => (
            <Badge key={p}>{platformLabel(p)}</Badge>
          ))}
          <Badge tone="neutral" title="When two policies set one profile differently, the higher priority wins">
            Priority {policy.priority}
          </Badge>
          <button type="button" className="small" ref={editing.trigger} onClick={editing.show}>
            Edit
          </button>
          <RenameControl
            what="policy"
            current={policy.name}
            toChange={name => ({ kind: 'renamePolicy', policyId: policy.id, name })}
            onDone={onNote}
          />
          <DeleteWithPreview
            what="policy"
            name={policy.name}
            change={{ kind: 'deletePolicy', policyId: policy.id }}
            onDone={onNote}
          >
            Its devices lose what only it gave them.
          </DeleteWithPreview>
        </div>
      </div>
      <div className="policy-body">
        <PayloadTable policy={policy} />
        <Targets policy={policy} groups={groups} onSaved={onSaved} />
      </div>
    </article>
  )
}

function PayloadTable({ policy }: { policy: Policy }) {
  return (
    <div>
      <h3>Payload</h3>
      <Table
        label="Payload"
        columns={['Kind', 'Item', 'Platform', 'On removal']}
        items={policy.items}
        itemKey={item => item.id}
        empty="This policy has no payload."
      >
        {item => <PayloadRow item={item} />}
      </Table>
    </div>
  )
}

function PayloadRow({ item }: { item: PayloadItem }) {
  const queryClient = useQueryClient()
  // Set in the change event itself so the controlled box keeps the admin's click while
  // main answers (the mutation's own pending state only arrives on a later tick).
  const [saving, setSaving] = useState<boolean | null>(null)
  const toggle = useMutation({
    mutationFn: (value: boolean) => call('policies/setRemoveOnUnassign', { itemId: item.id, value }),
    onSuccess: policy => replacePolicy(queryClient, policy),
    onSettled: () => setSaving(null),
  })
  const checked = saving ?? item.removeOnUnassign
  return (
    <tr>
      <td>
        <Badge tone={item.kind === 'app' ? 'info' : 'neutral'}>{item.kind}</Badge>
      </td>
      <td>
        <div>
          {item.name}{' '}
          {item.kind === 'app' && (
            <Badge
              tone={item.settings['intent'] === 'available' ? 'neutral' : 'info'}
              title="Required apps are installed and kept; available apps are offered, never forced"
            >
              {item.settings['intent'] === 'available' ? 'available' : 'required'}
            </Badge>
          )}
        </div>
        <div className="mono muted small">{item.identifier}</div>
      </td>
      <td>{item.platform ? platformLabel(item.platform) : <span className="muted">All</span>}</td>
      <td>
        {item.kind === 'app' ? (
          <label className="check">
            <input
              type="checkbox"
              checked={checked}
              disabled={saving !== null}
              onChange={e => {
                setSaving(e.target.checked)
                toggle.mutate(e.target.checked)
              }}
            />
            <span>Remove app when policy is removed</span>
          </label>
        ) : (
          <span className="muted small">Removed with the policy</span>
        )}
        {toggle.isError && <ErrorNote error={toggle.error} />}
      </td>
    </tr>
  )
}

/** A target edit is an admin change: applied (its policy shown at once) or held for approval. */
function useTargetChange(policy: Policy, onSaved: (o: ChangeOutcome) => void, done?: () => void) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (args: { groupId: string; mode: TargetMode | null }) =>
      call('policies/apply', { change: { kind: 'target', policyId: policy.id, ...args } }),
    onSuccess: outcome => {
      if (outcome.status === 'applied' && outcome.policy) replacePolicy(queryClient, outcome.policy)
      onSaved(outcome)
      done?.()
    },
  })
}

function Targets({
  policy,
  groups,
  onSaved,
}: {
  policy: Policy
  groups: GroupSummary[]
  onSaved: (o: ChangeOutcome) => void
}) {
  const remove = useTargetChange(policy, onSaved)
  return (
    <div>
      <h3>Targets</h3>
      <Table
        label="Targets"
        columns={['Group', 'Mode', { header: <span className="visually-hidden">Actions</span> }]}
        items={policy.targets}
        itemKey={t => t.groupId}
        empty="Not targeted: no device gets this policy."
      >
        {t => (
          <TargetRow
            target={t}
            removing={remove.isPending && remove.variables?.groupId === t.groupId}
            onRemove={() => remove.mutate({ groupId: t.groupId, mode: null })}
          />
        )}
      </Table>
      {remove.isError && <ErrorNote error={remove.error} title="Target not removed" />}
      <AddTargetForm policy={policy} groups={groups} onSaved={onSaved} />
    </div>
  )
}

function TargetRow({ target, removing, onRemove }: { target: PolicyTarget; removing: boolean; onRemove: () => void }) {
  return (
    <tr>
      <td>
        <Link to={paths.group(target.groupId)}>{target.groupName}</Link>
      </td>
      <td>{target.mode === 'include' ? <Badge tone="good">include</Badge> : <Badge tone="bad">exclude</Badge>}</td>
      <td className="actions">
        <button type="button" className="small" onClick={onRemove} disabled={removing}>
          {removing ? 'Removing…' : 'Remove'}
        </button>
      </td>
    </tr>
  )
}

function AddTargetForm({
  policy,
  groups,
  onSaved,
}: {
  policy: Policy
  groups: GroupSummary[]
  onSaved: (o: ChangeOutcome) => void
}) {
  const [groupId, setGroupId] = useState('')
  const [mode, setMode] = useState<TargetMode>('include')
  const add = useTargetChange(policy, onSaved, () => setGroupId(''))
  const targeted = new Map(policy.targets.map(t => [t.groupId, t.mode]))
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (groupId) add.mutate({ groupId, mode })
  }
  return (
    <form className="inline-form" aria-label={`Add target to ${policy.name}`} onSubmit={submit}>
      <label>
        <span className="field-label">Group</span>
        <select value={groupId} onChange={e => setGroupId(e.target.value)} required>
          <option value="">Choose a group…</option>
          {groups.map(g => (
            <option key={g.id} value={g.id}>
              {g.name}
              {targeted.has(g.id) ? ` (${targeted.get(g.id)}d)` : ''}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="field-label">Mode</span>
        <select value={mode} onChange={e => setMode(e.target.value as TargetMode)}>
          <option value="include">Include</option>
          <option value="exclude">Exclude</option>
        </select>
      </label>
      <button type="submit" className="primary" disabled={!groupId || add.isPending}>
        {add.isPending ? 'Adding…' : 'Add target'}
      </button>
      {add.isError && <ErrorNote error={add.error} title="Target not added" />}
    </form>
  )
}
