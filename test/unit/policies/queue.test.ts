import { describe, expect, it } from 'vitest'
import { reconcileQueue, type WaitingCommand } from '../../../src/main/policies/queue'
import type { PlannedCommand } from '../../../src/main/policies'
import type { CommandType } from '../../../src/shared/domain'

const reason = {
  policyId: 'p',
  policyName: 'Sales CRM',
  groupId: null,
  groupName: null,
  summary: 'Sales CRM no longer applies',
}
const planned = (type: CommandType, identifier?: string): PlannedCommand => ({
  type,
  payload: identifier === undefined ? { settings: {} } : { identifier, name: identifier },
  reason,
})
const waiting = (id: string, type: CommandType, identifier: string | null = null): WaitingCommand => ({
  id,
  type,
  identifier,
})

describe('what a new plan does to the commands a device has not fetched', () => {
  it.each<{
    name: string
    plan: PlannedCommand[]
    queue: WaitingCommand[]
    /** What the device last fetched per identifier ('restrictions' for the set). */
    held: Record<string, { type: CommandType; payload: Record<string, unknown> }>
    enqueued: string[]
    cancelled: string[]
  }>([
    {
      name: 'a removal of an app never delivered cancels its install and sends nothing',
      plan: [planned('remove_app', 'crm')],
      queue: [waiting('c1', 'install_app', 'crm')],
      held: {},
      enqueued: [],
      cancelled: ['c1'],
    },
    {
      name: 'a removal of an app the device fetched is sent, and a newer install still waiting is cancelled',
      plan: [planned('remove_app', 'crm')],
      queue: [waiting('c2', 'install_app', 'crm')],
      held: { crm: { type: 'install_app', payload: { identifier: 'crm', name: 'crm' } } },
      enqueued: ['remove_app crm'],
      cancelled: ['c2'],
    },
    {
      name: 'a removal of a profile never delivered is not sent',
      plan: [planned('remove_profile', 'wifi')],
      queue: [],
      held: {},
      enqueued: [],
      cancelled: [],
    },
    {
      name: 'an install replaces a waiting removal and a waiting install of the same identifier',
      plan: [planned('install_profile', 'wifi')],
      queue: [
        waiting('c3', 'remove_profile', 'wifi'),
        waiting('c4', 'install_profile', 'wifi'),
        waiting('c5', 'install_profile', 'vpn'),
      ],
      held: {},
      enqueued: ['install_profile wifi'],
      cancelled: ['c3', 'c4'],
    },
    {
      name: 'a new restriction set replaces the one still waiting',
      plan: [{ ...planned('apply_restrictions'), payload: { settings: { allowCamera: false } } }],
      queue: [waiting('c6', 'apply_restrictions'), waiting('c7', 'device_information')],
      held: {},
      enqueued: ['apply_restrictions'],
      cancelled: ['c6'],
    },

    {
      name: 'an unrelated waiting command stays',
      plan: [planned('install_app', 'express')],
      queue: [waiting('c8', 'install_app', 'crm')],
      held: {},
      enqueued: ['install_app express'],
      cancelled: [],
    },
  ])('$name', ({ plan, queue, held, enqueued, cancelled }) => {
    const d = reconcileQueue(plan, queue, (types, identifier) => {
      const h = held[identifier ?? 'restrictions']
      return h && types.includes(h.type) ? h : undefined
    })
    expect(
      d.enqueue.map(c => `${c.type}${c.payload['identifier'] ? ` ${String(c.payload['identifier'])}` : ''}`),
    ).toEqual(enqueued)
    expect(d.cancel.map(c => c.id)).toEqual(cancelled)
    for (const c of d.cancel) expect(c.why).toMatch(/before the device fetched it/)
  })

  it('cancels the waiting install of an app the plan stops managing, though no removal is planned', () => {
    const waitingNow = [waiting('c9', 'install_app', 'crm'), waiting('c10', 'install_app', 'ide')]
    const d = reconcileQueue([], waitingNow, () => undefined, ['app:crm'])
    expect(d.cancel.map(c => c.id)).toEqual(['c9'])
    expect(d.enqueue).toEqual([])
  })

  it.each<{
    name: string
    plan: PlannedCommand
    held: { type: CommandType; payload: Record<string, unknown> }
    sent: boolean
  }>([
    {
      name: 'a profile the device holds exactly is not sent again (a change and its undo both waited)',
      plan: planned('install_profile', 'wifi'),
      held: { type: 'install_profile', payload: { identifier: 'wifi', name: 'wifi' } },
      sent: false,
    },
    {
      name: 'a profile the device holds in another version is sent',
      plan: planned('install_profile', 'wifi'),
      held: { type: 'install_profile', payload: { identifier: 'wifi', name: 'old' } },
      sent: true,
    },
    {
      name: 'a profile the device last removed is sent',
      plan: planned('install_profile', 'wifi'),
      held: { type: 'remove_profile', payload: { identifier: 'wifi', name: 'wifi' } },
      sent: true,
    },
    {
      name: 'a removal of a profile the device last removed is not sent',
      plan: planned('remove_profile', 'wifi'),
      held: { type: 'remove_profile', payload: { identifier: 'wifi', name: 'wifi' } },
      sent: false,
    },
    {
      name: 'the restriction set the device holds is not sent again',
      plan: planned('apply_restrictions'),
      held: { type: 'apply_restrictions', payload: { settings: {} } },
      sent: false,
    },
  ])('$name', ({ plan, held, sent }) => {
    const d = reconcileQueue([plan], [], types => (types.includes(held.type) ? held : undefined))
    expect(d.enqueue.length).toBe(sent ? 1 : 0)
  })
})
