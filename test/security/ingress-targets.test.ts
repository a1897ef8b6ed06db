// Hostile request targets on every ingress route, over a raw TLS socket so each target reaches
// the server verbatim. Each must end in a 4xx and a log line; the server must keep answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeSegment, parseTarget } from '../../src/main/devices/ingress'
import { openDevicesWorld, type DevicesWorld } from '../helpers/devices-world'
import { HOSTILE_TARGETS, rawRequest } from './raw'

let w: DevicesWorld
beforeAll(async () => {
  w = await openDevicesWorld()
}, 60_000)
afterAll(async () => {
  await w.close()
})

const ROUTES = [
  ['GET', '/enroll/start'],
  ['GET', '/enroll/callback'],
  ['PUT', '/mdm/checkin'],
  ['PUT', '/mdm/server'],
  ['POST', '/android/v1/token'],
  ['GET', '/android/v1/commands'],
  ['POST', '/android/v1/commands/x/answer'],
] as const

describe('the ingress survives hostile request targets', () => {
  const cases = ROUTES.flatMap(([method]) => HOSTILE_TARGETS.map(t => [method, t] as const))
  it.each(cases)('%s %s ends in a 4xx, a log line, and the server keeps answering', async (method, target) => {
    const before = w.logged.length
    const r = await rawRequest({ port: w.ingress.port, tls: { ca: w.pki.caPem } }, method, target)
    expect(r.status).toBeGreaterThanOrEqual(400)
    expect(r.status).toBeLessThan(500)
    expect(w.logged.length).toBeGreaterThan(before)
    const alive = await rawRequest({ port: w.ingress.port, tls: { ca: w.pki.caPem } }, 'GET', '/nope')
    expect(alive.status).toBe(404)
  })

  it.each(ROUTES)('%s %s with a bad escape in a path segment is a 400 or 404', async (method, path) => {
    const r = await rawRequest({ port: w.ingress.port, tls: { ca: w.pki.caPem } }, method, `${path}/%C0%`)
    expect([400, 404]).toContain(r.status)
  })
})

describe('request target parsing', () => {
  it.each([
    ['/a/b?x=1', '/a/b', 'x=1'],
    ['/enroll/start?platform=%&serial=%zz', '/enroll/start', 'platform=%25&serial=%25zz'],
    ['/p#frag?x', '/p', 'x='],
  ])('%s → path %s, query %s', (target, path, query) => {
    const t = parseTarget(target)
    expect(t.pathname).toBe(path)
    expect(t.searchParams.toString()).toBe(query)
  })
  it.each(['//[', 'http://bad host/', '*', '', 'x'])('refuses %j with a 400', target => {
    expect(() => parseTarget(target)).toThrow(expect.objectContaining({ status: 400 }))
  })
  it('decodes a segment or refuses its escape with a 400', () => {
    expect(decodeSegment('a%20b')).toBe('a b')
    expect(() => decodeSegment('%E0%A4%A')).toThrow(expect.objectContaining({ status: 400 }))
  })
})
