// The push credentials as the admin may see them: the APNs topic and expiry (warned 30 days
// ahead) and the Firebase project. The keys stay in main's secrets store.
import { useState, type FormEvent, type ReactNode } from 'react'
import { useMutation, useQuery, type UseQueryResult } from '@tanstack/react-query'
import type { PushCredentialsInfo } from '../../shared/domain'
import { call, pushCredentialsQuery } from '../api'
import { useDisclosure } from './disclosure'
import { Badge, ErrorNote, Loaded, Time } from './ui'

export function PushCredentialsPanel() {
  const creds = useQuery(pushCredentialsQuery())
  return (
    <>
      <PushCredentialsFacts creds={creds} />
      <UploadForms info={creds.data} />
    </>
  )
}

function PushCredentialsFacts({ creds }: { creds: UseQueryResult<PushCredentialsInfo> }) {
  return (
    <Loaded query={creds} label="Loading push credentials…">
      {({ apns, fcm }) => (
        <dl className="facts" aria-label="Push credentials">
          <div>
            <dt>APNs push certificate</dt>
            <dd>
              {!apns.configured && <Badge tone="warn">not configured</Badge>}
              {apns.error && <span className="error-text">{apns.error}</span>}
              {apns.topic && (
                <>
                  <span className="mono">{apns.topic}</span>
                  <div className="small">
                    expires <Time iso={apns.notAfter} />{' '}
                    {apns.expiresSoon && (
                      <Badge
                        tone="bad"
                        title="Renew it in the Apple Push Certificates Portal with the same Apple ID, or every Apple device must re-enroll"
                      >
                        expires within 30 days
                      </Badge>
                    )}
                  </div>
                </>
              )}
            </dd>
          </div>
          <div>
            <dt>Firebase service account</dt>
            <dd>
              {!fcm.configured && <Badge tone="warn">not configured</Badge>}
              {fcm.error && <span className="error-text">{fcm.error}</span>}
              {fcm.projectId && (
                <>
                  <span className="mono">{fcm.projectId}</span>
                  <div className="small mono muted">{fcm.clientEmail}</div>
                </>
              )}
            </dd>
          </div>
        </dl>
      )}
    </Loaded>
  )
}

/**
 * Pasted PEMs and JSON go straight to main's secrets store; nothing is kept in the page. A stored
 * credential is never shown back: it reads "stored", and "Replace" opens an empty form.
 */
function UploadForms({ info }: { info: PushCredentialsInfo | undefined }) {
  return (
    <div className="stack">
      <Replaceable what="push certificate" stored={info?.apns.configured === true}>
        {done => <ApnsForm onSaved={done} />}
      </Replaceable>
      <Replaceable what="service account" stored={info?.fcm.configured === true}>
        {done => <FcmForm onSaved={done} />}
      </Replaceable>
    </div>
  )
}

function Replaceable({
  what,
  stored,
  children,
}: {
  what: string
  stored: boolean
  children: (done: () => void) => ReactNode
}) {
  const replacing = useDisclosure<HTMLDivElement>()
  if (!stored) return <>{children(() => {})}</>
  if (!replacing.open)
    return (
      <p className="secret-kept">
        <span className="muted">The {what} is stored and never shown again.</span>{' '}
        <button type="button" className="small" ref={replacing.trigger} onClick={replacing.show}>
          Replace {what}
        </button>
      </p>
    )
  return (
    <div {...replacing.panel} aria-label={`Replace ${what}`} role="group">
      {children(replacing.hide)}
      <button type="button" className="small" onClick={replacing.hide}>
        Cancel
      </button>
    </div>
  )
}

function ApnsForm({ onSaved }: { onSaved: () => void }) {
  const [certificate, setCertificate] = useState('')
  const [key, setKey] = useState('')
  const apns = useMutation({
    mutationFn: () => call('push/setApnsCertificate', { certificate, key }),
    onSuccess: () => {
      setCertificate('')
      setKey('')
      onSaved()
    },
  })
  return (
    <form aria-label="Upload APNs push certificate" onSubmit={submit(() => apns.mutate())}>
      <label>
        MDM push certificate (PEM)
        <textarea rows={3} value={certificate} onChange={e => setCertificate(e.target.value)} />
      </label>
      <label>
        Its private key (PEM)
        <textarea rows={3} value={key} onChange={e => setKey(e.target.value)} />
      </label>
      <button type="submit" disabled={apns.isPending || !certificate || !key}>
        Save push certificate
      </button>
      {apns.isError && <ErrorNote error={apns.error} title="Push certificate not saved" />}
    </form>
  )
}

function FcmForm({ onSaved }: { onSaved: () => void }) {
  const [serviceAccount, setServiceAccount] = useState('')
  const fcm = useMutation({
    mutationFn: () => call('push/setServiceAccount', { serviceAccount }),
    onSuccess: () => {
      setServiceAccount('')
      onSaved()
    },
  })
  return (
    <form aria-label="Upload Firebase service account" onSubmit={submit(() => fcm.mutate())}>
      <label>
        Firebase service account (JSON)
        <textarea rows={3} value={serviceAccount} onChange={e => setServiceAccount(e.target.value)} />
      </label>
      <button type="submit" disabled={fcm.isPending || !serviceAccount}>
        Save service account
      </button>
      {fcm.isError && <ErrorNote error={fcm.error} title="Service account not saved" />}
    </form>
  )
}

const submit = (run: () => void) => (e: FormEvent) => {
  e.preventDefault()
  run()
}
