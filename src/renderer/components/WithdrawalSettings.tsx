// Withdrawal safety on the Settings page: the grace rule (how long a user who left a group keeps
// its policies) and the circuit breakers that hold a change or a directory sync for approval.
import { useState } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { ApiError, call, policySettingsQuery } from '../api'
import { Field } from './Field'
import { fieldProblems } from './field-errors'
import type { PolicySettings } from '../../shared/policy'
import { ErrorNote, Loaded, Section } from './ui'

const FIELDS: { key: keyof PolicySettings; label: string; step?: number }[] = [
  { key: 'graceSyncs', label: 'Confirming syncs before withdrawal' },
  { key: 'graceMinutes', label: 'Grace minutes' },
  { key: 'breakerDevices', label: 'Hold above devices' },
  { key: 'breakerShare', label: 'Hold above share (0–1)', step: 0.01 },
  {
    key: 'syncHoldMembershipShare',
    label: 'Hold a directory sync removing above this share of memberships (0–1)',
    step: 0.01,
  },
  { key: 'syncHoldUserShare', label: 'Hold a directory sync removing above this share of users (0–1)', step: 0.01 },
  { key: 'syncHoldMinimum', label: 'Count those shares from this many memberships or users' },
]

const LABELS: Record<string, string> = Object.fromEntries(FIELDS.map(f => [f.key, f.label]))

export function WithdrawalSettings() {
  const settings = useQuery(policySettingsQuery())
  return (
    <Section title="Safe withdrawal">
      <p className="muted small">
        A user who leaves a group keeps its policies until enough syncs confirm it; a change or sync that would withdraw
        from more devices than these limits is held on the Policies or Directories page for approval.
      </p>
      <Loaded query={settings} label="Loading withdrawal settings…">
        {data => <WithdrawalForm saved={data} />}
      </Loaded>
    </Section>
  )
}

function WithdrawalForm({ saved }: { saved: PolicySettings }) {
  const save = useMutation({ mutationFn: (patch: Partial<PolicySettings>) => call('policies/setSettings', patch) })
  const [edit, setEdit] = useState<PolicySettings | null>(null)
  const current = edit ?? saved
  const errors = new Map(
    save.error instanceof ApiError ? fieldProblems(save.error.details).map(f => [f.path, f.message]) : [],
  )
  return (
    <form
      className="inline-form"
      aria-label="Safe withdrawal settings"
      onSubmit={e => {
        e.preventDefault()
        save.mutate(current, { onSuccess: () => setEdit(null) })
      }}
    >
      {FIELDS.map(f => (
        <Field key={f.key} label={f.label} error={errors.get(f.key)}>
          <input
            type="number"
            step={f.step ?? 1}
            min={0}
            value={current[f.key]}
            onChange={e => setEdit({ ...current, [f.key]: Number(e.target.value) })}
          />
        </Field>
      ))}
      <button type="submit" disabled={save.isPending || edit === null}>
        Save settings
      </button>
      {save.isSuccess && edit === null && (
        <p className="notice" role="status">
          Settings saved.
        </p>
      )}
      {save.isError && <ErrorNote error={save.error} title="Settings not saved" labels={LABELS} />}
    </form>
  )
}
