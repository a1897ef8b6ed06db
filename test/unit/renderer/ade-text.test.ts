import { describe, expect, it } from 'vitest'
import { adeStateLabel, syncSummaryText } from '../../../src/renderer/components/ade-text'
import type { AdeSyncSummary } from '../../../src/shared/ade'

const summary = (patch: Partial<AdeSyncSummary>): AdeSyncSummary => ({
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  ok: true,
  added: 0,
  modified: 0,
  deleted: 0,
  assigned: 0,
  fullFetch: false,
  error: null,
  ...patch,
})

describe('ADE words on screen', () => {
  it.each([
    ['assigned', 'assigned, not enrolled', 'info'],
    ['enrolled', 'enrolled', 'good'],
    ['removed', 'profile removed', 'warn'],
    ['not-assigned', 'no profile', 'warn'],
  ] as const)('a device %s reads "%s"', (state, text, tone) => {
    expect(adeStateLabel({ state, profileName: null, profileUuid: null })).toEqual({ text, tone })
  })

  it.each([
    [summary({}), 'No changes'],
    [summary({ added: 2, assigned: 2, fullFetch: true }), '2 added, 2 assigned the default profile (full list)'],
    [summary({ modified: 1, deleted: 3 }), '1 changed, 3 removed'],
    [
      summary({ ok: false, error: { code: 'ADE_UNAVAILABLE', message: 'Apple is limiting requests' } }),
      'Failed: Apple is limiting requests',
    ],
  ])('a sync summary reads %#', (s, text) => {
    expect(syncSummaryText(s)).toBe(text)
  })
})
