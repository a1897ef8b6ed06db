// The policy editor: payloads with typed fields, targets (include / exclude), priority and
// platforms; before saving, the conflict view and the what-if preview of the draft.
import { useId, useState, type ReactNode } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { appInventoryQuery, call, restrictionsQuery } from '../api'
import { Badge, ErrorNote, platformLabel } from './ui'
import { ConflictList, WhatIfView } from './PolicyImpact'
import { PLATFORMS, type GroupSummary, type PayloadKind, type Platform, type Policy } from '../../shared/domain'
import type { ChangeOutcome, PayloadDraft, PolicyDraft, RestrictionDefinition } from '../../shared/policy'
import { Table } from './Table'

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
  const save = useMutation({
    mutationFn: (d: PolicyDraft) => call('policies/apply', { change: { kind: 'policy', draft: d } }),
    onSuccess: outcome => onDone(outcome),
  })
  const label = draft.name || 'new policy'
  const previewBoth = () => {
    preview.mutate(draft)
    conflicts.mutate(draft)
  }
  return (
    <form
      className="policy-editor"
      aria-label={`Edit ${label}`}
      id={formId}
      onSubmit={e => {
        e.preventDefault()
        save.mutate(draft)
      }}
    >
      <div className="form-grid">
        <Field label="Name">
          <input value={draft.name} onChange={e => set({ name: e.target.value })} />
        </Field>
        <Field label="Priority">
          <input
            type="number"
            min={0}
            max={1000}
            value={draft.priority}
            onChange={e => set({ priority: Number(e.target.value) })}
          />
        </Field>
        <Field label="Description">
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
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save policy'}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
      {save.isError && <ErrorNote error={save.error} title="Not saved" />}
      {preview.isError && <ErrorNote error={preview.error} title="No preview" />}
      {conflicts.data && (
        <section aria-label="Conflict view">
          <h3>Conflicts</h3>
          <ConflictList conflicts={conflicts.data} />
        </section>
      )}
      {preview.data && <WhatIfView whatIf={preview.data} />}
    </form>
  )
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label>
      <span className="field-label">{label}</span>
      {children}
    </label>
  )
}

function ItemEditor({
  index,
  item,
  onChange,
  onRemove,
}: {
  index: number
  item: PayloadDraft
  onChange: (i: PayloadDraft) => void
  onRemove: () => void
}) {
  const setting = (key: string, value: unknown) => onChange({ ...item, settings: { ...item.settings, [key]: value } })
  return (
    <fieldset className="payload-item" aria-label={`Item ${index + 1}: ${item.kind} ${item.name}`}>
      <legend>
        <Badge tone={item.kind === 'app' ? 'info' : 'neutral'}>{item.kind}</Badge> {item.name || 'new item'}
      </legend>
      {item.kind === 'app' && <AppFields item={item} onChange={onChange} setting={setting} />}
      {item.kind === 'profile' && <ProfileFields item={item} onChange={onChange} setting={setting} />}
      {item.kind === 'restriction' && <RestrictionFields item={item} onChange={onChange} />}
      <button type="button" className="small" onClick={onRemove}>
        Remove item
      </button>
    </fieldset>
  )
}

