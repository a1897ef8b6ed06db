// The policy editor's macOS part of a per-app VPN: each app's designated requirement and signing
// identifier (a Mac maps the app to the VPN by its code signature; iOS needs neither, so the fields
// show only when the item reaches macOS).
import type { Platform } from '../../shared/domain'
import { MACOS_APPS, type PayloadDraft } from '../../shared/policy'
import { Field } from './Field'
import type { FieldErrors } from './field-errors'
import { signatureFields, withSignature } from './mac-app-signatures'

const LABELS = {
  designatedRequirement: { label: 'designated requirement', hint: 'codesign -d -r- <app> prints it' },
  signingIdentifier: { label: 'signing identifier', hint: 'the Identifier= line of codesign -dv <app>' },
} as const

export function MacAppSignatureFields({
  item,
  reach,
  errors,
  base,
  setting,
}: {
  item: PayloadDraft
  reach: readonly Platform[]
  errors: FieldErrors
  base: string
  setting: (k: string, v: unknown) => void
}) {
  const fields = signatureFields(item.settings, reach)
  if (fields.length === 0)
    return item.settings[MACOS_APPS] === undefined ? null : (
      <button type="button" className="small" onClick={() => setting(MACOS_APPS, undefined)}>
        Remove the macOS app signatures
      </button>
    )
  return (
    <>
      {fields.map(f => (
        <Field
          key={`${f.app}.${f.key}`}
          label={`${f.app}: ${LABELS[f.key].label} (macOS)`}
          hint={LABELS[f.key].hint}
          error={errors.get(`${base}.${f.path}`)}
        >
          <input
            value={f.value}
            onChange={e => setting(MACOS_APPS, withSignature(item.settings, f.app, f.key, e.target.value))}
          />
        </Field>
      ))}
    </>
  )
}
