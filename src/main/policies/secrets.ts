// Payload secrets never go back to the admin UI: every answer of the policies channels carries a
// KEPT_SECRET marker where a secret setting holds a value. A draft that sends the marker back keeps
// the stored secret of the same item; a new value replaces it.
import type { Policy } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { isKeptSecret, KEPT_SECRET, type PolicyDraft, SECRET_SETTING } from '../../shared/policy'

/** The value with every secret setting (at any depth) replaced by the marker. */
export function maskSecrets<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > 32) return value
  if (Array.isArray(value)) return value.map(v => maskSecrets(v, depth + 1)) as T
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value))
    out[k] =
      SECRET_SETTING.test(k) && v !== null && v !== undefined && v !== '' ? KEPT_SECRET : maskSecrets(v, depth + 1)
  return out as T
}

/** The draft with every marker replaced by the stored secret of the same item (by id) and setting. */
export function restoreSecrets(draft: PolicyDraft, stored: Policy | undefined): PolicyDraft {
  const items = new Map((stored?.items ?? []).map(i => [i.id, i]))
  return {
    ...draft,
    items: draft.items.map((item, index) => {
      const before = item.id === undefined ? undefined : items.get(item.id)
      const settings: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(item.settings)) {
        if (!isKeptSecret(v)) settings[k] = v
        else if (before && before.settings[k] !== undefined) settings[k] = before.settings[k]
        else
          throw new AppError('BAD_INPUT', `Item ${index + 1}: ${k} has no stored secret to keep; enter a value.`, {
            fields: [{ path: `items.${index}.settings.${k}`, message: 'has no stored secret to keep; enter a value' }],
          })
      }
      return { ...item, settings }
    }),
  }
}

/** What a preview shows for a secret: dots, never the value (nor whether it was just typed). */
export const PREVIEW_SECRET = '••••••••'
/** A PKCS #12 identity is data: the preview shows an empty placeholder (base64 of one zero byte). */
const PREVIEW_PKCS12 = 'AA=='

/** The draft with every secret setting shown as dots, for a preview that goes to the renderer. */
export function previewSecrets(draft: PolicyDraft): PolicyDraft {
  return {
    ...draft,
    items: draft.items.map(item => ({
      ...item,
      settings: Object.fromEntries(
        Object.entries(item.settings).map(([k, v]) =>
          SECRET_SETTING.test(k) && v !== null && v !== undefined && v !== ''
            ? [k, /pkcs12/i.test(k) ? PREVIEW_PKCS12 : PREVIEW_SECRET]
            : [k, v],
        ),
      ),
    })),
  }
}
