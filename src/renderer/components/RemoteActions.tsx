// Remote actions on one device (lock, restart, clear passcode, Lost Mode, wipe, retire): each is its
// real MDM or agent command, asked for here after a confirmation (the serial typed for a wipe);
// what a device can't run is listed with the reason. The command then shows in the history below.
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { call } from '../api'
import type { ActionAvailability, DeviceActionName, DeviceActionParams } from '../../shared/device-actions'
import type { DeviceSummary } from '../../shared/domain'
import { RelativeTime } from './RelativeTime'
import { Badge, ErrorNote, Section } from './ui'

const WHAT_IT_DOES: Record<DeviceActionName, string> = {
  lock: 'locks the screen now; the user unlocks it with their passcode (a Mac with the PIN you set).',
  restart: 'restarts the device now.',
  'clear-passcode': 'removes the passcode; the user sets a new one (if a policy asks for one).',
  'lost-mode-on': 'locks the device in Lost Mode with your message until Lost Mode is disabled.',
  'lost-mode-off': 'takes the device out of Lost Mode.',
  locate: 'asks the device in Lost Mode where it is.',
  'play-sound': 'plays a sound on the device in Lost Mode until someone dismisses it.',
  wipe: 'erases everything on the device. This cannot be undone.',
  retire:
    'withdraws every policy (apps flagged for removal are uninstalled), unbinds it from its user and removes management from the device.',
}

export function RemoteActions({ device }: { device: DeviceSummary }) {
  const info = useQuery({
    queryKey: ['devices', 'actions', device.id],
    queryFn: () => call('devices/actions', { deviceId: device.id }),
  })
  const [open, setOpen] = useState<ActionAvailability | null>(null)
  const [note, setNote] = useState<string | null>(null)
  if (!info.data) return null
  const allowed = info.data.actions.filter(a => a.allowed)
  const refused = info.data.actions.filter(a => !a.allowed)
  return (
    <Section title="Remote actions">
      {note && (
        <p className="notice" role="status">
          {note}
        </p>
      )}
      {info.data.lostMode && (
        <p>
          <Badge tone="warn">Lost Mode</Badge>{' '}
          {info.data.location ? (
            <>
              Last location {info.data.location.latitude.toFixed(5)}, {info.data.location.longitude.toFixed(5)}
              {info.data.location.horizontalAccuracy !== null &&
                ` (±${Math.round(info.data.location.horizontalAccuracy)} m)`}
              , <RelativeTime iso={info.data.location.at} />
            </>
          ) : (
            'No location reported yet.'
          )}
        </p>
      )}
      <fieldset className="actions">
        <legend className="visually-hidden">Remote actions</legend>
        {allowed.map(a => (
          <button
            key={a.action}
            type="button"
            className={a.action === 'wipe' || a.action === 'retire' ? 'small danger' : 'small'}
            onClick={() => {
              setNote(null)
              setOpen(a)
            }}
          >
            {a.label}
          </button>
        ))}
      </fieldset>
      {open && (
        <ActionForm
          key={open.action}
          device={device}
          action={open}
          onClose={() => setOpen(null)}
          onDone={text => {
            setOpen(null)
            setNote(text)
          }}
        />
      )}
      {refused.length > 0 && (
        <details className="small">
          <summary>Not available on this device ({refused.length})</summary>
          <ul aria-label="Unavailable actions">
            {refused.map(a => (
              <li key={a.action}>
                <strong>{a.label}</strong>: {a.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </Section>
  )
}

function ActionForm({
  device,
  action,
  onClose,
  onDone,
}: {
  device: DeviceSummary
  action: ActionAvailability
  onClose: () => void
  onDone: (note: string) => void
}) {
  const [p, setP] = useState<DeviceActionParams>({})
  const mac = device.platform === 'macos'
  const ios = device.platform === 'ios'
  const run = useMutation({
    mutationFn: () => call('devices/action', { deviceId: device.id, action: action.action, params: p }),
    onSuccess: o =>
      onDone(`${o.summary} It is in the command history below${o.queued[0] ? ` as #${o.queued[0].seq}` : ''}.`),
  })
  const text = (key: 'message' | 'phoneNumber' | 'footnote' | 'pin' | 'confirm', label: string, hint?: string) => (
    <label>
      <span className="field-label">{label}</span>
      <input
        value={p[key] ?? ''}
        onChange={e => setP({ ...p, [key]: e.target.value })}
        autoComplete="off"
        inputMode={key === 'pin' ? 'numeric' : undefined}
        aria-describedby={hint ? `${action.action}-${key}-hint` : undefined}
      />
      {hint && (
        <span className="muted small" id={`${action.action}-${key}-hint`}>
          {hint}
        </span>
      )}
    </label>
  )
  const check = (key: 'notifyUser' | 'preserveDataPlan' | 'disallowProximitySetup', label: string) => (
    <label className="checkbox">
      <input type="checkbox" checked={p[key] === true} onChange={e => setP({ ...p, [key]: e.target.checked })} />{' '}
      {label}
    </label>
  )
  const typedOk = action.confirm !== 'typed' || p.confirm?.trim() === device.serial
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (typedOk) run.mutate()
  }
  return (
    <form
      className="confirm-panel"
      aria-label={`${action.label} ${device.name}`}
      onSubmit={submit}
      onKeyDown={e => {
        if (e.key === 'Escape') onClose()
      }}
    >
      <p>
        <strong>
          {action.label} {device.name}?
        </strong>{' '}
        This {WHAT_IT_DOES[action.action]} It is sent as a command the device fetches at its next check-in, and recorded
        in the audit log.
      </p>
      {(action.action === 'lock' || action.action === 'lost-mode-on') && (
        <>
          {text('message', 'Message on the screen')}
          {text('phoneNumber', 'Phone number on the screen')}
        </>
      )}
      {action.action === 'lost-mode-on' && text('footnote', 'Footnote')}
      {mac &&
        (action.action === 'lock' || action.action === 'wipe') &&
        text('pin', 'Six-digit PIN', 'The Mac asks for it to unlock; note it down.')}
      {mac && action.action === 'restart' && check('notifyUser', 'Ask the user to restart instead of restarting now')}
      {ios && action.action === 'wipe' && (
        <>
          {check('preserveDataPlan', 'Keep the cellular data plan')}
          {check('disallowProximitySetup', 'No Proximity Setup after the erase')}
        </>
      )}
      {action.confirm === 'typed' &&
        text('confirm', `Type the serial number ${device.serial} to confirm`, 'Wiping erases the device for good.')}
      <div className="actions">
        <button
          type="submit"
          className={action.action === 'wipe' || action.action === 'retire' ? 'danger' : 'primary'}
          disabled={run.isPending || !typedOk}
        >
          {action.label} {device.name}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      {run.isError && <ErrorNote error={run.error} title="Not sent" />}
    </form>
  )
}
