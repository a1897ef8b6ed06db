import { describe, expect, it } from 'vitest'
import { FIX_AT } from '../../../src/main/admin/health'
import { parseHash, paths } from '../../../src/renderer/router'

describe('the renderer routes', () => {
  it.each([
    ['#/', 'overview'],
    ['#/policies', 'policies'],
    ['#/apps', 'apps'],
    ['#/settings', 'settings'],
    ['#/devices', 'devices'],
    ['#/apps/x', 'notFound'],
  ])('%s opens %s', (hash, section) => {
    expect(parseHash(hash).section).toBe(section)
  })

  it('gives every page its own path', () => {
    expect(parseHash(paths.apps())).toEqual({ section: 'apps' })
    expect(parseHash(paths.settings())).toEqual({ section: 'settings' })
  })
})

describe("the health board's links", () => {
  it('each open a page of the app', () => {
    for (const [thing, href] of Object.entries(FIX_AT))
      expect([thing, parseHash(href).section]).not.toContain('notFound')
  })

  it.each([
    ['push', 'settings'],
    ['withdrawals', 'settings'],
    ['notifications', 'settings'],
    ['policies', 'policies'],
    ['directories', 'directories'],
    ['diagnostics', 'diagnostics'],
  ] as const)('send %s to the %s page, where it is fixed', (thing, section) => {
    expect(parseHash(FIX_AT[thing]).section).toBe(section)
  })
})
