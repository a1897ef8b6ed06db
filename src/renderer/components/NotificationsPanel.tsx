// Change notifications per directory: on or off, until when the IdP's subscription runs, the last
// event heard, a Send test button, and what is wrong when notifications stopped arriving (a lapsed
// subscription, an endpoint the IdP cannot reach, silence while syncs still find changes).
import { queryOptions, useMutation, useQuery } from '@tanstack/react-query'
import type { DirectoryNotifications } from '../../shared/notifications'
import { call } from '../api'
import { Badge, Empty, ErrorNote, Loaded, Section, Time } from './ui'

export const notificationsQuery = () =>
  queryOptions({
    queryKey: ['directories', 'notifications'],
    queryFn: () => call('notifications/status', {}),
    meta: { reads: ['ingress'] },
  })

const IDP_HELP: Record<string, string> = {
  entra: 'Microsoft Graph subscriptions to users and groups (the app registration needs User.Read.All).',
  okta: 'An Okta event hook (the API token’s admin, or the service app with okta.eventHooks.manage).',
  google: 'Directory API users.watch channels (replaced every few hours; Google does not renew them).',
}

export function NotificationsPanel() {
  const status = useQuery(notificationsQuery())
  return (
    <Section title="Change notifications">
      <p className="small muted">
        With notifications on, the IdP tells this app about a change as it happens, and a department move reaches the
        device in seconds instead of at the next sync. The scheduled sync stays and covers anything missed. The IdP
        sends to the ingress&apos;s public URL, which must be reachable from the internet.
      </p>
      <Loaded query={status} label="Loading notifications…">
        {rows => {
          const idp = rows.filter(r => r.supported)
          return idp.length === 0 ? (
            <Empty>No IdP directory is connected.</Empty>
          ) : (
            <ul className="notification-directories" aria-label="Change notifications by directory">
              {idp.map(r => (
                <DirectoryNotificationsRow key={r.directoryId} row={r} />
              ))}
            </ul>
          )
        }}
      </Loaded>
    </Section>
  )
}

function DirectoryNotificationsRow({ row }: { row: DirectoryNotifications }) {
  const directoryId = row.directoryId
  const toggle = useMutation({
    mutationFn: () => call(row.enabled ? 'notifications/disable' : 'notifications/enable', { directoryId }),
  })
  const test = useMutation({ mutationFn: () => call('notifications/test', { directoryId }) })
  const testArrived =
    row.lastTestAt !== null && row.lastTestOkAt !== null && Date.parse(row.lastTestOkAt) >= Date.parse(row.lastTestAt)
  return (
    <li aria-label={`Notifications from ${row.directoryName}`}>
      <div className="actions-row">
        <strong>{row.directoryName}</strong>{' '}
        {row.enabled ? (
          row.active ? (
            <Badge tone="good">active</Badge>
          ) : (
            <Badge tone="bad">not arriving</Badge>
          )
        ) : (
          <Badge>off</Badge>
        )}
        <button type="button" onClick={() => toggle.mutate()} disabled={toggle.isPending}>
          {row.enabled ? 'Turn off' : 'Turn on'}
        </button>
        <button type="button" onClick={() => test.mutate()} disabled={!row.enabled || test.isPending}>
          Send test
        </button>
      </div>
      <p className="small muted">{IDP_HELP[row.kind]}</p>
      {row.enabled && (
        <dl className="facts">
          <div>
            <dt>Subscription expires</dt>
            <dd>{row.expiresAt ? <Time iso={row.expiresAt} /> : 'never (renewed by the app)'}</dd>
          </div>
          <div>
            <dt>Last event received</dt>
            <dd>{row.lastEventAt ? <Time iso={row.lastEventAt} /> : 'none yet'}</dd>
          </div>
          <div>
            <dt>Last test</dt>
            <dd>
              {row.lastTestAt ? (
                <>
                  <Time iso={row.lastTestAt} />{' '}
                  {testArrived ? <Badge tone="good">arrived</Badge> : <Badge tone="warn">not arrived</Badge>}
                </>
              ) : (
                'never'
              )}
            </dd>
          </div>
          <div>
            <dt>Waiting to be fetched</dt>
            <dd>{row.queued}</dd>
          </div>
          {row.endpoint && (
            <div>
              <dt>Endpoint</dt>
              <dd className="mono">{row.endpoint}</dd>
            </div>
          )}
        </dl>
      )}
      {row.problem && (
        <p className="error-text" role="alert">
          <Badge tone="bad">{row.problem.code}</Badge> {row.problem.message}
        </p>
      )}
      {toggle.error && <ErrorNote error={toggle.error} />}
      {test.error && <ErrorNote error={test.error} />}
    </li>
  )
}
