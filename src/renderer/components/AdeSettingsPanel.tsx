// Automated Device Enrollment on the Settings page: connect Apple Business/School Manager
// (download our public certificate, upload the server token Apple encrypted to it), see the MDM
// server's account, the default profile's URLs and the last ADE sync, and Sync now.
import { type ChangeEvent, type FormEvent, useState } from 'react'
import { queryOptions, useMutation, useQuery } from '@tanstack/react-query'
import { call } from '../api'
import { syncSummaryText } from './ade-text'
import { Badge, ErrorNote, Loaded, Section, Time } from './ui'

export const adeStatusQuery = () =>
  queryOptions({
    queryKey: ['devices', 'ade', 'status'],
    queryFn: () => call('ade/status', {}),
    meta: { reads: ['ingress'] },
  })

/** Saves the PEM as a file, as Apple Business Manager asks for one to upload. */
function download(pem: string) {
  const url = URL.createObjectURL(new Blob([pem], { type: 'application/x-pem-file' }))
  const a = document.createElement('a')
  a.href = url
  a.download = 'jit-mapper-ade.pem'
  a.click()
  URL.revokeObjectURL(url)
}

export function AdeSettingsPanel() {
  const status = useQuery(adeStatusQuery())
  const certificate = useMutation({ mutationFn: () => call('ade/certificate', {}) })
  const sync = useMutation({ mutationFn: () => call('ade/sync', {}) })
  return (
    <Section
      title="Automated Device Enrollment"
      actions={
        <button type="button" onClick={() => sync.mutate()} disabled={sync.isPending || !status.data?.connected}>
          {sync.isPending ? 'Syncing…' : 'Sync now'}
        </button>
      }
    >
      <Loaded query={status} label="Loading Automated Device Enrollment…">
        {s => (
          <>
            <dl className="facts" aria-label="Automated Device Enrollment">
              <div>
                <dt>Apple Business Manager</dt>
                <dd>
                  {s.connected ? <Badge tone="good">connected</Badge> : <Badge tone="warn">not connected</Badge>}
                  {s.account && (
                    <div className="small">
                      {s.account.orgName} · MDM server <span className="mono">{s.account.serverName}</span>
                    </div>
                  )}
                  {s.tokenExpiry && (
                    <div className="small muted">
                      server token expires <Time iso={s.tokenExpiry} />
                    </div>
                  )}
                </dd>
              </div>
              <div>
                <dt>Last ADE sync</dt>
                <dd>
                  {s.lastSync ? (
                    <>
                      <Time iso={s.lastSync.finishedAt} />{' '}
                      <span className={s.lastSync.ok ? 'small' : 'small error-text'}>
                        {syncSummaryText(s.lastSync)}
                      </span>
                    </>
                  ) : (
                    <span className="muted">never</span>
                  )}
                  <div className="small muted">every {s.syncIntervalMinutes} minutes while serving</div>
                </dd>
              </div>
              <div>
                <dt>Default profile</dt>
                <dd>
                  {s.defaultProfile ? (
                    <>
                      <span className="mono">{s.defaultProfile.configurationWebUrl}</span>
                      <div className="small muted mono">{s.defaultProfile.uuid}</div>
                    </>
                  ) : (
                    <span className="muted">defined at the first sync that finds a device</span>
                  )}
                </dd>
              </div>
            </dl>
            <ol className="stack">
              <li>
                <button
                  type="button"
                  disabled={certificate.isPending}
                  onClick={() =>
                    s.certificatePem
                      ? download(s.certificatePem)
                      : certificate.mutate(undefined, {
                          onSuccess: made => made.certificatePem && download(made.certificatePem),
                        })
                  }
                >
                  Download public certificate
                </button>{' '}
                <span className="small muted">
                  Upload it to this MDM server's settings in Apple Business Manager, then download the server token
                  there.
                </span>
                {certificate.isError && <ErrorNote error={certificate.error} title="No certificate made" />}
              </li>
              <li>
                <TokenForm />
              </li>
            </ol>
            {sync.isError && <ErrorNote error={sync.error} title="ADE sync failed" />}
          </>
        )}
      </Loaded>
    </Section>
  )
}

/** The .p7m goes to main as text and is decrypted there; the page keeps nothing. */
function TokenForm() {
  const [token, setToken] = useState('')
  const upload = useMutation({
    mutationFn: () => call('ade/uploadToken', { token }),
    onSuccess: () => setToken(''),
  })
  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0]
    if (file) setToken(await file.text())
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    upload.mutate()
  }
  return (
    <form aria-label="Upload ADE server token" onSubmit={submit}>
      <label>
        Server token from Apple Business Manager (.p7m)
        <input type="file" accept=".p7m" onChange={pick} />
      </label>
      <button type="submit" disabled={upload.isPending || !token}>
        Upload server token
      </button>
      {upload.isSuccess && <span className="small">Connected to {upload.data.account?.orgName}.</span>}
      {upload.isError && <ErrorNote error={upload.error} title="Server token not accepted" />}
    </form>
  )
}
