// Removing a directory: the preview first (its users, groups, the policies that target them and
// what each of its users' devices loses), then Remove; a removal that reaches many devices or
// users is held like a sync that removes too much, until the admin confirms it.
import { useState } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { call, removalPreviewQuery } from '../../api'
import { Link, paths } from '../../router'
import { useDisclosure } from '../../components/disclosure'
import { Badge, ErrorNote, Loaded, formatCount, platformLabel, plural } from '../../components/ui'
import { Table } from '../../components/Table'
import type { DirectoryRemoval, DirectoryRemovalOutcome } from '../../../shared/admin'

export function RemoveDirectory({
  directoryId,
  name,
  onRemoved,
}: {
  directoryId: string
  name: string
  onRemoved?: (message: string) => void
}) {
  // Keyboard users land in the panel that opened; Escape closes it and focus goes back to its button.
  const { open, show, hide, trigger, panel } = useDisclosure()
  const [held, setHeld] = useState<DirectoryRemoval | null>(null)
  const preview = useQuery(removalPreviewQuery(directoryId, open))
  const remove = useMutation({
    mutationFn: (confirmRemovals: boolean) => call('directories/remove', { directoryId, confirmRemovals }),
    onSuccess: (o: DirectoryRemovalOutcome) => {
      if (o.status === 'held') setHeld(o.removal)
      else
        onRemoved?.(
          `Removed ${o.removal.name}: ${plural(o.removal.users, 'user')} and ${plural(o.removal.groups.length, 'group')}; ${plural(o.removal.devices.length, 'device')} unbound, ${formatCount(o.devicesUpdated)} got commands.`,
        )
    },
  })
  if (!open)
    return (
      <button type="button" className="small danger" ref={trigger} onClick={show}>
        Remove directory
      </button>
    )
  return (
    <section {...panel} className="confirm-panel" aria-label={`Remove directory ${name}`}>
      <Loaded query={preview} label="Working out what removing it changes…">
        {r => (
          <>
            <p role="status">
              {r.wouldHold && <Badge tone="warn">held until you confirm</Badge>} {r.summary}
            </p>
            {r.policies.length > 0 && (
              <p className="small">
                Policies that lose a target:{' '}
                {r.policies.map(p => (
                  <Badge key={p.id}>{p.name}</Badge>
                ))}
              </p>
            )}
            <Table
              label="Devices that lose their user"
              columns={['Device', 'User', 'Removed', 'Left installed, unmanaged']}
              items={r.devices}
              itemKey={d => d.deviceId}
              empty="None of its users has a device."
            >
              {d => (
                <tr>
                  <td>
                    <Link to={paths.device(d.deviceId)}>{d.name}</Link>{' '}
                    <span className="muted small">{platformLabel(d.platform)}</span>
                  </td>
                  <td className="mono">{d.userPrincipalName}</td>
                  <td>{d.removals.join(', ') || '—'}</td>
                  <td>{d.unmanaged.join(', ') || '—'}</td>
                </tr>
              )}
            </Table>
            {held ? (
              <div className="notice" role="status">
                Held: removing {held.name} takes {plural(held.users, 'user')} and reaches{' '}
                {plural(held.devices.length, 'device')}. Nothing was removed.{' '}
                <button
                  type="button"
                  className="danger"
                  onClick={() => remove.mutate(true)}
                  disabled={remove.isPending}
                >
                  Confirm and remove
                </button>
              </div>
            ) : (
              <div className="actions">
                <button
                  type="button"
                  className="danger"
                  onClick={() => remove.mutate(false)}
                  disabled={remove.isPending}
                >
                  Remove {name}
                </button>
                <button type="button" onClick={hide}>
                  Cancel
                </button>
              </div>
            )}
          </>
        )}
      </Loaded>
      {remove.isError && <ErrorNote error={remove.error} title="Not removed" />}
    </section>
  )
}
