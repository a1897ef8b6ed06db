// Every policy with the "why" of each for this device — applied or not ("excluded by Executives;
// exclusion wins", "not in Sales: department is Marketing") — and its assignment history as a timeline.
import { useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { deviceHistoryQuery, effectivePoliciesQuery } from '../api'
import { Badge, Empty, Loaded, Section, Time, formatValue, type Tone } from './ui'
import type { AssignmentAction, PolicyStatus, WhyStep } from '../../shared/policy'

const STATUS: Record<PolicyStatus, { label: string; tone: Tone }> = {
  assigned: { label: 'assigned', tone: 'good' },
  'pending-withdrawal': { label: 'pending withdrawal', tone: 'warn' },
  held: { label: 'held', tone: 'warn' },
  'withdrawn-kept': { label: 'withdrawn', tone: 'neutral' },
  'not-assigned': { label: 'not assigned', tone: 'neutral' },
}

const ACTION_TONE: Record<AssignmentAction, Tone> = {
  granted: 'good',
  changed: 'info',
  withdrawn: 'bad',
  held: 'warn',
  released: 'neutral',
}

function Steps({ steps, label }: { steps: WhyStep[]; label: string }) {
  return (
    <ol className="why-steps" aria-label={label}>
      {steps.map((s, i) => (
        <li key={i} className={`why-${s.outcome}`}>
          <Badge tone={s.outcome === 'pass' ? 'good' : s.outcome === 'fail' ? 'bad' : 'neutral'}>{s.step}</Badge>{' '}
          {s.text}
          {s.values && (
            <span className="muted small">
              {' '}
              {Object.entries(s.values)
                .map(([k, v]) => `${k} = ${formatValue(v)}`)
                .join(', ')}
            </span>
          )}
        </li>
      ))}
    </ol>
  )
}

export function EffectivePolicies({ deviceId }: { deviceId: string }) {
  const [onlyApplied, setOnlyApplied] = useState(false)
  const effective = useQuery(effectivePoliciesQuery(deviceId, !onlyApplied))
  return (
    <Section
      title="Policies and why"
      actions={
        <label className="small">
          <input type="checkbox" checked={onlyApplied} onChange={e => setOnlyApplied(e.target.checked)} /> Only the ones
          that apply
        </label>
      }
    >
      <Loaded query={effective} label="Loading effective policies…">
        {list =>
          list.length === 0 ? (
            <Empty>{onlyApplied ? "No policy applies to this device's user." : 'There are no policies yet.'}</Empty>
          ) : (
            <ul className="effective-policies" aria-label="Policies and why">
              {list.map(p => (
                <li key={p.policyId}>
                  <details>
                    <summary>
                      <strong>{p.policyName}</strong>{' '}
                      <Badge tone={STATUS[p.status].tone}>{STATUS[p.status].label}</Badge>{' '}
                      <span className="small">{p.summary}</span>
                    </summary>
                    <Steps steps={p.steps} label={`Why ${p.policyName}`} />
                    {p.items.length > 0 && (
                      <ul className="small">
                        {p.items.map(i => (
                          <li key={i.key}>
                            {i.name}:{' '}
                            <Badge tone={i.outcome === 'sent' || i.outcome === 'merged' ? 'good' : 'warn'}>
                              {i.outcome}
                            </Badge>{' '}
                            {i.detail}
                          </li>
                        ))}
                      </ul>
                    )}
                  </details>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </Section>
  )
}

export function AssignmentHistory({ deviceId }: { deviceId: string }) {
  const history = useQuery(deviceHistoryQuery(deviceId))
  return (
    <Section title="Assignment history">
      <Loaded query={history} label="Loading history…">
        {events =>
          events.length === 0 ? (
            <Empty>No assignment changes recorded yet.</Empty>
          ) : (
            <ol className="timeline" aria-label="Assignment history">
              {events.map(e => (
                <li key={e.id}>
                  <Time iso={e.at} short /> <Badge tone={ACTION_TONE[e.action]}>{e.action}</Badge>{' '}
                  <strong>{e.policyName}</strong> <span className="small">{e.summary}</span>
                  {e.steps.length > 0 && (
                    <details>
                      <summary className="small">The chain at that time</summary>
                      <Steps steps={e.steps} label={`Chain for ${e.policyName}`} />
                    </details>
                  )}
                </li>
              ))}
            </ol>
          )
        }
      </Loaded>
    </Section>
  )
}
