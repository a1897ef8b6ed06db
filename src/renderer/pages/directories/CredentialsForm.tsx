// Edit a connected directory's settings and credentials. Stored credentials are never shown:
// their fields start empty, and an empty field keeps what is stored.
import { useState, type FormEvent } from 'react'
import { useMutation } from '@tanstack/react-query'
import { ApiError, call } from '../../api'
import type { Disclosure } from '../../components/disclosure'
import { Field } from '../../components/Field'
import { ErrorNote } from '../../components/ui'
import type { DirectoryDetail } from '../../../shared/domain'
import { FIELDS, type Kind } from './ConnectForm'
import { fieldLabels, refusal } from './refusal'

export function CredentialsForm({
  detail,
  panel,
  onCancel,
  onDone,
}: {
  detail: DirectoryDetail
  /** The disclosure's panel props: the form takes focus when it opens, and Escape closes it. */
  panel: Disclosure<HTMLFormElement>['panel']
  onCancel: () => void
  onDone: (message: string) => void
}) {
  const kind = detail.directory.kind as Kind
  const [values, setValues] = useState<Record<string, string>>(() => ({ ...detail.settings }))
  const save = useMutation({
    mutationFn: () => {
      const settings: Record<string, string> = {}
      const secrets: Record<string, string> = {}
      for (const f of FIELDS[kind]) {
        const v = values[f.name] ?? ''
        if (f.secret) {
          if (v.trim() !== '') secrets[f.name] = v
        } else if (v.trim() !== '') settings[f.name] = v.trim()
      }
      return call('directories/setCredentials', { directoryId: detail.directory.id, settings, secrets })
    },
    onSuccess: d => {
      setValues({ ...d.settings })
      onDone(`Saved. Stored credentials: ${d.secretsStored.join(', ') || 'none'}. Use Test connection to check them.`)
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    save.mutate()
  }
  // A refused save marks the fields it names and lists them by their labels.
  const refused = save.error instanceof ApiError ? refusal(save.error.info) : null
  return (
    <form {...panel} aria-label={`Credentials of ${detail.directory.name}`} onSubmit={submit}>
      <div className="form-row">
        {FIELDS[kind].map(f => {
          const stored = detail.secretsStored.includes(f.name)
          const common = {
            value: values[f.name] ?? '',
            onChange: (e: { target: { value: string } }) => setValues({ ...values, [f.name]: e.target.value }),
            autoComplete: f.secret ? 'new-password' : 'off',
          }
          const note = f.secret
            ? stored
              ? ' (stored; leave empty to keep)'
              : ' (not stored)'
            : f.optional
              ? ' (optional)'
              : ''
          return (
            <Field key={f.name} label={`${f.label}${note}`} error={refused?.errors.get(f.name)}>
              {f.multiline ? (
                <textarea rows={4} spellCheck={false} {...common} />
              ) : (
                <input type={f.secret ? 'password' : 'text'} placeholder={f.placeholder} {...common} />
              )}
            </Field>
          )
        })}
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save credentials
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {save.isError && (
        <ErrorNote
          error={refused ? new ApiError(refused.info) : save.error}
          title="Credentials not saved"
          labels={fieldLabels(FIELDS[kind])}
        />
      )}
    </form>
  )
}
