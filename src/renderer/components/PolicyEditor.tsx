// The policy editor: payloads with typed fields, targets (include / exclude), priority and
// platforms; before saving, the conflict view, the what-if preview and each Apple platform's
// configuration profile. It offers only what the target platforms can take, marks the fields a
// save refused, and never shows a stored secret (it shows "stored" and offers to replace it).
import { useEffect, useId, useRef, useState } from 'react'
import { useMutation } from '@tanstack/react-query'
import { ApiError, call } from '../api'
import { ErrorNote, fieldProblems, platformLabel } from './ui'
import { Field } from './Field'
import type { FieldErrors } from './field-errors'
import { ConflictList, WhatIfView } from './PolicyImpact'
import { PLATFORMS, type GroupSummary, type PayloadKind, type Policy } from '../../shared/domain'
import type { ChangeOutcome, PayloadDraft, PolicyDraft, ProfilePreview } from '../../shared/policy'
import { Table } from './Table'
import { FIELD_LABELS, ItemEditor, isApple } from './PayloadFields'

export const draftOf = (p: Policy): PolicyDraft => ({
  id: p.id,
  name: p.name,
  description: p.description,
  priority: p.priority,
  platforms: p.platforms,
  items: p.items.map(i => ({
    id: i.id,
    kind: i.kind,
    identifier: i.identifier,
    name: i.name,
    platform: i.platform,
    settings: i.settings,
    removeOnUnassign: i.removeOnUnassign,
  })),
  targets: p.targets.map(t => ({ groupId: t.groupId, mode: t.mode })),
})

export const emptyDraft = (): PolicyDraft => ({
  name: '',
  description: '',
  priority: 0,
  platforms: ['ios', 'android'],
  items: [],
  targets: [],
})

const NEW_ITEM: Record<PayloadKind, PayloadDraft> = {
  app: {
    kind: 'app',
    identifier: '',
    name: '',
    platform: 'ios',
    settings: { intent: 'required' },
    removeOnUnassign: false,
  },
  profile: {
    kind: 'profile',
    identifier: '',
    name: '',
    platform: null,
    settings: { type: 'wifi', ssid: '', security: 'WPA2', password: '' },
    removeOnUnassign: false,
  },
  restriction: {
    kind: 'restriction',
    identifier: 'allowCamera',
    name: 'Allow camera',
    platform: null,
    settings: { value: false },
    removeOnUnassign: false,
  },
}

