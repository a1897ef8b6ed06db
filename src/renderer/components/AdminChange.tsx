// Lifecycle controls shared by the lists: Rename (an inline form) and Delete with the what-if of
// its consequence first. Both go through policies/apply, so a deletion that withdraws policies
// from too many devices is held for approval like any other admin change.
import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { call } from '../api'
import type { ChangeOutcome, ProposedChange } from '../../shared/policy'
import { useDisclosure } from './disclosure'
import { WhatIfView } from './PolicyImpact'
import { ErrorNote, Loaded, formatCount } from './ui'

/** What a saved change did, in one line for a status region. */
export function outcomeText(outcome: ChangeOutcome, done: string): string {
  return outcome.status === 'applied'
    ? `${done}: ${formatCount(outcome.devicesUpdated)} device(s) got commands.`
    : `Held for approval: ${outcome.heldChange.summary}`
}

/** An inline "Rename" that opens a one-field form; saving applies the change `toChange` makes. */
export function RenameControl({
  what,
  current,
  toChange,
  save,
  onDone,
}: {
  /** The object's kind, for labels ("policy", "group", "device"). */
  what: string
  current: string
  toChange?: (name: string) => ProposedChange
  /** Saves without policies/apply (a device or an app, whose name reaches no policy). */
  save?: (name: string) => Promise<unknown>
  onDone?: (message: string) => void
}) {
  // Escape closes the form and focus returns to Rename.
  const { open, show, hide, trigger, panel } = useDisclosure<HTMLFormElement>()
  const [name, setName] = useState(current)
  const inputId = useId()
  const rename = useMutation({
    mutationFn: async (next: string) => {
      if (save) {
        await save(next)
        return `Renamed to ${next.trim()}`
      }
      if (!toChange) throw new Error('RenameControl needs toChange or save')
      return outcomeText(await call('policies/apply', { change: toChange(next) }), `Renamed to ${next.trim()}`)
    },
    onSuccess: message => {
      hide()
      onDone?.(message)
    },
  })
  if (!open)
    return (
      <button
        type="button"
        className="small"
        ref={trigger}
        onClick={() => {
          setName(current)
          show()
        }}
      >
        Rename
      </button>
    )
  const submit = (e: FormEvent) => {
    e.preventDefault()
    rename.mutate(name)
  }
  return (
    <form {...panel} className="inline-form" aria-label={`Rename ${what} ${current}`} onSubmit={submit}>
      <label htmlFor={inputId}>
        <span className="field-label">New name</span>
      </label>
      <input
        id={inputId}
        value={name}
        onChange={e => setName(e.target.value)}
        // biome-ignore lint/a11y/noAutofocus: the form opens on the admin's click; typing the name is next
        autoFocus
        aria-invalid={rename.isError}
      />
      <button type="submit" className="primary small" disabled={rename.isPending || name.trim() === ''}>
        Save name
      </button>
      <button type="button" className="small" onClick={hide}>
        Cancel
      </button>
      {rename.isError && <ErrorNote error={rename.error} title={`The ${what} was not renamed`} />}
    </form>
  )
}

/**
 * "Delete": first the what-if of the change (which devices lose what), then a confirming button.
 * A change the circuit breaker holds comes back as held, and the note says so.
 */
export function DeleteWithPreview({
  what,
  name,
  change,
  onDone,
  label = 'Delete',
  children,
}: {
  what: string
  name: string
  change: ProposedChange
  onDone?: (message: string) => void
  label?: string
  /** Said above the preview (what else goes with it). */
  children?: ReactNode
}) {
  // Keyboard users land in the panel that opened; Escape closes it and focus goes back to Delete.
  const { open, show, hide, trigger, panel } = useDisclosure()
  const preview = useQuery({
    queryKey: ['policies', 'whatIf', 'delete', change],
    queryFn: () => call('policies/whatIf', { change }),
    enabled: open,
    staleTime: 0,
  })
  const apply = useMutation({
    mutationFn: () => call('policies/apply', { change }),
    onSuccess: o => {
      hide()
      onDone?.(outcomeText(o, `${label === 'Delete' ? 'Deleted' : 'Removed'} ${name}`))
    },
  })
  if (!open)
    return (
      <button type="button" className="small danger" ref={trigger} onClick={show}>
        {label}
      </button>
    )
  return (
    <section {...panel} className="confirm-panel" aria-label={`${label} ${what} ${name}`}>
      <p>
        <strong>
          {label} the {what} {name}?
        </strong>{' '}
        {children}
      </p>
      <Loaded query={preview} label="Working out what this changes…">
        {w => (
          <>
            <WhatIfView whatIf={w} />
            <div className="actions">
              <button type="button" className="danger" onClick={() => apply.mutate()} disabled={apply.isPending}>
                {w.wouldHold ? `${label} (held for approval)` : `${label} ${name}`}
              </button>
              <button type="button" onClick={hide}>
                Cancel
              </button>
            </div>
          </>
        )}
      </Loaded>
      {apply.isError && <ErrorNote error={apply.error} title={`The ${what} was not deleted`} />}
    </section>
  )
}
