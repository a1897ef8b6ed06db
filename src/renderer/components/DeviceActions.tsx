// The admin's lifecycle actions on one device: rename it, move it to another user (an explicit,
// audited rebind), or unbind it (every policy withdrawn, then no user). Each asks first.
import { useState, type FormEvent } from 'react'
import { useMutation } from '@tanstack/react-query'
import { call } from '../api'
import type { DeviceSummary } from '../../shared/domain'
import { RenameControl } from './AdminChange'
import { RemoteActions } from './RemoteActions'
import { ErrorNote, Section } from './ui'

export function DeviceActions({ device }: { device: DeviceSummary }) {
  const [note, setNote] = useState<string | null>(null)
  const [moving, setMoving] = useState(false)
  const [confirmUnbind, setConfirmUnbind] = useState(false)
  const [upn, setUpn] = useState('')
  const move = useMutation({
    mutationFn: () => call('devices/rebind', { deviceId: device.id, userPrincipalName: upn }),
    onSuccess: d => {
      setMoving(false)
      setUpn('')
      setNote(
        `Moved ${d.device.name} to ${d.device.userPrincipalName}; the previous user's open installs were cancelled.`,
      )
    },
  })
  const unbind = useMutation({
    mutationFn: () => call('devices/unbind', { deviceId: device.id }),
    onSuccess: d => {
      setConfirmUnbind(false)
      setNote(`${d.device.name} belongs to no user now; its policies are being withdrawn.`)
    },
  })
  const submitMove = (e: FormEvent) => {
    e.preventDefault()
    move.mutate()
  }
  return (
    <>
      <RemoteActions device={device} />
      <Section title="Manage device">
        {note && (
          <p className="notice" role="status">
            {note}
          </p>
        )}
        <div className="actions">
          <RenameControl
            what="device"
            current={device.name}
            save={name => call('devices/rename', { deviceId: device.id, name })}
            onDone={setNote}
          />
          {!moving && (
            <button type="button" className="small" onClick={() => setMoving(true)}>
              Move to another user
            </button>
          )}
          {device.userId && !confirmUnbind && (
            <button type="button" className="small danger" onClick={() => setConfirmUnbind(true)}>
              Unbind from user
            </button>
          )}
        </div>
        {moving && (
          <form className="inline-form" aria-label="Move to another user" onSubmit={submitMove}>
            <label>
              <span className="field-label">New user (sign-in name)</span>
              <input
                value={upn}
                onChange={e => setUpn(e.target.value)}
                placeholder="someone@example.com"
                autoComplete="off"
                onKeyDown={e => {
                  if (e.key === 'Escape') setMoving(false)
                }}
              />
            </label>
            <button type="submit" className="primary small" disabled={move.isPending || upn.trim().length < 3}>
              Move device
            </button>
            <button type="button" className="small" onClick={() => setMoving(false)}>
              Cancel
            </button>
            <p className="muted small">
              The device gets the new user's policies; open installs of {device.userPrincipalName ?? 'the current user'}{' '}
              are cancelled. The move is recorded in the audit log.
            </p>
            {move.isError && <ErrorNote error={move.error} title="Not moved" />}
          </form>
        )}
        {confirmUnbind && (
          <section className="confirm-panel" aria-label="Unbind device">
            <p>
              <strong>
                Unbind {device.name} from {device.userPrincipalName}?
              </strong>{' '}
              Every policy is withdrawn (apps flagged for removal are uninstalled, others stay unmanaged) and the device
              belongs to no user until it is enrolled or moved again.
            </p>
            <div className="actions">
              <button type="button" className="danger" onClick={() => unbind.mutate()} disabled={unbind.isPending}>
                Unbind {device.name}
              </button>
              <button type="button" onClick={() => setConfirmUnbind(false)}>
                Cancel
              </button>
            </div>
            {unbind.isError && <ErrorNote error={unbind.error} title="Not unbound" />}
          </section>
        )}
      </Section>
    </>
  )
}
