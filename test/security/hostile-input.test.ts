// Hostile input that used to end in a 500 (or a crash) ends in a located 400: character
// references that name no character, property lists and policy settings nested thousands deep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_PLIST_DEPTH, parsePlist, PlistError } from '../../src/main/devices/plist'
import { nestsAtMost } from '../../src/shared/contract'
import { openDevicesWorld, type DevicesWorld } from '../helpers/devices-world'
import { rawRequest } from './raw'

const plist = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0">${inner}</plist>`

describe('property lists', () => {
  it.each(['&#x110000;', '&#1114112;', '&#0;', '&#xD800;', '&#xFFFE;', `&#x${'f'.repeat(30)};`])(
    'refuses the character reference %s with its offset',
    ref => {
      expect(() => parsePlist(plist(`<string>a${ref}</string>`))).toThrow(PlistError)
      expect(() => parsePlist(plist(`<string>a${ref}</string>`))).toThrow(/names no XML character at offset \d+/)
    },
  )
  it('reads the references that name characters', () => {
    expect(parsePlist(plist('<string>&#x10FFFF;&#233;&#x1F600;</string>'))).toBe('\u{10FFFF}é😀')
  })
  it('refuses nesting deeper than its cap, without exhausting the stack', () => {
    const deep = 20_000
    expect(() => parsePlist(plist(`${'<array>'.repeat(deep)}${'</array>'.repeat(deep)}`))).toThrow(
      new RegExp(`Nested deeper than ${MAX_PLIST_DEPTH} levels`),
    )
    const ok = MAX_PLIST_DEPTH - 1
    expect(() => parsePlist(plist(`${'<array>'.repeat(ok)}${'</array>'.repeat(ok)}`))).not.toThrow()
  })
})

describe('over the ingress', () => {
  let w: DevicesWorld
  /** An enrolled device's identity: the parser is reached only by a device that proved itself. */
  let identity: { cert: string; key: string }
  beforeAll(async () => {
    w = await openDevicesWorld()
    const device = w.apple('C02HOSTILE')
    await device.enroll('alex@example.test')
    identity = { cert: device.identity?.certPem ?? '', key: device.identity?.keyPem ?? '' }
  }, 60_000)
  afterAll(async () => {
    await w.close()
  })
  it.each([
    ['an out-of-range character reference', plist('<dict><key>UDID</key><string>&#x110000;</string></dict>')],
    ['a plist nested 2,000 deep', plist(`${'<array>'.repeat(2000)}${'</array>'.repeat(2000)}`)],
  ])('answers %s with a 400', async (_, body) => {
    for (const path of ['/mdm/checkin', '/mdm/server']) {
      const r = await rawRequest({ port: w.ingress.port, tls: { ca: w.pki.caPem, ...identity } }, 'PUT', path, {}, body)
      expect(r.status).toBe(400)
      expect(JSON.parse(r.body).error.code).toBe('BAD_INPUT')
    }
  })
})

describe('SCEP over the ingress', () => {
  let w: DevicesWorld
  beforeAll(async () => {
    w = await openDevicesWorld()
  }, 60_000)
  afterAll(async () => {
    await w.close()
  })
  it.each([
    ['POST', '/scep?operation=PKIOperation', 'not a pkiMessage', 400, /Unreadable pkiMessage/],
    ['GET', '/scep?operation=PKIOperation&message=%%%', '', 400, /Unreadable pkiMessage/],
    ['POST', '/scep?operation=PKIOperation', 'A'.repeat(70_000), 413, /limit is 65536|exceeds 65536/],
    ['GET', '/scep?operation=GetNextCACert', '', 400, /GetCACaps, GetCACert or PKIOperation/],
    ['GET', '/scep', '', 400, /GetCACaps, GetCACert or PKIOperation/],
  ])('%s %s is a precise 4xx and the server keeps answering', async (method, target, body, status, message) => {
    const r = await rawRequest({ port: w.ingress.port, tls: { ca: w.pki.caPem } }, method, target, {}, body)
    expect(r.status).toBe(status)
    expect(JSON.parse(r.body).error.message).toMatch(message)
    const caps = await rawRequest(
      { port: w.ingress.port, tls: { ca: w.pki.caPem } },
      'GET',
      '/scep?operation=GetCACaps',
    )
    expect(caps.body).toContain('POSTPKIOperation')
  })
})

describe('policy settings', () => {
  let w: DevicesWorld
  beforeAll(async () => {
    w = await openDevicesWorld()
  }, 60_000)
  afterAll(async () => {
    await w.close()
  })
  it('refuses settings nested thousands deep with a located BAD_INPUT', async () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 5000; i++) deep = { a: deep }
    const result = await w.ws.app.invoke('policies/apply', {
      change: {
        kind: 'policy',
        draft: {
          name: 'Deep',
          description: '',
          priority: 1,
          platforms: ['ios'],
          items: [
            {
              kind: 'profile',
              identifier: 'com.example.deep',
              name: 'Deep',
              platform: null,
              settings: { type: 'custom', deep },
              removeOnUnassign: false,
            },
          ],
          targets: [],
        },
      },
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
    expect(JSON.stringify(result)).toMatch(/items\.0\.settings/)
    expect(JSON.stringify(result)).toMatch(/nest deeper than 16/)
  })
  it('counts nesting without recursion', () => {
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(nestsAtMost(deep, 16)).toBe(false)
    expect(nestsAtMost({ a: [{ b: 1 }] }, 3)).toBe(true)
    expect(nestsAtMost({ a: [{ b: {} }] }, 3)).toBe(false)
  })
})
