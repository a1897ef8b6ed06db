// What a per-app VPN needs on macOS besides iOS: each app's code signature (designated requirement
// and signing identifier), kept in the VPN's settings as `macosApps` ([{identifier,
// designatedRequirement, signingIdentifier}]) and rendered into com.apple.vpn.managed.appmapping
// (src/main/policies/apple/render.ts). Pure, for the policy editor.
import type { Platform } from '../../shared/domain'
import { MACOS_APPS } from '../../shared/policy'

export const SIGNATURE_KEYS = ['designatedRequirement', 'signingIdentifier'] as const
export type SignatureKey = (typeof SIGNATURE_KEYS)[number]
export type Signature = { identifier: string } & Partial<Record<SignatureKey, string>>

const appsOf = (settings: Record<string, unknown>): string[] =>
  Array.isArray(settings['apps']) ? settings['apps'].filter((a): a is string => typeof a === 'string') : []

const given = (settings: Record<string, unknown>): Signature[] => {
  const raw = settings[MACOS_APPS]
  return Array.isArray(raw) ? raw.filter((e): e is Signature => e !== null && typeof e === 'object') : []
}

export interface SignatureField {
  app: string
  key: SignatureKey
  value: string
  /** The field path (under the item) a refused save names: the app's entry, or the app itself while it has none. */
  path: string
}

/** The fields the editor asks for: two per app of a per-app VPN, when the item reaches macOS. */
export function signatureFields(settings: Record<string, unknown>, reach: readonly Platform[]): SignatureField[] {
  if (settings['type'] !== 'vpn' || settings['perApp'] !== true || !reach.includes('macos')) return []
  const entries = given(settings)
  return appsOf(settings).flatMap((app, i) => {
    const j = entries.findIndex(e => e.identifier === app)
    return SIGNATURE_KEYS.map(key => ({
      app,
      key,
      value: entries[j]?.[key] ?? '',
      path: j < 0 ? `settings.apps.${i}` : `settings.${MACOS_APPS}.${j}.${key}`,
    }))
  })
}

/**
 * The signatures after one field is edited, one entry per current app in the apps' order (an app
 * taken off the list loses its signature; empty values are dropped); undefined when none is left.
 */
export function withSignature(
  settings: Record<string, unknown>,
  app: string,
  key: SignatureKey,
  value: string,
): Signature[] | undefined {
  const entries = given(settings)
  const next = appsOf(settings).flatMap(a => {
    const sig: Record<string, unknown> = { ...entries.find(e => e.identifier === a), identifier: a }
    if (a === app) sig[key] = value
    const kept = Object.fromEntries(Object.entries(sig).filter(([, v]) => typeof v === 'string' && v !== ''))
    return Object.keys(kept).length > 1 ? [kept as Signature] : []
  })
  return next.length > 0 ? next : undefined
}
