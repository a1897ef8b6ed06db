// The device ingress on the Settings page: its status and the URL devices use, start and stop,
// where it listens, the IdP sign-in, and its certificate (made here for the LAN, or imported).
// The certificate's key and a client secret go to main's secrets store and are never shown back.
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import type { IngressInfo, IngressSettings } from '../../shared/ingress'
import { ApiError, call, ingressQuery } from '../api'
import { Field } from './Field'
import { fieldErrors } from './field-errors'
import { IngressCertificate } from './IngressCertificate'
import { Badge, ErrorNote, Loaded, Section, Time } from './ui'

export function IngressSettingsPanel() {
  const info = useQuery(ingressQuery())
  return (
    <Loaded query={info} label="Loading the device ingress…">
      {data => (
        <>
          <IngressStatusSection info={data} />
          <IngressSettingsForm info={data} />
          <IngressCertificate info={data} />
        </>
      )}
    </Loaded>
  )
}

const STATE_TONE = { running: 'good', stopped: 'neutral', failed: 'bad' } as const

function IngressStatusSection({ info }: { info: IngressInfo }) {
  const start = useMutation({ mutationFn: () => call('ingress/start', {}) })
  const stop = useMutation({ mutationFn: () => call('ingress/stop', {}) })
  const { status } = info
  return (
    <Section
      title="Device ingress"
      actions={
        <div className="actions-row">
          <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
            {status.state === 'running' ? 'Restart' : 'Start'}
          </button>
          <button type="button" onClick={() => stop.mutate()} disabled={stop.isPending || status.state !== 'running'}>
            Stop
          </button>
        </div>
      }
    >
      <dl className="facts" aria-label="Ingress status">
        <div>
          <dt>Status</dt>
          <dd>
            <Badge tone={STATE_TONE[status.state]}>{status.state}</Badge>
            {status.startedAt && (
              <span className="small muted">
                {' '}
                since <Time iso={status.startedAt} />
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>URL devices use</dt>
          <dd className="mono" data-testid="ingress-url">
            {status.url ?? <span className="muted">not serving</span>}
          </dd>
        </div>
        {status.error && (
          <div>
            <dt>Last start failed</dt>
            <dd className="error-text" data-testid="ingress-error">
              <code>{status.error.code}</code> {status.error.message}
            </dd>
          </div>
        )}
      </dl>
      {info.warnings.length > 0 && (
        <ul className="warnings" aria-label="Ingress warnings">
          {info.warnings.map(w => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {start.isError && <ErrorNote error={start.error} title="Not started" />}
      {stop.isError && <ErrorNote error={stop.error} title="Not stopped" />}
    </Section>
  )
}

type Draft = Omit<IngressSettings, 'port'> & { port: string }

const toDraft = (s: IngressSettings): Draft => ({ ...s, port: String(s.port) })

function IngressSettingsForm({ info }: { info: IngressInfo }) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(info.settings))
  const [clientSecret, setClientSecret] = useState('')
  const [removeSecret, setRemoveSecret] = useState(false)
  const save = useMutation({
    mutationFn: () =>
      call('ingress/save', {
        ...draft,
        port: Number(draft.port),
        publicUrl: draft.publicUrl?.trim() ? draft.publicUrl : null,
        clientSecret: removeSecret ? null : clientSecret ? clientSecret : undefined,
      }),
    // The form keeps what the admin typed until saved, then shows the settings as main kept them.
    onSuccess: saved => {
      setDraft(toDraft(saved.settings))
      setClientSecret('')
      setRemoveSecret(false)
    },
  })
  const oidc = (patch: Partial<IngressSettings['oidc']>) => setDraft({ ...draft, oidc: { ...draft.oidc, ...patch } })
  // A refused save marks the field it is about (details.field), with its message beside it.
  const errors = save.error instanceof ApiError ? fieldErrors(save.error.details, save.error.message) : new Map()
  const text = (path: string, label: string, value: string | null, onChange: (v: string) => void, hint?: string) => (
    <Field label={label} error={errors.get(path)} hint={hint}>
      <input value={value ?? ''} onChange={e => onChange(e.target.value)} />
    </Field>
  )
  const submit = (e: FormEvent) => {
    e.preventDefault()
    save.mutate()
  }
  return (
    <Section title="Where devices reach it">
      <form aria-label="Ingress settings" onSubmit={submit}>
        <div className="form-grid">
          {text(
            'address',
            'Listen address',
            draft.address,
            v => setDraft({ ...draft, address: v }),
            '0.0.0.0 for every network',
          )}
          <label>
            <span className="field-label">Port</span>
            <input
              type="number"
              min={1}
              max={65535}
              value={draft.port}
              onChange={e => setDraft({ ...draft, port: e.target.value })}
            />
          </label>
          {text(
            'publicUrl',
            'Public URL',
            draft.publicUrl,
            v => setDraft({ ...draft, publicUrl: v }),
            'https://… when devices come through a port forward, a tunnel or a DNS name',
          )}
        </div>
        <h3>Sign-in provider</h3>
        <div className="form-grid">
          <label>
            <span className="field-label">Identity provider</span>
            <select
              value={draft.oidc.provider}
              onChange={e => oidc({ provider: e.target.value as IngressSettings['oidc']['provider'] })}
            >
              <option value="entra">Microsoft Entra ID</option>
              <option value="okta">Okta</option>
              <option value="google">Google Workspace</option>
            </select>
          </label>
          {text('oidc.issuer', 'Issuer URL', draft.oidc.issuer, v => oidc({ issuer: v }))}
          {text('oidc.clientId', 'Client id', draft.oidc.clientId, v => oidc({ clientId: v }))}
          {text('oidc.tenantId', 'Entra tenant id', draft.oidc.tenantId, v => oidc({ tenantId: v }), 'optional')}
          {text(
            'oidc.hostedDomain',
            'Google Workspace domain',
            draft.oidc.hostedDomain,
            v => oidc({ hostedDomain: v }),
            'optional',
          )}
          <label>
            <span className="field-label">Client secret</span>
            <input
              type="password"
              autoComplete="off"
              value={clientSecret}
              disabled={removeSecret}
              placeholder={info.clientSecretSet ? 'stored; type to replace' : 'optional (public clients use PKCE)'}
              onChange={e => setClientSecret(e.target.value)}
            />
          </label>
          {info.clientSecretSet && (
            <label className="check">
              <input type="checkbox" checked={removeSecret} onChange={e => setRemoveSecret(e.target.checked)} />
              Remove the stored client secret
            </label>
          )}
        </div>
        <label>
          <span className="field-label">IdP CA certificates (PEM, optional)</span>
          <textarea rows={2} value={draft.oidc.caPem ?? ''} onChange={e => oidc({ caPem: e.target.value || null })} />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.startAtLaunch}
            onChange={e => setDraft({ ...draft, startAtLaunch: e.target.checked })}
          />
          Start serving devices when JIT Mapper opens
        </label>
        <div className="actions-row">
          <button type="submit" disabled={save.isPending}>
            Save ingress settings
          </button>
          {save.isSuccess && (
            <span className="muted">Saved{save.data.status.state === 'running' ? ' and restarted' : ''}.</span>
          )}
        </div>
        {save.isError && <ErrorNote error={save.error} title="Ingress settings not saved" />}
      </form>
    </Section>
  )
}
