// Assignment history (assignment_events): per device, each time a policy was assigned, changed,
// withdrawn or held, with its "why" chain and the commands it queued.
import type { AssignmentAction, AssignmentEvent, WhyStep } from '../../shared/policy'
import type { Db } from './db'

export interface NewAssignmentEvent {
  deviceId: string
  at: string
  policyId: string
  policyName: string
  action: AssignmentAction
  summary: string
  steps: WhyStep[]
  commands: { type: string; item: string }[]
}

interface EventRow {
  id: number
  device_id: string
  at: string
  policy_id: string
  policy_name: string
  action: AssignmentAction
  summary: string
  steps: string
  commands: string
}

const toEvent = (r: EventRow): AssignmentEvent => ({
  id: r.id,
  deviceId: r.device_id,
  at: r.at,
  policyId: r.policy_id,
  policyName: r.policy_name,
  action: r.action,
  summary: r.summary,
  steps: JSON.parse(r.steps) as WhyStep[],
  commands: JSON.parse(r.commands) as AssignmentEvent['commands'],
})

export function assignmentHistoryQueries(db: Db) {
  const insert =
    db.prepare(`INSERT INTO assignment_events (device_id, at, policy_id, policy_name, action, summary, steps, commands)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
  const ofDevice = db.prepare('SELECT * FROM assignment_events WHERE device_id = ? ORDER BY id DESC LIMIT ?')
  const ofPolicy = db.prepare(
    'SELECT * FROM assignment_events WHERE device_id = ? AND policy_id = ? ORDER BY id DESC LIMIT ?',
  )

  return {
    append(e: NewAssignmentEvent): void {
      insert.run(
        e.deviceId,
        e.at,
        e.policyId,
        e.policyName,
        e.action,
        e.summary,
        JSON.stringify(e.steps),
        JSON.stringify(e.commands),
      )
    },
    ofDevice: (deviceId: string, limit: number): AssignmentEvent[] =>
      (ofDevice.all(deviceId, limit) as EventRow[]).map(toEvent),
    ofPolicy: (deviceId: string, policyId: string, limit: number): AssignmentEvent[] =>
      (ofPolicy.all(deviceId, policyId, limit) as EventRow[]).map(toEvent),
  }
}