export function PolicyEditor({
  initial,
  groups,
  onDone,
}: {
  initial: PolicyDraft
  groups: GroupSummary[]
  onDone: (outcome: ChangeOutcome | null) => void
}) {
  const [draft, setDraft] = useState<PolicyDraft>(initial)
  const formId = useId()
  const set = (patch: Partial<PolicyDraft>) => setDraft(d => ({ ...d, ...patch }))
  const setItem = (i: number, item: PayloadDraft) => set({ items: draft.items.map((x, n) => (n === i ? item : x)) })
  const preview = useMutation({
    mutationFn: (d: PolicyDraft) => call('policies/whatIf', { change: { kind: 'policy', draft: d } }),
  })
  const conflicts = useMutation({ mutationFn: (d: PolicyDraft) => call('policies/conflicts', { draft: d }) })
  const profiles = useMutation({ mutationFn: (d: PolicyDraft) => call('policies/preview', { draft: d }) })
  const save = useMutation({
    mutationFn: (d: PolicyDraft) => call('policies/apply', { change: { kind: 'policy', draft: d } }),
    onSuccess: outcome => onDone(outcome),
  })
  const label = draft.name || 'new policy'
  const errors: FieldErrors = new Map(
    save.error instanceof ApiError ? fieldProblems(save.error.details).map(f => [f.path, f.message]) : [],
  )
  const previewBoth = () => {
    preview.mutate(draft)
    conflicts.mutate(draft)
  }
  // A refused save takes the keyboard to the first field it marked.
  const form = useRef<HTMLFormElement>(null)
  useEffect(() => {
    if (save.error) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
  }, [save.error])
  return (
    <form
      ref={form}
      className="policy-editor"
      aria-label={`Edit ${label}`}
      id={formId}
      onSubmit={e => {
        e.preventDefault()
        // Not disabled while saving: a disabled button drops the keyboard user's focus to the page.
        if (!save.isPending) save.mutate(draft)
      }}
    >
      <div className="form-grid">
        <Field label="Name" error={errors.get('name')}>
          <input value={draft.name} onChange={e => set({ name: e.target.value })} />
        </Field>
        <Field label="Priority" error={errors.get('priority')}>
          <input
            type="number"
            min={0}
            max={1000}
            value={draft.priority}
            onChange={e => set({ priority: Number(e.target.value) })}
          />
        </Field>
        <Field label="Description" error={errors.get('description')}>
          <input value={draft.description} onChange={e => set({ description: e.target.value })} />
        </Field>
        <fieldset className="inline">
          <legend className="field-label">Platforms</legend>
          {PLATFORMS.map(p => (
            <label key={p} className="check">
              <input
                type="checkbox"
                checked={draft.platforms.includes(p)}
                onChange={e =>
                  set({ platforms: e.target.checked ? [...draft.platforms, p] : draft.platforms.filter(x => x !== p) })
                }
              />
              <span>{platformLabel(p)}</span>
            </label>
          ))}
        </fieldset>
      </div>
      <p className="muted small">
        Conflicts: restrictions take the most restrictive value; apps, Wi-Fi, VPN and email profiles are merged; one
        profile set differently by two policies goes to the higher priority (then the name). Never "last applied".
      </p>

      <h3>Payload</h3>
      {draft.items.map((item, i) => (
        <ItemEditor
          key={i}
          index={i}
          item={item}
          platforms={draft.platforms}
          errors={errors}
          onChange={x => setItem(i, x)}
          onRemove={() => set({ items: draft.items.filter((_, n) => n !== i) })}
        />
      ))}
      <div className="actions-row">
        {(['app', 'profile', 'restriction'] as const).map(k => (
          <button key={k} type="button" className="small" onClick={() => set({ items: [...draft.items, NEW_ITEM[k]] })}>
            Add {k}
          </button>
        ))}
      </div>

      <h3>Targets</h3>
      <TargetsEditor draft={draft} groups={groups} onChange={targets => set({ targets })} />

      <div className="actions-row">
        <button type="button" onClick={previewBoth} disabled={preview.isPending}>
          {preview.isPending ? 'Previewing…' : 'Preview changes'}
        </button>
        <button
          type="button"
          onClick={() => profiles.mutate(draft)}
          disabled={profiles.isPending || !draft.platforms.some(isApple)}
        >
          {profiles.isPending ? 'Rendering…' : 'Preview profiles'}
        </button>
        <button type="submit" className="primary" aria-busy={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save policy'}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
      {save.isError && <ErrorNote error={save.error} title="Not saved" labels={FIELD_LABELS} />}
      {preview.isError && <ErrorNote error={preview.error} title="No preview" />}
      {conflicts.data && (
        <section aria-label="Conflict view">
          <h3>Conflicts</h3>
          <ConflictList conflicts={conflicts.data} />
        </section>
      )}
      {preview.data && <WhatIfView whatIf={preview.data} />}
      {profiles.isError && <ErrorNote error={profiles.error} title="No profile preview" />}
      {profiles.data && <ProfilePreviews previews={profiles.data} />}
    </form>
  )
}

function ProfilePreviews({ previews }: { previews: ProfilePreview[] }) {
  return (
    <section aria-label="Profile preview">
      <h3>Configuration profiles</h3>
      {previews.map(p => (
        <details key={p.platform} open aria-label={`${platformLabel(p.platform)} profile`}>
          <summary>
            {platformLabel(p.platform)}:{' '}
            {p.xml === null
              ? 'nothing to install'
              : `${p.payloads.length} payload${p.payloads.length === 1 ? '' : 's'}`}
          </summary>
          <ul className="small">
            {p.payloads.map(x => (
              <li key={x.identifier}>
                <code>{x.type}</code> {x.identifier}
              </li>
            ))}
          </ul>
          {p.unfilled.length > 0 && (
            <p className="muted small">
              Filled per device from the user: {p.unfilled.map(u => `{{user.${u}}}`).join(', ')}
            </p>
          )}
          {p.problems.map(x => (
            <p key={x} className="error-note small">
              {x}
            </p>
          ))}
          {p.xml !== null && <pre className="profile-xml">{p.xml}</pre>}
        </details>
      ))}
    </section>
  )
}

function TargetsEditor({
  draft,
  groups,
  onChange,
}: {
  draft: PolicyDraft
  groups: GroupSummary[]
  onChange: (t: PolicyDraft['targets']) => void
}) {
  const [groupId, setGroupId] = useState('')
  const name = (id: string) => groups.find(g => g.id === id)?.name ?? id
  return (
    <>
      <Table
        label="Draft targets"
        columns={['Group', 'Mode', { header: <span className="visually-hidden">Actions</span> }]}
        items={draft.targets}
        itemKey={t => t.groupId}
      >
        {t => (
          <tr>
            <td>{name(t.groupId)}</td>
            <td>
              <select
                aria-label={`Mode for ${name(t.groupId)}`}
                value={t.mode}
                onChange={e =>
                  onChange(
                    draft.targets.map(x =>
                      x.groupId === t.groupId ? { ...x, mode: e.target.value as 'include' | 'exclude' } : x,
                    ),
                  )
                }
              >
                <option value="include">include</option>
                <option value="exclude">exclude (wins)</option>
              </select>
            </td>
            <td className="actions">
              <button
                type="button"
                className="small"
                aria-label={`Remove target ${name(t.groupId)}`}
                onClick={() => onChange(draft.targets.filter(x => x.groupId !== t.groupId))}
              >
                Remove
              </button>
            </td>
          </tr>
        )}
      </Table>
      <div className="inline-form">
        <label>
          <span className="field-label">Target group</span>
          <select value={groupId} onChange={e => setGroupId(e.target.value)}>
            <option value="">Choose a group…</option>
            {groups
              .filter(g => !draft.targets.some(t => t.groupId === g.id))
              .map(g => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!groupId}
          onClick={() => {
            onChange([...draft.targets, { groupId, mode: 'include' }])
            setGroupId('')
          }}
        >
          Add target
        </button>
      </div>
    </>
  )
}
