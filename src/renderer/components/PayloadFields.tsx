// One payload of a policy being edited: its typed fields (app, configuration profile by type,
// restriction), the platform it is limited to, and which of its fields a refused save marks.

import { useId, useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { appInventoryQuery, restrictionsQuery } from '../api'
import { Badge, PlatformOptions, platformLabel } from './ui'
import { Field, FieldMessage } from './Field'
import { fieldName, type FieldErrors } from './field-errors'
import type { Platform } from '../../shared/domain'
import { isKeptSecret, type PayloadDraft, type RestrictionDefinition } from '../../shared/policy'
import { MacAppSignatureFields } from './MacAppSignatureFields'
import { signatureFields } from './mac-app-signatures'

/** The platforms an item reaches: its own, else the policy's. */
const reachOf = (item: PayloadDraft, platforms: readonly Platform[]): Platform[] =>
  item.platform ? [item.platform] : [...platforms]
export const isApple = (p: Platform): boolean => p === 'ios' || p === 'macos'

export function ItemEditor({
  index,
  item,
  platforms,
  errors,
  onChange,
  onRemove,
}: {
  index: number
  item: PayloadDraft
  platforms: readonly Platform[]
  errors: FieldErrors
  onChange: (i: PayloadDraft) => void
  onRemove: () => void
}) {
  const setting = (key: string, value: unknown) => onChange({ ...item, settings: { ...item.settings, [key]: value } })
  const base = `items.${index}`
  // Problems the item's fields do not show beside themselves are listed under the item, in words.
  const shown = new Set(shownPaths(item, reachOf(item, platforms)).map(k => `${base}.${k}`))
  const itemErrors = [...errors].filter(([path]) => (path === base || path.startsWith(`${base}.`)) && !shown.has(path))
  return (
    <fieldset className="payload-item" aria-label={`Item ${index + 1}: ${item.kind} ${item.name}`}>
      <legend>
        <Badge tone={item.kind === 'app' ? 'info' : 'neutral'}>{item.kind}</Badge> {item.name || 'new item'}
      </legend>
      {item.kind === 'app' && (
        <AppFields item={item} errors={errors} base={base} onChange={onChange} setting={setting} />
      )}
      {item.kind === 'profile' && (
        <ProfileFields
          item={item}
          reach={reachOf(item, platforms)}
          errors={errors}
          base={base}
          onChange={onChange}
          setting={setting}
        />
      )}
      {item.kind === 'restriction' && (
        <RestrictionFields
          item={item}
          reach={reachOf(item, platforms)}
          errors={errors}
          base={base}
          onChange={onChange}
        />
      )}
      {itemErrors.length > 0 && (
        <ul className="field-errors" aria-label={`Problems with item ${index + 1}`}>
          {itemErrors.map(([path, message]) => (
            <li key={path}>
              <strong>{path === base ? 'This item' : fieldName(path.slice(base.length + 1), FIELD_LABELS)}</strong>:{' '}
              {message}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="small" onClick={onRemove}>
        Remove item
      </button>
    </fieldset>
  )
}

function AppFields({
  item,
  errors,
  base,
  onChange,
  setting,
}: {
  item: PayloadDraft
  errors: FieldErrors
  base: string
  onChange: (i: PayloadDraft) => void
  setting: (k: string, v: unknown) => void
}) {
  const inventory = useQuery(appInventoryQuery())
  const value = item.platform && item.identifier ? `${item.platform}|${item.identifier}` : ''
  return (
    <div className="form-grid">
      <Field label="App" error={errors.get(`${base}.identifier`)}>
        <select
          value={value}
          onChange={e => {
            const entry = inventory.data?.find(a => `${a.platform}|${a.identifier}` === e.target.value)
            if (entry) onChange({ ...item, platform: entry.platform, identifier: entry.identifier, name: entry.name })
          }}
        >
          <option value="">Choose from the app inventory…</option>
          {(inventory.data ?? []).map(a => (
            <option key={a.id} value={`${a.platform}|${a.identifier}`}>
              {a.name} ({platformLabel(a.platform)}, {a.identifier}
              {a.storeId ? `, App Store ${a.storeId}` : ''})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Assignment" error={errors.get(`${base}.settings.intent`)}>
        <select value={String(item.settings['intent'] ?? 'required')} onChange={e => setting('intent', e.target.value)}>
          <option value="required">Required (installed and kept)</option>
          <option value="available">Available (offered, never forced: Apple devices install it only on request)</option>
        </select>
      </Field>
      <label className="check">
        <input
          type="checkbox"
          checked={item.removeOnUnassign}
          onChange={e => onChange({ ...item, removeOnUnassign: e.target.checked })}
        />
        <span>Remove app when policy is removed (and with the MDM profile)</span>
      </label>
    </div>
  )
}

type FieldKind = 'text' | 'bool' | 'list' | 'secret' | 'certificate'
interface FieldSpec {
  key: string
  label: string
  options?: string[] | ((reach: readonly Platform[]) => string[])
  kind?: FieldKind
  placeholder?: string
  /** Shown only when this holds for the item's settings. */
  when?: (s: Record<string, unknown>) => boolean
}

const enterprise = (s: Record<string, unknown>) => String(s['security'] ?? '').endsWith('Enterprise')
/** Apple devices have IKEv2 and Cisco IPSec built in; WireGuard and SSL need the vendor's app. */
const vpnTypes = (reach: readonly Platform[]) =>
  reach.some(isApple) ? ['IKEv2', 'IPSec'] : ['IKEv2', 'IPSec', 'WireGuard', 'SSL']

const PROFILE_FIELDS: Record<string, FieldSpec[]> = {
  wifi: [
    { key: 'ssid', label: 'SSID' },
    { key: 'security', label: 'Security', options: ['none', 'WPA2', 'WPA3', 'WPA2-Enterprise', 'WPA3-Enterprise'] },
    { key: 'password', label: 'Password', kind: 'secret', when: s => s['security'] !== 'none' },
    { key: 'username', label: 'Username', when: enterprise, placeholder: '{{user.userPrincipalName}}' },
    { key: 'eapType', label: 'EAP method', options: ['PEAP', 'TTLS', 'TLS'], when: enterprise },
    { key: 'caCertificate', label: 'RADIUS server root (PEM)', kind: 'certificate', when: enterprise },
    { key: 'identityPkcs12', label: 'Client identity (PKCS #12, base64)', kind: 'secret', when: enterprise },
    { key: 'identityPassword', label: 'Identity password', kind: 'secret', when: enterprise },
    { key: 'autoJoin', label: 'Join automatically', kind: 'bool' },
    { key: 'hidden', label: 'Hidden network', kind: 'bool' },
  ],
  vpn: [
    { key: 'vpnType', label: 'VPN type', options: vpnTypes },
    { key: 'server', label: 'Server' },
    { key: 'authentication', label: 'Authentication', options: ['sharedSecret', 'certificate', 'password'] },
    {
      key: 'sharedSecret',
      label: 'Shared secret',
      kind: 'secret',
      when: s => (s['authentication'] ?? 'sharedSecret') === 'sharedSecret',
    },
    { key: 'account', label: 'Account', placeholder: '{{user.userPrincipalName}}' },
    { key: 'password', label: 'Password', kind: 'secret' },
    { key: 'remoteIdentifier', label: 'Remote identifier (default: the server)', when: s => s['vpnType'] === 'IKEv2' },
    { key: 'localIdentifier', label: 'Local identifier / group name' },
    {
      key: 'identityPkcs12',
      label: 'Client identity (PKCS #12, base64)',
      kind: 'secret',
      when: s => s['authentication'] === 'certificate',
    },
    {
      key: 'identityPassword',
      label: 'Identity password',
      kind: 'secret',
      when: s => s['authentication'] === 'certificate',
    },
    { key: 'onDemand', label: 'Connect on demand', kind: 'bool' },
    { key: 'perApp', label: 'Per-app VPN', kind: 'bool' },
    { key: 'apps', label: 'Apps using it (comma-separated ids)', kind: 'list', when: s => s['perApp'] === true },
  ],
  email: [
    { key: 'accountType', label: 'Account type', options: ['exchange', 'imap'] },
    { key: 'emailAddress', label: 'Email address', placeholder: '{{user.mail}}' },
    { key: 'username', label: 'Username', placeholder: '{{user.userPrincipalName}}' },
    { key: 'password', label: 'Password', kind: 'secret' },
    { key: 'host', label: 'Server host (incoming)' },
    { key: 'outgoingHost', label: 'Outgoing (SMTP) host', when: s => s['accountType'] === 'imap' },
    { key: 'useSSL', label: 'Use SSL', kind: 'bool' },
  ],
  cellular: [
    { key: 'apps', label: 'Apps (bundle ids or com.example.*; empty: every managed app)', kind: 'list' },
    { key: 'allowCellularData', label: 'Allow cellular data', kind: 'bool' },
    { key: 'allowRoamingCellularData', label: 'Allow roaming data', kind: 'bool' },
  ],
}

/** The profile types the item's platforms can all take, and why the others are not offered. */
function profileTypes(reach: readonly Platform[]): { value: string; label: string; unavailable?: string }[] {
  const onlyIos = reach.length > 0 && reach.every(p => p === 'ios')
  const onlyApple = reach.length > 0 && reach.every(isApple)
  return [
    { value: 'wifi', label: 'Wi-Fi' },
    { value: 'vpn', label: 'VPN' },
    { value: 'email', label: 'Email (Exchange or IMAP)' },
    {
      value: 'cellular',
      label: 'Cellular data rule',
      unavailable: onlyIos ? undefined : 'iOS only: set the item platform to iOS',
    },
    {
      value: 'custom',
      label: 'Custom Apple payload',
      unavailable: onlyApple ? undefined : 'Apple platforms only',
    },
  ]
}

function SecretField({
  label,
  value,
  error,
  onChange,
}: {
  label: string
  value: unknown
  error: string | undefined
  onChange: (v: unknown) => void
}) {
  // A stored secret never comes to the renderer: the editor shows that one is stored, and
  // replacing it starts from an empty field.
  if (isKeptSecret(value))
    return (
      <Field label={label}>
        <span className="secret-kept">
          <input type="text" readOnly aria-label={`${label} is stored`} value="•••••••• stored" />
          <button type="button" className="small" onClick={() => onChange('')}>
            Replace
          </button>
        </span>
      </Field>
    )
  return (
    <Field label={label} error={error}>
      <input
        type="password"
        autoComplete="off"
        value={typeof value === 'string' ? value : ''}
        onChange={e => onChange(e.target.value === '' ? undefined : e.target.value)}
      />
    </Field>
  )
}

function ProfileFields({
  item,
  reach,
  errors,
  base,
  onChange,
  setting,
}: {
  item: PayloadDraft
  reach: readonly Platform[]
  errors: FieldErrors
  base: string
  onChange: (i: PayloadDraft) => void
  setting: (k: string, v: unknown) => void
}) {
  const type = String(item.settings['type'] ?? 'custom')
  const fields = PROFILE_FIELDS[type]?.filter(f => !f.when || f.when(item.settings))
  const error = (key: string) => errors.get(`${base}.settings.${key}`)
  const [custom, setCustom] = useState(() =>
    JSON.stringify(Object.fromEntries(Object.entries(item.settings).filter(([k]) => k !== 'type')), null, 1),
  )
  return (
    <div className="form-grid">
      <Field label="Profile name" error={errors.get(`${base}.name`)}>
        <input value={item.name} onChange={e => onChange({ ...item, name: e.target.value })} />
      </Field>
      <Field label="Identifier" error={errors.get(`${base}.identifier`)}>
        <input value={item.identifier} onChange={e => onChange({ ...item, identifier: e.target.value })} />
      </Field>
      <Field label="Profile type" error={error('type')}>
        <select value={type} onChange={e => onChange({ ...item, settings: { type: e.target.value } })}>
          {profileTypes(reach).map(t => (
            <option key={t.value} value={t.value} disabled={t.unavailable !== undefined && t.value !== type}>
              {t.label}
              {t.unavailable ? ` (${t.unavailable})` : ''}
            </option>
          ))}
        </select>
      </Field>
      <PlatformField item={item} onChange={onChange} />
      {fields?.map(f => {
        const options = typeof f.options === 'function' ? f.options(reach) : f.options
        if (f.kind === 'secret')
          return (
            <SecretField
              key={f.key}
              label={f.label}
              value={item.settings[f.key]}
              error={error(f.key)}
              onChange={v => setting(f.key, v)}
            />
          )
        if (f.kind === 'bool')
          return (
            <CheckField
              key={f.key}
              label={f.label}
              error={error(f.key)}
              checked={item.settings[f.key] === true}
              onChange={v => setting(f.key, v)}
            />
          )
        if (options)
          return (
            <Field key={f.key} label={f.label} error={error(f.key)}>
              <select
                value={String(item.settings[f.key] ?? '')}
                onChange={e => setting(f.key, e.target.value === '' ? undefined : e.target.value)}
              >
                <option value="">Choose…</option>
                {options.map(o => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            </Field>
          )
        if (f.kind === 'certificate')
          return (
            <Field key={f.key} label={f.label} error={error(f.key)}>
              <textarea
                rows={3}
                value={String(item.settings[f.key] ?? '')}
                onChange={e => setting(f.key, e.target.value === '' ? undefined : e.target.value)}
              />
            </Field>
          )
        return (
          <Field key={f.key} label={f.label} error={error(f.key)}>
            <input
              value={
                f.kind === 'list'
                  ? ((item.settings[f.key] as string[] | undefined) ?? []).join(', ')
                  : String(item.settings[f.key] ?? '')
              }
              placeholder={f.placeholder}
              onChange={e =>
                setting(
                  f.key,
                  f.kind === 'list'
                    ? e.target.value
                        .split(',')
                        .map(x => x.trim())
                        .filter(Boolean)
                    : e.target.value === ''
                      ? undefined
                      : e.target.value,
                )
              }
            />
          </Field>
        )
      })}
      <MacAppSignatureFields item={item} reach={reach} errors={errors} base={base} setting={setting} />
      {!fields && (
        <Field label="Apple payload (JSON: payloadType and Apple's keys)">
          <textarea
            rows={4}
            value={custom}
            placeholder='{ "payloadType": "com.apple.applicationaccess", "allowCamera": false }'
            onChange={e => {
              setCustom(e.target.value)
              try {
                onChange({
                  ...item,
                  settings: { type: 'custom', ...(JSON.parse(e.target.value) as Record<string, unknown>) },
                })
              } catch {
                // Keep typing: the JSON is saved once it parses.
              }
            }}
          />
        </Field>
      )}
      <p className="muted small">
        Settings may use {'{{user.<attribute>}}'}, filled per device from the user's attributes. Passwords and other
        secrets are stored encrypted and never shown again.
      </p>
    </div>
  )
}

function PlatformField({ item, onChange }: { item: PayloadDraft; onChange: (i: PayloadDraft) => void }) {
  return (
    <Field label="Item platform">
      <select
        value={item.platform ?? ''}
        onChange={e => onChange({ ...item, platform: e.target.value === '' ? null : (e.target.value as Platform) })}
      >
        <option value="">All of the policy's platforms</option>
        <PlatformOptions />
      </select>
    </Field>
  )
}

function RestrictionFields({
  item,
  reach,
  errors,
  base,
  onChange,
}: {
  item: PayloadDraft
  reach: readonly Platform[]
  errors: FieldErrors
  base: string
  onChange: (i: PayloadDraft) => void
}) {
  const registry = useQuery(restrictionsQuery())
  const def: RestrictionDefinition | undefined = registry.data?.find(r => r.key === item.identifier)
  // Offer the restrictions every platform the item reaches honours (and the current one, to edit it).
  const offered = (registry.data ?? []).filter(
    r => r.key === item.identifier || reach.every(p => r.platforms.includes(p)),
  )
  const needsSupervision = reach.filter(p => def?.supervised?.includes(p))
  const value = item.settings['value']
  const setValue = (v: unknown) =>
    onChange({ ...item, settings: { value: v, ...(item.settings['supervised'] === true ? { supervised: true } : {}) } })
  return (
    <div className="form-grid">
      <Field label="Restriction" error={errors.get(`${base}.identifier`)}>
        <select
          value={item.identifier}
          onChange={e => {
            const next = registry.data?.find(r => r.key === e.target.value)
            if (next)
              onChange({
                ...item,
                identifier: next.key,
                name: next.name,
                settings: {
                  value:
                    next.type === 'boolean' ? false : next.type === 'integer' ? (next.min ?? 0) : next.options?.[0],
                },
              })
          }}
        >
          {offered.map(r => (
            <option key={r.key} value={r.key}>
              {r.name} ({r.platforms.map(platformLabel).join(', ')})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Value" error={errors.get(`${base}.settings.value`)}>
        {def?.type === 'boolean' ? (
          <select value={String(value)} onChange={e => setValue(e.target.value === 'true')}>
            <option value="true">On</option>
            <option value="false">Off</option>
          </select>
        ) : def?.type === 'enum' ? (
          <select value={String(value)} onChange={e => setValue(e.target.value)}>
            {def.options?.map(o => (
              <option key={o}>{o}</option>
            ))}
          </select>
        ) : (
          <input
            type="number"
            value={typeof value === 'number' ? value : ''}
            min={def?.min}
            max={def?.max}
            onChange={e => setValue(Number(e.target.value))}
          />
        )}
      </Field>
      <PlatformField item={item} onChange={onChange} />
      {needsSupervision.length > 0 && (
        <label className="check">
          <input
            type="checkbox"
            checked={item.settings['supervised'] === true}
            onChange={e =>
              onChange({ ...item, settings: { value, ...(e.target.checked ? { supervised: true } : {}) } })
            }
          />
          <span>
            For supervised devices ({needsSupervision.map(platformLabel).join(', ')} honours it only when supervised)
          </span>
        </label>
      )}
      {def && <p className="muted small">{def.description} Conflicts: the more restrictive value wins.</p>}
    </div>
  )
}
/** A checkbox a refused save can mark. */
function CheckField({
  label,
  error,
  checked,
  onChange,
}: {
  label: string
  error: string | undefined
  checked: boolean
  onChange: (v: boolean) => void
}) {
  const errorId = useId()
  return (
    <div className="field">
      <label className="check">
        <input
          type="checkbox"
          aria-invalid={error !== undefined}
          aria-describedby={error !== undefined ? errorId : undefined}
          checked={checked}
          onChange={e => onChange(e.target.checked)}
        />
        <span>{label}</span>
      </label>
      {error !== undefined && <FieldMessage id={errorId}>{error}</FieldMessage>}
    </div>
  )
}

/** The paths (below `items.N.`) an item's editor shows beside a field of its own. */
function shownPaths(item: PayloadDraft, reach: readonly Platform[]): string[] {
  if (item.kind === 'app') return ['identifier', 'settings.intent']
  if (item.kind === 'restriction') return ['identifier', 'settings.value']
  const type = String(item.settings['type'] ?? 'custom')
  const fields = PROFILE_FIELDS[type]?.filter(f => !f.when || f.when(item.settings)) ?? []
  return [
    'name',
    'identifier',
    'settings.type',
    ...fields.map(f => `settings.${f.key}`),
    ...signatureFields(item.settings, reach).map(f => f.path),
  ]
}

/** The editor's own labels, for problems listed in words. */
export const FIELD_LABELS: Record<string, string> = Object.fromEntries([
  ['identifier', 'Identifier'],
  ['intent', 'Assignment'],
  ['value', 'Value'],
  ['type', 'Profile type'],
  ['macosApp', 'macOS app signature'],
  ...Object.values(PROFILE_FIELDS).flatMap(fs => fs.map(f => [f.key, f.label] as const)),
])
