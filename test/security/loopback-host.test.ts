// The loopback host: the launch secret never rides in a cookie (cookies reach every port of
// 127.0.0.1), only this origin may call the API, hostile targets end in a 4xx, and bodies and
// event streams are bounded.
import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHost, type Host } from '../../src/main/headless/host'
import { openWorkspace, seedSmallOrganisation, tempDir, type TestWorkspace } from '../helpers/workspace'
import { HOSTILE_TARGETS, rawRequest } from './raw'

let ws: TestWorkspace
let host: Host
let renderer: { path: string; remove(): void }

beforeAll(async () => {
  ws = openWorkspace()
  seedSmallOrganisation(ws)
  renderer = tempDir('renderer-')
  mkdirSync(join(renderer.path, 'assets'))
  writeFileSync(join(renderer.path, 'index.html'), '<!doctype html><html><head></head><body></body></html>')
  host = await startHost({
    app: ws.app,
    rendererDir: renderer.path,
    limits: { maxBodyBytes: 64 * 1024, largeBodyBytes: 1024, concurrentLargeBodies: 1, eventStreams: 2 },
  })
})
afterAll(async () => {
  await host.close()
  ws.close()
  renderer.remove()
})

const auth = () => ({ 'x-jit-mapper-secret': host.secret, 'x-jit-mapper': '1', 'content-type': 'application/json' })
const raw = (method: string, target: string, headers: Record<string, string> = {}, body = '') =>
  rawRequest({ port: host.port }, method, target, headers, body)

describe('the launch secret stays out of cookies', () => {
  it('opening the printed URL sets no cookie, and a cookie carrying the secret opens nothing', async () => {
    const page = await raw('GET', `/?secret=${host.secret}`)
    expect(page.status).toBe(200)
    expect(page.head).not.toMatch(/set-cookie/i)
    const byCookie = await raw('POST', '/__ipc/users/list', {
      cookie: `jit_mapper_session=${host.secret}`,
      'x-jit-mapper': '1',
    })
    expect(byCookie.status).toBe(401)
  })

  it('answers the API from this origin only (Origin, Sec-Fetch-Site)', async () => {
    expect((await raw('POST', '/__ipc/users/list', auth(), '{}')).status).toBe(200)
    const sameOrigin = { ...auth(), origin: `http://127.0.0.1:${host.port}`, 'sec-fetch-site': 'same-origin' }
    expect((await raw('POST', '/__ipc/users/list', sameOrigin, '{}')).status).toBe(200)
    for (const h of <Record<string, string>[]>[
      { origin: 'http://127.0.0.1:1' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ])
      expect((await raw('POST', '/__ipc/users/list', { ...auth(), ...h }, '{}')).status).toBe(403)
    expect((await raw('GET', '/__events', { ...auth(), origin: 'http://localhost:1' })).status).toBe(403)
  })
})

describe('hostile request targets', () => {
  const targets = [...HOSTILE_TARGETS, '/__ipc/%E0%A4%A', '/__ipc/users%2', '/assets/%', '/%C0%AF..%C0%AF']
  it.each(targets.flatMap(t => [['GET', t] as const, ['POST', t] as const]))(
    '%s %s ends in a 4xx and the host keeps answering',
    async (method, target) => {
      const r = await raw(method, target, auth(), method === 'POST' ? '{}' : '')
      expect(r.status).toBeGreaterThanOrEqual(400)
      expect(r.status).toBeLessThan(500)
      expect((await raw('POST', '/__ipc/users/list', auth(), '{}')).status).toBe(200)
    },
  )
})

describe('bounded bodies and streams', () => {
  it('answers an over-cap body with 413 before reading it (no reset)', async () => {
    const r = await rawRequest({ port: host.port }, 'POST', '/__ipc/directories/import', {
      ...auth(),
      'content-length': String(10 * 1024 * 1024),
    })
    expect(r.status).toBe(413)
    expect(JSON.parse(r.body).error.code).toBe('TOO_LARGE')
  })

  it('answers a chunked body that grows past the cap with 413', async () => {
    const chunk = 'x'.repeat(70 * 1024)
    const r = await raw(
      'POST',
      '/__ipc/users/list',
      { ...auth(), 'transfer-encoding': 'chunked' },
      `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
    )
    expect(r.status).toBe(413)
  })

  it('reads one large body at a time and answers 503 to the next meanwhile', async () => {
    // A large body that stalls after its headers holds the only slot.
    const stalled = request({
      host: '127.0.0.1',
      port: host.port,
      method: 'POST',
      path: '/__ipc/users/list',
      headers: { ...auth(), host: `127.0.0.1:${host.port}`, 'content-length': '4096' },
    })
    stalled.on('error', () => {})
    stalled.write('{')
    // Until the stalled request has reached the host, a large body is read (200); then 503.
    let second = await raw('POST', '/__ipc/users/list', auth(), `{${' '.repeat(2000)}}`)
    for (let i = 0; i < 100 && second.status === 200; i++)
      second = await raw('POST', '/__ipc/users/list', auth(), `{${' '.repeat(2000)}}`)
    expect(second.status).toBe(503)
    expect(second.head).toMatch(/retry-after: 1/i)
    const small = await raw('POST', '/__ipc/users/list', auth(), '{}')
    expect(small.status).toBe(200)
    stalled.destroy()
  })

  it('keeps at most the configured number of event streams open', async () => {
    const open = () =>
      new Promise<{ status: number; close(): void }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: host.port,
            path: '/__events',
            headers: { ...auth(), host: `127.0.0.1:${host.port}` },
          },
          res => resolve({ status: res.statusCode ?? 0, close: () => req.destroy() }),
        )
        req.on('error', reject)
        req.end()
      })
    const a = await open()
    const b = await open()
    const c = await open()
    expect([a.status, b.status, c.status]).toEqual([200, 200, 503])
    a.close()
    b.close()
    c.close()
  })
})
