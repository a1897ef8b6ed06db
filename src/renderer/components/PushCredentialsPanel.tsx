// The push credentials as the admin may see them: the APNs topic and expiry (warned 30 days
// ahead) and the Firebase project. The keys stay in main's secrets store.
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery, type UseQueryResult } from '@tanstack/react-query'
import type { PushCredentialsInfo } from '../../shared/domain'
import { call, pushCredentialsQuery } from '../api'
import { Badge, ErrorNote, Loaded, Time } from './ui'

export function PushCredentialsPanel() {
  const creds = useQuery(pushCredentialsQuery())
  return (
    <>
      <PushCredentialsFacts creds={creds} />
      <UploadForms />
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

/** Pasted PEMs and JSON go straight to main's secrets store; nothing is kept in the page. */
function UploadForms() {
  const [certificate, setCertificate] = useState('')
  const [key, setKey] = useState('')
  const [serviceAccount, setServiceAccount] = useState('')
  const apns = useMutation({
    mutationFn: () => call('push/setApnsCertificate', { certificate, key }),
    onSuccess: () => {
      setCertificate('')
      setKey('')
    },
  })
  const fcm = useMutation({
    mutationFn: () => call('push/setServiceAccount', { serviceAccount }),
    onSuccess: () => setServiceAccount(''),
  })
  const submit = (run: () => void) => (e: FormEvent) => {
    e.preventDefault()
    run()
  }
  return (
    <div className="stack">
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
    </div>
  )
}
