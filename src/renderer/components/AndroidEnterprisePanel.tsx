// Android Enterprise on the Settings page: the service account (its key goes straight to main's
// secrets store), binding the workspace to an enterprise through Google's signup page, which
// enterprise is bound and where its devices sign in, QR enrollment tokens for devices IT sets up,
// and each managed device's policy version and compliance.
import { useState, type FormEvent } from 'react'
import { queryOptions, useMutation, useQuery } from '@tanstack/react-query'
import type { AndroidEnrollmentToken, AndroidStatus } from '../../shared/android'
import { call } from '../api'
import { Badge, ErrorNote, Loaded, Section, Time } from './ui'

export const androidStatusQuery = () =>
  queryOptions({ queryKey: ['devices', 'android'], queryFn: () => call('android/status', {}) })

export function AndroidEnterprisePanel() {
  const status = useQuery(androidStatusQuery())
  return (
    <Section title="Android Enterprise">
      <Loaded query={status} label="Loading Android Enterprise…">
        {data => (
          <div className="stack">
            <EnterpriseFacts status={data} />
            <ServiceAccountForm />
            {data.serviceAccount && !data.enterprise && <BindButton pending={data.signupPending} />}
            {data.enterprise && <EnrollmentTokenForm />}
            {data.enterprise && <AndroidDevices status={data} />}
          </div>
        )}
      </Loaded>
    </Section>
  )
}

function EnterpriseFacts({ status }: { status: AndroidStatus }) {
  return (
    <dl className="facts" aria-label="Android Enterprise">
      <div>
        <dt>Service account</dt>
        <dd>
          {status.serviceAccount ? (
            <>
              <span className="mono">{status.serviceAccount.projectId}</span>
              <div className="small mono muted">{status.serviceAccount.clientEmail}</div>
            </>
          ) : (
            <Badge tone="warn">not configured</Badge>
          )}
        </dd>
      </div>
      <div>
        <dt>Enterprise</dt>
        <dd>
          {status.enterprise ? (
            <>
              <span className="mono">{status.enterprise.name}</span>
              {status.enterprise.displayName && <div className="small">{status.enterprise.displayName}</div>}
              <div className="small muted">
                bound <Time iso={status.enterprise.boundAt} />
              </div>
            </>
          ) : status.signupPending ? (
            <Badge tone="warn">signup started, waiting for Google</Badge>
          ) : (
            <Badge tone="warn">not bound</Badge>
          )}
        </dd>
      </div>
      {status.enterprise?.signinUrl && (
        <div>
          <dt>Sign-in URL</dt>
          <dd>
            <span className="mono">{status.enterprise.signinUrl}</span>
            <div className="small muted">
              Devices set up with the enterprise open it; register its callback (…/android/enterprise/callback) as a
              redirect URI of the sign-in app in your IdP.
            </div>
          </dd>
        </div>
      )}
    </dl>
  )
}

function ServiceAccountForm() {
  const [json, setJson] = useState('')
  const save = useMutation({
    mutationFn: () => call('android/setServiceAccount', { serviceAccount: json }),
    onSuccess: () => setJson(''),
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    save.mutate()
  }
  return (
    <form aria-label="Android Enterprise service account" onSubmit={submit}>
      <label>
        Service account key (JSON) with the Android Management User role
        <textarea rows={3} value={json} onChange={e => setJson(e.target.value)} />
      </label>
      <button type="submit" disabled={save.isPending || !json}>
        Save service account
      </button>
      {save.isError && <ErrorNote error={save.error} title="Service account not saved" />}
    </form>
  )
}

function BindButton({ pending }: { pending: boolean }) {
  const start = useMutation({ mutationFn: () => call('android/startSignup', {}) })
  return (
    <div>
      <button type="button" disabled={start.isPending} onClick={() => start.mutate()}>
        {pending ? 'Start the binding again' : 'Bind an enterprise'}
      </button>
      {start.data && (
        <p className="small">
          Open{' '}
          <a href={start.data.url} target="_blank" rel="noreferrer">
            Google's signup page
          </a>{' '}
          and create the enterprise; Google then returns to this workspace's ingress, which binds it.
        </p>
      )}
      {start.isError && <ErrorNote error={start.error} title="Binding not started" />}
    </div>
  )
}

function EnrollmentTokenForm() {
  const [upn, setUpn] = useState('')
  const [serial, setSerial] = useState('')
  const make = useMutation({
    mutationFn: (): Promise<AndroidEnrollmentToken> =>
      call('android/enrollmentToken', { userPrincipalName: upn, ...(serial ? { serial } : {}) }),
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    make.mutate()
  }
  return (
    <form aria-label="Android enrollment token" onSubmit={submit}>
      <label>
        User (principal name) the device is for
        <input value={upn} onChange={e => setUpn(e.target.value)} />
      </label>
      <label>
        Serial number (optional)
        <input value={serial} onChange={e => setSerial(e.target.value)} />
      </label>
      <button type="submit" disabled={make.isPending || !upn}>
        Make enrollment QR code
      </button>
      {make.isError && <ErrorNote error={make.error} title="No enrollment token" />}
      {make.data && (
        <figure aria-label="Enrollment QR code">
          <img
            className="qr"
            width={240}
            height={240}
            alt={`Enrollment QR code for ${upn}`}
            src={`data:image/svg+xml;utf8,${encodeURIComponent(make.data.qrSvg)}`}
          />
          <figcaption className="small">
            Tap the welcome screen six times and scan; one device, until <Time iso={make.data.expiresAt} />. Token{' '}
            <span className="mono">{make.data.value}</span>.
          </figcaption>
        </figure>
      )}
    </form>
  )
}

function AndroidDevices({ status }: { status: AndroidStatus }) {
  const sync = useMutation({ mutationFn: () => call('android/sync', {}) })
  return (
    <div>
      <div className="toolbar">
        <button type="button" className="small" disabled={sync.isPending} onClick={() => sync.mutate()}>
          Sync Android
        </button>
        <span className="small muted">
          last read <Time iso={status.polledAt} />
        </span>
      </div>
      {sync.isError && <ErrorNote error={sync.error} title="Sync failed" />}
      <table aria-label="Android Enterprise devices">
        <thead>
          <tr>
            <th>Device</th>
            <th>User</th>
            <th>State</th>
            <th>Policy version</th>
            <th>Compliance</th>
          </tr>
        </thead>
        <tbody>
          {status.devices.map(d => (
            <tr key={d.deviceId}>
              <td>
                {d.deviceName}
                {d.hardwareSerial && <div className="small mono muted">{d.hardwareSerial}</div>}
              </td>
              <td>{d.userPrincipalName ?? '—'}</td>
              <td>{d.state ?? 'waiting to provision'}</td>
              <td>
                {d.appliedPolicyVersion ?? '—'} / {d.policyVersion ?? '—'}
                {d.policyVersion !== null && d.appliedPolicyVersion !== d.policyVersion && (
                  <Badge tone="warn">not applied yet</Badge>
                )}
                {d.patchError && <div className="small error-text">{d.patchError}</div>}
              </td>
              <td>
                {d.compliant === null ? (
                  '—'
                ) : d.compliant ? (
                  <Badge tone="good">compliant</Badge>
                ) : (
                  <Badge tone="bad">not compliant</Badge>
                )}
                {d.refused.map(r => (
                  <div key={r.key} className="small muted" title={r.reason}>
                    {r.name}: not on Android
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
