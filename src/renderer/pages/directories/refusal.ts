// A refused connect or credential save, as the directory forms show it. Main names a field by
// its setting or credential name (`tenantId`, directories/index.ts); the request check names it
// by where it sits in the request (`settings.tenantId`, `secrets.privateKey`, shared/contract.ts).
// Both become the form's own field name, so the field is marked and the note says its label.
import { fieldErrors } from '../../components/field-errors'
import type { ErrorInfo } from '../../../shared/errors'

/** Details with every field path as the form's field name (`secrets.privateKey` → `privateKey`). */
export function formDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const fields = details?.['fields']
  if (!details || !Array.isArray(fields)) return details
  return {
    ...details,
    fields: fields.map((f: unknown) =>
      typeof f === 'object' && f !== null && typeof (f as { path?: unknown }).path === 'string'
        ? { ...f, path: (f as { path: string }).path.replace(/^(settings|secrets)\./, '') }
        : f,
    ),
  }
}

/** The form's labels by field name, for the note that lists the refused fields in words. */
export function fieldLabels(fields: readonly { name: string; label: string }[]): Record<string, string> {
  return { name: 'Name', ...Object.fromEntries(fields.map(f => [f.name, f.label])) }
}

export interface Refusal {
  /** Field name → what is wrong with it. */
  errors: ReadonlyMap<string, string>
  /** The error for the note above the form, its fields named as the form names them. */
  info: ErrorInfo
}

export function refusal(info: ErrorInfo): Refusal {
  const details = formDetails(info.details)
  return { errors: fieldErrors(details, info.message), info: details ? { ...info, details } : info }
}
