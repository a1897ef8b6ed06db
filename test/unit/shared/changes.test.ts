// The one list of what each channel changes: total over the channels, and pinned, so the
// renderer refreshes exactly the views a mutation can have changed.
import { describe, expect, it } from 'vitest'
import { DOMAINS, isMutation, QUERIES, TOUCHES, touches } from '../../../src/shared/changes'
import { CHANNELS } from '../../../src/shared/channels'

describe('the change list', () => {
  it('classifies every channel once: a query, or a mutation that touches something', () => {
    const mutations = Object.keys(TOUCHES)
    expect([...QUERIES, ...mutations].sort()).toEqual([...CHANNELS].sort())
    expect(new Set([...QUERIES, ...mutations]).size).toBe(CHANNELS.length)
    for (const c of CHANNELS) expect(isMutation(c), c).toBe(mutations.includes(c))
  })

  it('does not compile a mutation that announces nothing', () => {
    // @ts-expect-error: every mutation touches at least one domain
    const nothing: (typeof TOUCHES)['apps/save'] = []
    expect(nothing).toEqual([])
  })

  it('names only known domains, each once per channel', () => {
    for (const [channel, domains] of Object.entries(TOUCHES)) {
      expect(domains.length, channel).toBeGreaterThan(0)
      expect(new Set(domains).size, channel).toBe(domains.length)
      for (const d of domains) expect(DOMAINS, channel).toContain(d)
    }
  })

  it.each([
    ['policies/whatIf', []],
    ['rules/preview', []],
    ['directories/connect', ['directories']],
    ['policies/apply', ['policies', 'groups', 'devices', 'users', 'diagnostics', 'workspace']],
    ['policies/reject', ['policies', 'devices']],
    ['users/setAttributes', ['users', 'groups', 'devices', 'diagnostics', 'workspace']],
    ['directories/sync', ['directories', 'users', 'groups', 'devices', 'diagnostics', 'workspace']],
    ['devices/acknowledge', ['devices', 'diagnostics', 'workspace']],
    ['push/setServiceAccount', ['devices', 'diagnostics']],
  ] as const)('%s touches %j', (channel, domains) => {
    expect(touches(channel)).toEqual(domains)
  })
})
