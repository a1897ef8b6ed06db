import { describe, expect, it } from 'vitest'
import { backoffMs, createIdpHttp, rateLimitResetMs, retryAfterMs } from '../../../src/main/directories/http'
import { nextLink } from '../../../src/main/directories/okta'
import { flatten } from '../../../src/main/directories/connector'

describe('Retry-After', () => {
  const now = Date.parse('2026-11-02T09:00:00Z')
  it.each([
    ['7', 7000],
    [' 0 ', 0],
    ['Mon, 02 Nov 2026 09:00:30 GMT', 30_000],
    ['Mon, 02 Nov 2026 08:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('reads %j as %j ms', (value, ms) => expect(retryAfterMs(value, now)).toBe(ms))
})

describe('Okta rate-limit reset', () => {
  it.each([
    [{ 'x-rate-limit-reset': '1793610060', date: 'Mon, 02 Nov 2026 09:00:00 GMT' }, 61_000],
    [{ 'x-rate-limit-reset': '1793610000', date: 'Mon, 02 Nov 2026 09:00:00 GMT' }, 1000],
    [{ 'x-rate-limit-reset': '1793610060' }, undefined],
    [{ date: 'Mon, 02 Nov 2026 09:00:00 GMT' }, undefined],
  ])('waits until reset by the Date header, plus a second: %j', (headers, ms) =>
    expect(rateLimitResetMs(new Headers(headers))).toBe(ms),
  )
})

describe('back-off', () => {
  it.each([
    [1, 1, 500],
    [2, 1, 1000],
    [3, 0.5, 1000],
    [10, 1, 30_000],
    [4, 0, 0],
  ])('attempt %i with random %f waits %i ms', (attempt, r, ms) =>
    expect(backoffMs(attempt, () => r, 500, 30_000)).toBe(ms),
  )
})

describe('the IdP HTTP client', () => {
  const respond = (...answers: (Response | Error)[]) => {
    const calls: string[] = []
    return {
      calls,
      http: {
        fetch: (url: string) => {
          calls.push(url)
          const a = answers.shift()
          return a instanceof Error ? Promise.reject(a) : Promise.resolve(a as Response)
        },
      },
    }
  }

  it('does not retry a 401 and hands it back', async () => {
    const { http, calls } = respond(new Response('{}', { status: 401 }))
    const waits: number[] = []
    const client = createIdpHttp({ http, sleep: async ms => void waits.push(ms), idp: 'Okta' })
    expect((await client.request('https://x.okta.com/api/v1/users')).status).toBe(401)
    expect(calls).toHaveLength(1)
    expect(waits).toEqual([])
  })

  it('retries network errors, then gives up naming the IdP, the place and the reason', async () => {
    const { http } = respond(new TypeError('fetch failed'), new TypeError('fetch failed'))
    const client = createIdpHttp({ http, sleep: async () => {}, idp: 'Okta', maxAttempts: 2 })
    await expect(client.request('https://x.okta.com/api/v1/users?after=secret-cursor')).rejects.toThrow(
      /^Okta kept failing at x.okta.com\/api\/v1\/users \(fetch failed\); gave up after 2 attempts/,
    )
  })

  it('says which IdP sent something that is not JSON', () => {
    const client = createIdpHttp({
      http: { fetch: () => Promise.reject(new Error('unused')) },
      sleep: async () => {},
      idp: 'Microsoft Graph',
    })
    expect(() =>
      client.json(
        { status: 200, headers: new Headers(), text: '{"value": [' },
        'https://graph.microsoft.com/v1.0/users/delta',
      ),
    ).toThrow(/Microsoft Graph sent a response that is not valid JSON from graph.microsoft.com\/v1.0\/users\/delta/)
  })
})

describe('Link header', () => {
  it.each([
    [
      '<https://o.okta.com/api/v1/users?after=00u2&limit=200>; rel="next", <https://o.okta.com/api/v1/users?limit=200>; rel="self"',
      'https://o.okta.com/api/v1/users?after=00u2&limit=200',
    ],
    [
      '<https://o.okta.com/api/v1/users?limit=200>; rel="self", <https://o.okta.com/api/v1/users?after=9>; rel="next"',
      'https://o.okta.com/api/v1/users?after=9',
    ],
    ['<https://o.okta.com/api/v1/users?limit=200>; rel="self"', undefined],
    [null, undefined],
  ])('finds rel="next" in %j', (link, next) => expect(nextLink(link)).toBe(next))
})

describe('flattening IdP records', () => {
  it('names nested properties the same however many records and names it has seen', () => {
    // More names than flatten keeps joined paths for (connector.ts PATHS_KEPT): the rest are joined each time.
    const many = Object.fromEntries(Array.from({ length: 12_000 }, (_, i) => [`p${i}`, i]))
    const first = flatten({ custom: many })
    const again = flatten({ custom: many })
    expect(Object.keys(first)).toHaveLength(12_000)
    expect(first['custom.p0']).toBe(0)
    expect(first['custom.p11999']).toBe(11_999)
    expect(again).toEqual(first)
  })

  it('nests objects as dotted paths, keeps string lists, and takes the primary element of object lists', () => {
    expect(
      flatten({
        name: { givenName: 'Ann', familyName: 'Lee' },
        emails: ['a@x.test', 'b@x.test'],
        organizations: [
          { department: 'Old', primary: false },
          { department: 'Sales', title: 'AE', primary: true },
        ],
        onPremisesExtensionAttributes: { extensionAttribute1: 'CC-1', extensionAttribute2: null },
        '@odata.type': '#microsoft.graph.user',
      }),
    ).toEqual({
      'name.givenName': 'Ann',
      'name.familyName': 'Lee',
      emails: ['a@x.test', 'b@x.test'],
      'organizations.department': 'Sales',
      'organizations.title': 'AE',
      'organizations.primary': true,
      'onPremisesExtensionAttributes.extensionAttribute1': 'CC-1',
      'onPremisesExtensionAttributes.extensionAttribute2': null,
    })
  })
})
