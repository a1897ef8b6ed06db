// The devices Apple Business Manager assigns to this MDM server, on the Devices page: those not
// enrolled yet show as "assigned, not enrolled" with the profile Setup Assistant will get.
import { queryOptions, useQuery } from '@tanstack/react-query'
import { call } from '../api'
import { Link, paths } from '../router'
import { adeStateLabel } from './ade-text'
import { Table } from './Table'
import { Badge, Loaded, Section, Time } from './ui'

export const adeDevicesQuery = () =>
  queryOptions({ queryKey: ['devices', 'ade', 'list'], queryFn: () => call('ade/devices', {}) })

export function AdeDevicesPanel() {
  const devices = useQuery(adeDevicesQuery())
  if (devices.data?.length === 0) return null
  return (
    <Section title="Automated Device Enrollment">
      <Loaded query={devices} label="Loading ADE devices…">
        {list => (
          <Table
            label="ADE devices"
            columns={['Serial', 'Model', 'State', 'Profile', 'Assigned in Apple Business Manager']}
            items={list}
            itemKey={d => d.serial}
          >
            {d => {
              const state = adeStateLabel(d)
              return (
                <tr>
                  <td className="mono">
                    {d.deviceId ? <Link to={paths.device(d.deviceId)}>{d.serial}</Link> : d.serial}
                  </td>
                  <td>
                    {d.model}
                    <div className="small muted">{d.description}</div>
                  </td>
                  <td>
                    <Badge tone={state.tone}>{state.text}</Badge>
                    {d.userPrincipalName && <div className="small mono">{d.userPrincipalName}</div>}
                  </td>
                  <td>
                    {d.profileName ?? (d.profileUuid ? <span className="mono small">{d.profileUuid}</span> : '—')}
                  </td>
                  <td>
                    <Time iso={d.assignedToServerAt} />
                  </td>
                </tr>
              )
            }}
          </Table>
        )}
      </Loaded>
    </Section>
  )
}