function AppFields({
  item,
  onChange,
  setting,
}: {
  item: PayloadDraft
  onChange: (i: PayloadDraft) => void
  setting: (k: string, v: unknown) => void
}) {
  const inventory = useQuery(appInventoryQuery())
  const value = item.platform && item.identifier ? `${item.platform}|${item.identifier}` : ''
  return (
    <div className="form-grid">
      <Field label="App">
        <select
          value={value}
          onChange={e => {
            const entry = inventory.data?.find(a => `${a.platform}|${a.identifier}` === e.target.value)
            if (entry) onChange({ ...item, platform: entry.platform, identifier: entry.identifier, name: entry.name })
          }}
        >
          <option value="">Choose from the app inventory…</option>
          {(inventory.data ?? []).map(a => (
            <option key={a.id} value={`${a.platform}|${a.identifier}`}>
              {a.name} ({platformLabel(a.platform)}, {a.identifier})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Assignment">
        <select value={String(item.settings['intent'] ?? 'required')} onChange={e => setting('intent', e.target.value)}>
          <option value="required">Required (installed automatically)</option>
          <option value="available">Available (self-service)</option>
        </select>
      </Field>
      <label className="check">
        <input
          type="checkbox"
          checked={item.removeOnUnassign}
          onChange={e => onChange({ ...item, removeOnUnassign: e.target.checked })}
        />
        <span>Remove app when policy is removed</span>
      </label>
    </div>
  )
}

const PROFILE_FIELDS: Record<string, { key: string; label: string; options?: string[]; kind?: 'bool' | 'list' }[]> = {
  wifi: [
    { key: 'ssid', label: 'SSID' },
    { key: 'security', label: 'Security', options: ['none', 'WPA2', 'WPA3', 'WPA2-Enterprise', 'WPA3-Enterprise'] },
    { key: 'password', label: 'Password' },
    { key: 'username', label: 'Username (enterprise)' },
    { key: 'autoJoin', label: 'Join automatically', kind: 'bool' },
  ],
  vpn: [
    { key: 'vpnType', label: 'VPN type', options: ['IKEv2', 'IPSec', 'WireGuard', 'SSL'] },
    { key: 'server', label: 'Server' },
    { key: 'account', label: 'Account' },
    { key: 'perApp', label: 'Per-app VPN', kind: 'bool' },
    { key: 'apps', label: 'Apps (per-app, comma-separated ids)', kind: 'list' },
  ],
  email: [
    { key: 'accountType', label: 'Account type', options: ['exchange', 'imap'] },
    { key: 'emailAddress', label: 'Email address' },
    { key: 'username', label: 'Username' },
    { key: 'host', label: 'Server host' },
  ],
}

function ProfileFields({
  item,
  onChange,
  setting,
}: {
  item: PayloadDraft
  onChange: (i: PayloadDraft) => void
  setting: (k: string, v: unknown) => void
}) {
  const type = String(item.settings['type'] ?? 'custom')
  const fields = PROFILE_FIELDS[type]
  const [custom, setCustom] = useState(() =>
    JSON.stringify(Object.fromEntries(Object.entries(item.settings).filter(([k]) => k !== 'type')), null, 1),
  )
  return (
    <div className="form-grid">
      <Field label="Profile name">
        <input value={item.name} onChange={e => onChange({ ...item, name: e.target.value })} />
      </Field>
      <Field label="Identifier">
        <input value={item.identifier} onChange={e => onChange({ ...item, identifier: e.target.value })} />
      </Field>
      <Field label="Profile type">
        <select value={type} onChange={e => onChange({ ...item, settings: { type: e.target.value } })}>
          <option value="wifi">Wi-Fi</option>
          <option value="vpn">VPN</option>
          <option value="email">Email / Exchange</option>
          <option value="custom">Custom</option>
        </select>
      </Field>
      <PlatformField item={item} onChange={onChange} />
      {fields?.map(f =>
        f.kind === 'bool' ? (
          <label key={f.key} className="check">
            <input
              type="checkbox"
              checked={item.settings[f.key] === true}
              onChange={e => setting(f.key, e.target.checked)}
            />
            <span>{f.label}</span>
          </label>
        ) : f.options ? (
          <Field key={f.key} label={f.label}>
            <select value={String(item.settings[f.key] ?? '')} onChange={e => setting(f.key, e.target.value)}>
              <option value="">Choose…</option>
              {f.options.map(o => (
                <option key={o}>{o}</option>
              ))}
            </select>
          </Field>
        ) : (
          <Field key={f.key} label={f.label}>
            <input
              value={
                f.kind === 'list'
                  ? ((item.settings[f.key] as string[] | undefined) ?? []).join(', ')
                  : String(item.settings[f.key] ?? '')
              }
              placeholder={f.key === 'emailAddress' ? '{{user.mail}}' : undefined}
              onChange={e =>
                setting(
                  f.key,
                  f.kind === 'list'
                    ? e.target.value
                        .split(',')
                        .map(x => x.trim())
                        .filter(Boolean)
                    : e.target.value === ''
                      ? undefined
                      : e.target.value,
                )
              }
            />
          </Field>
        ),
      )}
      {!fields && (
        <Field label="Settings (JSON)">
          <textarea
            rows={3}
            value={custom}
            onChange={e => {
              setCustom(e.target.value)
              try {
                onChange({
                  ...item,
                  settings: { type: 'custom', ...(JSON.parse(e.target.value) as Record<string, unknown>) },
                })
              } catch {
                // Keep typing: the JSON is saved once it parses.
              }
            }}
          />
        </Field>
      )}
      <p className="muted small">
        Settings may use {'{{user.<attribute>}}'}, filled per device from the user's attributes.
      </p>
    </div>
  )
}

function PlatformField({ item, onChange }: { item: PayloadDraft; onChange: (i: PayloadDraft) => void }) {
  return (
    <Field label="Item platform">
      <select
        value={item.platform ?? ''}
        onChange={e => onChange({ ...item, platform: e.target.value === '' ? null : (e.target.value as Platform) })}
      >
        <option value="">All of the policy's platforms</option>
        {PLATFORMS.map(p => (
          <option key={p} value={p}>
            {platformLabel(p)}
          </option>
        ))}
      </select>
    </Field>
  )
}

function RestrictionFields({ item, onChange }: { item: PayloadDraft; onChange: (i: PayloadDraft) => void }) {
  const registry = useQuery(restrictionsQuery())
  const def: RestrictionDefinition | undefined = registry.data?.find(r => r.key === item.identifier)
  const value = item.settings['value']
  const setValue = (v: unknown) => onChange({ ...item, settings: { value: v } })
  return (
    <div className="form-grid">
      <Field label="Restriction">
        <select
          value={item.identifier}
          onChange={e => {
            const next = registry.data?.find(r => r.key === e.target.value)
            if (next)
              onChange({
                ...item,
                identifier: next.key,
                name: next.name,
                settings: {
                  value:
                    next.type === 'boolean' ? false : next.type === 'integer' ? (next.min ?? 0) : next.options?.[0],
                },
              })
          }}
        >
          {(registry.data ?? []).map(r => (
            <option key={r.key} value={r.key}>
              {r.name} ({r.platforms.map(platformLabel).join(', ')})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Value">
        {def?.type === 'boolean' ? (
          <select value={String(value)} onChange={e => setValue(e.target.value === 'true')}>
            <option value="true">On</option>
            <option value="false">Off</option>
          </select>
        ) : def?.type === 'enum' ? (
          <select value={String(value)} onChange={e => setValue(e.target.value)}>
            {def.options?.map(o => (
              <option key={o}>{o}</option>
            ))}
          </select>
        ) : (
          <input
            type="number"
            value={typeof value === 'number' ? value : ''}
            min={def?.min}
            max={def?.max}
            onChange={e => setValue(Number(e.target.value))}
          />
        )}
      </Field>
      <PlatformField item={item} onChange={onChange} />
      {def && <p className="muted small">{def.description} Conflicts: the more restrictive value wins.</p>}
    </div>
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
