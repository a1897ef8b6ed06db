// Why notifications stopped: each case the Settings page names, from what is stored.
import { describe, expect, it } from 'vitest'
import { type DiagnoseInput, diagnoseNotifications } from '../../../../src/main/directories/notifications/diagnose'

const now = new Date('2026-12-06T12:00:00Z')
const base: DiagnoseInput = {
  state: { enabled: true, lastEventAt: '2026-12-06T11:50:00Z', lastTestAt: null, lastTestOkAt: null, lastError: null },
  subscriptions: [
    {
      state: 'active',
      expiresAt: '2026-12-20T00:00:00Z',
      createdAt: '2026-12-01T00:00:00Z',
      lastError: null,
      event: '/users',
    },
  ],
  endpoint: 'https://mdm.example.com',
  runs: [],
  now,
}
const run = (startedAt: string, changed: number) =>
  ({ status: 'succeeded', startedAt, added: 0, changed, removed: 0 }) as DiagnoseInput['runs'][number]

describe('diagnosing notifications', () => {
  it.each<[string, Partial<DiagnoseInput>, string | null]>([
    ['all well', {}, null],
    ['off', { state: { ...base.state, enabled: false }, endpoint: null }, null],
    ['the ingress not running', { endpoint: null }, 'NOTIFY_NO_ENDPOINT'],
    [
      'the IdP could not reach the endpoint',
      { state: { ...base.state, lastError: 'Okta could not verify.' } },
      'NOTIFY_UNREACHABLE',
    ],
    [
      'a lapsed subscription',
      { subscriptions: [{ ...base.subscriptions[0]!, state: 'lapsed', lastError: 'HTTP 403' }] },
      'NOTIFY_LAPSED',
    ],
    [
      'an expired one',
      { subscriptions: [{ ...base.subscriptions[0]!, expiresAt: '2026-12-06T11:00:00Z' }] },
      'NOTIFY_LAPSED',
    ],
    ['no subscription at all', { subscriptions: [] }, 'NOTIFY_LAPSED'],
    [
      'a sync that found changes an hour after the last notification',
      { runs: [run('2026-12-06T13:00:00Z', 3)] },
      'NOTIFY_SILENT',
    ],
    [
      'a sync soon after the last notification (Graph may still be on its way)',
      { runs: [run('2026-12-06T12:10:00Z', 3)] },
      null,
    ],
    ['a late sync that found nothing', { runs: [run('2026-12-06T14:00:00Z', 0)] }, null],
  ])('%s', (_, patch, code) => {
    expect(diagnoseNotifications({ ...base, ...patch })?.code ?? null).toBe(code)
  })
})
