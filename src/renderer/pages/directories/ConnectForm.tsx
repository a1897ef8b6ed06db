// Connect a directory: settings shown as typed, credentials as password fields that are sent
// once and never shown back (main keeps them in the secrets store only).
import { useState, type FormEvent } from 'react'
import { useMutation } from '@tanstack/react-query'
import { ApiError, call } from '../../api'
import { Field as FormField } from '../../components/Field'
import { ErrorNote } from '../../components/ui'
import { fieldLabels, refusal } from './refusal'

export type Kind = 'entra' | 'okta' | 'google'

export interface Field {
  name: string
  label: string
  secret?: boolean
  optional?: boolean
  multiline?: boolean
  placeholder?: string
}

export const FIELDS: Record<Kind, Field[]> = {
  entra: [
    { name: 'tenantId', label: 'Tenant ID or domain', placeholder: 'contoso.onmicrosoft.com' },
    { name: 'clientId', label: 'Application (client) ID' },
    { name: 'clientSecret', label: 'Client secret', secret: true },
  ],
  okta: [
    { name: 'orgUrl', label: 'Org URL', placeholder: 'https://example.okta.com' },
    { name: 'apiToken', label: 'API token (or a service app below)', secret: true, optional: true },
    { name: 'clientId', label: 'Service app client ID', optional: true },
    { name: 'privateKey', label: 'Service app private key (PEM)', secret: true, optional: true, multiline: true },
  ],
  google: [
    { name: 'serviceAccountEmail', label: 'Service account email' },
    { name: 'subject', label: 'Admin to act as (domain-wide delegation)' },
    { name: 'customer', label: 'Customer ID', optional: true, placeholder: 'my_customer' },
    { name: 'privateKey', label: 'Service account private key (PEM)', secret: true, multiline: true },
  ],
}

export const KIND_NAMES: Record<Kind, string> = {
  entra: 'Microsoft Entra ID',
  okta: 'Okta',
  google: 'Google Workspace',
}

const OKTA_NEEDS = 'Okta needs an API token, or a service app client ID with its private key'

export function ConnectForm({ onConnected }: { onConnected?: (id: string) => void }) {
  const [kind, setKind] = useState<Kind>('entra')
  const [name, setName] = useState('')
  const [values, setValues] = useState<Record<string, string>>({})
  const connect = useMutation({
    mutationFn: () => {
      const has = (f: string) => (values[f] ?? '').trim() !== ''
      // Okta takes an API token or a service app; connecting with neither left a directory that
      // could do nothing.
      if (kind === 'okta' && !has('apiToken') && !(has('clientId') && has('privateKey')))
        throw new ApiError({
          code: 'BAD_INPUT',
          message: OKTA_NEEDS,
          details: { fields: [{ path: 'apiToken', message: OKTA_NEEDS }] },
        })
      const settings: Record<string, string> = {}
      const secrets: Record<string, string> = {}
      for (const f of FIELDS[kind]) {
        const v = (values[f.name] ?? '').trim()
        if (v === '') continue
        if (f.secret) secrets[f.name] = values[f.name] ?? ''
        else settings[f.name] = v
      }
      return call('directories/connect', { kind, name, settings, secrets })
    },
    onSuccess: d => {
      // Credentials leave the page as soon as they are stored.
      setValues({})
      setName('')
      onConnected?.(d.directory.id)
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    connect.mutate()
  }
  // A refused connect marks the fields it names and lists them by their labels.
  const refused = connect.error instanceof ApiError ? refusal(connect.error.info) : null
  const set = (field: string, value: string) => setValues({ ...values, [field]: value })
  return (
    <form aria-label="Connect a directory" onSubmit={submit}>
      <div className="form-row">
        <FormField label="Identity provider">
          <select
            value={kind}
            onChange={e => {
              setKind(e.target.value as Kind)
              setValues({})
              // The refusal was about the other provider's fields.
              connect.reset()
            }}
          >
            {(Object.keys(KIND_NAMES) as Kind[]).map(k => (
              <option key={k} value={k}>
                {KIND_NAMES[k]}
              </option>
            ))}
          </select>
        </FormField>
        <FormField label="Name" error={refused?.errors.get('name')}>
          <input value={name} onChange={e => setName(e.target.value)} required placeholder="e.g. Contoso" />
        </FormField>
      </div>
      <div className="form-row">
        {FIELDS[kind].map(f => (
          <FormField
            key={f.name}
            label={`${f.label}${f.optional ? ' (optional)' : ''}`}
            error={refused?.errors.get(f.name)}
          >
            {f.multiline ? (
              <textarea
                rows={4}
                spellCheck={false}
                autoComplete="off"
                value={values[f.name] ?? ''}
                onChange={e => set(f.name, e.target.value)}
                required={!f.optional}
              />
            ) : (
              <input
                type={f.secret ? 'password' : 'text'}
                autoComplete={f.secret ? 'new-password' : 'off'}
                placeholder={f.placeholder}
                value={values[f.name] ?? ''}
                onChange={e => set(f.name, e.target.value)}
                required={!f.optional}
              />
            )}
          </FormField>
        ))}
      </div>
      <p className="muted small">Credentials are stored once, encrypted where the OS allows, and never shown again.</p>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={connect.isPending}>
          {connect.isPending ? 'Connecting…' : 'Connect'}
        </button>
      </div>
      {connect.isError && (
        <ErrorNote
          error={refused ? new ApiError(refused.info) : connect.error}
          title="Could not connect"
          labels={fieldLabels(FIELDS[kind])}
        />
      )}
    </form>
  )
}
