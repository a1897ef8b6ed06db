// The fields a refused save names (details.fields: path + message, e.g. `items.4.settings.ssid`),
// turned into what the form marks: a message beside the field, and words instead of the path
// wherever the form has no field for it.

export interface FieldProblem {
  path: string
  message: string
}

/** Field path → message. */
export type FieldErrors = ReadonlyMap<string, string>

export function fieldProblems(details: Record<string, unknown> | undefined): FieldProblem[] {
  const fields = details?.['fields']
  if (!Array.isArray(fields)) return []
  return fields.flatMap((f: unknown) => {
    if (typeof f !== 'object' || f === null) return []
    const { path, message } = f as { path?: unknown; message?: unknown }
    return typeof message === 'string' ? [{ path: typeof path === 'string' ? path : '', message }] : []
  })
}

/** "userPrincipalName" → "user principal name"; "ssid" stays. */
const words = (key: string): string =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()

/**
 * A path in words: `items.4.settings.ssid` → "Item 5, SSID" when `labels` knows "ssid"; array
 * indexes count from 1, the `settings` level is the form's business, not the admin's.
 */
export function fieldName(path: string, labels: Readonly<Record<string, string>> = {}): string {
  if (path === '') return 'This form'
  const parts = path.split('.')
  const out: string[] = []
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string
    const next = parts[i + 1]
    if (part === 'settings') continue
    if (next !== undefined && /^\d+$/.test(next)) {
      const singular = part.endsWith('s') ? part.slice(0, -1) : part
      out.push(`${labels[singular] ?? capitalise(words(singular))} ${Number(next) + 1}`)
      i++
      continue
    }
    if (/^\d+$/.test(part)) {
      out.push(`#${Number(part) + 1}`)
      continue
    }
    out.push(labels[part] ?? words(part))
  }
  return capitalise(out.join(', '))
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/**
 * Field path → message from an error's details, in both shapes main uses: a list of problems
 * (`fields`), or the one field the whole message is about (`field`, e.g. the ingress settings).
 */
export function fieldErrors(details: Record<string, unknown> | undefined, message: string): Map<string, string> {
  const errors = new Map(fieldProblems(details).map(f => [f.path, f.message]))
  const one = details?.['field']
  if (typeof one === 'string' && !errors.has(one)) errors.set(one, message)
  return errors
}
