// What a per-app VPN needs on macOS besides iOS: each app's code signature (designated requirement
// and signing identifier), kept in the VPN's settings as `macosApps[<bundle id>]` and rendered into
// com.apple.vpn.managed.appmapping (src/main/policies/apple/render.ts). Pure, for the policy editor.
import type { Platform } from '../../shared/domain'
import { MACOS_APPS } from '../../shared/policy'

export const SIGNATURE_KEYS = ['designatedRequirement', 'signingIdentifier'] as const
export type SignatureKey = (typeof SIGNATURE_KEYS)[number]
export type Signatures = Record<string, Partial<Record<SignatureKey, string>>>

const appsOf = (settings: Record<string, unknown>): string[] =>
  Array.isArray(settings['apps']) ? settings['apps'].filter((a): a is string => typeof a === 'string') : []

/** The apps whose signature the editor asks for: a per-app VPN's apps, when the item reaches macOS. */
export function signatureApps(settings: Record<string, unknown>, reach: readonly Platform[]): string[] {
  if (settings['type'] !== 'vpn' || settings['perApp'] !== true || !reach.includes('macos')) return []
  return appsOf(settings)
}

/** The field paths (under `settings.`) the editor shows for the item, so their problems are not listed twice. */
export const signaturePaths = (settings: Record<string, unknown>): string[] =>
  settings['type'] === 'vpn' && settings['perApp'] === true
    ? appsOf(settings).flatMap(app => SIGNATURE_KEYS.map(k => `settings.${MACOS_APPS}.${app}.${k}`))
    : []

export function signaturesOf(settings: Record<string, unknown>): Signatures {
  const raw = settings[MACOS_APPS]
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Signatures) : {}
}

/**
 * The signatures after one field is edited: only the VPN's current apps are kept (an app taken off
 * the list loses its signature) and empty values are dropped; undefined when nothing is left.
 */
export function withSignature(
  settings: Record<string, unknown>,
  app: string,
  key: SignatureKey,
  value: string,
): Signatures | undefined {
  const current = signaturesOf(settings)
  const next: Signatures = {}
  for (const a of appsOf(settings)) {
    const sig = { ...current[a], ...(a === app ? { [key]: value } : {}) }
    const kept = Object.fromEntries(Object.entries(sig).filter(([, v]) => typeof v === 'string' && v !== ''))
    if (Object.keys(kept).length > 0) next[a] = kept
  }
  return Object.keys(next).length > 0 ? next : undefined
}
