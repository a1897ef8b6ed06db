// Edit a connected directory's settings and credentials. Stored credentials are never shown:
// their fields start empty, and an empty field keeps what is stored.
import { useState, type FormEvent } from 'react'
import { useMutation } from '@tanstack/react-query'
import { call } from '../../api'
import { ErrorNote } from '../../components/ui'
import type { DirectoryDetail } from '../../../shared/domain'
import { FIELDS, type Kind } from './ConnectForm'

export function CredentialsForm({ detail, onDone }: { detail: DirectoryDetail; onDone: (message: string) => void }) {
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
  return (
    <form aria-label={`Credentials of ${detail.directory.name}`} onSubmit={submit}>
      <div className="form-row">
        {FIELDS[kind].map(f => {
          const stored = detail.secretsStored.includes(f.name)
          const common = {
            value: values[f.name] ?? '',
            onChange: (e: { target: { value: string } }) => setValues({ ...values, [f.name]: e.target.value }),
            autoComplete: f.secret ? 'new-password' : 'off',
          }
          return (
            <label key={f.name} className={f.multiline ? 'block' : undefined}>
              <span className="field-label">
                {f.label}
                {f.secret
                  ? stored
                    ? ' (stored; leave empty to keep)'
                    : ' (not stored)'
                  : f.optional
                    ? ' (optional)'
                    : ''}
              </span>
              {f.multiline ? (
                <textarea rows={4} spellCheck={false} {...common} />
              ) : (
                <input type={f.secret ? 'password' : 'text'} placeholder={f.placeholder} {...common} />
              )}
            </label>
          )
        })}
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save credentials
        </button>
      </div>
      {save.isError && <ErrorNote error={save.error} title="Credentials not saved" />}
    </form>
  )
}
