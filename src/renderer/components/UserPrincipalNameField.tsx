import { useDeferredValue, useId } from 'react'
import { useQuery } from '@tanstack/react-query'
import { usersQuery } from '../api'

/** A user principal name input that suggests matching users as the admin types. */
export function UserPrincipalNameField({
  value,
  onChange,
  label = 'User principal name',
}: {
  value: string
  onChange: (v: string) => void
  label?: string
}) {
  const q = useDeferredValue(value.trim())
  const suggestions = useQuery({ ...usersQuery({ query: q, limit: 8 }), enabled: q.length >= 2 })
  const listId = useId()
  return (
    <label>
      <span className="field-label">{label}</span>
      <input
        type="text"
        className="upn"
        value={value}
        onChange={e => onChange(e.target.value)}
        list={listId}
        required
        autoComplete="off"
        spellCheck={false}
        placeholder="name@company.example"
      />
      <datalist id={listId}>
        {(suggestions.data?.rows ?? []).map(u => (
          <option key={u.id} value={u.userPrincipalName}>
            {u.displayName}
          </option>
        ))}
      </datalist>
    </label>
  )
}
