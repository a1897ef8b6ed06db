import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startHost, type Host } from '../../src/main/headless/host'
import { openWorkspace, seedSmallOrganisation, tempDir, type TestWorkspace } from '../helpers/workspace'

let ws: TestWorkspace
let host: Host
let renderer: { path: string; remove(): void }

beforeEach(async () => {
  ws = openWorkspace()
  seedSmallOrganisation(ws)
  renderer = tempDir('renderer-')
  mkdirSync(join(renderer.path, 'assets'))
  writeFileSync(
    join(renderer.path, 'index.html'),
    '<!doctype html><html><head><title>t</title></head><body></body></html>',
  )
  writeFileSync(join(renderer.path, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(ws.dir, 'secret.txt'), 'not for the browser')
  host = await startHost({ app: ws.app, rendererDir: renderer.path })
})
afterEach(async () => {
  await host.close()
  ws.close()
  renderer.remove()
})

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function send(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port,
        path,
        method: opts.method ?? 'GET',
        headers: { host: `127.0.0.1:${host.port}`, ...opts.headers },
      },
      res => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end(opts.body)
  })
}

const session = () => ({ 'x-jit-mapper-secret': host.secret })
const api = (channel: string, args: unknown, headers: Record<string, string> = {}) =>
  send(`/__ipc/${channel}`, {
    method: 'POST',
    headers: { ...session(), 'content-type': 'application/json', 'x-jit-mapper': '1', ...headers },
    body: JSON.stringify(args),
  })

describe('the loopback host', () => {
  it('binds 127.0.0.1 and prints a URL carrying the launch secret', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?secret=${host.secret}`)
    expect(host.secret.length).toBeGreaterThanOrEqual(40)
  })

  it('refuses API calls and the event stream without the secret header, and a page opened with a wrong one', async () => {
    expect(
      (await send('/__ipc/users/list', { method: 'POST', headers: { 'x-jit-mapper': '1' }, body: '{}' })).status,
    ).toBe(401)
    expect((await api('users/list', {}, { 'x-jit-mapper-secret': 'wrong' })).status).toBe(401)
    expect((await send('/__events')).status).toBe(401)
    expect((await send('/?secret=wrong')).status).toBe(401)
  })

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    expect((await send('/', { headers: { ...session(), host: `evil.example:${host.port}` } })).status).toBe(403)
  })

  it('serves the renderer with the bridge, and sets no cookie', async () => {
    const first = await send(`/?secret=${host.secret}`)
    expect(first.status).toBe(200)
    expect(first.headers['set-cookie']).toBeUndefined()
    expect(first.body).toContain('<script src="/__bridge.js"></script>')
    expect((await send('/assets/app.js')).body).toBe('console.log(1)')
    const bridge = (await send('/__bridge.js')).body
    expect(bridge).toContain('window.api')
    expect(bridge).not.toContain(host.secret)
  })

  it('serves nothing outside the renderer folder', async () => {
    expect((await send('/../secret.txt', { headers: session() })).status).toBe(404)
    expect((await send('/%2e%2e/secret.txt', { headers: session() })).status).toBe(404)
  })

  it('runs contract calls and returns expected failures as values', async () => {
    const ok = JSON.parse((await api('users/list', { query: 'alex' })).body)
    expect(ok).toMatchObject({ ok: true, value: { total: 1, rows: [{ userPrincipalName: 'alex@example.test' }] } })
    const bad = JSON.parse((await api('users/list', { limit: -1 })).body)
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
    const unknown = JSON.parse((await api('users/drop', {})).body)
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('rejects API calls without the custom header, and bodies that are not JSON', async () => {
    expect((await api('users/list', {}, { 'x-jit-mapper': '0' })).status).toBe(403)
    const notJson = await send('/__ipc/users/list', {
      method: 'POST',
      headers: { ...session(), 'x-jit-mapper': '1' },
      body: '{nope',
    })
    expect(notJson.status).toBe(400)
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
  })

  it('streams change notifications as server-sent events', async () => {
    let enrolled: Promise<Reply> | undefined
    const events = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: host.port,
          path: '/__events',
          headers: { host: `127.0.0.1:${host.port}`, ...session() },
        },
        res => {
          let seen = ''
          res.setEncoding('utf8')
          res.on('data', (c: string) => {
            seen += c
            if (seen.includes(': connected') && !enrolled)
              enrolled = api('devices/enroll', {
                serial: 'S1',
                platform: 'ios',
                userPrincipalName: 'alex@example.test',
              })
            if (seen.includes('event: db/changed')) {
              resolve(seen)
              req.destroy()
            }
          })
        },
      )
      req.on('error', reject)
      req.end()
    })
    expect(JSON.parse((await enrolled)?.body ?? '{}')).toMatchObject({ ok: true })
    const data = events.split('\n').find(l => l.startsWith('data: '))
    expect(JSON.parse(data?.slice(6) ?? '{}').domains).toContain('devices')
  })
})
