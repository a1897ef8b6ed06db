// A labelled form control that a refused save can mark: the control gets aria-invalid and is
// described by the message shown beside it, so the admin reads what is wrong where it is wrong.
import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react'

export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: ReactNode
  error?: string | undefined
  /** A line under the control saying what goes there. */
  hint?: ReactNode
  /** One control (input, select, textarea). */
  children: ReactElement<Record<string, unknown>>
}) {
  const errorId = useId()
  const control =
    error !== undefined && isValidElement(children)
      ? cloneElement(children, { 'aria-invalid': true, 'aria-describedby': errorId })
      : children
  return (
    <div className="field">
      <label>
        <span className="field-label">{label}</span>
        {control}
        {hint !== undefined && <span className="small muted">{hint}</span>}
      </label>
      {error !== undefined && <FieldMessage id={errorId}>{error}</FieldMessage>}
    </div>
  )
}

export function FieldMessage({ id, children }: { id: string; children: ReactNode }) {
  return (
    <span className="field-error" id={id}>
      {children}
    </span>
  )
}
