// The shared secret of a subscription is kept as its SHA-256 only and compared in constant time.
import { describe, expect, it } from 'vitest'
import { secretHash, secretMatches } from '../../../../src/main/directories/notifications/receiver'

describe('a notification secret', () => {
  const stored = secretHash('s3cret-value')
  it.each<[string, string | null, boolean]>([
    ['the same secret', 's3cret-value', true],
    ['another secret', 's3cret-valuf', false],
    ['a prefix of it', 's3cret', false],
    ['the stored hash itself', stored, false],
    ['an empty one', '', false],
    ['none at all', null, false],
  ])('matches %s: %s', (_, presented, expected) => {
    expect(secretMatches(presented, stored)).toBe(expected)
  })

  it('is stored as a hash, never as itself', () => {
    expect(stored).toMatch(/^[0-9a-f]{64}$/)
    expect(stored).not.toContain('s3cret')
  })
})
