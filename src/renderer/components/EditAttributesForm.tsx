// Edits a file-directory user's attributes. Values keep their original type (text, number,
// yes/no, list); only the attributes that changed are sent to users/setAttributes.
import { useState, type FormEvent } from 'react'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { AttributeValue, Attributes, UserDetail } from '../../shared/domain'
import { call, userQuery } from '../api'
import { ErrorNote } from './ui'

type Kind = 'text' | 'number' | 'boolean' | 'list'

interface Draft {
  key: string
  kind: Kind
  text: string
  checked: boolean
}

function kindOf(value: AttributeValue): Kind {
  if (typeof value === 'number') return 'number'
  if (typeof value === 'boolean') return 'boolean'
  if (Array.isArray(value)) return 'list'
  return 'text'
}

function toDraft(key: string, value: AttributeValue): Draft {
  const kind = kindOf(value)
  return {
    key,
    kind,
    text: Array.isArray(value) ? value.join(', ') : value === null || typeof value === 'boolean' ? '' : String(value),
    checked: value === true,
  }
}

function fromDraft(d: Draft): AttributeValue {
  switch (d.kind) {
    case 'boolean':
      return d.checked
    case 'number': {
      if (d.text.trim() === '') return null
      const n = Number(d.text)
      if (!Number.isFinite(n)) throw new Error(`${d.key}: “${d.text}” is not a number`)
      return n
    }
    case 'list':
      return d.text
        .split(',')
        .map(s => s.trim())
        .filter(s => s !== '')
    case 'text':
      // An emptied field means the directory no longer delivers a value.
      return d.text.trim() === '' ? null : d.text.trim()
  }
}

function same(a: AttributeValue | undefined, b: AttributeValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i])
  return a === b
}

export function EditAttributesForm({ detail, onDone }: { detail: UserDetail; onDone: () => void }) {
  const queryClient = useQueryClient()
  const keys = Object.keys(detail.attributes).sort((a, b) => a.localeCompare(b))
  const [drafts, setDrafts] = useState<Draft[]>(() => keys.map(k => toDraft(k, detail.attributes[k] ?? null)))
  const [newKey, setNewKey] = useState('')
  const [newValue, setNewValue] = useState('')
  const [localError, setLocalError] = useState<Error | null>(null)

  const save = useMutation({
    mutationFn: (attributes: Attributes) => call('users/setAttributes', { userId: detail.user.id, attributes }),
    onSuccess: updated => {
      queryClient.setQueryData(userQuery(detail.user.id).queryKey, updated)
      onDone()
    },
  })

  const update = (index: number, patch: Partial<Draft>) =>
    setDrafts(ds => ds.map((d, i) => (i === index ? { ...d, ...patch } : d)))

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setLocalError(null)
    const changes: Attributes = {}
    try {
      for (const d of drafts) {
        const value = fromDraft(d)
        if (!same(detail.attributes[d.key], value)) changes[d.key] = value
      }
      const key = newKey.trim()
      if (key !== '') {
        if (key in detail.attributes) throw new Error(`“${key}” already exists; edit it above`)
        changes[key] = newValue.trim() === '' ? null : newValue.trim()
      }
    } catch (err) {
      setLocalError(err instanceof Error ? err : new Error(String(err)))
      return
    }
    if (Object.keys(changes).length === 0) {
      setLocalError(new Error('Nothing changed'))
      return
    }
    save.mutate(changes)
  }

  return (
    <form className="attribute-form" aria-label="Edit attributes" onSubmit={submit}>
      <div className="form-grid">
        {drafts.map((d, i) => (
          <label key={d.key} className={d.kind === 'boolean' ? 'check' : undefined}>
            {d.kind === 'boolean' ? (
              <>
                <input type="checkbox" checked={d.checked} onChange={e => update(i, { checked: e.target.checked })} />
                <span className="field-label mono">{d.key}</span>
              </>
            ) : (
              <>
                <span className="field-label mono">
                  {d.key}
                  {d.kind === 'list' && <span className="muted"> (comma-separated)</span>}
                </span>
                <input
                  type={d.kind === 'number' ? 'number' : 'text'}
                  value={d.text}
                  onChange={e => update(i, { text: e.target.value })}
                />
              </>
            )}
          </label>
        ))}
      </div>
      <fieldset className="inline-fields">
        <legend>Add an attribute</legend>
        <label>
          <span className="field-label">New attribute name</span>
          <input value={newKey} onChange={e => setNewKey(e.target.value)} placeholder="e.g. costCenter" />
        </label>
        <label>
          <span className="field-label">New attribute value</span>
          <input value={newValue} onChange={e => setNewValue(e.target.value)} />
        </label>
      </fieldset>
      {localError && <ErrorNote error={localError} />}
      {save.isError && <ErrorNote error={save.error} title="Attributes not saved" />}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save attributes'}
        </button>
        <button type="button" onClick={onDone} disabled={save.isPending}>
          Cancel
        </button>
      </div>
    </form>
  )
}
