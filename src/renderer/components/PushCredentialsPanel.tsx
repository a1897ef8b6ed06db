// The push credentials as the admin may see them: the APNs topic and expiry (warned 30 days
// ahead) and the Firebase project. The keys stay in main's secrets store.
import { useQuery } from '@tanstack/react-query'
import { pushCredentialsQuery } from '../api'
import { Badge, Loaded, Time } from './ui'

export function PushCredentialsPanel() {
  const creds = useQuery(pushCredentialsQuery())
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
                      <Badge tone="bad" title="Renew it in the Apple Push Certificates Portal with the same Apple ID, or every Apple device must re-enroll">
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
