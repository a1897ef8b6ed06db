// What a device reported about itself (Apple: Authenticate, DeviceInformation, SecurityInfo,
// InstalledApplicationList, ProfileList; each user channel's profiles), on the device page.
import type { AppleUserChannel, DeviceDetail } from '../../shared/domain'
import { encryptionLabel, modelText, NOT_REPORTED, storageText, yesNo } from './device-facts-text'
import { Table } from './Table'
import { Badge, Empty, Section, Time } from './ui'

export function DeviceReport({ detail }: { detail: DeviceDetail }) {
  const { device, facts } = detail
  const os = facts?.osVersion ? `${facts.osVersion}${facts.buildVersion ? ` (${facts.buildVersion})` : ''}` : null
  return (
    <>
      <Section title="Reported by the device">
        {detail.checkedOutAt && (
          <p>
            <Badge tone="bad">Checked out</Badge> The MDM profile was removed <Time iso={detail.checkedOutAt} />; the
            device gets nothing until it enrolls again.
          </p>
        )}
        <dl className="facts" aria-label="Reported by the device">
          <div>
            <dt>OS version</dt>
            <dd>{os ?? <span className="muted">{NOT_REPORTED}</span>}</dd>
          </div>
          <div>
            <dt>Model</dt>
            <dd>{modelText(facts) ?? <span className="muted">{NOT_REPORTED}</span>}</dd>
          </div>
          <div>
            <dt>Storage</dt>
            <dd>{storageText(facts) ?? <span className="muted">{NOT_REPORTED}</span>}</dd>
          </div>
          <div>
            <dt>Supervised</dt>
            <dd>{yesNo(facts?.supervised)}</dd>
          </div>
          <div>
            <dt>{encryptionLabel(device.platform)}</dt>
            <dd>{yesNo(facts?.encrypted)}</dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd>
              <Time iso={device.lastSeenAt} />
            </dd>
          </div>
          <div>
            <dt>Device information</dt>
            <dd>
              <Time iso={facts?.informationAt ?? null} />
            </dd>
          </div>
        </dl>
      </Section>
      <Section title="Managed apps on the device">
        {facts?.apps ? (
          <Table
            label="Managed apps on the device"
            columns={['App', 'Bundle id', 'Version']}
            items={facts.apps}
            itemKey={a => a.identifier}
            empty="The device reports no managed app."
          >
            {a => (
              <tr>
                <td>{a.name ?? '—'}</td>
                <td className="mono small">{a.identifier}</td>
                <td>{a.version ?? '—'}</td>
              </tr>
            )}
          </Table>
        ) : (
          <Empty>The device has not reported its apps yet; Scan Device asks it.</Empty>
        )}
      </Section>
      <Section title="Managed profiles on the device">
        {facts?.profiles ? (
          <Table
            label="Managed profiles on the device"
            columns={['Profile', 'Identifier']}
            items={facts.profiles}
            itemKey={p => p.identifier}
            empty="The device reports no managed profile."
          >
            {p => (
              <tr>
                <td>{p.name ?? '—'}</td>
                <td className="mono small">{p.identifier}</td>
              </tr>
            )}
          </Table>
        ) : (
          <Empty>The device has not reported its profiles yet; Scan Device asks it.</Empty>
        )}
      </Section>
      {detail.userChannels.length > 0 && (
        <Section title="Users on this device">
          <UserChannels channels={detail.userChannels} />
        </Section>
      )}
    </>
  )
}

function UserChannels({ channels }: { channels: AppleUserChannel[] }) {
  return (
    <Table
      label="Users on this device"
      columns={['User', 'Short name', 'Checked in', 'Managed profiles']}
      items={channels}
      itemKey={c => c.channel}
    >
      {c => (
        <tr>
          <td>{c.longName ?? c.channel}</td>
          <td className="mono small">{c.shortName ?? '—'}</td>
          <td>
            <Time iso={c.tokenUpdatedAt} />
          </td>
          <td>
            {c.profiles === null
              ? NOT_REPORTED
              : c.profiles.length === 0
                ? 'none'
                : c.profiles.map(p => p.name ?? p.identifier).join(', ')}
          </td>
        </tr>
      )}
    </Table>
  )
}
